#include "agent/internal/tool_use_turns.h"

#include <mutex>

#include "agent/claude_engine.h"

namespace rh::agent::internal {
namespace {

// Whether the API accepts a cache_control marker on `block` (not on thinking blocks, not on
// empty text blocks, not on server-tool blocks we know nothing about).
bool Cacheable(const Json& block) {
  if (!block.is_object()) return false;
  const std::string type = JsonString(block, "type");
  if (type == "text") return !JsonString(block, "text").empty();
  return type == "tool_result" || type == "tool_use" || type == "image" || type == "document";
}

}  // namespace

long long MillisSince(const Clock& clock, MonoTime start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.Monotonic() - start).count();
}

Json CacheControl() { return Json{{"type", "ephemeral"}}; }

Json WithMessageBreakpoint(const Json& messages) {
  Json out = messages;
  if (out.empty()) return out;
  Json& last = out.back();
  if (last["content"].is_string()) {
    if (last["content"].get<std::string>().empty()) return out;
    last["content"] = Json::array({Json{{"type", "text"}, {"text", last["content"]}}});
  }
  if (!last["content"].is_array()) return out;
  for (auto block = last["content"].rbegin(); block != last["content"].rend(); ++block) {
    if (Cacheable(*block)) {
      (*block)["cache_control"] = CacheControl();
      break;
    }
  }
  return out;
}

Json ToolResultBlock(const ToolCallRecord& record) {
  Json block = {{"type", "tool_result"}, {"tool_use_id", record.id}, {"content", record.output}};
  if (record.is_error) block["is_error"] = true;
  return block;
}

void AddTurnUsage(const LlmResponse& response, const AgentConfig& config,
                  InvestigationUsage* usage) {
  usage->model_turns += 1;
  usage->input_tokens += response.usage.input_tokens;
  usage->output_tokens += response.usage.output_tokens;
  usage->cache_read_tokens += response.usage.cache_read_tokens;
  usage->cache_write_tokens += response.usage.cache_write_tokens;
  usage->context_tokens = response.usage.input_tokens + response.usage.cache_read_tokens +
                          response.usage.cache_write_tokens;
  usage->cost_usd =
      CostUsd(*usage, PriceOf(config, response.model.empty() ? config.model : response.model));
}

void RunToolCalls(std::vector<ToolCallRecord*> records, const tools::ToolRegistry& tools,
                  ToolExecutor& executor, const Clock& clock, MonoTime started,
                  const std::function<bool()>& may_start,
                  const std::function<void(const ToolCallRecord&, bool done)>& on_event,
                  std::vector<size_t>* not_run) {
  std::mutex not_run_mutex;
  std::vector<std::function<void()>> jobs;
  for (size_t index = 0; index < records.size(); ++index) {
    jobs.push_back([&, index] {
      ToolCallRecord& record = *records[index];
      if (may_start && !may_start()) {
        std::lock_guard<std::mutex> lock(not_run_mutex);
        if (not_run) not_run->push_back(index);
        return;
      }
      record.started_ms = MillisSince(clock, started);
      if (on_event) on_event(record, /*done=*/false);
      tools::ToolResult result = tools.Call(record.tool, record.input);
      record.output = result.content.empty() ? "(no output)" : std::move(result.content);
      record.is_error = result.is_error;
      record.duration_ms = MillisSince(clock, started) - record.started_ms;
      if (on_event) on_event(record, /*done=*/true);
    });
  }
  executor.RunAll(std::move(jobs));
}

}  // namespace rh::agent::internal
