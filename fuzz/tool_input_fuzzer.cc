// Fuzzes tool calls through the registry: the first byte picks one of the eight investigation
// tools, the rest is the input as JSON text. The registry must never throw or crash, every
// result must fit the output budget, and every successful result must be valid JSON. The tools
// run for real on a small SQLite fleet (one account, one cluster, a day of metrics, alerts),
// so inputs that pass validation exercise the tools themselves too. Also validates each parsed
// input against every tool's schema directly.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/time_format.h"
#include "store/database.h"
#include "store/schema.h"
#include "tools/input_schema.h"
#include "tools/investigation_tools.h"

namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

struct Fixture {
  std::string path;
  std::unique_ptr<rh::store::Database> db;
  std::unique_ptr<rh::ManualClock> clock;
  std::unique_ptr<rh::tools::ToolRegistry> registry;
};

void Exec(rh::store::Database& db, const std::string& sql,
          const std::vector<rh::store::Value>& params = {}) {
  Check(db.Execute(sql, params).has_value());
}

// The fixture lives for the whole fuzzing process (a function-local static).
std::unique_ptr<Fixture> Build() {
  auto fixture = std::make_unique<Fixture>();
  char dir_template[] = "/tmp/rh-fuzz-XXXXXX";
  Check(mkdtemp(dir_template) != nullptr);
  fixture->path = std::string(dir_template) + "/fleet.db";
  auto db = rh::store::OpenDatabase(fixture->path);
  Check(db.has_value());
  fixture->db = std::move(*db);
  rh::store::Database& fleet = *fixture->db;
  Check(rh::store::Migrate(fleet, rh::store::SchemaSet::kFleet).has_value());
  Check(rh::store::Migrate(fleet, rh::store::SchemaSet::kMemory).has_value());
  const rh::TimePoint now = rh::MakeUtcTime(2026, 3, 10, 12);
  using rh::store::Int;
  using rh::store::Real;
  using rh::store::Text;
  using rh::store::Time;
  Exec(fleet, "INSERT INTO dim_customer_profile VALUES ('acct-fuzz01', 'Fuzz', 'A', 'o', 'i', ?)",
       {Time(now)});
  Exec(fleet,
       "INSERT INTO cluster_info VALUES ('c-fuzz0001', 'fuzz', 'acct-fuzz01', 'r', "
       "'3.2.1', 'shared_nothing', 'official', 'running', ?, ?)",
       {Time(now), Time(now)});
  Exec(fleet,
       "INSERT INTO cluster_node_groups VALUES ('c-fuzz0001', 'BE', 3, 16, 'standard', "
       "1000, 'PL1')");
  for (int hour = 0; hour < 24; ++hour) {
    Exec(fleet,
         "INSERT INTO amv_hourly_snapshots_v1 VALUES ('c-fuzz0001', ?, "
         "'starrocks_be_disks_data_used_pct', ?, ?, ?)",
         {Time(now - std::chrono::hours(hour)), Real(60 + hour), Real(61), Real(62)});
  }
  Exec(fleet,
       "INSERT INTO lark_alerts (message_id, cluster_id, alert_name, severity, status, "
       "detail, alert_time, created_at) VALUES ('om_1', 'c-fuzz0001', 'Data Disk "
       "Capacity Alert', 'critical', 'Firing', 'disk 88%', ?, ?)",
       {Time(now - std::chrono::hours(2)), Time(now)});
  fixture->clock = std::make_unique<rh::ManualClock>(now);
  rh::tools::ToolEnvironment env;
  env.fleet = fixture->db.get();
  env.memory = fixture->db.get();
  env.clock = fixture->clock.get();
  env.config.sql_timeout_seconds = 1;
  env.config.output_budget_tokens = 500;
  env.fleet_url = fixture->path;
  auto built = rh::tools::BuildInvestigationTools(env);
  Check(built.has_value());
  fixture->registry = std::make_unique<rh::tools::ToolRegistry>(std::move(*built));
  return fixture;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::unique_ptr<Fixture> fixture = Build();
  if (size == 0) return 0;
  const auto& names = rh::tools::kInvestigationToolNames;
  std::string name(names[data[0] % names.size()]);
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  rh::tools::ToolResult result = fixture->registry->CallWithText(name, input);
  Check(!result.content.empty());
  Check(result.content.size() <= fixture->registry->budget_chars());
  if (!result.is_error) Check(rh::ParseJson(result.content).has_value());
  if (auto parsed = rh::ParseJson(input)) {
    for (std::string_view tool_name : names) {
      const rh::tools::Tool* tool = fixture->registry->Find(tool_name);
      auto validated = rh::tools::ValidateInput(tool->input_schema(), *parsed);
      if (!validated) Check(!validated.error().message.empty());
    }
  }
  return 0;
}
