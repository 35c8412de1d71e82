// Acceptance: a REAL Prometheus Alertmanager (Debian package prometheus-alertmanager, installed by
// `scripts/install-deps.sh --test`) started on loopback with its own configuration, notifying the
// real HTTP server's webhook. Groups mix a known cluster, an unknown cluster and an alert without
// the cluster label; Alertmanager repeats its notifications and then sends resolutions. Every
// alert must be stored exactly once, orphans listed with their reason, resolutions recorded.
// Skipped with a message only when the binary is absent outside CI (CI=true fails instead).
// Alertmanager runs on real time: the test polls with a deadline for what it sends.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/clock.h"
#include "core/time_format.h"
#include "tests/server/server_fixture.h"

namespace rh::testing {
namespace {

constexpr const char* kAlertmanager = "/usr/bin/prometheus-alertmanager";

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

// A child process we started, stopped (by its pid) when this goes away.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& log_path) {
    pid_ = ::fork();
    if (pid_ == 0) {
      FILE* log = std::fopen(log_path.c_str(), "w");
      if (log != nullptr) {
        ::dup2(::fileno(log), STDOUT_FILENO);
        ::dup2(::fileno(log), STDERR_FILENO);
      }
      std::vector<char*> args;
      for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      std::_Exit(127);
    }
  }
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  bool started() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

class AlertmanagerE2eTest : public ServerTest {
 protected:
  int64_t Rows(const std::string& where = "1 = 1") {
    return *fleet().QueryInt("SELECT COUNT(*) FROM lark_alerts WHERE message_id LIKE 'wh_%' AND " +
                             where);
  }
  // Polls `done` every 100 ms for up to `seconds` of real time.
  bool WaitFor(const std::function<bool()>& done, int seconds) {
    Stopwatch watch;
    while (watch.ElapsedSeconds() < seconds) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return done();
  }
  double MetricValue(const std::string& series) {
    HttpReply metrics = Get("/metrics");
    size_t at = metrics.body.find(series + " ");
    if (at == std::string::npos) return 0;
    return std::atof(metrics.body.c_str() + at + series.size() + 1);
  }
};

TEST_P(AlertmanagerE2eTest, RealAlertmanagerGroupsAreStoredOnceWithOrphansAndResolutions) {
  if (!std::filesystem::exists(kAlertmanager)) {
    if (const char* ci = std::getenv("CI"); ci != nullptr && std::string(ci) == "true") {
      FAIL() << kAlertmanager << " is missing; scripts/install-deps.sh --test installs it";
    }
    GTEST_SKIP() << kAlertmanager
                 << " is not installed (apt-get install prometheus-alertmanager, or "
                    "scripts/install-deps.sh --test); skipping the real Alertmanager test";
  }
  config_.server.rate_limit_per_minute = 0;
  StartServer();
  TempDir dir;
  const int am_port = FreePort();
  const std::string config_path = (dir.path() / "alertmanager.yml").string();
  {
    std::ofstream out(config_path);
    out << "route:\n"
           "  receiver: rockhound\n"
           "  group_by: ['alertname']\n"
           "  group_wait: 1s\n"
           "  group_interval: 1s\n"
           "  repeat_interval: 2s\n"
           "receivers:\n"
           "- name: rockhound\n"
           "  webhook_configs:\n"
           "  - url: http://127.0.0.1:" << port_ << "/api/v1/alerts/alertmanager\n"
           "    send_resolved: true\n";
  }
  Child alertmanager({kAlertmanager, "--config.file=" + config_path,
                      "--storage.path=" + (dir.path() / "data").string(),
                      "--web.listen-address=127.0.0.1:" + std::to_string(am_port),
                      "--cluster.listen-address=", "--log.level=warn"},
                     (dir.path() / "alertmanager.log").string());
  ASSERT_TRUE(alertmanager.started());
  httplib::Client am("127.0.0.1", am_port);
  am.set_connection_timeout(2);
  ASSERT_TRUE(WaitFor(
      [&] {
        auto ready = am.Get("/-/ready");
        return ready && ready->status == 200;
      },
      30))
      << "Alertmanager did not become ready; its log is in " << dir.path();

  // Alertmanager's times are real: starts a minute ago (fixed for every post, so re-posts are
  // the same alerts), ends in an hour (firing) or a second ago (resolved).
  const TimePoint now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const std::string starts = FormatIsoTime(now - std::chrono::minutes(1));
  auto alert = [&](const std::string& name, const std::string& cluster, bool resolved) {
    Json labels = {{"alertname", name}, {"severity", "warning"}, {"instance", "be-1:8040"}};
    if (!cluster.empty()) labels["cluster_id"] = cluster;
    return Json{{"labels", labels},
                {"annotations", {{"summary", name + " on " + (cluster.empty() ? "?" : cluster)}}},
                {"startsAt", starts},
                {"endsAt", FormatIsoTime(resolved ? std::chrono::system_clock::now() -
                                                        std::chrono::seconds(1)
                                                  : now + std::chrono::hours(1))}};
  };
  auto post = [&](const Json& alerts) {
    auto reply = am.Post("/api/v2/alerts", DumpJson(alerts), "application/json");
    ASSERT_TRUE(reply);
    ASSERT_EQ(reply->status, 200) << reply->body;
  };
  // One group (alertname DiskFull) mixing a known cluster, an unknown one and an unlabeled
  // alert; another group with a known cluster.
  const Json firing = Json::array({alert("DiskFull", kCriticalCluster, false),
                                   alert("DiskFull", "c-unknown", false),
                                   alert("DiskFull", "", false),
                                   alert("BeDown", kWarningCluster, false)});
  post(firing);
  ASSERT_TRUE(WaitFor([&] { return Rows() >= 4; }, 30)) << "stored: " << Rows();
  // Alertmanager repeats the groups (repeat_interval 2s), and the same alerts are posted to it
  // again: nothing new is stored.
  post(firing);
  ASSERT_TRUE(WaitFor(
      [&] {
        return MetricValue("rockhound_webhook_alerts_total{result=\"duplicate\"}") >= 4;
      },
      30));
  EXPECT_EQ(Rows(), 4);
  EXPECT_EQ(Rows("status = 'Firing'"), 4);

  // Resolutions: the known-cluster DiskFull, the unknown-cluster one and the unlabeled one.
  post(Json::array({alert("DiskFull", kCriticalCluster, true), alert("DiskFull", "c-unknown", true),
                    alert("DiskFull", "", true)}));
  ASSERT_TRUE(WaitFor([&] { return Rows("status = 'Resolved'") >= 3; }, 30))
      << "resolved stored: " << Rows("status = 'Resolved'");
  // Let Alertmanager flush again: still exactly once each.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(Rows(), 7);
  EXPECT_EQ(Rows("status = 'Resolved'"), 3);
  EXPECT_EQ(*fleet().QueryInt("SELECT COUNT(DISTINCT message_id) FROM lark_alerts"),
            *fleet().QueryInt("SELECT COUNT(*) FROM lark_alerts"));
  auto resolved = fleet().QueryOne(
      "SELECT ends_at FROM lark_alerts WHERE cluster_id = ? AND status = 'Resolved'",
      {store::Text(kCriticalCluster)});
  ASSERT_TRUE(resolved);
  EXPECT_FALSE(resolved->front().IsNull("ends_at"));

  // Orphans: the unknown cluster's and the unlabeled alert's messages, each with its reason.
  HttpReply orphans = Get("/api/v1/alerts?status=orphan&limit=100");
  ASSERT_EQ(orphans.status, 200) << orphans.body;
  ASSERT_EQ(orphans.json["alerts"].size(), 4u);  // 2 firing + 2 resolved
  for (const Json& orphan : orphans.json["alerts"]) {
    const std::string reason = orphan["orphan_reason"].get<std::string>();
    if (orphan["cluster_id"].is_null()) {
      EXPECT_NE(reason.find("'cluster_id' label"), std::string::npos) << reason;
    } else {
      EXPECT_EQ(orphan["cluster_id"], "c-unknown");
      EXPECT_NE(reason.find("not in the fleet"), std::string::npos) << reason;
    }
  }
  // The valid alerts are grouped into issues; nothing was refused.
  EXPECT_EQ(MetricValue("rockhound_webhook_bodies_refused_total"), 0);
  EXPECT_GE(*fleet().QueryInt("SELECT COUNT(*) FROM alert_issues"), 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, AlertmanagerE2eTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::testing
