// Fuzzes the JSON entry points that take text from outside: the first byte picks one, the rest
// is the text.
//   0: an Alertmanager/Grafana webhook body (ParseAlertWebhook, what POST
//      /api/v1/alerts/alertmanager runs before touching the database);
//   1: one MCP message (McpServer::HandleMessage over the real tools on a small SQLite fleet);
//   2: ParseJson itself.
// Nothing may crash (a value nested 100,000 deep used to overflow the stack), every MCP reply is
// one JSON-RPC object, a failed webhook parse names its problem, and ParseJson accepts text only
// when CheckJsonDepth does (every value it builds is at most kMaxJsonDepth deep and survives a
// dump and re-parse unchanged).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "alerts/webhook.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/time_format.h"
#include "service/runtime.h"
#include "server/mcp_server.h"
#include "store/database.h"
#include "store/schema.h"
#include "tools/investigation_tools.h"

namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

struct Fixture {
  std::unique_ptr<rh::store::Database> db;
  std::unique_ptr<rh::ManualClock> clock;
  std::unique_ptr<rh::service::Runtime> runtime;
  std::unique_ptr<rh::server::McpServer> mcp;
};

// The fixture lives for the whole fuzzing process (a function-local static).
std::unique_ptr<Fixture> Build() {
  auto fixture = std::make_unique<Fixture>();
  char dir_template[] = "/tmp/rh-fuzz-json-XXXXXX";
  Check(mkdtemp(dir_template) != nullptr);
  const std::string path = std::string(dir_template) + "/rockhound.db";
  auto db = rh::store::OpenDatabase(path);
  Check(db.has_value());
  fixture->db = std::move(*db);
  rh::store::Database& fleet = *fixture->db;
  Check(rh::store::Migrate(fleet, rh::store::SchemaSet::kFleet).has_value());
  Check(rh::store::Migrate(fleet, rh::store::SchemaSet::kMemory).has_value());
  const rh::TimePoint now = rh::MakeUtcTime(2026, 3, 10, 12);
  Check(fleet
            .Execute("INSERT INTO cluster_info VALUES ('c-fuzz0001', 'fuzz', 'acct-fuzz01', 'r', "
                     "'3.2.1', 'shared_nothing', 'official', 'running', ?, ?)",
                     {rh::store::Time(now), rh::store::Time(now)})
            .has_value());
  fixture->clock = std::make_unique<rh::ManualClock>(now);
  rh::Config config;
  config.data_dir = dir_template;
  config.fleet.db = path;
  config.memory.db = path;
  config.tools.sql_timeout_seconds = 1;
  config.tools.output_budget_tokens = 500;
  fixture->runtime = std::make_unique<rh::service::Runtime>(config, *fixture->clock);
  auto mcp = rh::server::McpServer::Create(*fixture->runtime);
  Check(mcp.has_value());
  fixture->mcp = std::move(*mcp);
  return fixture;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::unique_ptr<Fixture> fixture = Build();
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 3) {
    case 0: {
      auto alerts = rh::alerts::ParseAlertWebhook(text, {});
      if (!alerts) Check(!alerts.error().message.empty());
      break;
    }
    case 1: {
      std::optional<std::string> reply = fixture->mcp->HandleMessage(text);
      if (reply) {
        auto parsed = rh::ParseJson(*reply);
        Check(parsed.has_value() && parsed->is_object() && parsed->contains("jsonrpc"));
      }
      break;
    }
    default: {
      auto parsed = rh::ParseJson(text);
      const bool shallow = rh::CheckJsonDepth(text).has_value();
      if (parsed) {
        Check(shallow);
        auto again = rh::ParseJson(rh::DumpJson(*parsed));
        Check(again.has_value() && *again == *parsed);
      }
      break;
    }
  }
  return 0;
}
