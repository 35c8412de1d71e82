// The command line as a person meets it, through the real `rockhound` binary: every command
// answers --help on stdout with exit 0; a mistyped command is exit 2 with the nearest command
// suggested; commands that only read refuse a missing data directory with one line naming it,
// and create nothing; the exit-code table is in --help; --log-level warn works; at the default
// level a reading command writes its data on stdout and no log lines on stderr; `investigate
// --verbose` streams the model's text (the scripted Anthropic server) onto stderr.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/fakes/scripted_anthropic_server.h"
#include "tests/fakes/test_env.h"

namespace rh::app {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The command names listed in a CLI11 help text's SUBCOMMANDS section.
std::vector<std::string> SubcommandsIn(const std::string& help) {
  std::vector<std::string> names;
  std::istringstream lines(help);
  std::string line;
  bool in_section = false;
  while (std::getline(lines, line)) {
    if (line.starts_with("SUBCOMMANDS:") || line.starts_with("Subcommands:")) {
      in_section = true;
      continue;
    }
    if (!in_section) continue;
    std::smatch match;
    static const std::regex kEntry(R"(^  ([a-z][a-z0-9-]*)(\s|$))");
    if (std::regex_search(line, match, kEntry)) {
      names.push_back(match[1]);
    } else if (!line.empty() && line[0] != ' ') {
      in_section = false;
    }
  }
  return names;
}

// The required positionals a CLI11 help text lists ("  cluster TEXT REQUIRED  ...").
int RequiredPositionalsIn(const std::string& help) {
  int count = 0;
  std::istringstream lines(help);
  std::string line;
  bool in_section = false;
  while (std::getline(lines, line)) {
    if (line.starts_with("POSITIONALS:")) {
      in_section = true;
      continue;
    }
    if (!in_section) continue;
    if (!line.empty() && line[0] != ' ') break;
    if (line.find(" REQUIRED") != std::string::npos) ++count;
  }
  return count;
}

class CliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    binary_ = new std::string(std::string(RH_BINARY_DIR) + "/app/rockhound");
    if (!std::filesystem::exists(*binary_)) return;
    dir_ = new rh::testing::TempDir();
    // One small demo data directory for the commands that need data.
    CliRun demo = Run(dir_->File("data"), "demo --clusters 12 --seed 3 --watch-hours 0");
    demo_ok_ = demo.exit_code == 0;
    demo_out_ = new std::string(demo.out + demo.err);
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete binary_;
    delete demo_out_;
    dir_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(*binary_)) << "rockhound is not built: " << *binary_;
    ASSERT_TRUE(demo_ok_) << "the demo fixture failed:\n" << *demo_out_;
  }

  // rockhound --data-dir <data> <args>, isolated from the caller's environment and config;
  // `env`: NAME=value assignments set for this run only.
  static CliRun Run(const std::string& data, const std::string& args,
                    const std::string& env = "") {
    static int counter = 0;
    const std::string out = dir_->File("out" + std::to_string(counter) + ".txt");
    const std::string err = dir_->File("err" + std::to_string(counter++) + ".txt");
    const std::string command =
        "env -u ROCKHOUND_FLEET_DB -u ROCKHOUND_MEMORY_DB -u ROCKHOUND_CONFIG -u "
        "ROCKHOUND_DATA_DIR -u ROCKHOUND_LOG_LEVEL -u ANTHROPIC_API_KEY -u ANTHROPIC_BASE_URL " +
        env + " '" + *binary_ +
        "' --data-dir '" + data + "' " + args + " > '" + out + "' 2> '" + err + "' < /dev/null";
    const int status = std::system(command.c_str());
    CliRun run;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.out = Slurp(out);
    run.err = Slurp(err);
    return run;
  }
  static std::string Data() { return dir_->File("data"); }

  // Every command path ("reports", "reports list", ...) with its --help text, depth first.
  static std::vector<std::pair<std::string, std::string>> AllCommands() {
    std::vector<std::pair<std::string, std::string>> all;
    std::vector<std::string> todo = SubcommandsIn(Run(Data(), "--help").out);
    while (!todo.empty()) {
      std::string path = todo.back();
      todo.pop_back();
      std::string help = Run(Data(), path + " --help").out;
      for (const std::string& sub : SubcommandsIn(help)) todo.push_back(path + " " + sub);
      all.emplace_back(path, std::move(help));
    }
    return all;
  }
  static bool IsLeaf(const std::string& help) { return SubcommandsIn(help).empty(); }

  static std::string* binary_;
  static rh::testing::TempDir* dir_;
  static bool demo_ok_;
  static std::string* demo_out_;
};

std::string* CliTest::binary_ = nullptr;
rh::testing::TempDir* CliTest::dir_ = nullptr;
bool CliTest::demo_ok_ = false;
std::string* CliTest::demo_out_ = nullptr;

TEST_F(CliTest, TheDemoNamesTheEngineItsCycleUses) {
  // The fixture ran without ANTHROPIC_API_KEY: the playbook, and why.
  EXPECT_NE(demo_out_->find("engine: offline playbook (no ANTHROPIC_API_KEY set)"),
            std::string::npos)
      << *demo_out_;
  // Another provider without its credentials is named as such, not as a missing Anthropic key.
  const std::string data = dir_->File("demo-vertex");
  CliRun vertex = Run(data,
                      "--set agent.provider=vertex --set agent.vertex_project=p1 "
                      "--set agent.gateway_region=us-east5 "
                      "demo --clusters 12 --seed 3 --watch-hours 0");
  ASSERT_EQ(vertex.exit_code, 0) << vertex.err;
  EXPECT_NE(vertex.out.find("engine: offline playbook (agent.provider=vertex has no credentials"),
            std::string::npos)
      << vertex.out;
  CliRun playbook = Run(data, "--set agent.engine=playbook demo --watch-hours 0");
  ASSERT_EQ(playbook.exit_code, 0) << playbook.err;
  EXPECT_NE(playbook.out.find("engine: offline playbook (agent.engine=playbook)"),
            std::string::npos)
      << playbook.out;
}

TEST_F(CliTest, EveryCommandAnswersHelpOnStdout) {
  CliRun top = Run(Data(), "--help");
  ASSERT_EQ(top.exit_code, 0) << top.err;
  std::vector<std::string> commands = SubcommandsIn(top.out);
  ASSERT_GE(commands.size(), 8u) << "could not read the command list from --help:\n" << top.out;
  EXPECT_NE(top.out.find("Exit codes:"), std::string::npos) << "the exit-code table is in --help";
  size_t checked = 0;
  std::vector<std::string> todo = commands;
  while (!todo.empty()) {
    std::string path = todo.back();
    todo.pop_back();
    CliRun help = Run(Data(), path + " --help");
    EXPECT_EQ(help.exit_code, 0) << path << ": " << help.err;
    EXPECT_FALSE(help.out.empty()) << path << " --help printed nothing on stdout";
    EXPECT_TRUE(help.err.empty()) << path << " --help wrote to stderr: " << help.err;
    ++checked;
    for (const std::string& sub : SubcommandsIn(help.out)) todo.push_back(path + " " + sub);
  }
  EXPECT_GT(checked, commands.size()) << "nested commands (reports list, kb search) are covered";
}

TEST_F(CliTest, AMistypedCommandSuggestsTheNearestOne) {
  CliRun typo = Run(Data(), "reprts");
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("unknown command 'reprts'"), std::string::npos) << typo.err;
  EXPECT_NE(typo.err.find("did you mean 'reports'?"), std::string::npos) << typo.err;
  EXPECT_TRUE(typo.out.empty()) << typo.out;

  CliRun singular = Run(Data(), "report list");
  EXPECT_EQ(singular.exit_code, 2);
  EXPECT_NE(singular.err.find("did you mean 'reports'?"), std::string::npos) << singular.err;

  CliRun nested = Run(Data(), "reports lst");
  EXPECT_EQ(nested.exit_code, 2);
  EXPECT_NE(nested.err.find("unknown command 'lst' for 'rockhound reports'"), std::string::npos)
      << nested.err;
  EXPECT_NE(nested.err.find("did you mean 'list'?"), std::string::npos) << nested.err;

  CliRun nothing_close = Run(Data(), "zzzzzzzzzz");
  EXPECT_EQ(nothing_close.exit_code, 2);
  EXPECT_EQ(nothing_close.err.find("did you mean"), std::string::npos) << nothing_close.err;

  CliRun missing = Run(Data(), "reports");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("'rockhound reports' needs a command"), std::string::npos)
      << missing.err;
}

TEST_F(CliTest, ParseErrorsAreExitCodeTwoWithOneLine) {
  CliRun bad_flag = Run(Data(), "reports list --no-such-flag");
  EXPECT_EQ(bad_flag.exit_code, 2) << bad_flag.err;
  EXPECT_TRUE(bad_flag.err.starts_with("error: ")) << bad_flag.err;
  EXPECT_NE(bad_flag.err.find("--help"), std::string::npos) << bad_flag.err;
}

TEST_F(CliTest, ReadingCommandsRefuseAMissingDataDirectoryAndCreateNothing) {
  const std::string missing = dir_->File("no-such-dir");
  for (const char* args : {"reports list", "tasks list", "fleet summary", "sentinel explain c-x",
                           "kb stats", "tool run get_cluster_info --input '{\"cluster_id\":\"x\"}'"}) {
    CliRun run = Run(missing, args);
    EXPECT_EQ(run.exit_code, 3) << args << ": " << run.err;
    EXPECT_NE(run.err.find(missing), std::string::npos) << args << ": " << run.err;
    EXPECT_NE(run.err.find("rockhound"), std::string::npos)
        << args << " should say which command creates it: " << run.err;
    EXPECT_FALSE(std::filesystem::exists(missing)) << args << " created " << missing;
  }
}

TEST_F(CliTest, ACycleOnAnEmptyFleetSaysSoInsteadOfScoringNothing) {
  CliRun run = Run(dir_->File("empty"), "cycle");
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_NE(run.err.find("the fleet is empty"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("rockhound fleet generate"), std::string::npos) << run.err;
  EXPECT_EQ(run.out.find("Healthy"), std::string::npos) << run.out;
}

// After grouping, `rockhound cycle` says what the tracker did and how many issues are open, by
// triage status: the count agrees with `issues list`, and an acknowledged issue moves over.
TEST_F(CliTest, ACyclePrintsTheIssuesSummary) {
  ASSERT_TRUE(demo_ok_) << *demo_out_;
  const std::string data = dir_->File("cycle-issues");
  std::filesystem::copy(Data(), data, std::filesystem::copy_options::recursive);
  CliRun summary = Run(data, "fleet summary");
  std::smatch last;
  const std::regex kLastHour(R"(last hour (\d{4}-\d\d-\d\d \d\d):00:00 UTC)");
  ASSERT_TRUE(std::regex_search(summary.out, last, kLastHour)) << summary.out;
  const std::string at = "cycle --no-investigate --at \"" + last[1].str() + ":05:00\"";
  CliRun listed = Run(data, "issues list --status open --format json --limit 500");
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  auto open = nlohmann::json::parse(listed.out, nullptr, false);
  ASSERT_TRUE(open.is_object() && open["issues"].is_array()) << listed.out;
  const size_t open_count = open["issues"].size();
  ASSERT_GE(open_count, 2u) << "the demo fleet's alerts open issues";

  CliRun first = Run(data, at);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::regex kLine(
      R"(issues +(\d+) new, (\d+) escalated, (\d+) resolved \((\d+) alerts grouped\); (\d+) )"
      R"(investigation\(s\) queued; open (\d+): ([^\n]*))");
  std::smatch line;
  ASSERT_TRUE(std::regex_search(first.out, line, kLine)) << first.out;
  EXPECT_EQ(line[1], "0") << "the demo grouped its alerts already";
  EXPECT_EQ(std::stoul(line[6]), open_count) << first.out;
  EXPECT_EQ(line[7].str().find(std::to_string(open_count) + " New"), 0u) << first.out;

  const std::string issue_id = open["issues"][0]["issue_id"];
  CliRun ack = Run(data, "issues ack " + issue_id);
  ASSERT_EQ(ack.exit_code, 0) << ack.err;
  CliRun second = Run(data, at);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  ASSERT_TRUE(std::regex_search(second.out, line, kLine)) << second.out;
  EXPECT_EQ(std::stoul(line[6]), open_count);
  EXPECT_EQ(line[7].str().substr(0, line[7].str().find(" (")),
            std::to_string(open_count - 1) + " New, 1 Acknowledged")
      << second.out;
}

TEST_F(CliTest, ReportsListSpeaksTheApisJsonAndValidatesFilters) {
  CliRun json = Run(Data(), "reports list --format json --limit 2");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto parsed = nlohmann::json::parse(json.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(parsed.is_discarded()) << json.out;
  ASSERT_TRUE(parsed.contains("reports") && parsed["reports"].is_array()) << json.out;
  ASSERT_TRUE(parsed.contains("next_cursor")) << json.out;
  ASSERT_FALSE(parsed["reports"].empty()) << "the demo stores reports";
  for (const char* field : {"report_id", "cluster_id", "severity", "category", "confidence"}) {
    EXPECT_TRUE(parsed["reports"][0].contains(field)) << field;
  }
  if (!parsed["next_cursor"].is_null()) {
    CliRun next = Run(Data(), "reports list --format json --limit 2 --cursor '" +
                                  parsed["next_cursor"].get<std::string>() + "'");
    ASSERT_EQ(next.exit_code, 0) << next.err;
    auto second = nlohmann::json::parse(next.out, nullptr, false);
    ASSERT_FALSE(second.is_discarded()) << next.out;
    ASSERT_FALSE(second["reports"].empty());
    EXPECT_NE(second["reports"][0]["report_id"], parsed["reports"][0]["report_id"]);
  }

  CliRun category = Run(Data(), "reports list --category disk");
  EXPECT_EQ(category.exit_code, 2) << category.err;
  EXPECT_NE(category.err.find("disk_capacity"), std::string::npos)
      << "the error lists the valid categories: " << category.err;
  CliRun format = Run(Data(), "reports list --format yaml");
  EXPECT_EQ(format.exit_code, 2) << format.err;

  // Filters are checked like the API's, in any case.
  CliRun source = Run(Data(), "alerts list --source pagerduty");
  EXPECT_EQ(source.exit_code, 2) << source.err;
  EXPECT_NE(source.err.find("alertmanager, grafana, lark or simulator"), std::string::npos)
      << source.err;
  EXPECT_EQ(Run(Data(), "alerts list --source LARK --status FIRING").exit_code, 0);
  EXPECT_EQ(Run(Data(), "issues list --status OPEN").exit_code, 0);
  CliRun done = Run(Data(), "tasks list --status DONE --format json");
  EXPECT_EQ(done.exit_code, 0) << done.err;
  EXPECT_NE(done.out.find("\"done\""), std::string::npos) << done.out;
  CliRun paused = Run(Data(), "tasks list --status paused");
  EXPECT_EQ(paused.exit_code, 2) << paused.err;
  EXPECT_NE(paused.err.find("must be queued, running, done, failed or cancelled; got 'paused'"),
            std::string::npos)
      << paused.err;
}

TEST_F(CliTest, AskAnswersAFollowUpQuestionAndListsTheConversation) {
  // A copy of the demo data, so the stored messages do not leak into other tests.
  const std::string data = dir_->File("ask-data");
  std::filesystem::copy(Data(), data, std::filesystem::copy_options::recursive);
  CliRun reports = Run(data, "reports list --format json --limit 1");
  ASSERT_EQ(reports.exit_code, 0) << reports.err;
  const std::string report_id =
      nlohmann::json::parse(reports.out)["reports"][0]["report_id"].get<std::string>();

  CliRun listed_calls = Run(data, "ask " + report_id + " 'list the tool calls' --format json");
  ASSERT_EQ(listed_calls.exit_code, 0) << listed_calls.err;
  auto message = nlohmann::json::parse(listed_calls.out, nullptr, false);
  ASSERT_FALSE(message.is_discarded()) << listed_calls.out;
  EXPECT_EQ(message["report_id"], report_id);
  EXPECT_EQ(message["engine"], "playbook");  // no API key in the test's environment
  EXPECT_EQ(message["requester"], "cli");
  EXPECT_FALSE(message["citations"].empty()) << listed_calls.out;
  EXPECT_NE(message["answer"].get<std::string>().find("call_1"), std::string::npos);

  CliRun rerun = Run(data, "ask " + report_id + " 're-run query_cluster_alerts'");
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_NE(rerun.out.find("#2 "), std::string::npos) << rerun.out;
  EXPECT_NE(rerun.out.find("Ran query_cluster_alerts again now"), std::string::npos) << rerun.out;
  EXPECT_NE(rerun.out.find("Cited:"), std::string::npos) << rerun.out;

  CliRun open = Run(data, "ask " + report_id + " 'would a bigger warehouse help?'");
  ASSERT_EQ(open.exit_code, 0) << open.err;
  EXPECT_NE(open.out.find("needs a model"), std::string::npos) << open.out;

  CliRun conversation = Run(data, "ask " + report_id + " --list --format json");
  ASSERT_EQ(conversation.exit_code, 0) << conversation.err;
  auto all = nlohmann::json::parse(conversation.out, nullptr, false);
  ASSERT_FALSE(all.is_discarded()) << conversation.out;
  ASSERT_EQ(all["messages"].size(), 3u);
  EXPECT_EQ(all["messages"][0], message);
  CliRun text = Run(data, "ask " + report_id + " --list");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("Q: would a bigger warehouse help?"), std::string::npos) << text.out;

  // Errors: exit codes of the table, one line on stderr, nothing stored.
  CliRun unknown = Run(data, "ask rpt_nope 'why?'");
  EXPECT_EQ(unknown.exit_code, 3) << unknown.err;
  EXPECT_NE(unknown.err.find("rpt_nope"), std::string::npos) << unknown.err;
  CliRun blank = Run(data, "ask " + report_id + " '  '");
  EXPECT_EQ(blank.exit_code, 2) << blank.err;
  EXPECT_NE(blank.err.find("question"), std::string::npos) << blank.err;
  CliRun none = Run(data, "ask " + report_id);
  EXPECT_EQ(none.exit_code, 2) << none.err;
  CliRun after = Run(data, "ask " + report_id + " --list --format json");
  EXPECT_EQ(nlohmann::json::parse(after.out)["messages"].size(), 3u);
}

// `investigate --verbose` with agent.stream = true against the scripted Anthropic server: the
// model's text reaches stderr as it streams in ("  | ..."), in order with the tool-call lines of
// its turn, and the model's report is the one printed.
TEST_F(CliTest, AVerboseStreamedInvestigationPrintsTheModelsTextInOrderWithItsToolCalls) {
  const std::string data = dir_->File("stream-data");
  std::filesystem::copy(Data(), data, std::filesystem::copy_options::recursive);
  CliRun reports = Run(data, "reports list --format json --limit 1");
  ASSERT_EQ(reports.exit_code, 0) << reports.err;
  const std::string cluster =
      nlohmann::json::parse(reports.out)["reports"][0]["cluster_id"].get<std::string>();
  std::string script = R"({"turns": [
    {"label": "two calls",
     "message": {"content": [
       {"type": "text", "text": "Looking at the basics and the alerts first."},
       {"type": "tool_use", "id": "toolu_cli_1", "name": "query_cluster_info",
        "input": {"cluster_id": "{{cluster_id}}"}},
       {"type": "tool_use", "id": "toolu_cli_2", "name": "query_cluster_alerts",
        "input": {"cluster_id": "{{cluster_id}}"}}],
       "usage": {"input_tokens": 2000, "output_tokens": 80}}},
    {"label": "the report",
     "message": {"content": [
       {"type": "text", "text": "Enough evidence for a report now."},
       {"type": "tool_use", "id": "toolu_cli_3", "name": "submit_report",
        "input": {
          "severity": "medium", "confidence": 0.6,
          "root_cause": "The alerts of the cluster point at its BE disks.",
          "root_cause_category": "disk_capacity",
          "evidence": [
            {"tool_call_id": "toolu_cli_1", "tool": "query_cluster_info",
             "finding": "The cluster's BE nodes and their disks."},
            {"tool_call_id": "toolu_cli_2", "tool": "query_cluster_alerts",
             "finding": "The alerts of the last day."}],
          "recommendations": [
            {"action": "Review the retention of the largest tables.",
             "rationale": "Less data on the BE disks."}],
          "summary": "Disk pressure; review retention."}}],
       "usage": {"input_tokens": 2500, "output_tokens": 300}}}]})";
  for (size_t at; (at = script.find("{{cluster_id}}")) != std::string::npos;) {
    script.replace(at, 14, cluster);
  }
  auto scenario =
      rh::testing::AnthropicScenario::Parse(nlohmann::json::parse(script), "cli-stream");
  ASSERT_TRUE(scenario) << scenario.error().ToString();
  rh::testing::ScriptedAnthropicServer server(*scenario);

  CliRun run = Run(data,
                   "--set agent.stream=true --set agent.max_retries=0 investigate " + cluster +
                       " -q 'why the alerts?' --engine claude --verbose",
                   "ANTHROPIC_API_KEY=test-key ANTHROPIC_BASE_URL=" + server.base_url());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u) << run.err;  // a third: the report was refused
  for (const auto& request : requests) EXPECT_EQ(request.body["stream"], true);
  const std::string& err = run.err;
  // Each turn's text, on its own "  | " line, before that turn's tool-call lines.
  const size_t first_text = err.find("  | Looking at the basics and the alerts first.\n");
  const size_t info_call = err.find("query_cluster_info");
  const size_t alerts_call = err.find("query_cluster_alerts");
  const size_t second_text = err.find("  | Enough evidence for a report now.\n");
  const size_t report_line = err.find("report rpt_");
  ASSERT_NE(first_text, std::string::npos) << err;
  ASSERT_NE(second_text, std::string::npos) << err;
  EXPECT_LT(first_text, info_call) << err;
  EXPECT_LT(first_text, alerts_call) << err;
  EXPECT_LT(info_call, second_text) << err;
  EXPECT_LT(alerts_call, second_text) << err;
  EXPECT_LT(second_text, report_line) << err;
  EXPECT_NE(err.find(" done "), std::string::npos) << "--verbose shows each call's outcome:\n"
                                                   << err;
  EXPECT_NE(err.find(": medium disk_capacity, confidence 0.60, engine claude,"), std::string::npos)
      << err;
  EXPECT_NE(run.out.find("review retention"), std::string::npos) << run.out << err;
}

TEST_F(CliTest, ACorruptFleetIsAnErrorNeverAReport) {
  const std::string copy = dir_->File("corrupt");
  std::filesystem::copy(Data(), copy, std::filesystem::copy_options::recursive);
  CliRun before = Run(copy, "reports list --format json --limit 200");
  ASSERT_EQ(before.exit_code, 0) << before.err;
  const size_t reports_before = nlohmann::json::parse(before.out)["reports"].size();
  const std::string cluster = nlohmann::json::parse(before.out)["reports"][0]["cluster_id"];
  {
    // Overwrite 8 KiB of pages after the schema: the file still opens, its data is garbage.
    std::fstream fleet(copy + "/fleet.db", std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(fleet.good());
    fleet.seekp(4096 * 3);
    const std::string junk(8192, '\xde');
    fleet.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  CliRun run = Run(copy, "investigate " + cluster + " --engine playbook");
  EXPECT_EQ(run.exit_code, 8) << run.out << run.err;
  EXPECT_TRUE(run.out.empty()) << "no report on a corrupt fleet:\n" << run.out;
  EXPECT_NE(run.err.find("malformed"), std::string::npos) << run.err;
  CliRun after = Run(copy, "reports list --format json --limit 200");
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(nlohmann::json::parse(after.out)["reports"].size(), reports_before)
      << "nothing was stored";
}

TEST_F(CliTest, ConfigShowPrintsTheDerivedPaths) {
  CliRun run = Run(Data(), "config show");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (const char* file : {"/fleet.db (from data_dir)", "/memory.db (from data_dir)",
                           "/knowledge.db (from data_dir)", "/knowledge.faiss (from data_dir)"}) {
    EXPECT_NE(run.out.find(Data() + file), std::string::npos) << file << "\n" << run.out;
  }
}

TEST_F(CliTest, LogLevelWarnIsAccepted) {
  CliRun run = Run(Data(), "--log-level warn reports list");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  CliRun bad = Run(Data(), "--log-level loud reports list");
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("log_level"), std::string::npos) << bad.err;
}

TEST_F(CliTest, ReadingCommandsPrintDataOnStdoutAndNoInfoLogs) {
  CliRun run = Run(Data(), "fleet summary");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_FALSE(run.out.empty());
  EXPECT_EQ(run.err.find("] info: "), std::string::npos) << "info logs at the default level:\n"
                                                         << run.err;

  CliRun verbose = Run(Data(), "-v fleet summary");
  ASSERT_EQ(verbose.exit_code, 0) << verbose.err;
  EXPECT_EQ(verbose.out, run.out) << "-v changes the logs, not the data";
}

// Commands that create the data directory (or run until stopped, or run a whole benchmark):
// the missing-directory sweep leaves them out; `demo`, `cycle` are covered above.
const std::set<std::string> kCreatesOrRunsLong = {
    "demo", "fleet generate", "cycle", "run", "serve", "mcp", "kb ingest", "eval"};

TEST_F(CliTest, EveryCommandOnAMissingDataDirectoryFailsCleanlyAndCreatesNothing) {
  const std::string missing = dir_->File("nowhere");
  size_t swept = 0;
  for (const auto& [path, help] : AllCommands()) {
    if (!IsLeaf(help) || kCreatesOrRunsLong.contains(path)) continue;
    std::string args = path;
    // Fill the required positionals with placeholders so the command reaches its data.
    for (int i = RequiredPositionalsIn(help); i > 0; --i) args += " x";
    CliRun run = Run(missing, args);
    ++swept;
    EXPECT_TRUE(run.exit_code == 0 || run.exit_code == 2 || run.exit_code == 3)
        << args << ": exit " << run.exit_code << "\n" << run.err;
    if (run.exit_code == 3) {
      EXPECT_NE(run.err.find(missing), std::string::npos)
          << args << " should name the missing path: " << run.err;
    }
    if (run.exit_code != 0) {
      EXPECT_TRUE(run.out.empty()) << args << " printed data on failure: " << run.out;
      EXPECT_FALSE(run.err.empty()) << args << " failed without a word";
      EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1)
          << args << " should fail with one line:\n" << run.err;
    }
    EXPECT_FALSE(std::filesystem::exists(missing)) << args << " created " << missing;
    std::filesystem::remove_all(missing);
  }
  EXPECT_GE(swept, 20u) << "the sweep found too few commands";
}

TEST_F(CliTest, AMistypedSubcommandInEveryGroupSuggestsTheRealOne) {
  size_t groups = 0;
  for (const auto& [path, help] : AllCommands()) {
    std::vector<std::string> subs = SubcommandsIn(help);
    if (subs.empty()) continue;
    const std::string real = subs.front();
    const std::string typo = real.substr(0, real.size() - 1) + "q";  // "list" -> "lisq"
    CliRun run = Run(Data(), path + " " + typo);
    ++groups;
    EXPECT_EQ(run.exit_code, 2) << path << " " << typo << ": " << run.err;
    EXPECT_TRUE(run.out.empty()) << run.out;
    EXPECT_NE(run.err.find("did you mean '" + real + "'?"), std::string::npos)
        << path << " " << typo << ": " << run.err;
  }
  EXPECT_GE(groups, 6u);
}

// Every command that prints data has --format json; its stdout is exactly one JSON document.
TEST_F(CliTest, EveryDataCommandSpeaksJsonOnStdout) {
  auto json_of = [](const CliRun& run) {
    return nlohmann::json::parse(run.out, nullptr, /*allow_exceptions=*/false);
  };
  CliRun reports = Run(Data(), "reports list --format json --limit 1");
  auto reports_json = json_of(reports);
  ASSERT_FALSE(reports_json.is_discarded()) << reports.out;
  ASSERT_FALSE(reports_json["reports"].empty());
  const std::string report_id = reports_json["reports"][0]["report_id"];
  const std::string cluster_id = reports_json["reports"][0]["cluster_id"];
  CliRun tasks = Run(Data(), "tasks list --format JSON --limit 1");  // case-insensitive
  auto tasks_json = json_of(tasks);
  ASSERT_FALSE(tasks_json.is_discarded()) << tasks.out << tasks.err;
  ASSERT_TRUE(tasks_json.contains("investigations") && tasks_json.contains("next_cursor"))
      << "the same page shape as GET /api/v1/investigations: " << tasks.out;
  ASSERT_FALSE(tasks_json["investigations"].empty());
  const std::string task_id = tasks_json["investigations"][0]["task_id"];
  CliRun issues = Run(Data(), "issues list --format json --limit 1");
  auto issues_json = json_of(issues);
  ASSERT_FALSE(issues_json.is_discarded()) << issues.out << issues.err;
  ASSERT_FALSE(issues_json["issues"].empty()) << "the demo's alerts group into issues";
  const std::string issue_id = issues_json["issues"][0]["issue_id"];

  const std::vector<std::pair<std::string, std::string>> commands = {
      {"reports list", ""},
      {"reports show", report_id},
      {"tasks list", ""},
      {"tasks show", task_id},
      {"issues list", ""},
      {"issues show", issue_id},
      {"alerts list", ""},
      {"alerts lark list", ""},
      {"fleet summary", ""},
      {"fleet incidents", ""},
      {"sentinel explain", cluster_id},
      {"kb stats", ""},
      {"kb search", "disk"},
      {"config show", ""},
      {"investigate", cluster_id},
      {"ask", report_id + " --list"},  // asking writes: AskAnswersAFollowUpQuestion... covers it
  };
  std::set<std::string> covered;
  for (const auto& [command, arg] : commands) {
    covered.insert(command);
    CliRun run = Run(Data(), command + " " + arg + " --format json");
    EXPECT_EQ(run.exit_code, 0) << command << ": " << run.err;
    auto parsed = json_of(run);
    EXPECT_FALSE(parsed.is_discarded()) << command << " printed more than JSON:\n" << run.out;
    CliRun wrong = Run(Data(), command + " " + arg + " --format yaml");
    EXPECT_EQ(wrong.exit_code, 2) << command << ": " << wrong.err;
    EXPECT_NE(wrong.err.find("json"), std::string::npos)
        << command << ": the error names the valid formats: " << wrong.err;
  }
  CliRun task = Run(Data(), "tasks show " + task_id + " --format json");
  auto task_json = json_of(task);
  ASSERT_FALSE(task_json.is_discarded());
  EXPECT_TRUE(task_json.contains("report")) << "as GET /api/v1/investigations/{id}: " << task.out;
  CliRun explain = Run(Data(), "sentinel explain " + cluster_id + " --format json");
  auto explain_json = json_of(explain);
  ASSERT_FALSE(explain_json.is_discarded());
  // Every rule of sentinel/rules.h, fired or not, node_lost and sustained_warning included.
  ASSERT_EQ(explain_json["rules"].size(), 8u) << explain.out;
  EXPECT_EQ(explain_json["rules"][5]["rule"], "node_lost") << explain.out;
  EXPECT_EQ(explain_json["rules"][6]["rule"], "sustained_warning") << explain.out;
  EXPECT_TRUE(explain_json.contains("dimension_scores")) << explain.out;
  EXPECT_TRUE(explain_json["decision"].is_string()) << explain.out;

  // A new command with --format must join the list above (and so be checked).
  for (const auto& [path, help] : AllCommands()) {
    if (!IsLeaf(help) || help.find("--format") == std::string::npos) continue;
    if (path == "tool list") continue;  // its JSON forms are tool definitions: anthropic | mcp
    if (kCreatesOrRunsLong.contains(path)) continue;
    EXPECT_TRUE(covered.contains(path)) << path << " has --format but is not checked here";
  }
}

// `investigate` prints its progress on stderr: steps and tool calls always; with --verbose
// also each call's outcome ("done ... ok in N ms"). stdout stays the report alone.
TEST_F(CliTest, InvestigateVerboseShowsEveryProgressEventOnStderr) {
  CliRun reports = Run(Data(), "reports list --format json");
  auto reports_json = nlohmann::json::parse(reports.out, nullptr, false);
  ASSERT_FALSE(reports_json.is_discarded() || reports_json["reports"].empty()) << reports.out;
  const std::string cluster_id = reports_json["reports"][0]["cluster_id"];
  CliRun quiet = Run(Data(), "investigate " + cluster_id + " --engine playbook --format json");
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_NE(quiet.err.find("step"), std::string::npos) << quiet.err;
  EXPECT_NE(quiet.err.find("query_cluster_info"), std::string::npos) << quiet.err;
  EXPECT_EQ(quiet.err.find(" ok in "), std::string::npos) << quiet.err;
  CliRun verbose =
      Run(Data(), "investigate " + cluster_id + " --engine playbook --verbose --format json");
  ASSERT_EQ(verbose.exit_code, 0) << verbose.err;
  EXPECT_NE(verbose.err.find(" ok in "), std::string::npos) << verbose.err;
  EXPECT_FALSE(nlohmann::json::parse(verbose.out, nullptr, false).is_discarded())
      << "stdout is the report alone:\n" << verbose.out;
}

TEST_F(CliTest, EvalRunsCasesAndExitsNonZeroBelowMinPass) {
  const std::string cases = std::string(RH_SOURCE_DIR) + "/bench/agent/cases";
  CliRun one = Run(Data(), "eval --cases '" + cases +
                               "' --case healthy-engineer-question --min-pass 1");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.out.find("healthy-engineer-question"), std::string::npos) << one.out;
  EXPECT_NE(one.out.find("pass@1 100.0%"), std::string::npos) << one.out;

  CliRun json = Run(Data(), "eval --cases '" + cases +
                                "' --case healthy-engineer-question --runs 2 --format json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto parsed = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << json.out;
  EXPECT_EQ(parsed["totals"]["cases"], 1);
  EXPECT_EQ(parsed["cases"][0]["runs"].size(), 2u);

  // A case whose answer key the playbook cannot meet: the threshold turns it into an exit code.
  const std::string wrong = dir_->File("wrong-cases");
  std::filesystem::create_directories(wrong);
  std::ifstream in(cases + "/disk-capacity-ramp-load-surge.json");
  nlohmann::json disk = nlohmann::json::parse(in);
  disk["expect"]["category"] = "cpu_saturation";
  std::ofstream(wrong + "/wrong.json") << disk.dump();
  CliRun below = Run(Data(), "eval --cases '" + wrong + "' --min-pass 0.5");
  EXPECT_EQ(below.exit_code, 9) << below.err;
  EXPECT_NE(below.out.find("category: got disk_capacity"), std::string::npos) << below.out;
  EXPECT_NE(below.err.find("--min-pass"), std::string::npos) << below.err;

  CliRun scripted = Run(Data(), "eval --engine scripted");
  EXPECT_EQ(scripted.exit_code, 2);
  EXPECT_NE(scripted.err.find("bench_agent_eval"), std::string::npos) << scripted.err;
  CliRun live = Run(Data(), "eval --engine claude --cases '" + cases + "'");
  EXPECT_EQ(live.exit_code, 2);
  EXPECT_NE(live.err.find("ANTHROPIC_API_KEY"), std::string::npos) << live.err;
  CliRun missing = Run(Data(), "eval --cases /nonexistent/cases");
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("--cases"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace rh::app
