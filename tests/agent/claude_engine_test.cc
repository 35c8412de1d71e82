// The Claude tool-use loop end to end: scenario files replayed by the scripted Anthropic server
// over real sockets, through the real AnthropicClient and ClaudeEngine, to the real eight tools
// over a small simulated fleet. The server checks every request the way the API does (headers,
// body against the API's OpenAPI description, tool_use/tool_result pairing and order, at most 4
// cache_control markers) plus each turn's expectations; any problem fails the test. Each fault
// ends as specified: retried, forced report turn, repaired, or a clear error the Investigator
// turns into a fallback report (investigator_test.cc).
#include "agent/claude_engine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <thread>

#include "agent/cancellation.h"
#include "core/time_format.h"
#include "store/schema.h"
#include "tests/agent/concurrency_probe.h"
#include "tests/agent/loop_fixture.h"

namespace rh::agent {
namespace {

using loop_test::ClientOptions;
using loop_test::CountCacheMarkers;
using loop_test::Fleet;
using loop_test::LoadScenario;
using loop_test::RecordingClock;
using rh::testing::AnthropicScenario;
using rh::testing::ReceivedRequest;
using rh::testing::ScriptedAnthropicServer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

class ClaudeLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Fleet().error.empty()) << Fleet().error;
    cluster_ = Fleet().IncidentCluster(RootCause::kDiskCapacity);
    ASSERT_FALSE(cluster_.empty());
    auto memory = store::OpenDatabase(memory_dir_.File("memory.db"));
    ASSERT_TRUE(memory) << memory.error().ToString();
    memory_ = std::move(*memory);
    ASSERT_TRUE(store::Migrate(*memory_, store::SchemaSet::kMemory));
    auto tools = loop_test::BuildTools(memory_.get(), clock_);
    ASSERT_TRUE(tools) << tools.error().ToString();
    tools_ = std::move(*tools);
    config_.max_steps = 20;
  }

  AnthropicScenario Scenario(const std::string& name) {
    return LoadScenario(name, {{"cluster_id", cluster_}});
  }

  // Starts the server on `scenario` and builds client and engine against it; `tweak` may
  // change the client options first.
  void Start(AnthropicScenario scenario,
             const std::function<void(AnthropicClientOptions&)>& tweak = {}) {
    server_ = std::make_unique<ScriptedAnthropicServer>(std::move(scenario));
    AnthropicClientOptions client_options = ClientOptions(*server_);
    if (tweak) tweak(client_options);
    auto client = AnthropicClient::Create(client_options, clock_);
    ASSERT_TRUE(client) << client.error().ToString();
    client_ = std::move(*client);
    auto engine = ClaudeEngine::Create(*client_, *tools_, executor_, clock_, config_);
    ASSERT_TRUE(engine) << engine.error().ToString();
    engine_ = std::move(*engine);
  }

  // Progress is recorded; `on_progress_`, when set, sees each event too (under the lock).
  Result<InvestigationOutcome> Investigate(InvestigationUsage* spent = nullptr,
                                           const RunLimits& limits = {}) {
    return engine_->Investigate({"tsk_loop_test", cluster_, ""},
                                [this](const ProgressEvent& event) {
                                  std::lock_guard<std::mutex> lock(progress_mutex_);
                                  progress_.push_back(event);
                                  if (on_progress_) on_progress_(event);
                                },
                                spent, limits);
  }

  // The progress events of `what` at model turn `step`.
  int Events(const std::string& what, int step) {
    std::lock_guard<std::mutex> lock(progress_mutex_);
    return static_cast<int>(std::count_if(progress_.begin(), progress_.end(), [&](const auto& e) {
      return e.what == what && e.step == step;
    }));
  }

  // The request bodies the server accepted, in order.
  std::vector<Json> Bodies() const {
    std::vector<Json> bodies;
    for (const ReceivedRequest& request : server_->requests()) bodies.push_back(request.body);
    return bodies;
  }

  // The content blocks of the last message of request `request_idx`.
  Json LastMessage(size_t request_idx) const {
    return server_->requests().at(request_idx).body["messages"].back()["content"];
  }

  const ToolCallRecord* Call(const InvestigationOutcome& outcome, const std::string& id) const {
    for (const ToolCallRecord& record : outcome.transcript) {
      if (record.id == id) return &record;
    }
    return nullptr;
  }

  rh::testing::TempDir memory_dir_;
  std::unique_ptr<store::Database> memory_;
  RecordingClock clock_;
  std::unique_ptr<tools::ToolRegistry> tools_;
  AgentConfig config_;
  std::string cluster_;
  std::unique_ptr<ScriptedAnthropicServer> server_;
  std::unique_ptr<AnthropicClient> client_;
  ToolExecutor executor_{4};  // agent.tool_concurrency's default
  std::unique_ptr<ClaudeEngine> engine_;
  std::mutex progress_mutex_;
  std::vector<ProgressEvent> progress_;
  std::function<void(const ProgressEvent&)> on_progress_;
};

// ---- The whole loop ---------------------------------------------------------------------------

TEST_F(ClaudeLoopTest, MultiTurnInvestigationEndsInAValidSourcedReport) {
  Start(Scenario("investigation_disk_full"));
  ASSERT_TRUE(server_->openapi_validation() || !rh::testing::SharedDataPath("anthropic"))
      << "openapi.json is present but the server does not validate against it";
  auto outcome = Investigate();
  ASSERT_TRUE(outcome) << outcome.error().ToString();
  EXPECT_TRUE(server_->finished());
  EXPECT_THAT(server_->problems(), SizeIs(0));

  // The report, exactly as submitted.
  EXPECT_EQ(outcome->engine, EngineKind::kClaude);
  EXPECT_EQ(outcome->model, "claude-sonnet-4-5");
  EXPECT_EQ(outcome->report.severity, Severity::kCritical);
  EXPECT_EQ(outcome->report.root_cause_category, RootCause::kDiskCapacity);
  EXPECT_DOUBLE_EQ(outcome->report.confidence, 0.85);
  ASSERT_THAT(outcome->report.evidence, SizeIs(3));
  EXPECT_EQ(outcome->report.evidence[0].tool_call_id, "toolu_01DiskMetrics00000000003");
  ASSERT_THAT(outcome->report.recommendations, SizeIs(2));
  EXPECT_EQ(outcome->report.recommendations[0].operation, "expand_disk");
  EXPECT_EQ(outcome->report.recommendations[0].parameters, Json({{"to_gb", 2000}}));

  // Usage summed over the four turns; cost at the configured prices.
  EXPECT_EQ(outcome->usage.model_turns, 4);
  EXPECT_EQ(outcome->usage.input_tokens, 2150 + 3900 + 2600 + 900);
  EXPECT_EQ(outcome->usage.output_tokens, 212 + 160 + 90 + 420);
  EXPECT_EQ(outcome->usage.cache_write_tokens, 6400 + 3900);
  EXPECT_EQ(outcome->usage.cache_read_tokens, 6400 + 6400 + 10300);
  const double expected_cost = (9550 * 3.0 + 10300 * 3.0 * 1.25 + 23100 * 3.0 * 0.1 +
                                882 * 15.0) / 1e6;
  EXPECT_NEAR(outcome->usage.cost_usd, expected_cost, 1e-9);
  // The budget counts the context of the last turn (900 new + 10300 read from the cache) and
  // every output token, not each turn's cache reads again.
  EXPECT_EQ(outcome->usage.context_tokens, 900 + 10300);
  EXPECT_EQ(BudgetTokens(outcome->usage), 900 + 10300 + 882);

  // The transcript: eight real tool calls in the order asked, then the accepted submission.
  std::vector<std::string> tools_called;
  for (const ToolCallRecord& record : outcome->transcript) tools_called.push_back(record.tool);
  EXPECT_THAT(tools_called,
              ElementsAre("query_cluster_info", "query_cluster_alerts", "query_cluster_metrics",
                          "query_cluster_operations", "search_knowledge_lake",
                          "query_agent_memory", "query_similar_clusters", "run_sql",
                          "submit_report"));
  for (const ToolCallRecord& record : outcome->transcript) {
    EXPECT_FALSE(record.is_error) << record.tool << ": " << record.output;
  }
  EXPECT_EQ(outcome->transcript[0].step, 1);
  EXPECT_EQ(outcome->transcript[4].step, 2);
  EXPECT_EQ(outcome->transcript[7].step, 3);
  EXPECT_EQ(outcome->transcript[8].output, "Report accepted.");

  const std::vector<Json> bodies = Bodies();
  ASSERT_THAT(bodies, SizeIs(4));
  for (size_t request_idx = 0; request_idx < bodies.size(); ++request_idx) {
    const Json& body = bodies[request_idx];
    SCOPED_TRACE("request " + std::to_string(request_idx));
    // System and tools are byte-identical on every turn (the cached prefix), with breakpoints
    // on the system block and the last tool (submit_report), and one on the newest message.
    EXPECT_EQ(body["system"], bodies[0]["system"]);
    EXPECT_EQ(body["tools"], bodies[0]["tools"]);
    EXPECT_TRUE(body["system"][0].contains("cache_control"));
    EXPECT_EQ(body["tools"].back()["name"], "submit_report");
    EXPECT_TRUE(body["tools"].back().contains("cache_control"));
    EXPECT_TRUE(body["messages"].back()["content"].back().contains("cache_control"));
    EXPECT_EQ(CountCacheMarkers(body), 3);
    EXPECT_EQ(body["tools"].size(), tools_->Names().size() + 1);
    EXPECT_EQ(body["tool_choice"], Json({{"type", "auto"}}));
    EXPECT_EQ(body["metadata"], Json({{"user_id", "rockhound-tsk_loop_test"}}));
    EXPECT_FALSE(body.contains("temperature"));
    // Each earlier assistant turn goes back verbatim (unknown fields such as `caller` too).
    EXPECT_EQ(body["messages"].size(), 2 * request_idx + 1);
  }
  const std::string opening = bodies[0]["messages"][0]["content"][0]["text"];
  EXPECT_THAT(opening, HasSubstr(cluster_));
  EXPECT_THAT(opening, HasSubstr(FormatIsoTime(loop_test::FleetNow())));
  EXPECT_EQ(bodies[1]["messages"][1]["content"][1]["caller"], Json({{"type", "direct"}}));
  EXPECT_EQ(bodies[3]["messages"][1], bodies[1]["messages"][1]);

  // The four parallel results of turn 1 answer the four tool_use blocks in one user message,
  // in order, and carry exactly what the real tools return for those inputs.
  // A short budget line follows them.
  const Json results = LastMessage(1);
  ASSERT_THAT(results, SizeIs(5));
  EXPECT_EQ(results[4]["text"], "[budget] turn 2 of 20; 391,238 tokens and $1.97 left.");
  const Json& asked = bodies[1]["messages"][1]["content"];
  for (size_t result_idx = 0; result_idx + 1 < results.size(); ++result_idx) {
    const Json& use = asked[result_idx + 1];
    const Json& result = results[result_idx];
    EXPECT_EQ(result["type"], "tool_result");
    EXPECT_EQ(result["tool_use_id"], use["id"]);
    EXPECT_FALSE(result.contains("is_error"));
    tools::ToolResult direct = tools_->Call(use["name"].get<std::string>(), use["input"]);
    EXPECT_EQ(result["content"], direct.content) << use["name"];
  }
  EXPECT_THAT(results[0]["content"].get<std::string>(), HasSubstr(cluster_));

  // Live progress: four model turns, eight tools, one report.
  int turns = 0, tool_events = 0, reports = 0;
  for (const ProgressEvent& event : progress_) {
    turns += event.what == "model turn";
    tool_events += event.what == "tool";
    reports += event.what == "report";
  }
  EXPECT_EQ(turns, 4);
  EXPECT_EQ(tool_events, 8);
  EXPECT_EQ(reports, 1);
  EXPECT_EQ(clock_.waits(), std::vector<double>{});
}

// With agent.stream the same investigation streams every turn: the model's text reaches the
// progress as "text" events of its turn (all of it, in order), each turn ends with a "tokens"
// event, and every call's "tool" start is followed by its "tool done".
TEST_F(ClaudeLoopTest, AStreamedInvestigationReportsTextTokensAndToolOutcomesLive) {
  AnthropicScenario scenario = Scenario("investigation_disk_full");
  Start(scenario, [](AnthropicClientOptions& options) { options.stream = true; });
  auto outcome = Investigate();
  ASSERT_TRUE(outcome) << outcome.error().ToString();
  for (const ReceivedRequest& request : server_->requests()) EXPECT_EQ(request.body["stream"], true);
  std::map<int, std::string> streamed;  // turn -> text
  std::map<std::string, int> started;   // call id -> turn
  int tokens_events = 0;
  long long last_tokens = 0;
  for (const ProgressEvent& event : progress_) {
    if (event.what == "text") streamed[event.step] += event.text;
    if (event.what == "tool") started[event.call_id] = event.step;
    if (event.what == "tool done") {
      EXPECT_EQ(started.count(event.call_id), 1u) << event.call_id << " finished before starting";
      EXPECT_TRUE(event.ok) << event.detail;
    }
    if (event.what == "tokens") {
      ++tokens_events;
      EXPECT_GT(event.tokens, last_tokens);
      last_tokens = event.tokens;
    }
  }
  EXPECT_EQ(started.size(), 8u);
  EXPECT_EQ(tokens_events, outcome->usage.model_turns);
  for (size_t turn = 0; turn < scenario.turns.size(); ++turn) {
    std::string text;
    for (const Json& block : scenario.turns[turn].message["content"]) {
      if (JsonString(block, "type") == "text") text += JsonString(block, "text");
    }
    EXPECT_EQ(streamed[static_cast<int>(turn) + 1], text) << "turn " << turn + 1;
  }
}

// A tool that returns only once `peers` calls are inside it at the same time (or after 10 s):
// its output says how many it saw, so sequential execution cannot pass.
class BarrierTool final : public tools::Tool {
 public:
  explicit BarrierTool(int peers) : peers_(peers) {}
  std::string_view name() const override { return "wait_for_peers"; }
  std::string_view description() const override { return "Waits for its parallel peers."; }
  const Json& input_schema() const override { return schema_; }
  tools::ToolResult Run(const Json& input) override {
    std::unique_lock<std::mutex> lock(mutex_);
    ++inside_;
    max_inside_ = std::max(max_inside_, inside_);
    arrived_.notify_all();
    arrived_.wait_for(lock, std::chrono::seconds(10), [this] { return max_inside_ >= peers_; });
    const int seen = max_inside_;
    --inside_;
    return {input.value("label", std::string("?")) + " saw " + std::to_string(seen), false};
  }

 private:
  const int peers_;
  const Json schema_ = Json::parse(
      R"({"type": "object", "properties": {"label": {"type": "string", "maxLength": 20}}})");
  std::mutex mutex_;
  std::condition_variable arrived_;
  int inside_ = 0;
  int max_inside_ = 0;
};

TEST_F(ClaudeLoopTest, ParallelToolUseBlocksRunConcurrentlyAndAreAnsweredInOrder) {
  ASSERT_TRUE(tools_->Register(std::make_unique<BarrierTool>(3)));
  Start(rh::testing::AnthropicScenario::Parse(Json::parse(R"({"turns": [
      {"message": {"content": [
        {"type": "tool_use", "id": "toolu_01Barrier00000000000000A", "name": "wait_for_peers",
         "input": {"label": "first"}},
        {"type": "tool_use", "id": "toolu_01Barrier00000000000000B", "name": "wait_for_peers",
         "input": {"label": "second"}},
        {"type": "tool_use", "id": "toolu_01Barrier00000000000000C", "name": "wait_for_peers",
         "input": {"label": "third"}}]}},
      {"expect_last_message": {"role": "user", "content": [
         {"type": "tool_result", "tool_use_id": "toolu_01Barrier00000000000000A",
          "content": "first saw 3"},
         {"type": "tool_result", "tool_use_id": "toolu_01Barrier00000000000000B",
          "content": "second saw 3"},
         {"type": "tool_result", "tool_use_id": "toolu_01Barrier00000000000000C",
          "content": "third saw 3"}, {"type": "text"}]},
       "message": {"content": [
        {"type": "tool_use", "id": "toolu_01BarrierReport00000000D", "name": "submit_report",
         "input": {"severity": "info", "confidence": 0.9, "root_cause": "Nothing wrong.",
                   "root_cause_category": "alert_noise",
                   "evidence": [{"tool_call_id": "toolu_01Barrier00000000000000C",
                                 "tool": "wait_for_peers", "finding": "All peers arrived."}],
                   "recommendations": [], "summary": "Fine."}}]}}]})"),
                                                      "parallel_barrier")
            .value());
  auto outcome = Investigate();
  ASSERT_TRUE(outcome) << outcome.error().ToString();
  ASSERT_THAT(outcome->transcript, SizeIs(4));
  EXPECT_EQ(outcome->transcript[0].output, "first saw 3");
  EXPECT_EQ(outcome->transcript[1].output, "second saw 3");
  EXPECT_EQ(outcome->transcript[2].output, "third saw 3");
}

// ---- Faults -------------------------------------------------------------------------------------

TEST_F(ClaudeLoopTest, TransientApiFaultsAreRetriedAndTheInvestigationCompletes) {
  Start(Scenario("investigation_transient_faults"), [](AnthropicClientOptions& options) {
    options.request_timeout = std::chrono::milliseconds(1500);  // the timeout fault outlasts it
  });
  auto outcome = Investigate();
  ASSERT_TRUE(outcome) << outcome.error().ToString();
  EXPECT_TRUE(server_->finished());
  EXPECT_EQ(outcome->report.root_cause_category, RootCause::kDiskCapacity);
  EXPECT_EQ(outcome->usage.model_turns, 3);

  std::vector<int> retry_counts, statuses;
  for (const ReceivedRequest& request : server_->requests()) {
    retry_counts.push_back(request.retry_count);
    statuses.push_back(request.status);
  }
  // turn 1: 429 then success; turn 2: 529, 500, success; turn 3: dropped, timed out, success.
  EXPECT_THAT(retry_counts, ElementsAre(0, 1, 0, 1, 2, 0, 1, 2));
  EXPECT_EQ(statuses[0], 429);
  EXPECT_EQ(statuses[1], 200);
  EXPECT_EQ(statuses[2], 529);
  EXPECT_EQ(statuses[3], 500);
  EXPECT_EQ(statuses[4], 200);
  EXPECT_EQ(statuses[5], 0);  // dropped without an answer
  EXPECT_EQ(statuses[7], 200);
  // retry-after 2 honoured exactly; otherwise the SDK backoff without jitter: 0.5 s, then 1 s.
  EXPECT_THAT(clock_.waits(), ElementsAre(2.0, 0.5, 1.0, 0.5, 1.0));
  // A retried request is the same request.
  const auto requests = server_->requests();
  EXPECT_EQ(requests[0].body, requests[1].body);
  EXPECT_EQ(requests[2].body, requests[4].body);
  EXPECT_EQ(requests[5].body, requests[7].body);
}

TEST_F(ClaudeLoopTest, MalformedJsonFailsTheInvestigationAndKeepsWhatWasSpent) {
  Start(Scenario("investigation_malformed_json"));
  InvestigationUsage spent;
  auto outcome = Investigate(&spent);
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code, ErrorCode::kUnavailable) << outcome.error().ToString();
  EXPECT_THAT(outcome.error().ToString(), HasSubstr("claude turn 2"));
  EXPECT_THAT(server_->requests(), SizeIs(2));  // a 200 is never retried
  EXPECT_EQ(spent.model_turns, 1);
  EXPECT_EQ(spent.input_tokens, 1200);
  EXPECT_EQ(spent.cache_write_tokens, 5000);
  EXPECT_GT(spent.cost_usd, 0.0);
}

TEST_F(ClaudeLoopTest, MaxTokensCutOffRunsTheCompleteCallsAndAsksForTheReport) {
  Start(Scenario("investigation_max_tokens"));
  auto outcome = Investigate();
  ASSERT_TRUE(outcome) << outcome.error().ToString();
  EXPECT_TRUE(server_->finished());
  const ToolCallRecord* metrics = Call(*outcome, "toolu_01CutMetrics0000000000001");
  const ToolCallRecord* cut = Call(*outcome, "toolu_01CutSql00000000000000002");
  ASSERT_NE(metrics, nullptr);
  ASSERT_NE(cut, nullptr);
  EXPECT_FALSE(metrics->is_error);
  EXPECT_THAT(metrics->output, HasSubstr("dimensions"));
  EXPECT_TRUE(cut->is_error);
  EXPECT_THAT(cut->output, HasSubstr("cut off at max_tokens"));
  // The cut-off turn was retried once at twice max_tokens (cut off again), then answered;
  // the next turn asks for the report in words with tool_choice still auto.
  const auto requests = server_->requests();
  ASSERT_THAT(requests, SizeIs(3));
  EXPECT_EQ(requests[0].body["max_tokens"], 4096);
  EXPECT_EQ(requests[1].body["max_tokens"], 8192);
  EXPECT_EQ(requests[1].body["messages"], requests[0].body["messages"]);  // the same turn
  EXPECT_EQ(requests[2].body["max_tokens"], 4096);
  EXPECT_EQ(outcome->usage.model_turns, 3);
  const Json last = LastMessage(2);
  ASSERT_THAT(last, SizeIs(3));
  EXPECT_THAT(last[2]["text"].get<std::string>(), HasSubstr("call submit_report"));
  EXPECT_THAT(last[2]["text"].get<std::string>(), HasSubstr("cut off at max_tokens"));
}

TEST_F(ClaudeLoopTest, ModelThatKeepsCallingToolsIsForcedToReportAtMaxSteps) {
  config_.max_steps = 4;
  Start(Scenario("investigation_forced_report"));
  auto outcome = Investigate();
  ASSERT_TRUE(outcome) << outcome.error().ToString();
  EXPECT_TRUE(server_->finished());
  EXPECT_EQ(outcome->usage.model_turns, 4);
  const auto bodies = Bodies();
  ASSERT_THAT(bodies, SizeIs(4));
  // The last turn asks in words; tool_choice stays auto so the cached prefix holds.
  EXPECT_EQ(bodies[3]["tool_choice"], Json({{"type", "auto"}}));
  EXPECT_THAT(bodies[3]["messages"].back()["content"].back()["text"].get<std::string>(),
              HasSubstr("last turn of agent.max_steps"));

  // The same call three times: it ran once, the repeats were refused and said why.
  ASSERT_THAT(outcome->transcript, SizeIs(4));
  EXPECT_FALSE(outcome->transcript[0].is_error);
  for (size_t call_idx = 1; call_idx < 3; ++call_idx) {
    const ToolCallRecord& repeat = outcome->transcript[call_idx];
    EXPECT_EQ(repeat.tool, "query_cluster_metrics");
    EXPECT_TRUE(repeat.is_error);
    EXPECT_THAT(repeat.output, HasSubstr("Refused: this exact call"));
    EXPECT_THAT(repeat.output, HasSubstr("toolu_scripted_0001"));
  }
  const Json refusal = LastMessage(2);
  ASSERT_THAT(refusal, SizeIs(2));  // the refusal, then the budget line
  EXPECT_THAT(refusal[1]["text"].get<std::string>(), HasSubstr("[budget] turn 3 of 4"));
  EXPECT_EQ(refusal[0]["is_error"], true);
  EXPECT_THAT(refusal[0]["content"].get<std::string>(), HasSubstr("already made"));
}

TEST_F(ClaudeLoopTest, ModelThatNeverSubmitsFailsAfterTwoForcedTurns) {
  config_.max_steps = 3;
  Start(LoadScenario("never_stops_calling_tools"));
  InvestigationUsage spent;
  auto outcome = Investigate(&spent);
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code, ErrorCode::kResourceExhausted);
  EXPECT_THAT(outcome.error().message, HasSubstr("did not call submit_report"));
  const auto bodies = Bodies();
  ASSERT_THAT(bodies, SizeIs(4));  // turns 1-2 free, turns 3 and 4 forced
  EXPECT_EQ(bodies[1]["tool_choice"], Json({{"type", "auto"}}));
  // The first forced turn asks in words (auto), the second forces the tool.
  EXPECT_EQ(bodies[2]["tool_choice"], Json({{"type", "auto"}}));
  EXPECT_EQ(bodies[3]["tool_choice"], Json({{"type", "tool"}, {"name", "submit_report"}}));
  EXPECT_EQ(spent.model_turns, 4);
}

TEST_F(ClaudeLoopTest, UnknownToolGetsAnErrorResultAndTheLoopContinues) {
  Start(Scenario("investigation_unknown_tool"));
  auto outcome = Investigate();
  ASSERT_TRUE(outcome) << outcome.error().ToString();
  const ToolCallRecord* unknown = Call(*outcome, "toolu_01UnknownLogs000000000001");
  ASSERT_NE(unknown, nullptr);
  EXPECT_TRUE(unknown->is_error);
  EXPECT_THAT(unknown->output, HasSubstr("query_cluster_logs"));
  EXPECT_THAT(unknown->output, HasSubstr("query_cluster_metrics"));  // names the real ones
  EXPECT_EQ(outcome->report.root_cause_category, RootCause::kInsufficientData);
}

TEST_F(ClaudeLoopTest, InvalidReportGetsOneRepairTurnListingEveryProblem) {
  Start(Scenario("investigation_report_repaired"));
  auto outcome = Investigate();
  ASSERT_TRUE(outcome) << outcome.error().ToString();
  EXPECT_EQ(outcome->report.severity, Severity::kCritical);
  const ToolCallRecord* rejected = Call(*outcome, "toolu_01RepairBadReport000000002");
  ASSERT_NE(rejected, nullptr);
  EXPECT_TRUE(rejected->is_error);
  const Json repair = LastMessage(2);
  ASSERT_THAT(repair, SizeIs(2));  // the problems, then the budget line
  const std::string problems = repair[0]["content"];
  EXPECT_THAT(problems, HasSubstr("3 problems"));
  EXPECT_THAT(problems, HasSubstr("severity: must be one of"));
  EXPECT_THAT(problems, HasSubstr("toolu_01NoSuchCall0000000000000"));
  EXPECT_THAT(problems, HasSubstr("outside the instance limits"));
  EXPECT_THAT(problems, HasSubstr("toolu_01RepairMetrics00000000001"));  // what it may cite
  EXPECT_EQ(Call(*outcome, "toolu_01RepairGoodReport00000003")->output, "Report accepted.");
}

TEST_F(ClaudeLoopTest, ReportInvalidTwiceFailsWithTheReason) {
  Start(Scenario("investigation_report_invalid_twice"));
  InvestigationUsage spent;
  auto outcome = Investigate(&spent);
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(outcome.error().message, HasSubstr("still invalid after one repair turn"));
  EXPECT_THAT(outcome.error().message, HasSubstr("severity: must be one of"));
  EXPECT_TRUE(server_->finished());
  EXPECT_EQ(spent.model_turns, 3);
  EXPECT_EQ(spent.input_tokens, 1000 + 800 + 900);
}

TEST_F(ClaudeLoopTest, TokenBudgetForcesTheReport) {
  config_.token_budget = 100000;
  Start(Scenario("investigation_budget"));
  auto outcome = Investigate();
  ASSERT_TRUE(outcome) << outcome.error().ToString();
  EXPECT_TRUE(server_->finished());
  EXPECT_EQ(outcome->usage.input_tokens, 152000);
}

TEST_F(ClaudeLoopTest, CostBudgetForcesTheReport) {
  config_.cost_budget_usd = 0.25;  // the first turn costs 150000 * $3/M + 500 * $15/M = $0.4575
  Start(Scenario("investigation_budget"));
  auto outcome = Investigate();
  ASSERT_TRUE(outcome) << outcome.error().ToString();
  EXPECT_TRUE(server_->finished());
  EXPECT_GT(outcome->usage.cost_usd, config_.cost_budget_usd);
}

TEST_F(ClaudeLoopTest, ProseAnswerIsFollowedByAForcedReportTurn) {
  Start(Scenario("investigation_text_answer"));
  auto outcome = Investigate();
  ASSERT_TRUE(outcome) << outcome.error().ToString();
  EXPECT_TRUE(server_->finished());
  const Json last = LastMessage(2);
  EXPECT_THAT(last[0]["text"].get<std::string>(),
              HasSubstr("You stopped without calling submit_report"));
}

TEST_F(ClaudeLoopTest, RefusalFailsTheInvestigation) {
  Start(Scenario("investigation_refusal"));
  auto outcome = Investigate();
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(outcome.error().message, HasSubstr("refusal"));
  EXPECT_THAT(server_->requests(), SizeIs(1));
}

TEST_F(ClaudeLoopTest, InvestigationsRunConcurrentlyOnOneEngine) {
  rh::testing::ScriptedAnthropicServer::Options options;
  options.per_conversation = true;
  server_ = std::make_unique<ScriptedAnthropicServer>(Scenario("investigation_disk_full"), options);
  auto client = AnthropicClient::Create(ClientOptions(*server_), clock_);
  ASSERT_TRUE(client) << client.error().ToString();
  auto engine = ClaudeEngine::Create(**client, *tools_, executor_, clock_, config_);
  ASSERT_TRUE(engine) << engine.error().ToString();
  constexpr int kInvestigations = 4;
  std::vector<std::thread> workers;
  std::atomic<int> succeeded{0};
  for (int worker_idx = 0; worker_idx < kInvestigations; ++worker_idx) {
    workers.emplace_back([&, worker_idx] {
      auto outcome = (*engine)->Investigate(
          {"tsk_concurrent_" + std::to_string(worker_idx), cluster_, ""}, {});
      EXPECT_TRUE(outcome) << outcome.error().ToString();
      if (outcome && outcome->transcript.size() == 9) ++succeeded;
    });
  }
  for (auto& worker : workers) worker.join();
  EXPECT_EQ(succeeded.load(), kInvestigations);
  EXPECT_THAT(server_->requests(), SizeIs(4 * kInvestigations));
}

// ---- The tool executor, cancellation, the deadline -------------------------------------------

// Three concurrent investigations on one engine whose executor allows two tool calls at once;
// each model turn asks for three calls of a tool that blocks until the test lets go. Two run,
// the other seven wait in the executor's queue; every answer keeps its block's place.
TEST_F(ClaudeLoopTest, ToolCallsOfConcurrentInvestigationsStayWithinTheExecutorBound) {
  concurrency_test::ConcurrencyProbe probe;
  ASSERT_TRUE(tools_->Register(std::make_unique<concurrency_test::ProbeTool>(probe)));
  rh::testing::ScriptedAnthropicServer::Options options;
  options.per_conversation = true;
  server_ = std::make_unique<ScriptedAnthropicServer>(
      AnthropicScenario::Parse(Json::parse(R"({"turns": [
      {"message": {"content": [
        {"type": "tool_use", "id": "toolu_01Probe0000000000000000A", "name": "probe",
         "input": {"label": "first"}},
        {"type": "tool_use", "id": "toolu_01Probe0000000000000000B", "name": "probe",
         "input": {"label": "second"}},
        {"type": "tool_use", "id": "toolu_01Probe0000000000000000C", "name": "probe",
         "input": {"label": "third"}}]}},
      {"expect_last_message": {"role": "user", "content": [
         {"type": "tool_result", "tool_use_id": "toolu_01Probe0000000000000000A",
          "content": "first done"},
         {"type": "tool_result", "tool_use_id": "toolu_01Probe0000000000000000B",
          "content": "second done"},
         {"type": "tool_result", "tool_use_id": "toolu_01Probe0000000000000000C",
          "content": "third done"}, {"type": "text"}]},
       "message": {"content": [
        {"type": "tool_use", "id": "toolu_01ProbeReport00000000000D", "name": "submit_report",
         "input": {"severity": "info", "confidence": 0.9, "root_cause": "Nothing wrong.",
                   "root_cause_category": "alert_noise",
                   "evidence": [{"tool_call_id": "toolu_01Probe0000000000000000C",
                                 "tool": "probe", "finding": "All calls answered."}],
                   "recommendations": [], "summary": "Fine."}}]}}]})"),
                                     "executor_bound")
          .value(),
      options);
  constexpr int kBound = 2;
  constexpr int kInvestigations = 3;
  ToolExecutor executor(kBound);
  auto client = AnthropicClient::Create(ClientOptions(*server_), clock_);
  ASSERT_TRUE(client) << client.error().ToString();
  auto engine = ClaudeEngine::Create(**client, *tools_, executor, clock_, config_);
  ASSERT_TRUE(engine) << engine.error().ToString();

  std::vector<Result<InvestigationOutcome>> outcomes(kInvestigations,
                                                     Internal("test", "did not run"));
  std::vector<std::thread> workers;
  for (int worker_idx = 0; worker_idx < kInvestigations; ++worker_idx) {
    workers.emplace_back([&, worker_idx] {
      outcomes[worker_idx] = (*engine)->Investigate(
          {"tsk_bound_" + std::to_string(worker_idx), cluster_, ""}, {});
    });
  }
  probe.WaitUntilInside(kBound);
  concurrency_test::WaitUntil([&] {
    return executor.queued() == size_t(3 * kInvestigations - kBound);
  });
  EXPECT_EQ(probe.inside(), kBound);
  probe.Release();
  for (auto& worker : workers) worker.join();

  EXPECT_EQ(probe.max_inside(), kBound);
  EXPECT_EQ(probe.entered(), 3 * kInvestigations);
  for (const auto& outcome : outcomes) {
    ASSERT_TRUE(outcome) << outcome.error().ToString();
    ASSERT_THAT(outcome->transcript, SizeIs(4));
    EXPECT_EQ(outcome->transcript[0].output, "first done");
    EXPECT_EQ(outcome->transcript[1].output, "second done");
    EXPECT_EQ(outcome->transcript[2].output, "third done");
  }
  EXPECT_THAT(server_->problems(), SizeIs(0));
}

TEST_F(ClaudeLoopTest, CancelledBeforeTheFirstTurnSendsNothing) {
  Start(Scenario("investigation_disk_full"));
  CancellationToken cancel;
  cancel.Cancel("lease lost (test)");
  RunLimits limits;
  limits.cancel = &cancel;
  auto outcome = Investigate(nullptr, limits);
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(outcome.error().context, HasSubstr("cancelled"));
  EXPECT_THAT(outcome.error().message, HasSubstr("lease lost (test)"));
  EXPECT_THAT(server_->requests(), SizeIs(0));
}

// Cancelled while the second model request is in flight: that request completes, but none of
// its four tool calls runs and no third request is sent.
TEST_F(ClaudeLoopTest, CancelledRunStopsBeforeTheNextToolCallAndTheNextTurn) {
  Start(Scenario("investigation_disk_full"));
  CancellationToken cancel;
  RunLimits limits;
  limits.cancel = &cancel;
  on_progress_ = [&](const ProgressEvent& event) {
    if (event.what == "model turn" && event.step == 2) cancel.Cancel("lease lost (test)");
  };
  InvestigationUsage spent;
  auto outcome = Investigate(&spent, limits);
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(outcome.error().ToString(), HasSubstr("claude turn 2: cancelled: lease lost (test)"));
  EXPECT_THAT(server_->requests(), SizeIs(2));
  EXPECT_EQ(Events("tool", 1), 4);
  EXPECT_EQ(Events("tool", 2), 0);
  EXPECT_EQ(spent.model_turns, 2);  // what was spent is still reported
}

// The clock passes the deadline while the third model request is out: the run stops before
// that turn's tool call and returns what it has (seven calls from turns 1-2), severity info.
TEST_F(ClaudeLoopTest, RunPastItsDeadlineStopsWithTheCallsMadeSoFar) {
  Start(Scenario("investigation_disk_full"));
  RunLimits limits;
  limits.deadline = clock_.Monotonic() + std::chrono::minutes(10);
  on_progress_ = [&](const ProgressEvent& event) {
    if (event.what == "model turn" && event.step == 3) clock_.Advance(std::chrono::minutes(11));
  };
  auto outcome = Investigate(nullptr, limits);
  ASSERT_TRUE(outcome) << outcome.error().ToString();
  ASSERT_TRUE(outcome->timed_out.has_value());
  EXPECT_EQ(outcome->timed_out->at_step, 3);
  EXPECT_EQ(outcome->report.severity, Severity::kInfo);
  EXPECT_THAT(outcome->report.evidence, SizeIs(0));
  ASSERT_THAT(outcome->transcript, SizeIs(7));
  EXPECT_EQ(outcome->transcript[6].tool, "query_similar_clusters");
  EXPECT_EQ(outcome->usage.model_turns, 3);
  EXPECT_THAT(server_->requests(), SizeIs(3));
  EXPECT_EQ(Events("tool", 3), 0);
}

TEST_F(ClaudeLoopTest, DeadlineAlreadyPassedEndsTheRunBeforeTheFirstTurn) {
  Start(Scenario("investigation_disk_full"));
  RunLimits limits;
  limits.deadline = clock_.Monotonic();
  auto outcome = Investigate(nullptr, limits);
  ASSERT_TRUE(outcome) << outcome.error().ToString();
  ASSERT_TRUE(outcome->timed_out.has_value());
  EXPECT_EQ(outcome->timed_out->at_step, 1);
  EXPECT_THAT(outcome->transcript, SizeIs(0));
  EXPECT_THAT(server_->requests(), SizeIs(0));
}

// ---- Evidence integrity, thinking, strict schema, overflow, trigger --------------------------------

// Parses an inline scenario with "{{cluster_id}}" filled in.
AnthropicScenario Inline(const std::string& text, const std::string& cluster) {
  std::string filled = text;
  for (size_t at; (at = filled.find("{{cluster_id}}")) != std::string::npos;) {
    filled.replace(at, 14, cluster);
  }
  return AnthropicScenario::Parse(Json::parse(filled), "inline").value();
}

TEST_F(ClaudeLoopTest, InventedCitationsOnTheFirstTurnAreRefused) {
  Start(Inline(R"({"turns": [
      {"label": "a report before any tool call, citing an invented id",
       "message": {"content": [
        {"type": "tool_use", "id": "toolu_01FakeReport0000000000001", "name": "submit_report",
         "input": {"severity": "critical", "confidence": 0.9, "root_cause": "Disk full.",
                   "root_cause_category": "disk_capacity",
                   "evidence": [{"tool_call_id": "toolu_01Invented000000000000X",
                                 "tool": "query_cluster_metrics", "finding": "Disk at 97%."}],
                   "recommendations": [{"action": "Expand disks.", "rationale": "Full."}],
                   "summary": "Disk full."}}]}},
      {"label": "refused: now it investigates",
       "expect_last_message": {"role": "user", "content": [
         {"type": "tool_result", "tool_use_id": "toolu_01FakeReport0000000000001",
          "is_error": true}, {"type": "text"}]},
       "message": {"content": [
        {"type": "tool_use", "id": "toolu_01RealMetrics000000000002", "name": "query_cluster_metrics",
         "input": {"cluster_id": "{{cluster_id}}"}}]}},
      {"label": "a report citing what it read",
       "message": {"content": [
        {"type": "tool_use", "id": "toolu_01RealReport00000000003", "name": "submit_report",
         "input": {"severity": "critical", "confidence": 0.8, "root_cause": "Disk at 96.6%.",
                   "root_cause_category": "disk_capacity",
                   "evidence": [{"tool_call_id": "toolu_01RealMetrics000000000002",
                                 "tool": "query_cluster_metrics", "finding": "Disk at 96.6%."}],
                   "recommendations": [{"action": "Expand disks.", "rationale": "Full."}],
                   "summary": "Disk full."}}]}}]})", cluster_));
  auto outcome = Investigate();
  ASSERT_TRUE(outcome) << outcome.error().ToString();
  EXPECT_TRUE(server_->finished());
  const ToolCallRecord* fake = Call(*outcome, "toolu_01FakeReport0000000000001");
  ASSERT_NE(fake, nullptr);
  EXPECT_TRUE(fake->is_error);
  EXPECT_THAT(fake->output, HasSubstr("'toolu_01Invented000000000000X' is not a tool call"));
  EXPECT_THAT(fake->output, HasSubstr("no tool call of this investigation has succeeded"));
  EXPECT_EQ(outcome->report.evidence[0].tool_call_id, "toolu_01RealMetrics000000000002");
}

TEST_F(ClaudeLoopTest, CitationsOfUnseenFailedOrMislabelledCallsAreRefused) {
  Start(Inline(R"({"turns": [
      {"message": {"content": [
        {"type": "tool_use", "id": "toolu_01CiteInfo0000000000001", "name": "query_cluster_info",
         "input": {"cluster_id": "{{cluster_id}}"}},
        {"type": "tool_use", "id": "toolu_01CiteBadSql00000000002", "name": "run_sql",
         "input": {"sql": "DROP TABLE cluster_info"}}]}},
      {"label": "cites a call of the same message, a failed call, and the wrong tool",
       "message": {"content": [
        {"type": "tool_use", "id": "toolu_01CiteMetrics00000000003", "name": "query_cluster_metrics",
         "input": {"cluster_id": "{{cluster_id}}"}},
        {"type": "tool_use", "id": "toolu_01CiteReport1000000004", "name": "submit_report",
         "input": {"severity": "critical", "confidence": 0.9, "root_cause": "Disk full.",
                   "root_cause_category": "disk_capacity",
                   "evidence": [
                     {"tool_call_id": "toolu_01CiteMetrics00000000003",
                      "tool": "query_cluster_metrics", "finding": "Disk at 97%."},
                     {"tool_call_id": "toolu_01CiteBadSql00000000002", "tool": "run_sql",
                      "finding": "The SQL shows it."},
                     {"tool_call_id": "toolu_01CiteInfo0000000000001",
                      "tool": "query_cluster_metrics", "finding": "200 GB disks."}],
                   "recommendations": [{"action": "Expand disks.", "rationale": "Full."}],
                   "summary": "Disk full."}}]}},
      {"label": "repaired",
       "expect_last_message": {"role": "user", "content": [
         {"type": "tool_result", "tool_use_id": "toolu_01CiteMetrics00000000003"},
         {"type": "tool_result", "tool_use_id": "toolu_01CiteReport1000000004", "is_error": true},
         {"type": "text"}]},
       "message": {"content": [
        {"type": "tool_use", "id": "toolu_01CiteReport2000000005", "name": "submit_report",
         "input": {"severity": "critical", "confidence": 0.8, "root_cause": "Disk full.",
                   "root_cause_category": "disk_capacity",
                   "evidence": [
                     {"tool_call_id": "toolu_01CiteMetrics00000000003",
                      "tool": "query_cluster_metrics", "finding": "Disk at 96.6%."},
                     {"tool_call_id": "toolu_01CiteInfo0000000000001",
                      "tool": "query_cluster_info", "finding": "200 GB disks."}],
                   "recommendations": [{"action": "Expand disks.", "rationale": "Full."}],
                   "summary": "Disk full."}}]}}]})", cluster_));
  auto outcome = Investigate();
  ASSERT_TRUE(outcome) << outcome.error().ToString();
  EXPECT_TRUE(server_->finished());
  const ToolCallRecord* sql = Call(*outcome, "toolu_01CiteBadSql00000000002");
  ASSERT_NE(sql, nullptr);
  ASSERT_TRUE(sql->is_error) << sql->output;
  const ToolCallRecord* rejected = Call(*outcome, "toolu_01CiteReport1000000004");
  ASSERT_NE(rejected, nullptr);
  EXPECT_THAT(rejected->output, HasSubstr("3 problems"));
  EXPECT_THAT(rejected->output, HasSubstr("was called in this same message"));
  EXPECT_THAT(rejected->output, HasSubstr("failed; a failed call is a gap, not evidence"));
  EXPECT_THAT(rejected->output,
              HasSubstr("evidence[2].tool: 'query_cluster_metrics' but "
                        "toolu_01CiteInfo0000000000001 was a call of query_cluster_info"));
  EXPECT_THAT(outcome->report.evidence, SizeIs(2));
}

TEST_F(ClaudeLoopTest, StrictSubmitReportSchemaIsSent) {
  Start(Scenario("investigation_disk_full"));
  ASSERT_TRUE(Investigate());
  const Json submit = Bodies().front()["tools"].back();
  EXPECT_EQ(submit["name"], "submit_report");
  EXPECT_EQ(submit["strict"], true);
  const Json& schema = submit["input_schema"];
  // Every object is closed; the bounds strict mode cannot enforce are described instead (and
  // checked by ParseReport).
  std::function<void(const Json&, const std::string&)> walk = [&](const Json& node,
                                                                  const std::string& where) {
    if (!node.is_object()) return;
    if (node.value("type", "") == "object") {
      EXPECT_EQ(node.value("additionalProperties", Json(true)), false) << where;
    }
    EXPECT_FALSE(node.contains("minimum") || node.contains("maximum")) << where;
    for (const auto& [key, value] : node.items()) {
      if (value.is_object()) walk(value, where + "." + key);
      if (value.is_array()) {
        for (const Json& item : value) walk(item, where + "." + key + "[]");
      }
    }
  };
  walk(schema, "input_schema");
  EXPECT_THAT(schema["properties"]["confidence"]["description"].get<std::string>(),
              HasSubstr("{minimum: 0, maximum: 1}"));
  EXPECT_TRUE(schema["properties"]["recommendations"]["items"]["properties"]["parameters"]
                  ["properties"].contains("to_gb"));
}

TEST_F(ClaudeLoopTest, ThinkingBlocksRoundTripWithTheirSignaturesAndToolChoiceStaysAuto) {
  config_.thinking_budget = 2048;
  config_.max_steps = 2;  // turn 2 must report: with thinking it is asked in words, not forced
  Start(Inline(R"({"turns": [
      {"expect_request": {"thinking": {"type": "enabled", "budget_tokens": 2048},
                          "max_tokens": 6144, "tool_choice": {"type": "auto"}},
       "message": {"content": [
        {"type": "thinking", "thinking": "Disk first: the alert says so.",
         "signature": "EqQBCkYIBRgCKkBsig000000000000000000000001"},
        {"type": "tool_use", "id": "toolu_01ThinkMetrics00000000001", "name": "query_cluster_metrics",
         "input": {"cluster_id": "{{cluster_id}}"}}]}},
      {"expect_request": {"tool_choice": {"type": "auto"},
                          "thinking": {"type": "enabled", "budget_tokens": 2048},
                          "messages": ["<any>",
                            {"role": "assistant", "content": [
                              {"type": "thinking", "thinking": "Disk first: the alert says so.",
                               "signature": "EqQBCkYIBRgCKkBsig000000000000000000000001"},
                              "<any>"]},
                            "<any>"]},
       "message": {"content": [
        {"type": "thinking", "thinking": "96.6% and rising: disk_capacity.",
         "signature": "EqQBCkYIBRgCKkBsig000000000000000000000002"},
        {"type": "tool_use", "id": "toolu_01ThinkReport000000000002", "name": "submit_report",
         "input": {"severity": "critical", "confidence": 0.8, "root_cause": "Disk at 96.6%.",
                   "root_cause_category": "disk_capacity",
                   "evidence": [{"tool_call_id": "toolu_01ThinkMetrics00000000001",
                                 "tool": "query_cluster_metrics", "finding": "Disk at 96.6%."}],
                   "recommendations": [{"action": "Expand disks.", "rationale": "Full."}],
                   "summary": "Disk full."}}]}}]})", cluster_));
  auto outcome = Investigate();
  ASSERT_TRUE(outcome) << outcome.error().ToString();
  EXPECT_TRUE(server_->finished());
  const auto requests = server_->requests();
  ASSERT_THAT(requests, SizeIs(2));
  for (const ReceivedRequest& request : requests) {
    EXPECT_EQ(request.headers.at("anthropic-beta"), "interleaved-thinking-2025-05-14");
    EXPECT_FALSE(request.body.contains("temperature"));
  }
  // The turn that had to report said so in words.
  EXPECT_THAT(requests[1].body["messages"].back()["content"].back()["text"].get<std::string>(),
              HasSubstr("call submit_report"));
  EXPECT_EQ(CountCacheMarkers(requests[1].body), 3);  // never on a thinking block
}

TEST_F(ClaudeLoopTest, ContextOverflowCompactsOlderToolResultsAndContinues) {
  Start(Inline(R"({"turns": [
      {"message": {"content": [
        {"type": "tool_use", "id": "toolu_01BigInfo00000000000001", "name": "query_cluster_info",
         "input": {"cluster_id": "{{cluster_id}}"}}]}},
      {"message": {"content": [
        {"type": "tool_use", "id": "toolu_01BigMetrics000000000002", "name": "query_cluster_metrics",
         "input": {"cluster_id": "{{cluster_id}}"}}]}},
      {"error": {"status": 400, "type": "invalid_request_error",
                 "message": "prompt is too long: 212345 tokens > 200000 maximum"}},
      {"message": {"content": [
        {"type": "tool_use", "id": "toolu_01BigReport00000000003", "name": "submit_report",
         "input": {"severity": "critical", "confidence": 0.8, "root_cause": "Disk at 96.6%.",
                   "root_cause_category": "disk_capacity",
                   "evidence": [{"tool_call_id": "toolu_01BigInfo00000000000001",
                                 "tool": "query_cluster_info", "finding": "200 GB disks."},
                                {"tool_call_id": "toolu_01BigMetrics000000000002",
                                 "tool": "query_cluster_metrics", "finding": "Disk at 96.6%."}],
                   "recommendations": [{"action": "Expand disks.", "rationale": "Full."}],
                   "summary": "Disk full."}}]}}]})", cluster_));
  auto outcome = Investigate();
  ASSERT_TRUE(outcome) << outcome.error().ToString();
  EXPECT_TRUE(server_->finished());
  EXPECT_THAT(server_->TakeProblems(), SizeIs(0));
  const auto requests = server_->requests();
  ASSERT_THAT(requests, SizeIs(4));
  // The refused request carried the first result whole; the retry has it compacted, and the
  // newest result (the metrics the model has not answered yet) whole.
  const std::string before = requests[2].body["messages"][2]["content"][0]["content"];
  const std::string after = requests[3].body["messages"][2]["content"][0]["content"];
  EXPECT_THAT(before, HasSubstr(cluster_));
  EXPECT_THAT(after, HasSubstr("[compacted to fit the context window"));
  EXPECT_THAT(after, HasSubstr("query_cluster_info toolu_01BigInfo00000000000001"));
  EXPECT_THAT(requests[3].body["messages"][4]["content"][0]["content"].get<std::string>(),
              HasSubstr("dimensions"));
  // The transcript keeps the whole output; the compacted call is still citable.
  EXPECT_THAT(Call(*outcome, "toolu_01BigInfo00000000000001")->output, HasSubstr(cluster_));
  EXPECT_THAT(outcome->report.evidence, SizeIs(2));
}

TEST_F(ClaudeLoopTest, TheTriggerBriefIsInTheFirstMessage) {
  Start(Scenario("investigation_disk_full"));
  InvestigationRequest request{"tsk_brief", cluster_, ""};
  request.trigger = Json::parse(R"({"trigger": {"source": "sentinel", "rules": [
      {"rule": "score_cliff", "value": 41.2, "threshold": 20,
       "reason": "token=sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA leaked"}]},
      "score": {"health": 30.89, "risk_level": "Critical"}, "cluster": {"tier": "C"}})");
  auto outcome = engine_->Investigate(request, {});
  ASSERT_TRUE(outcome) << outcome.error().ToString();
  const std::string opening = Bodies().front()["messages"][0]["content"][0]["text"];
  EXPECT_THAT(opening, HasSubstr("Trigger brief"));
  EXPECT_THAT(opening, HasSubstr("\"rule\":\"score_cliff\""));
  EXPECT_THAT(opening, HasSubstr("\"threshold\":20"));
  EXPECT_THAT(opening, HasSubstr("\"health\":30.89"));
  EXPECT_THAT(opening, ::testing::Not(HasSubstr("AAAAAAAAAAAAAAAAAAAAAAAA")));  // masked
  EXPECT_THAT(opening, HasSubstr("[budget] turn 1 of 20"));
}

}  // namespace
}  // namespace rh::agent
