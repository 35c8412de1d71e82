// bench_server: the HTTP service under load on loopback, bounded in time.
//
//   1. reads  — report reads: wrk, GET /api/v1/reports/{random id} (full report JSON), --seconds;
//   2. lists  — report lists: wrk, GET /api/v1/reports?limit=20 (summaries), --seconds long;
//   3. posts  — webhook posts: wrk, POST /api/v1/alerts/alertmanager, one new alert per post;
//   4. burst  — exactly --burst webhook posts (default 10,000) from --connections concurrent
//               keep-alive clients, every body sent twice (half are repeats, the two copies in
//               flight at the same moment), then checks that every unique alert is stored
//               exactly once: zero lost, zero duplicated;
//   5. wide   — the same with --wide-burst posts (default 20,000) over --wide-connections
//               concurrent keep-alive connections (default 200), on plain sockets so that every
//               connection reset is counted: lost, duplicated and resets must all be zero
//               (issue 13: the old listen backlog of 5 reset 3 of 8,000 posts);
//   6. mixed  — reads while investigations run (issue 12), on a server of its own over a fleet
//               of --mixed-clusters clusters (default 2,000; 2 days, the last 3 hours scored by
//               the real sentinel) with --reports stored reports and the starter knowledge. Two
//               wrk processes at once, each with half of --threads: report reads (as in 1) on
//               --connections minus --overview-connections connections, and the fleet overview
//               (GET /api/v1/clusters?limit=50&cursor=..., a page of the fleet drawn at random)
//               on --overview-connections (default half of --connections). First --seconds with
//               the workers idle, then the same load for --seconds while --workers workers
//               (default 4; service::InvestigationWorkers, as `serve` runs them) investigate
//               continuously with the Claude engine (agent.engine = claude, a fake API key,
//               ANTHROPIC_BASE_URL at the scripted Anthropic-compatible server of the tests,
//               tests/fakes/scripted_anthropic_server.h, one conversation per investigation of
//               tests/agent/scenarios/investigation_disk_full.json: 4 model turns, 8 real tool
//               calls, a report stored) with --latency-ms per model turn (default 200); a feeder
//               keeps at least 2 tasks per worker queued. The server's clock reads the fleet's
//               time and runs at real speed. Prints req/s, p50 and p99 per endpoint and for
//               both (req/s summed; p50/p99 the worse endpoint's, an upper bound of the combined
//               figure), idle and busy, the busy/idle p99 ratio per endpoint, the
//               investigations completed during the busy reads, and the targets with PASS/FAIL:
//               >= 2,000 req/s and p99 < 50 ms with the workers busy, busy p99 <= 2 x idle p99
//               for each endpoint. The phase is INVALID (exit code 1) when no investigation
//               completed during the busy reads, a report was written by another engine than
//               Claude, a read failed (non-2xx, socket error) or the scripted server saw a
//               problem. It needs the test fakes (RH_BUILD_TESTS=ON, the default); without them
//               it says it was not built and exits 1.
// Phases 1-5 share one server over SQLite files in a temporary directory, seeded with a
// simulated fleet (--clusters) and --reports stored reports; access logging off. Targets
// (issue 7): >= 2,000 reads/s with p99 < 50 ms on a 2-core machine.
// Exit code 0 when the bursts that ran lost, duplicated and reset nothing and the mixed phase (if
// it ran) was valid, 1 otherwise (the speed figures are printed, not asserted: they depend on the
// machine).
//
//   bench_server [--only reads,lists,posts,burst,wide,mixed] [--seconds 10] [--connections 16]
//                [--threads 2] [--reports 2000] [--clusters 50] [--burst 10000]
//                [--server-threads 16] [--wide-burst 20000] [--wide-connections 200]
//                [--mixed-clusters 2000] [--workers 4] [--latency-ms 200]
//                [--overview-connections 8]
//   --only: a comma-separated list of phases, default all six; e.g. the mixed phase alone:
//   bench_server --only mixed --seconds 30
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "agent/report.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/json.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/time_format.h"
#include "knowledge/knowledge_lake.h"
#include "knowledge/starter.h"
#include "sentinel/sentinel.h"
#include "server/http_server.h"
#include "service/fleet_views.h"
#include "service/investigations.h"
#include "service/runtime.h"
#include "service/workers.h"
#include "simulator/fleet_generator.h"
#include "simulator/ground_truth.h"
#include "store/database.h"
#include "store/report_store.h"
#include "store/schema.h"
#include "store/task_queue.h"
#if RH_BENCH_SCRIPTED_MODEL
#include "tests/fakes/scripted_anthropic_server.h"
#endif

namespace {

using rh::Json;

struct Options {
  std::set<std::string> only;  // phases to run (--only); empty: every phase
  int seconds = 10;
  int connections = 16;
  int wrk_threads = 2;
  int reports = 2000;
  int clusters = 50;
  int burst = 10000;
  int server_threads = 16;
  int wide_burst = 20000;
  int wide_connections = 200;
  int mixed_clusters = 2000;
  int workers = 4;
  int latency_ms = 200;
  int overview_connections = -1;  // mixed phase; -1: half of `connections`

  bool Runs(const std::string& phase) const { return only.empty() || only.count(phase) > 0; }
};

// One wrk run: threads x connections for seconds.
struct WrkLoad {
  int threads = 2;
  int connections = 16;
  int seconds = 10;
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
WrkFigures RunWrk(const WrkLoad& load, const std::string& url, const std::string& script,
                  const std::string& script_args) {
  std::string command = "wrk -t" + std::to_string(load.threads) + " -c" +
                        std::to_string(load.connections) + " -d" + std::to_string(load.seconds) +
                        "s --latency " + (script.empty() ? "" : "-s " + script + " ") + url +
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

WrkFigures RunWrk(const Options& options, const std::string& url, const std::string& script,
                  const std::string& script_args) {
  return RunWrk(WrkLoad{options.wrk_threads, options.connections, options.seconds}, url, script,
                script_args);
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
  rh::agent::Report report;
  report.severity = rh::kAllSeverities[report_idx % rh::kAllSeverities.size()];
  report.confidence = 0.5 + (report_idx % 50) / 100.0;
  report.root_cause_category = rh::kAllRootCauses[report_idx % rh::kAllRootCauses.size()];
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
  context.engine = rh::EngineKind::kPlaybook;
  context.created_at = rh::FormatIsoTime(created_at);
  rh::store::StoredReport stored;
  stored.cluster_id = cluster_id;
  stored.engine = rh::EngineKind::kPlaybook;
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

// Phases 1-5 on one server over a --clusters fleet; returns the exit code.
int RunClassic(const Options& options) {
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
  config.data_dir = dir.string();
  config.fleet.db = (dir / "fleet.db").string();
  config.memory.db = (dir / "memory.db").string();
  config.server.port = 0;
  config.server.rate_limit_per_minute = 0;
  config.server.threads = options.server_threads;
  config.server.investigate_critical_alerts = false;
  rh::SystemClock clock;
  rh::MetricsRegistry metrics;
  rh::service::Runtime runtime(config, clock, metrics);
  rh::server::HttpServer server(runtime, metrics);
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

  WrkFigures reads;
  if (options.Runs("reads")) {
    reads = RunWrk(options, url, scripts + "/report_reads.lua", ids_file.string());
    PrintWrk("report reads", reads);
  }
  if (options.Runs("lists")) {
    WrkFigures lists = RunWrk(options, url + "/api/v1/reports?limit=20", "", "");
    PrintWrk("report lists", lists);
  }
  if (options.Runs("posts")) {
    WrkFigures posts = RunWrk(options, url + "/api/v1/alerts/alertmanager",
                              scripts + "/webhook_posts.lua", clusters_file.string());
    PrintWrk("webhook posts", posts);
  }
  std::fflush(stdout);
  bool exact = true;

  if (options.Runs("burst")) {
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
    exact = exact && failed == 0 && lost == 0 && duplicated == 0 && inserted == unique &&
            duplicates == unique && stored_after - stored_before == unique;
  }

  if (options.Runs("wide")) {
    // The wide burst: the same exactness over many more connections, on plain sockets.
    const int wide_unique = options.wide_burst / 2;
    std::vector<std::string> wide_requests;
    for (int alert_idx = 0; alert_idx < wide_unique; ++alert_idx) {
      const std::string body =
          AlertBody(clusters[alert_idx % clusters.size()],
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
        wide_lost, wide_duplicated, wide_resets.load(), wide_inserted.load(),
        wide_duplicates.load());
    exact = exact && wide_failed == 0 && wide_resets == 0 && wide_lost == 0 &&
            wide_duplicated == 0 && wide_inserted == wide_unique && wide_duplicates == wide_unique;
  }
  server.Stop();
  if (options.Runs("reads")) {
    const bool reads_on_target = reads.requests_per_second >= 2000 && reads.p99_ms < 50;
    std::printf("target         reads >= 2000/s with p99 < 50 ms: %s\n",
                reads_on_target ? "met" : "NOT met");
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  if (options.Runs("burst") || options.Runs("wide")) {
    std::printf("result         %s\n", exact ? "zero lost, zero duplicated, zero resets"
                                             : "ALERTS LOST, DUPLICATED OR RESET");
  }
  std::fflush(stdout);
  return exact ? 0 : 1;
}

#if RH_BENCH_SCRIPTED_MODEL

// A wall clock that reads the simulated fleet's time (`start` when it is made) and runs at real
// speed: the tools' look-back windows see the fleet's data, while leases, heartbeats, timeouts
// and sleeps run on real time.
class ShiftedClock final : public rh::Clock {
 public:
  explicit ShiftedClock(rh::TimePoint start) : shift_(start - real_.Now()) {}
  rh::TimePoint Now() const override { return real_.Now() + shift_; }
  rh::MonoTime Monotonic() const override { return real_.Monotonic(); }
  void SleepFor(rh::Duration duration) override { real_.SleepFor(duration); }
  bool WaitFor(rh::Duration duration, std::stop_token stop) override {
    return real_.WaitFor(duration, stop);
  }

 private:
  rh::SystemClock real_;
  rh::Duration shift_;
};

std::string LoadAverage() {
  std::ifstream loadavg("/proc/loadavg");
  std::string one, five, fifteen;
  loadavg >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

// The mixed phase's read load: report reads and overview pages, two wrk processes at once.
struct ReadMix {
  WrkFigures reports;
  WrkFigures overview;

  double RequestsPerSecond() const {
    return reports.requests_per_second + overview.requests_per_second;
  }
  double WorseP50() const { return std::max(reports.p50_ms, overview.p50_ms); }
  double WorseP99() const { return std::max(reports.p99_ms, overview.p99_ms); }
  bool Clean() const {
    return reports.ok && overview.ok && reports.requests > 0 && overview.requests > 0 &&
           reports.non_2xx + overview.non_2xx + reports.socket_errors + overview.socket_errors == 0;
  }
};

// The two wrk loads of the mixed phase: report reads and overview pages.
std::pair<WrkLoad, WrkLoad> MixLoads(const Options& options, int seconds) {
  const int threads = std::max(1, options.wrk_threads / 2);
  const int overview =
      options.overview_connections >= 0 ? options.overview_connections : options.connections / 2;
  WrkLoad reports{threads, std::max(threads, options.connections - overview), seconds};
  WrkLoad pages{threads, std::max(threads, overview), seconds};
  return {reports, pages};
}

ReadMix RunReadMix(const Options& options, int seconds, const std::string& url,
                   const std::string& ids_file, const std::string& pages_file) {
  const auto [report_load, overview_load] = MixLoads(options, seconds);
  const std::string scripts = RH_BENCH_SCRIPTS;
  ReadMix mix;
  std::thread overview([&] {
    mix.overview = RunWrk(overview_load, url, scripts + "/random_paths.lua", pages_file);
  });
  mix.reports = RunWrk(report_load, url, scripts + "/report_reads.lua", ids_file);
  overview.join();
  return mix;
}

void PrintReadMix(const char* workers, const ReadMix& mix) {
  auto row = [&](const char* what, double rps, double p50, double p99, long long requests,
                 long long errors) {
    std::printf(
        "  %-5s %-24s %9.0f req/s   p50 %7.2f ms   p99 %7.2f ms   %lld requests, %lld "
        "errors\n",
        workers, what, rps, p50, p99, requests, errors);
  };
  row("report reads", mix.reports.requests_per_second, mix.reports.p50_ms, mix.reports.p99_ms,
      mix.reports.requests, mix.reports.non_2xx + mix.reports.socket_errors);
  row("overview pages of 50", mix.overview.requests_per_second, mix.overview.p50_ms,
      mix.overview.p99_ms, mix.overview.requests,
      mix.overview.non_2xx + mix.overview.socket_errors);
  row("all reads (worse p50/p99)", mix.RequestsPerSecond(), mix.WorseP50(), mix.WorseP99(),
      mix.reports.requests + mix.overview.requests,
      mix.reports.non_2xx + mix.reports.socket_errors + mix.overview.non_2xx +
          mix.overview.socket_errors);
}

const char* PassFail(bool pass) { return pass ? "PASS" : "FAIL"; }

constexpr char kBenchApiKey[] = "sk-ant-bench-0000";
constexpr int kMixedScoredHours = 3;

// Phase 6: reads with the investigation workers idle, then busy; returns the exit code.
int RunMixed(const Options& options) {
  rh::Stopwatch setup_time;
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("rockhound-bench-mixed-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  struct Cleanup {
    std::filesystem::path dir;
    ~Cleanup() {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  } cleanup{dir};
  auto fail = [](const std::string& what, const rh::Error& error) {
    std::fprintf(stderr, "bench_server (mixed): %s: %s\n", what.c_str(), error.ToString().c_str());
    return 1;
  };

  // The fleet, scored by the real sentinel over its last hours (its tasks go to a scratch queue).
  const rh::TimePoint end_hour = rh::MakeUtcTime(2026, 11, 21, 10);
  const std::string fleet_path = (dir / "fleet.db").string();
  std::string investigated;  // the cluster the scripted conversation is about
  {
    auto fleet = rh::store::OpenDatabase(fleet_path);
    if (!fleet) return fail("fleet database", fleet.error());
    rh::simulator::FleetParams params;
    params.clusters = options.mixed_clusters;
    params.days = 2;
    params.seed = 11;
    params.end_hour = end_hour;
    if (auto generated = rh::simulator::GenerateFleet(**fleet, params); !generated) {
      return fail("fleet", generated.error());
    }
    auto scratch = rh::store::OpenDatabase(":memory:");
    if (!scratch) return fail("scratch queue", scratch.error());
    if (auto migrated = rh::store::Migrate(**scratch, rh::store::SchemaSet::kMemory); !migrated) {
      return fail("scratch queue", migrated.error());
    }
    for (int hours_back = kMixedScoredHours - 1; hours_back >= 0; --hours_back) {
      rh::ManualClock clock(end_hour - std::chrono::hours(hours_back) + std::chrono::minutes(5));
      rh::store::TaskQueue queue(**scratch, clock, rh::QueueConfig{});
      rh::sentinel::Sentinel sentinel(**fleet, queue, clock, rh::SentinelConfig{});
      if (auto pass = sentinel.RunPass(); !pass) return fail("sentinel", pass.error());
    }
    auto truth = rh::simulator::ReadGroundTruth(**fleet);
    if (!truth) return fail("ground truth", truth.error());
    for (const auto& row : *truth) {
      if (row.category == rh::RootCause::kDiskCapacity) {
        investigated = row.cluster_id;
        break;
      }
    }
    if (investigated.empty()) {
      std::fprintf(stderr, "bench_server (mixed): the fleet has no disk_capacity incident\n");
      return 1;
    }
  }
  const double fleet_seconds = setup_time.ElapsedSeconds();

  // The scripted model: every investigation is its own conversation of the disk_full scenario.
  auto scenario = rh::testing::AnthropicScenario::Load(
      std::string(RH_SOURCE_DIR) + "/tests/agent/scenarios/investigation_disk_full.json",
      {{"cluster_id", investigated}});
  if (!scenario) return fail("scenario", scenario.error());
  for (auto& turn : scenario->turns) turn.delay = std::chrono::milliseconds(options.latency_ms);
  const int turns = static_cast<int>(scenario->turns.size());
  rh::testing::ScriptedAnthropicServer::Options model_options;
  model_options.api_key = kBenchApiKey;
  model_options.per_conversation = true;
  model_options.validate_requests = false;  // its checks are not ours to time
  model_options.validate_openapi = false;
  model_options.threads = 4 * options.workers + 4;
  rh::testing::ScriptedAnthropicServer model(*scenario, model_options);

  rh::Config config;
  config.data_dir = dir.string();
  config.fleet.db = fleet_path;
  config.memory.db = (dir / "memory.db").string();
  config.server.port = 0;
  config.server.rate_limit_per_minute = 0;
  config.server.threads = options.server_threads;
  config.server.investigate_critical_alerts = false;
  config.agent.engine = rh::EngineKind::kClaude;
  config.agent.workers = options.workers;
  config.secrets.anthropic_api_key = kBenchApiKey;
  config.secrets.anthropic_base_url = model.base_url();
  ShiftedClock clock(end_hour + std::chrono::minutes(5));
  rh::MetricsRegistry metrics;
  rh::service::Runtime runtime(config, clock, metrics);

  auto memory = runtime.Memory();
  if (!memory) return fail("memory database", memory.error());
  auto lake = runtime.Knowledge();
  if (!lake) return fail("knowledge lake", lake.error());
  if (auto ingested = rh::knowledge::IngestStarterKnowledge(**lake); !ingested) {
    return fail("starter knowledge", ingested.error());
  }
  auto fleet = runtime.Fleet();
  if (!fleet) return fail("fleet database", fleet.error());
  auto cluster_rows = (*fleet)->Query("SELECT cluster_id FROM cluster_info ORDER BY cluster_id");
  if (!cluster_rows) return fail("clusters", cluster_rows.error());
  std::vector<std::string> clusters;
  for (const rh::store::Row& row : *cluster_rows) clusters.push_back(row.GetString(0));

  // Stored reports, spread over the fleet, for the report reads.
  std::string report_ids;
  rh::store::ReportStore reports(**memory);
  rh::Status inserted = (*memory)->Transaction([&]() -> rh::Status {
    for (int report_idx = 0; report_idx < options.reports; ++report_idx) {
      RH_ASSIGN_OR_RETURN(std::string id, reports.Insert(MakeReport(
                                              clusters[report_idx % clusters.size()], report_idx,
                                              end_hour - std::chrono::minutes(report_idx))));
      report_ids += id + "\n";
    }
    return {};
  });
  if (!inserted) return fail("reports", inserted.error());

  // Every page of the overview (worst first, 50 a page), as the web page walks it.
  std::string pages;
  int page_count = 0;
  {
    rh::service::FleetViews views(runtime);
    rh::service::OverviewQuery query;
    query.limit = 50;
    do {
      auto page = views.ListClusters(query);
      if (!page) return fail("overview", page.error());
      pages += "/api/v1/clusters?limit=50" +
               (query.cursor.empty() ? std::string() : "&cursor=" + query.cursor) + "\n";
      ++page_count;
      query.cursor = page->next_cursor;
    } while (!query.cursor.empty());
  }
  const std::filesystem::path ids_file = dir / "report_ids.txt";
  const std::filesystem::path pages_file = dir / "overview_pages.txt";
  WriteFile(ids_file, report_ids);
  WriteFile(pages_file, pages);

  rh::server::HttpServer server(runtime, metrics);
  auto port = server.Start();
  if (!port) return fail("server", port.error());
  const std::string url = "http://127.0.0.1:" + std::to_string(*port);

  std::atomic<int> by_claude{0};
  std::atomic<int> not_by_claude{0};
  rh::service::InvestigationWorkers workers(runtime);
  workers.AddListener([&](const rh::store::StoredReport& report) {
    ++(report.engine == rh::EngineKind::kClaude ? by_claude : not_by_claude);
  });

  const auto [report_load, overview_load] = MixLoads(options, options.seconds);
  std::printf(
      "mixed: %d clusters (%d overview pages of 50, %d h scored), %d stored reports, starter "
      "knowledge; %d server threads; %d workers, Claude engine against the scripted model, "
      "%d ms per turn, %d turns per investigation (cluster %s); wrk: reports %d threads x %d "
      "connections, overview %d threads x %d connections, %d s per phase; set-up %.1f s (fleet "
      "%.1f s); %u CPU cores, load %s\n",
      static_cast<int>(clusters.size()), page_count, kMixedScoredHours, options.reports,
      options.server_threads, options.workers, options.latency_ms, turns, investigated.c_str(),
      report_load.threads, report_load.connections, overview_load.threads,
      overview_load.connections, options.seconds, setup_time.ElapsedSeconds(), fleet_seconds,
      std::thread::hardware_concurrency(), LoadAverage().c_str());
  std::fflush(stdout);

  // Warm-up (not counted), then the reads with the workers idle.
  RunReadMix(options, std::min(2, options.seconds), url, ids_file.string(), pages_file.string());
  const ReadMix idle =
      RunReadMix(options, options.seconds, url, ids_file.string(), pages_file.string());
  PrintReadMix("idle", idle);
  std::fflush(stdout);

  // The workers, with a feeder that keeps at least 2 tasks per worker queued.
  std::atomic<bool> stop_feeding{false};
  std::atomic<int> requested{0};
  std::string feeder_error;
  auto feed = [&]() -> rh::Status {
    rh::service::Investigations investigations(runtime);
    RH_ASSIGN_OR_RETURN(int64_t queued,
                        (*memory)->QueryInt("SELECT COUNT(*) FROM investigation_tasks WHERE "
                                            "status = 'queued'"));
    for (; queued < 2 * options.workers; ++queued) {
      rh::service::InvestigationSpec spec;
      spec.cluster_id = investigated;
      spec.question = "mixed load investigation " + std::to_string(++requested);
      spec.requester = "bench";
      RH_RETURN_IF_ERROR(investigations.Request(spec));
    }
    return {};
  };
  if (rh::Status fed = feed(); !fed) return fail("queue", fed.error());
  std::thread feeder([&] {
    while (!stop_feeding) {
      if (rh::Status fed = feed(); !fed && feeder_error.empty()) {
        feeder_error = fed.error().ToString();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  rh::Stopwatch warm_up;
  rh::Status started = workers.Start();
  while (started && by_claude + not_by_claude < options.workers && warm_up.ElapsedSeconds() < 60) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ReadMix busy;
  int busy_investigations = 0;
  double busy_seconds = 0;
  const bool workers_running = started && by_claude + not_by_claude > 0;
  if (workers_running) {
    const int before = by_claude + not_by_claude;
    rh::Stopwatch busy_time;
    busy = RunReadMix(options, options.seconds, url, ids_file.string(), pages_file.string());
    busy_seconds = busy_time.ElapsedSeconds();
    busy_investigations = by_claude + not_by_claude - before;
    PrintReadMix("busy", busy);
  }
  stop_feeding = true;
  feeder.join();
  workers.Stop();
  server.Stop();
  model.Stop();
  const std::vector<std::string> problems = model.TakeProblems();

  if (!started) std::printf("  workers did not start: %s\n", started.error().ToString().c_str());
  if (started && !workers_running) {
    std::printf("  no investigation completed within 60 s of starting the workers\n");
  }
  if (!feeder_error.empty()) std::printf("  feeder: %s\n", feeder_error.c_str());
  for (size_t problem_idx = 0; problem_idx < problems.size() && problem_idx < 5; ++problem_idx) {
    std::printf("  scripted model: %s\n", problems[problem_idx].c_str());
  }
  const double ideal_per_minute = options.workers * 60000.0 / (turns * options.latency_ms);
  std::printf(
      "  investigations completed during the busy reads: %d in %.1f s (%.0f/min; ideal %.0f/min "
      "= %d workers x %d turns of %d ms); %d reports by Claude in all, %d by another engine\n",
      busy_investigations, busy_seconds,
      busy_seconds > 0 ? 60.0 * busy_investigations / busy_seconds : 0.0, ideal_per_minute,
      options.workers, turns, options.latency_ms, by_claude.load(), not_by_claude.load());

  const bool valid = workers_running && busy_investigations > 0 && not_by_claude == 0 &&
                     idle.Clean() && busy.Clean() && problems.empty() && feeder_error.empty();
  const double report_ratio =
      idle.reports.p99_ms > 0 ? busy.reports.p99_ms / idle.reports.p99_ms : 0;
  const double overview_ratio =
      idle.overview.p99_ms > 0 ? busy.overview.p99_ms / idle.overview.p99_ms : 0;
  std::printf("  target busy reads >= 2000 req/s:        %9.0f req/s        %s\n",
              busy.RequestsPerSecond(), PassFail(busy.RequestsPerSecond() >= 2000));
  std::printf("  target busy reads p99 < 50 ms:          %9.2f ms (worse)   %s\n", busy.WorseP99(),
              PassFail(busy.WorseP99() < 50));
  std::printf(
      "  target busy/idle p99 <= 2:              reports %.2f, overview %.2f   %s\n", report_ratio,
      overview_ratio,
      PassFail(report_ratio > 0 && overview_ratio > 0 && report_ratio <= 2 && overview_ratio <= 2));
  std::printf("  mixed phase %s; load after %s\n",
              valid ? "valid"
                    : "INVALID (needs > 0 investigations during the busy reads, every report "
                      "by Claude, every read answered 2xx)",
              LoadAverage().c_str());
  std::fflush(stdout);
  return valid ? 0 : 1;
}

#else

int RunMixed(const Options&) {
  std::printf(
      "mixed: INVALID, not built: the scripted Anthropic server of the tests is needed "
      "(configure with RH_BUILD_TESTS=ON)\n");
  return 1;
}

#endif  // RH_BENCH_SCRIPTED_MODEL

int ParseFlag(int argc, char** argv, const char* name, int fallback) {
  for (int arg_idx = 1; arg_idx + 1 < argc; ++arg_idx) {
    if (std::string(argv[arg_idx]) == name) return std::atoi(argv[arg_idx + 1]);
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  static const std::set<std::string> kPhases = {"reads", "lists", "posts",
                                                "burst", "wide",  "mixed"};
  Options options;
  for (int arg_idx = 1; arg_idx + 1 < argc; ++arg_idx) {
    if (std::string(argv[arg_idx]) != "--only") continue;
    std::stringstream list(argv[arg_idx + 1]);
    std::string phase;
    while (std::getline(list, phase, ',')) {
      if (!kPhases.count(phase)) {
        std::fprintf(stderr,
                     "bench_server: unknown phase '%s' (reads, lists, posts, burst, wide, "
                     "mixed)\n",
                     phase.c_str());
        return 2;
      }
      options.only.insert(phase);
    }
  }
  options.seconds = ParseFlag(argc, argv, "--seconds", options.seconds);
  options.connections = ParseFlag(argc, argv, "--connections", options.connections);
  options.wrk_threads = ParseFlag(argc, argv, "--threads", options.wrk_threads);
  options.reports = ParseFlag(argc, argv, "--reports", options.reports);
  options.clusters = ParseFlag(argc, argv, "--clusters", options.clusters);
  options.burst = ParseFlag(argc, argv, "--burst", options.burst) / 2 * 2;
  options.server_threads = ParseFlag(argc, argv, "--server-threads", options.server_threads);
  options.wide_burst = ParseFlag(argc, argv, "--wide-burst", options.wide_burst) / 2 * 2;
  options.wide_connections = ParseFlag(argc, argv, "--wide-connections", options.wide_connections);
  options.mixed_clusters = ParseFlag(argc, argv, "--mixed-clusters", options.mixed_clusters);
  options.workers = ParseFlag(argc, argv, "--workers", options.workers);
  options.latency_ms = ParseFlag(argc, argv, "--latency-ms", options.latency_ms);
  options.overview_connections =
      ParseFlag(argc, argv, "--overview-connections", options.overview_connections);
  if (std::system("wrk --version > /dev/null 2>&1") == -1 ||
      std::system("command -v wrk > /dev/null") != 0) {
    std::fprintf(stderr, "bench_server: wrk is not installed (apt-get install wrk)\n");
    return 2;
  }
  rh::ConfigureLogging(spdlog::level::warn, rh::LogFormat::kText);
  int exit_code = 0;
  if (std::any_of(kPhases.begin(), kPhases.end(), [&](const std::string& phase) {
        return phase != "mixed" && options.Runs(phase);
      })) {
    exit_code = std::max(exit_code, RunClassic(options));
  }
  if (options.Runs("mixed")) exit_code = std::max(exit_code, RunMixed(options));
  return exit_code;
}
