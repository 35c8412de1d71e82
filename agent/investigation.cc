#include "agent/investigation.h"

#include "agent/cancellation.h"

namespace rh::agent {

RunLimits::Verdict RunLimits::Check(const Clock& clock) const {
  if (cancel && cancel->cancelled()) return Verdict::kCancelled;
  if (deadline && clock.Monotonic() >= *deadline) return Verdict::kTimedOut;
  return Verdict::kGoOn;
}

Error RunLimits::CancelledError() const {
  if (cancel) {
    Status status = cancel->Check();
    if (!status) return status.error();
  }
  return Error{ErrorCode::kInternal, "checked as cancelled without a cancelled token", "cancelled"};
}

const std::vector<ProtocolStep>& ProtocolSteps() {
  static const std::vector<ProtocolStep> steps = {
      {1, "query_cluster_info", "the cluster's context (tier, version, nodes, health)"},
      {2, "query_cluster_alerts", "what fired and what is firing"},
      {3, "query_cluster_metrics", "which metrics crossed a threshold or changed"},
      {4, "query_cluster_operations", "operations shortly before the problem"},
      {5, "search_knowledge_lake", "known bugs, resolutions and guidelines"},
      {6, "query_agent_memory", "past investigations of this cluster"},
      {7, "query_similar_clusters", "whether sibling clusters share the problem"},
      {8, "run_sql", "checks of the hypotheses against the raw telemetry"},
  };
  return steps;
}

std::vector<ToolCallRecord> TranscriptFromJson(const Json& transcript) {
  std::vector<ToolCallRecord> out;
  if (!transcript.is_array()) return out;
  for (const Json& item : transcript) {
    if (!item.is_object()) continue;
    ToolCallRecord call;
    call.id = JsonString(item, "id");
    call.step =
        item.contains("step") && item["step"].is_number_integer() ? item["step"].get<int>() : 0;
    call.tool = JsonString(item, "tool");
    call.input = item.contains("input") ? item["input"] : Json::object();
    call.output = JsonString(item, "output");
    call.is_error =
        item.contains("is_error") && item["is_error"].is_boolean() && item["is_error"].get<bool>();
    call.started_ms = item.contains("started_ms") && item["started_ms"].is_number_integer()
                          ? item["started_ms"].get<long long>()
                          : 0;
    call.duration_ms = item.contains("duration_ms") && item["duration_ms"].is_number_integer()
                           ? item["duration_ms"].get<long long>()
                           : 0;
    call.reused_from = JsonString(item, "reused_from");
    if (!call.id.empty()) out.push_back(std::move(call));
  }
  return out;
}

void EmitToolProgress(const ProgressFn& progress, const ToolCallRecord& record, bool done,
                      long long elapsed_ms) {
  if (!progress) return;
  ProgressEvent event;
  event.step = record.step;
  event.what = done ? "tool done" : "tool";
  event.detail = record.tool;
  event.elapsed_ms = elapsed_ms;
  event.call_id = record.id;
  event.ok = !record.is_error;
  event.duration_ms = done ? record.duration_ms : 0;
  progress(event);
}

Json TranscriptToJson(const std::vector<ToolCallRecord>& transcript) {
  Json out = Json::array();
  for (const ToolCallRecord& call : transcript) {
    Json item = {{"id", call.id},
                 {"step", call.step},
                 {"tool", call.tool},
                 {"input", call.input},
                 {"output", call.output},
                 {"is_error", call.is_error},
                 {"started_ms", call.started_ms},
                 {"duration_ms", call.duration_ms}};
    if (!call.reused_from.empty()) item["reused_from"] = call.reused_from;
    out.push_back(std::move(item));
  }
  return out;
}

void ToolCallJournal::Add(const ToolCallRecord& record) {
  std::lock_guard<std::mutex> lock(mutex_);
  records_.push_back(record);
}

std::vector<ToolCallRecord> ToolCallJournal::Records() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return records_;
}

std::optional<ToolCallRecord> ToolCallJournal::FindSuccessful(std::string_view tool,
                                                              const Json& input) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const ToolCallRecord& record : records_) {
    if (!record.is_error && record.tool == tool && record.input == input) return record;
  }
  return std::nullopt;
}

}  // namespace rh::agent
