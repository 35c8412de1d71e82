// Shared set-up for the tool-use loop, Investigator and WorkerPool tests: one small simulated
// fleet (rh::simulator, one labelled incident of every category, scored once by the sentinel's
// HealthScorer as `rockhound cycle` does) in SQLite, the starter knowledge in a Knowledge Lake,
// a fresh agent memory per test (SQLite or MariaDB), the real eight tools over them, and
// scripted Anthropic scenarios with the cluster id filled in.
// Everything runs on a ManualClock pinned 5 minutes after the fleet's last hour; retry waits
// advance it instead of sleeping, and every wait is recorded.
// Thread-safety: the shared fleet and lake are built once per process (under a mutex) and only
// read afterwards; the rest belongs to one test.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "agent/anthropic_client.h"
#include "core/clock.h"
#include "knowledge/knowledge_lake.h"
#include "simulator/ground_truth.h"
#include "store/database.h"
#include "tests/fakes/scripted_anthropic_server.h"
#include "tests/fakes/test_env.h"
#include "tools/registry.h"

namespace rh::agent::loop_test {

inline constexpr char kApiKey[] = "test-key";
TimePoint FleetEndHour();
TimePoint FleetNow();  // FleetEndHour() + 5 minutes

// The simulated fleet, generated and scored once per process (SQLite).
struct SharedFleet {
  rh::testing::TempDir dir;
  std::string url;
  std::unique_ptr<store::Database> fleet;
  std::vector<simulator::GroundTruthRow> truth;
  std::string error;  // why the fleet could not be built; empty when it was

  // The cluster of the first incident of `category` ("" when the fleet has none).
  std::string IncidentCluster(RootCause category) const;
  // Running clusters without a labelled incident, in id order.
  std::vector<std::string> HealthyClusters() const;
};
const SharedFleet& Fleet();

// The starter knowledge in a Knowledge Lake, built once per process; null on failure (the test
// that needs it fails with the reason).
knowledge::KnowledgeLake* StarterLake();

// A ManualClock at FleetNow() that also remembers every wait (the client's retry backoff).
// SleepFor auto-advances; WaitFor (the lease keeper's) waits for an Advance or its stop.
class RecordingClock final : public Clock {
 public:
  RecordingClock() : clock_(FleetNow()) {}
  TimePoint Now() const override { return clock_.Now(); }
  MonoTime Monotonic() const override { return clock_.Monotonic(); }
  void SleepFor(Duration duration) override;
  bool WaitFor(Duration duration, std::stop_token stop) override {
    return clock_.WaitFor(duration, std::move(stop));
  }
  void Advance(Duration by) { clock_.Advance(by); }
  void WaitForSleepers(int count) const { clock_.WaitForSleepers(count); }
  int Sleepers() const { return clock_.Sleepers(); }
  std::vector<double> waits() const;  // seconds, in order

 private:
  ManualClock clock_;
  mutable std::mutex mutex_;
  std::vector<double> waits_;
};

// A fresh agent memory for one test: a SQLite file or a private MariaDB database ("sqlite" or
// "mysql"), migrated. url() is what a MemoryOpener reopens.
class TestMemory {
 public:
  explicit TestMemory(const std::string& backend);
  store::Database* db() const { return db_.get(); }
  const std::string& url() const { return url_; }
  const std::string& error() const { return error_; }
  // Another connection to the same database (another worker).
  Result<std::unique_ptr<store::Database>> Reopen() const;

 private:
  rh::testing::TempDir dir_;
  std::unique_ptr<rh::testing::MysqlTestDatabase> mysql_;
  std::string url_;
  std::unique_ptr<store::Database> db_;
  std::string error_;
};

// The eight investigation tools over the shared fleet, `memory` and the starter lake.
Result<std::unique_ptr<tools::ToolRegistry>> BuildTools(store::Database* memory, Clock& clock);

// The tools of `inner` behind a gate: the first call of `gated_tool` blocks until Open() (every
// other call goes straight through to `inner`), so a test can act while an investigation is
// in the middle of its work. Open() is implied by destruction.
class GatedTools {
 public:
  GatedTools(const tools::ToolRegistry& inner, const std::string& gated_tool);
  ~GatedTools();
  const tools::ToolRegistry& registry() const { return registry_; }
  // Blocks until the first call of the gated tool is waiting at the gate.
  void WaitUntilBlocked();
  void Open();

  struct Gate {
    std::mutex mutex;
    std::condition_variable changed;
    bool arrived = false;  // the first call of the gated tool is waiting (or went through)
    bool open = false;
  };

 private:
  Gate gate_;
  tools::ToolRegistry registry_;
};

// tests/agent/scenarios/<name>.json with every "{{key}}" replaced by its value.
rh::testing::AnthropicScenario LoadScenario(const std::string& name,
                                            const std::map<std::string, std::string>& values = {});

// Client options for `server`: the test key, short timeouts, no jitter (waits are exactly
// 0.5 s, 1 s, ... or what retry-after says).
AnthropicClientOptions ClientOptions(const rh::testing::ScriptedAnthropicServer& server);

// Counts cache_control markers in a request body (system, tools, messages).
int CountCacheMarkers(const Json& body);

}  // namespace rh::agent::loop_test
