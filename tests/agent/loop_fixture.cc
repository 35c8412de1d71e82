#include "tests/agent/loop_fixture.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "core/time_format.h"
#include "knowledge/starter.h"
#include "sentinel/scorer.h"
#include "simulator/fleet_generator.h"
#include "store/schema.h"
#include "tools/investigation_tools.h"

namespace rh::agent::loop_test {
namespace {

constexpr uint64_t kFleetSeed = 5;  // not one of bench_scenarios' tuning or held-out seeds

Status BuildFleet(SharedFleet& out) {
  out.url = out.dir.File("fleet.db");
  RH_ASSIGN_OR_RETURN(out.fleet, store::OpenDatabase(out.url));
  simulator::FleetParams params;
  params.clusters = 30;
  params.days = 9;  // the metrics tool compares with the same window 7 days earlier
  params.seed = kFleetSeed;
  params.end_hour = FleetEndHour();
  RH_RETURN_IF_ERROR(simulator::GenerateFleet(*out.fleet, params));
  ManualClock clock(FleetNow());
  sentinel::HealthScorer scorer(*out.fleet, clock, SentinelConfig{});
  RH_RETURN_IF_ERROR(scorer.ScoreFleet());
  RH_ASSIGN_OR_RETURN(out.truth, simulator::ReadGroundTruth(*out.fleet));
  return {};
}

}  // namespace

TimePoint FleetEndHour() { return MakeUtcTime(2026, 3, 10, 12); }
TimePoint FleetNow() { return FleetEndHour() + std::chrono::minutes(5); }

std::string SharedFleet::IncidentCluster(RootCause category) const {
  for (const auto& row : truth) {
    if (row.category == category) return row.cluster_id;
  }
  return "";
}

std::vector<std::string> SharedFleet::HealthyClusters() const {
  std::set<std::string> incident;
  for (const auto& row : truth) incident.insert(row.cluster_id);
  std::vector<std::string> healthy;
  auto rows = fleet->Query(
      "SELECT cluster_id FROM cluster_info WHERE status = 'running' ORDER BY cluster_id");
  EXPECT_TRUE(rows) << rows.error().ToString();
  if (!rows) return healthy;
  for (store::Row row : *rows) {
    std::string cluster_id = row.GetString(size_t{0});
    if (!incident.count(cluster_id)) healthy.push_back(std::move(cluster_id));
  }
  return healthy;
}

const SharedFleet& Fleet() {
  static std::mutex mutex;
  static std::unique_ptr<SharedFleet> fleet;
  std::lock_guard<std::mutex> lock(mutex);
  if (!fleet) {
    fleet = std::make_unique<SharedFleet>();
    Status built = BuildFleet(*fleet);
    if (!built) fleet->error = built.error().ToString();
  }
  return *fleet;
}

knowledge::KnowledgeLake* StarterLake() {
  static rh::testing::TempDir dir;
  static ManualClock clock(FleetNow());
  static std::unique_ptr<knowledge::KnowledgeLake> lake = []() {
    auto embedder = knowledge::MakeEmbedder(knowledge::EmbedderConfig{}, clock);
    EXPECT_TRUE(embedder) << embedder.error().ToString();
    if (!embedder) return std::unique_ptr<knowledge::KnowledgeLake>();
    knowledge::LakeOptions options;
    options.db_path = dir.File("lake.db");
    options.index_path = dir.File("lake.faiss");
    auto opened = knowledge::KnowledgeLake::Open(options, std::move(*embedder), clock);
    EXPECT_TRUE(opened) << opened.error().ToString();
    if (!opened) return std::unique_ptr<knowledge::KnowledgeLake>();
    auto ingested = knowledge::IngestStarterKnowledge(**opened);
    EXPECT_TRUE(ingested) << ingested.error().ToString();
    return std::move(*opened);
  }();
  return lake.get();
}

void RecordingClock::SleepFor(Duration duration) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    waits_.push_back(std::chrono::duration<double>(duration).count());
  }
  clock_.SleepFor(duration);
}

std::vector<double> RecordingClock::waits() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return waits_;
}

TestMemory::TestMemory(const std::string& backend) {
  if (backend == "mysql") {
    mysql_ = std::make_unique<rh::testing::MysqlTestDatabase>();
    url_ = mysql_->url();
    if (url_.empty()) {
      error_ = "no MariaDB test database: " + mysql_->error();
      return;
    }
  } else {
    url_ = dir_.File("memory.db");
  }
  auto opened = Reopen();
  if (!opened) {
    error_ = opened.error().ToString();
    return;
  }
  db_ = std::move(*opened);
  auto migrated = store::Migrate(*db_, store::SchemaSet::kMemory);
  if (!migrated) error_ = migrated.error().ToString();
}

Result<std::unique_ptr<store::Database>> TestMemory::Reopen() const {
  store::OpenOptions options;
  options.password = rh::testing::TestMysqlPassword();
  return store::OpenDatabase(url_, options);
}

Result<std::unique_ptr<tools::ToolRegistry>> BuildTools(store::Database* memory, Clock& clock) {
  const SharedFleet& fleet = Fleet();
  if (!fleet.error.empty()) return Unavailable("simulated fleet", fleet.error);
  tools::ToolEnvironment env;
  env.fleet = fleet.fleet.get();
  env.memory = memory;
  env.knowledge = StarterLake();
  env.clock = &clock;
  env.fleet_url = fleet.url;
  RH_ASSIGN_OR_RETURN(tools::ToolRegistry registry, tools::BuildInvestigationTools(env));
  return std::make_unique<tools::ToolRegistry>(std::move(registry));
}

namespace {

// One tool of another registry, called through it; the gated one waits at the gate first.
class GatedTool final : public tools::Tool {
 public:
  GatedTool(const tools::ToolRegistry& inner, const tools::Tool& tool, GatedTools::Gate* gate)
      : inner_(inner),
        name_(tool.name()),
        description_(tool.description()),
        schema_(tool.input_schema()),
        gate_(gate) {}
  std::string_view name() const override { return name_; }
  std::string_view description() const override { return description_; }
  const Json& input_schema() const override { return schema_; }
  tools::ToolResult Run(const Json& input) override {
    if (gate_) {
      std::unique_lock<std::mutex> lock(gate_->mutex);
      if (!gate_->arrived) {
        gate_->arrived = true;
        gate_->changed.notify_all();
        gate_->changed.wait(lock, [this] { return gate_->open; });
      }
    }
    return inner_.Call(name_, input);
  }

 private:
  const tools::ToolRegistry& inner_;
  const std::string name_;
  const std::string description_;
  const Json schema_;
  GatedTools::Gate* gate_;  // null: not gated
};

}  // namespace

GatedTools::GatedTools(const tools::ToolRegistry& inner, const std::string& gated_tool) {
  EXPECT_NE(inner.Find(gated_tool), nullptr) << gated_tool;
  for (const std::string& name : inner.Names()) {
    Status registered = registry_.Register(std::make_unique<GatedTool>(
        inner, *inner.Find(name), name == gated_tool ? &gate_ : nullptr));
    EXPECT_TRUE(registered) << registered.error().ToString();
  }
}

GatedTools::~GatedTools() { Open(); }

void GatedTools::WaitUntilBlocked() {
  std::unique_lock<std::mutex> lock(gate_.mutex);
  gate_.changed.wait(lock, [this] { return gate_.arrived; });
}

void GatedTools::Open() {
  std::lock_guard<std::mutex> lock(gate_.mutex);
  gate_.open = true;
  gate_.changed.notify_all();
}

rh::testing::AnthropicScenario LoadScenario(const std::string& name,
                                            const std::map<std::string, std::string>& values) {
  const std::string path = std::string(RH_SOURCE_DIR) + "/tests/agent/scenarios/" + name + ".json";
  auto scenario = rh::testing::AnthropicScenario::Load(path, values);
  EXPECT_TRUE(scenario) << scenario.error().ToString();
  return scenario ? *scenario : rh::testing::AnthropicScenario{};
}

AnthropicClientOptions ClientOptions(const rh::testing::ScriptedAnthropicServer& server) {
  AnthropicClientOptions options;
  options.base_url = server.base_url();
  options.api_key = kApiKey;
  options.model = "claude-sonnet-4-5";
  options.max_tokens = 2048;
  options.connect_timeout = std::chrono::seconds(5);
  options.request_timeout = std::chrono::seconds(20);
  options.jitter = [] { return 0.0; };
  return options;
}

int CountCacheMarkers(const Json& body) {
  int markers = 0;
  auto count_blocks = [&](const Json& blocks) {
    if (!blocks.is_array()) return;
    for (const Json& block : blocks) {
      if (block.is_object() && block.contains("cache_control")) ++markers;
    }
  };
  count_blocks(body.value("system", Json()));
  count_blocks(body.value("tools", Json()));
  for (const Json& message : body.value("messages", Json::array())) {
    count_blocks(message.value("content", Json()));
  }
  return markers;
}

}  // namespace rh::agent::loop_test
