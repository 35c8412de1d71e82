// docs/grafana-dashboard.json against a real scrape: the dashboard is valid JSON with the shape
// Grafana imports (panels with a Prometheus data source and targets); every panel's PromQL is
// checked by promtool (Debian's `prometheus` package) in a rules unit test whose input series
// are a recorded scrape of a real server (over real sockets, on SQLite and MariaDB) — so every
// expression must parse and return data from series the server really exports; the scrape
// itself passes `promtool check metrics`; and every metric family of the scrape is on a panel.
// Skips with a message when promtool is not installed (scripts/test.sh installs it).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "tests/server/server_fixture.h"

namespace rh::testing {
namespace {

constexpr const char* kPromtool = "/usr/bin/promtool";

// Runs `command` (stderr joined to stdout); returns its exit status and output.
std::pair<int, std::string> RunCommand(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return {-1, "popen failed"};
  char buffer[4096];
  size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, got);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

std::string SingleQuoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

Json LoadDashboard() {
  std::ifstream file(std::string(RH_SOURCE_DIR) + "/docs/grafana-dashboard.json");
  std::stringstream text;
  text << file.rdbuf();
  auto parsed = ParseJson(text.str(), "docs/grafana-dashboard.json");
  EXPECT_TRUE(parsed) << parsed.error().ToString();
  return parsed ? *parsed : Json();
}

// Every target's expression, with Grafana's interval variables given fixed values.
std::vector<std::pair<std::string, std::string>> PanelExpressions(const Json& dashboard) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Json& panel : dashboard["panels"]) {
    for (const Json& target : panel["targets"]) {
      std::string expr = target["expr"];
      expr = std::regex_replace(expr, std::regex("\\$__rate_interval"), "5m");
      expr = std::regex_replace(expr, std::regex("\\$__range"), "1h");
      out.emplace_back(panel["title"].get<std::string>(), expr);
    }
  }
  return out;
}

class GrafanaDashboardTest : public ServerTest {
 protected:
  // A scrape after the server has seen traffic of every kind it counts.
  std::string RecordScrape() {
    StartServer();
    Json body = {{"version", "4"},
                 {"alerts", Json::array({{{"status", "firing"},
                                          {"labels",
                                           {{"alertname", "HeapUsageTooHigh"},
                                            {"cluster_id", kQuietCluster},
                                            {"severity", "warning"}}},
                                          {"startsAt", "2026-11-21T08:00:00Z"}}})}};
    EXPECT_EQ(Post("/api/v1/alerts/alertmanager", DumpJson(body)).status, 200);
    EXPECT_EQ(Post("/api/v1/alerts/alertmanager", "{not json").status, 400);
    EXPECT_EQ(
        Post("/api/v1/investigations", DumpJson(Json{{"cluster_id", kCriticalCluster}})).status,
        202);
    EXPECT_EQ(Get("/api/v1/reports").status, 200);
    EXPECT_EQ(Get("/api/v1/reports/rpt_nope").status, 404);
    HttpReply scrape = Get("/metrics");
    EXPECT_EQ(scrape.status, 200);
    return scrape.body;
  }
};

TEST(GrafanaDashboard, IsJsonGrafanaImports) {
  const Json dashboard = LoadDashboard();
  ASSERT_TRUE(dashboard.is_object());
  EXPECT_FALSE(JsonString(dashboard, "title").empty());
  EXPECT_FALSE(JsonString(dashboard, "uid").empty());
  ASSERT_TRUE(dashboard["panels"].is_array());
  ASSERT_GE(dashboard["panels"].size(), 10u);
  std::set<int> ids;
  for (const Json& panel : dashboard["panels"]) {
    SCOPED_TRACE(DumpJson(panel["title"]));
    EXPECT_TRUE(ids.insert(panel["id"].get<int>()).second) << "panel ids must be unique";
    EXPECT_EQ(panel["datasource"]["type"], "prometheus");
    EXPECT_LE(panel["gridPos"]["x"].get<int>() + panel["gridPos"]["w"].get<int>(), 24);
    ASSERT_FALSE(panel["targets"].empty());
    for (const Json& target : panel["targets"]) {
      EXPECT_FALSE(JsonString(target, "expr").empty());
      EXPECT_FALSE(JsonString(target, "refId").empty());
    }
  }
  EXPECT_EQ(dashboard["templating"]["list"][0]["query"], "prometheus");
}

TEST_P(GrafanaDashboardTest, PromtoolChecksEveryPanelAgainstARecordedScrape) {
  if (!std::filesystem::exists(kPromtool)) {
    GTEST_SKIP() << kPromtool << " is not installed (Debian package 'prometheus'; "
                 << "scripts/test.sh installs it): the dashboard's PromQL is not checked here";
  }
  const std::string scrape = RecordScrape();
  TempDir dir;
  const std::string scrape_path = (dir.path() / "scrape.txt").string();
  std::ofstream(scrape_path) << scrape;

  auto [lint_status, lint] = RunCommand(std::string(kPromtool) + " check metrics < " + scrape_path);
  EXPECT_EQ(lint_status, 0) << "promtool check metrics:\n" << lint;

  // The scrape as promtool input series: each sample held for 20 minutes (one per minute), so
  // rate() over 5m has points.
  std::string tests =
      "rule_files: []\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n"
      "    input_series:\n";
  std::set<std::string> families;
  std::istringstream lines(scrape);
  std::string line;
  int series = 0;
  while (std::getline(lines, line)) {
    if (line.starts_with("# TYPE ")) {
      std::istringstream words(line.substr(7));
      std::string name;
      words >> name;
      families.insert(name);
    }
    if (line.empty() || line.front() == '#') continue;
    const size_t space = line.rfind(' ');
    ASSERT_NE(space, std::string::npos) << line;
    const double value = std::stod(line.substr(space + 1));
    char values[64];
    std::snprintf(values, sizeof values, "%.6f+0x20", value);
    tests += "      - series: " + SingleQuoted(line.substr(0, space)) + "\n        values: '" +
             values + "'\n";
    ++series;
  }
  ASSERT_GT(series, 20);
  tests += "    promql_expr_test:\n";
  const Json dashboard = LoadDashboard();
  const auto expressions = PanelExpressions(dashboard);
  for (const auto& [title, expr] : expressions) {
    // absent(e) is empty exactly when e returns data: a typo, a wrong label or a series the
    // server does not export fails here, naming the expression.
    tests += "      - expr: " + SingleQuoted("absent(" + expr + ")") +
             "\n        eval_time: 15m\n        exp_samples: []\n";
  }
  const std::string tests_path = (dir.path() / "dashboard_test.yml").string();
  std::ofstream(tests_path) << tests;
  auto [status, output] = RunCommand(std::string(kPromtool) + " test rules " + tests_path);
  EXPECT_EQ(status, 0) << "promtool test rules (a panel's query returns nothing or does not "
                          "parse):\n"
                       << output;

  // Every family the server exports is on some panel.
  std::string all_expressions;
  for (const auto& [title, expr] : expressions) all_expressions += expr + "\n";
  for (const std::string& family : families) {
    EXPECT_NE(all_expressions.find(family), std::string::npos)
        << family << " is exported but on no panel of docs/grafana-dashboard.json";
  }

  // The check is not a rubber stamp: a misspelt series fails it.
  std::string broken = tests +
                       "      - expr: 'absent(rockhound_cluster_health_scor)'\n"
                       "        eval_time: 15m\n        exp_samples: []\n";
  std::ofstream(tests_path) << broken;
  auto [broken_status, broken_output] =
      RunCommand(std::string(kPromtool) + " test rules " + tests_path);
  EXPECT_NE(broken_status, 0) << broken_output;
}

INSTANTIATE_TEST_SUITE_P(Backends, GrafanaDashboardTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::testing
