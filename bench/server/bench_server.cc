// bench_server: the HTTP service under load on loopback, bounded in time.
//
//   1. report reads  — wrk, GET /api/v1/reports/{random id} (full report JSON), --seconds long;
//   2. report lists  — wrk, GET /api/v1/reports?limit=20 (summaries), --seconds long;
//   3. webhook posts — wrk, POST /api/v1/alerts/alertmanager, one new alert per post;
//   4. burst         — exactly --burst webhook posts (default 10,000) from --connections
//                      concurrent keep-alive clients, every body sent twice (half are repeats,
//                      the two copies in flight at the same moment), then checks that every
//                      unique alert is stored exactly once: zero lost, zero duplicated;
//   5. wide burst    — the same with --wide-burst posts (default 20,000) over
//                      --wide-connections concurrent keep-alive connections (default 200), on
//                      plain sockets so that every connection reset is counted: lost,
//                      duplicated and resets must all be zero (issue 13: the old listen backlog
//                      of 5 reset 3 of 8,000 posts).
// The server is the real HttpServer (server.threads workers) over SQLite files in a temporary
// directory, seeded with a simulated fleet (--clusters) and --reports stored reports; access
// logging off. Targets (issue 7): >= 2,000 reads/s with p99 < 50 ms on a 2-core machine.
// Exit code 0 when both bursts lost, duplicated and reset nothing, 1 otherwise (the speed figures
// are printed, not asserted: they depend on the machine).
//
//   bench_server [--seconds 10] [--connections 16] [--threads 2] [--reports 2000]
//                [--clusters 50] [--burst 10000] [--server-threads 16]
//                [--wide-burst 20000] [--wide-connections 200]
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "agent/report.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/json.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/time_format.h"
#include "server/http_server.h"
#include "simulator/fleet_generator.h"
#include "store/database.h"
#include "store/report_store.h"
#include "store/schema.h"

namespace {

using rh::Json;

struct Options {
  int seconds = 10;
  int connections = 16;
  int wrk_threads = 2;
  int reports = 2000;
  int clusters = 50;
  int burst = 10000;
  int server_threads = 16;
  int wide_burst = 20000;
  int wide_connections = 200;
};

struct WrkFigures {
  double requests_per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  long long requests = 0;
  long long non_2xx = 0;
  long long socket_errors = 0;
  bool ok = false;
};

double ToMilliseconds(const std::string& value, const std::string& unit) {
  double number = std::atof(value.c_str());
  if (unit == "us") return number / 1000.0;
  if (unit == "s") return number * 1000.0;
  return number;  // ms
}

// Runs wrk and parses its --latency report.
WrkFigures RunWrk(const Options& options, const std::string& url, const std::string& script,
                  const std::string& script_args) {
  std::string command = "wrk -t" + std::to_string(options.wrk_threads) + " -c" +
                        std::to_string(options.connections) + " -d" +
                        std::to_string(options.seconds) + "s --latency " +
                        (script.empty() ? "" : "-s " + script + " ") + url +
                        (script_args.empty() ? "" : " -- " + script_args) + " 2>&1";
  WrkFigures figures;
  std::FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return figures;
  std::string output;
  char buffer[4096];
  while (size_t read = std::fread(buffer, 1, sizeof(buffer), pipe)) output.append(buffer, read);
  figures.ok = pclose(pipe) == 0;
  std::smatch match;
  if (std::regex_search(output, match, std::regex(R"(Requests/sec:\s+([0-9.]+))"))) {
    figures.requests_per_second = std::atof(match[1].str().c_str());
  }
  if (std::regex_search(output, match, std::regex(R"(\n\s+50%\s+([0-9.]+)(us|ms|s))"))) {
    figures.p50_ms = ToMilliseconds(match[1], match[2]);
  }
  if (std::regex_search(output, match, std::regex(R"(\n\s+99%\s+([0-9.]+)(us|ms|s))"))) {
    figures.p99_ms = ToMilliseconds(match[1], match[2]);
  }
  if (std::regex_search(output, match, std::regex(R"((\d+) requests in)"))) {
    figures.requests = std::atoll(match[1].str().c_str());
  }
  if (std::regex_search(output, match, std::regex(R"(Non-2xx or 3xx responses: (\d+))"))) {
    figures.non_2xx = std::atoll(match[1].str().c_str());
  }
  if (std::regex_search(
          output, match,
          std::regex(R"(Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+))"))) {
    figures.socket_errors = std::atoll(match[1].str().c_str()) +
                            std::atoll(match[2].str().c_str()) +
                            std::atoll(match[3].str().c_str()) + std::atoll(match[4].str().c_str());
  }
  if (!figures.ok || figures.requests == 0)
    std::fprintf(stderr, "wrk output:\n%s\n", output.c_str());
  return figures;
}

void PrintWrk(const char* name, const WrkFigures& figures) {
  std::printf(
      "%-14s %9.0f req/s   p50 %7.2f ms   p99 %7.2f ms   %lld requests, %lld non-2xx, "
      "%lld socket errors\n",
      name, figures.requests_per_second, figures.p50_ms, figures.p99_ms, figures.requests,
      figures.non_2xx, figures.socket_errors);
}

rh::store::StoredReport MakeReport(const std::string& cluster_id, int report_idx,
                                   rh::TimePoint created_at) {
  static const char* kSeverities[] = {"critical", "high", "medium", "low", "info"};
  rh::agent::Report report;
  report.severity = kSeverities[report_idx % 5];
  report.confidence = 0.5 + (report_idx % 50) / 100.0;
  report.root_cause_category = rh::agent::RootCauseCategories()[report_idx % 13];
  report.root_cause = "Compaction on " + cluster_id +
                      " fell behind after a burst of small loads; versions pile up per tablet.";
  report.summary = "Investigation " + std::to_string(report_idx) + " of " + cluster_id;
  Json transcript = Json::array();
  for (int call_idx = 1; call_idx <= 8; ++call_idx) {
    std::string id = "call_" + std::to_string(call_idx);
    report.evidence.push_back({id, "query_cluster_metrics",
                               "compaction score avg 612, max 1480 over 24 h (call " + id + ")"});
    transcript.push_back({{"id", id},
                          {"tool", "query_cluster_metrics"},
                          {"input", {{"cluster_id", cluster_id}}},
                          {"output", std::string(600, 'x')},
                          {"duration_ms", 20}});
  }
  rh::agent::Recommendation recommendation;
  recommendation.action = "Raise compaction threads and batch small loads";
  recommendation.rationale = "Versions per tablet grow faster than compaction removes them";
  report.recommendations = {recommendation};
  rh::agent::ReportContext context;
  context.cluster_id = cluster_id;
  context.engine = "playbook";
  context.created_at = rh::FormatIsoTime(created_at);
  rh::store::StoredReport stored;
  stored.cluster_id = cluster_id;
  stored.engine = "playbook";
  stored.severity = report.severity;
  stored.confidence = report.confidence;
  stored.category = report.root_cause_category;
  stored.root_cause = report.root_cause;
  stored.summary = report.summary;
  stored.report_json = rh::DumpJson(rh::agent::ReportToJson(report));
  stored.markdown = rh::agent::RenderMarkdown(report, context);
  stored.transcript_json = rh::DumpJson(transcript);
  stored.created_at = created_at;
  return stored;
}

std::string AlertBody(const std::string& cluster_id, const std::string& alert_name, int minute) {
  const std::string starts =
      rh::FormatIsoTime(rh::MakeUtcTime(2026, 11, 1) + std::chrono::minutes(minute));
  Json body = {
      {"version", "4"},
      {"status", "firing"},
      {"receiver", "rockhound"},
      {"externalURL", "http://alertmanager:9093"},
      {"alerts",
       {{{"status", "firing"},
         {"labels",
          {{"alertname", alert_name}, {"cluster_id", cluster_id}, {"severity", "warning"}}},
         {"annotations", {{"summary", alert_name + " on " + cluster_id}}},
         {"startsAt", starts},
         {"endsAt", "0001-01-01T00:00:00Z"}}}}};
  return rh::DumpJson(body);
}

bool WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  return out.good();
}

// One keep-alive HTTP/1.1 connection on a plain socket, so that a reset is seen as a reset.
class PlainConnection {
 public:
  explicit PlainConnection(int port) : port_(port) {}
  ~PlainConnection() { Disconnect(); }

  struct Outcome {
    int status = 0;  // 0: no response
    int error = 0;   // errno of the failure (ECONNRESET, EPIPE, ...), 0 when none
    std::string body;
  };

  Outcome Exchange(const std::string& request) {
    Outcome outcome;
    if (fd_ < 0 && !Connect(outcome)) return outcome;
    for (size_t sent = 0; sent < request.size();) {
      const ssize_t written = send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (written <= 0) return Fail(outcome, written < 0 ? errno : EPIPE);
      sent += static_cast<size_t>(written);
    }
    size_t head_end = std::string::npos;
    while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(outcome)) return outcome;
    }
    const std::string head = buffer_.substr(0, head_end);
    buffer_.erase(0, head_end + 4);
    const size_t length_at = head.find("Content-Length: ");
    const size_t length =
        length_at == std::string::npos ? 0 : std::stoul(head.substr(length_at + 16));
    while (buffer_.size() < length) {
      if (!Fill(outcome)) return outcome;
    }
    outcome.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    outcome.status = head.size() > 12 ? std::atoi(head.c_str() + 9) : 0;
    if (head.find("Connection: close") != std::string::npos) Disconnect();
    return outcome;
  }

 private:
  bool Connect(Outcome& outcome) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int yes = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port_));
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      Fail(outcome, errno);
      return false;
    }
    return true;
  }

  bool Fill(Outcome& outcome) {
    char chunk[16384];
    const ssize_t received = recv(fd_, chunk, sizeof(chunk), 0);
    if (received <= 0) {
      Fail(outcome, received < 0 ? errno : ECONNABORTED);
      return false;
    }
    buffer_.append(chunk, static_cast<size_t>(received));
    return true;
  }

  Outcome& Fail(Outcome& outcome, int error) {
    outcome.error = error;
    Disconnect();
    return outcome;
  }

  void Disconnect() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    buffer_.clear();
  }

  int port_;
  int fd_ = -1;
  std::string buffer_;
};

int ParseFlag(int argc, char** argv, const char* name, int fallback) {
  for (int arg_idx = 1; arg_idx + 1 < argc; ++arg_idx) {
    if (std::string(argv[arg_idx]) == name) return std::atoi(argv[arg_idx + 1]);
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  options.seconds = ParseFlag(argc, argv, "--seconds", options.seconds);
  options.connections = ParseFlag(argc, argv, "--connections", options.connections);
  options.wrk_threads = ParseFlag(argc, argv, "--threads", options.wrk_threads);
  options.reports = ParseFlag(argc, argv, "--reports", options.reports);
  options.clusters = ParseFlag(argc, argv, "--clusters", options.clusters);
  options.burst = ParseFlag(argc, argv, "--burst", options.burst) / 2 * 2;
  options.server_threads = ParseFlag(argc, argv, "--server-threads", options.server_threads);
  options.wide_burst = ParseFlag(argc, argv, "--wide-burst", options.wide_burst) / 2 * 2;
  options.wide_connections = ParseFlag(argc, argv, "--wide-connections", options.wide_connections);
  if (std::system("wrk --version > /dev/null 2>&1") == -1 ||
      std::system("command -v wrk > /dev/null") != 0) {
    std::fprintf(stderr, "bench_server: wrk is not installed (apt-get install wrk)\n");
    return 2;
  }
  rh::ConfigureLogging(spdlog::level::warn, rh::LogFormat::kText);

  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("rockhound-bench-server-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto fleet = rh::store::OpenDatabase((dir / "fleet.db").string());
  auto memory = rh::store::OpenDatabase((dir / "memory.db").string());
  if (!fleet || !memory || !rh::store::Migrate(**memory, rh::store::SchemaSet::kMemory)) {
    std::fprintf(stderr, "bench_server: cannot open the databases in %s\n", dir.c_str());
    return 1;
  }
  const rh::TimePoint end_hour = rh::MakeUtcTime(2026, 11, 21, 10);
  rh::simulator::FleetParams params;
  params.clusters = options.clusters;
  params.days = 2;
  params.seed = 11;
  params.end_hour = end_hour;
  auto generated = rh::simulator::GenerateFleet(**fleet, params);
  if (!generated) {
    std::fprintf(stderr, "bench_server: %s\n", generated.error().ToString().c_str());
    return 1;
  }
  auto cluster_rows = (*fleet)->Query("SELECT cluster_id FROM cluster_info ORDER BY cluster_id");
  std::vector<std::string> clusters;
  for (const rh::store::Row& row : *cluster_rows) clusters.push_back(row.GetString(0));

  rh::store::ReportStore reports(**memory);
  std::string report_ids;
  for (int report_idx = 0; report_idx < options.reports; ++report_idx) {
    auto id = reports.Insert(MakeReport(clusters[report_idx % clusters.size()], report_idx,
                                        end_hour - std::chrono::minutes(report_idx)));
    if (!id) {
      std::fprintf(stderr, "bench_server: %s\n", id.error().ToString().c_str());
      return 1;
    }
    report_ids += *id + "\n";
  }
  std::string cluster_list;
  for (const std::string& cluster : clusters) cluster_list += cluster + "\n";
  const std::filesystem::path ids_file = dir / "report_ids.txt";
  const std::filesystem::path clusters_file = dir / "clusters.txt";
  WriteFile(ids_file, report_ids);
  WriteFile(clusters_file, cluster_list);

  rh::Config config;
  config.server.port = 0;
  config.server.rate_limit_per_minute = 0;
  config.server.threads = options.server_threads;
  config.server.investigate_critical_alerts = false;
  rh::SystemClock clock;
  rh::MetricsRegistry metrics;
  rh::server::HttpServer server(config, clock, **fleet, **memory, metrics);
  auto port = server.Start();
  if (!port) {
    std::fprintf(stderr, "bench_server: %s\n", port.error().ToString().c_str());
    return 1;
  }
  const std::string url = "http://127.0.0.1:" + std::to_string(*port);
  const std::string scripts = RH_BENCH_SCRIPTS;
  std::printf(
      "bench_server: %d clusters, %d reports (SQLite), %d server threads; wrk %d threads "
      "x %d connections, %d s per phase; %u CPU cores\n",
      static_cast<int>(clusters.size()), options.reports, options.server_threads,
      options.wrk_threads, options.connections, options.seconds,
      std::thread::hardware_concurrency());
  std::fflush(stdout);

  WrkFigures reads = RunWrk(options, url, scripts + "/report_reads.lua", ids_file.string());
  PrintWrk("report reads", reads);
  WrkFigures lists = RunWrk(options, url + "/api/v1/reports?limit=20", "", "");
  PrintWrk("report lists", lists);
  WrkFigures posts = RunWrk(options, url + "/api/v1/alerts/alertmanager",
                            scripts + "/webhook_posts.lua", clusters_file.string());
  PrintWrk("webhook posts", posts);
  std::fflush(stdout);

  // The burst: every body twice, the two copies taken by different clients at the same moment.
  const int unique = options.burst / 2;
  std::vector<std::string> bodies;
  for (int alert_idx = 0; alert_idx < unique; ++alert_idx) {
    bodies.push_back(AlertBody(clusters[alert_idx % clusters.size()],
                               "BurstAlert" + std::to_string(alert_idx % 7), alert_idx));
  }
  const int64_t stored_before =
      *(*fleet)->QueryInt("SELECT COUNT(*) FROM lark_alerts WHERE message_id LIKE 'wh_%'");
  std::atomic<int> next{0};
  std::atomic<long long> inserted{0};
  std::atomic<long long> duplicates{0};
  std::atomic<long long> failed{0};
  const auto burst_start = std::chrono::steady_clock::now();
  std::vector<std::thread> clients;
  for (int client_idx = 0; client_idx < options.connections; ++client_idx) {
    clients.emplace_back([&] {
      httplib::Client client("127.0.0.1", *port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      client.set_read_timeout(60);
      for (int post_idx = next++; post_idx < 2 * unique; post_idx = next++) {
        auto result =
            client.Post("/api/v1/alerts/alertmanager", bodies[post_idx / 2], "application/json");
        if (!result || result->status != 200) {
          ++failed;
          continue;
        }
        auto reply = rh::ParseJson(result->body);
        inserted += reply->at("inserted").get<long long>();
        duplicates += reply->at("duplicates").get<long long>();
      }
    });
  }
  for (std::thread& client : clients) client.join();
  const double burst_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - burst_start).count();

  const int64_t stored_after =
      *(*fleet)->QueryInt("SELECT COUNT(*) FROM lark_alerts WHERE message_id LIKE 'wh_%'");
  const int64_t burst_rows =
      *(*fleet)->QueryInt("SELECT COUNT(*) FROM lark_alerts WHERE alert_name LIKE 'BurstAlert%'");
  const int64_t burst_distinct = *(*fleet)->QueryInt(
      "SELECT COUNT(DISTINCT message_id) FROM lark_alerts WHERE alert_name LIKE 'BurstAlert%'");
  const long long lost = unique - burst_rows;
  const long long duplicated = burst_rows - burst_distinct;
  std::printf(
      "burst          %d posts (%d unique alerts, each posted twice concurrently) in "
      "%.2f s = %.0f posts/s; %lld failed requests\n",
      2 * unique, unique, burst_seconds, 2 * unique / burst_seconds, failed.load());
  std::printf(
      "burst check    stored %lld new alerts (%lld reported inserted, %lld reported "
      "duplicate): lost %lld, duplicated %lld, rows added %lld\n",
      static_cast<long long>(burst_rows), inserted.load(), duplicates.load(), lost, duplicated,
      static_cast<long long>(stored_after - stored_before));
  std::fflush(stdout);

  // The wide burst: the same exactness over many more connections, on plain sockets.
  const int wide_unique = options.wide_burst / 2;
  std::vector<std::string> wide_requests;
  for (int alert_idx = 0; alert_idx < wide_unique; ++alert_idx) {
    const std::string body = AlertBody(clusters[alert_idx % clusters.size()],
                                       "WideBurstAlert" + std::to_string(alert_idx % 7), alert_idx);
    wide_requests.push_back(
        "POST /api/v1/alerts/alertmanager HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(*port) +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n" + body);
  }
  std::atomic<int> wide_next{0};
  std::atomic<long long> wide_inserted{0};
  std::atomic<long long> wide_duplicates{0};
  std::atomic<long long> wide_resets{0};
  std::atomic<long long> wide_failed{0};
  std::atomic<int> wide_ready{0};
  std::atomic<bool> wide_go{false};
  std::vector<std::thread> wide_clients;
  for (int client_idx = 0; client_idx < options.wide_connections; ++client_idx) {
    wide_clients.emplace_back([&] {
      PlainConnection connection(*port);
      ++wide_ready;
      while (!wide_go) std::this_thread::yield();
      for (int post_idx = wide_next++; post_idx < 2 * wide_unique; post_idx = wide_next++) {
        PlainConnection::Outcome outcome = connection.Exchange(wide_requests[post_idx / 2]);
        if (outcome.error == ECONNRESET || outcome.error == EPIPE) ++wide_resets;
        auto reply = rh::ParseJson(outcome.body);
        if (outcome.status != 200 || !reply) {
          ++wide_failed;
          continue;
        }
        wide_inserted += reply->at("inserted").get<long long>();
        wide_duplicates += reply->at("duplicates").get<long long>();
      }
    });
  }
  while (wide_ready < options.wide_connections) std::this_thread::yield();
  const auto wide_start = std::chrono::steady_clock::now();
  wide_go = true;
  for (std::thread& client : wide_clients) client.join();
  const double wide_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wide_start).count();
  server.Stop();
  const int64_t wide_rows = *(*fleet)->QueryInt(
      "SELECT COUNT(*) FROM lark_alerts WHERE alert_name LIKE 'WideBurstAlert%'");
  const int64_t wide_distinct = *(*fleet)->QueryInt(
      "SELECT COUNT(DISTINCT message_id) FROM lark_alerts WHERE alert_name LIKE "
      "'WideBurstAlert%'");
  const long long wide_lost = wide_unique - wide_rows;
  const long long wide_duplicated = wide_rows - wide_distinct;
  std::printf(
      "wide burst     %d posts (%d unique alerts, each posted twice concurrently) over %d "
      "connections in %.2f s = %.0f posts/s; %lld failed requests\n",
      2 * wide_unique, wide_unique, options.wide_connections, wide_seconds,
      2 * wide_unique / wide_seconds, wide_failed.load());
  std::printf(
      "wide check     lost %lld, duplicated %lld, resets %lld (%lld reported inserted, %lld "
      "reported duplicate)\n",
      wide_lost, wide_duplicated, wide_resets.load(), wide_inserted.load(), wide_duplicates.load());
  const bool reads_on_target = reads.requests_per_second >= 2000 && reads.p99_ms < 50;
  std::printf("target         reads >= 2000/s with p99 < 50 ms: %s\n",
              reads_on_target ? "met" : "NOT met");
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  const bool exact = failed == 0 && lost == 0 && duplicated == 0 && inserted == unique &&
                     duplicates == unique && stored_after - stored_before == unique &&
                     wide_failed == 0 && wide_resets == 0 && wide_lost == 0 &&
                     wide_duplicated == 0 && wide_inserted == wide_unique &&
                     wide_duplicates == wide_unique;
  std::printf("result         %s\n", exact ? "zero lost, zero duplicated, zero resets"
                                           : "ALERTS LOST, DUPLICATED OR RESET");
  return exact ? 0 : 1;
}
