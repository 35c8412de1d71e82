#include "service/investigations.h"

#include <cctype>

#include "core/clock.h"
#include "core/ids.h"
#include "core/json.h"
#include "core/log.h"
#include "core/redact.h"
#include "core/root_cause.h"
#include "core/severity.h"

namespace rh::service {

Result<store::TaskStatus> ParseTaskStatusFilter(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto parsed = store::ParseTaskStatus(lower);
  if (!parsed) {
    return InvalidArgument("status", "must be queued, running, done, failed or cancelled; got '" +
                                         std::string(text) + "'");
  }
  return *parsed;
}

Status ValidateClusterId(std::string_view cluster_id, std::string_view what) {
  if (IsValidResourceId(cluster_id)) return {};
  return InvalidArgument(std::string(what), "'" + std::string(cluster_id) +
                                                "' is not a cluster id: lower-case letters, "
                                                "digits and '-', at most 64");
}

Result<bool> ClusterExists(store::Database& fleet, std::string_view cluster_id) {
  RH_ASSIGN_OR_RETURN(int64_t count,
                      fleet.QueryInt("SELECT COUNT(*) FROM cluster_info WHERE cluster_id = ?",
                                     {store::Text(std::string(cluster_id))}));
  return count > 0;
}

Result<store::TaskQueue> Investigations::Queue() {
  RH_ASSIGN_OR_RETURN(store::Database * memory, runtime_.Memory());
  return store::TaskQueue(*memory, runtime_.clock(), runtime_.config().queue);
}

Result<RequestedInvestigation> Investigations::Request(const InvestigationSpec& spec) {
  RH_RETURN_IF_ERROR(ValidateClusterId(spec.cluster_id, "cluster_id"));
  if (spec.question.size() > kMaxQuestionChars) {
    return InvalidArgument("question",
                           "is longer than " + std::to_string(kMaxQuestionChars) + " characters");
  }
  if (spec.priority < 1 || spec.priority > 3) {
    return InvalidArgument("priority", "must be 1 (most urgent), 2 or 3");
  }
  RH_ASSIGN_OR_RETURN(store::Database * fleet, runtime_.Fleet());
  RH_ASSIGN_OR_RETURN(bool known, ClusterExists(*fleet, spec.cluster_id));
  if (!known) {
    return NotFound("cluster '" + spec.cluster_id + "'",
                    "is not in the fleet (`rockhound fleet summary`, GET /api/v1/clusters list "
                    "the clusters)");
  }
  store::EnqueueRequest enqueue;
  enqueue.cluster_id = spec.cluster_id;
  enqueue.question = RedactSecrets(spec.question);
  enqueue.priority = spec.priority;
  enqueue.source = spec.source;
  enqueue.requester = spec.requester.substr(0, 128);
  enqueue.context_json = spec.context_json;
  enqueue.one_per_cluster = spec.one_per_cluster;
  RH_ASSIGN_OR_RETURN(store::TaskQueue queue, Queue());
  RH_ASSIGN_OR_RETURN(store::EnqueueResult enqueued, queue.Enqueue(enqueue));
  Logger("service")->info("task={} cluster={} investigation requested by {} ({})",
                          enqueued.task.id, spec.cluster_id,
                          spec.requester.empty() ? "unknown" : spec.requester,
                          enqueued.created ? "queued" : "already in flight");
  return RequestedInvestigation{std::move(enqueued.task), enqueued.created};
}

Result<InvestigationStatus> Investigations::Get(std::string_view task_id) {
  RH_ASSIGN_OR_RETURN(store::TaskQueue queue, Queue());
  RH_ASSIGN_OR_RETURN(store::Task task, queue.Get(task_id));
  InvestigationStatus status{std::move(task), std::nullopt};
  if (status.task.status != store::TaskStatus::kDone) return status;
  RH_ASSIGN_OR_RETURN(store::Database * memory, runtime_.Memory());
  store::ReportStore reports(*memory);
  if (!status.task.report_id.empty()) {
    if (auto by_id = reports.Get(status.task.report_id)) status.report = std::move(*by_id);
  }
  if (!status.report) {
    RH_ASSIGN_OR_RETURN(status.report, reports.FindByTask(status.task.id));
  }
  return status;
}

Result<store::TaskPage> Investigations::List(const store::TaskFilter& filter) {
  if (!filter.cluster_id.empty()) RH_RETURN_IF_ERROR(ValidateClusterId(filter.cluster_id, "cluster"));
  if (filter.limit < 1 || filter.limit > 500) {
    return InvalidArgument("limit", "must be a whole number from 1 to 500");
  }
  RH_ASSIGN_OR_RETURN(store::TaskQueue queue, Queue());
  return queue.ListPage(filter);
}

Result<store::Task> Investigations::Cancel(std::string_view task_id, std::string_view by) {
  RH_ASSIGN_OR_RETURN(store::TaskQueue queue, Queue());
  return queue.Cancel(task_id, by);
}

Result<agent::InvestigationResult> Investigations::RunNow(const std::string& cluster_id,
                                                          const std::string& question,
                                                          EngineKind engine,
                                                          const agent::ProgressFn& progress) {
  RH_RETURN_IF_ERROR(ValidateClusterId(cluster_id, "cluster"));
  if (question.size() > kMaxQuestionChars) {
    return InvalidArgument("question",
                           "is longer than " + std::to_string(kMaxQuestionChars) + " characters");
  }
  RH_ASSIGN_OR_RETURN(agent::Investigator * investigator, runtime_.Investigator());
  agent::InvestigationRequest request{"", cluster_id, RedactSecrets(question)};
  return investigator->Run(request, engine, progress);
}

}  // namespace rh::service

namespace rh::service {

Result<std::optional<ProgressMessage>> Investigations::StoredFinalEvent(std::string_view task_id) {
  RH_ASSIGN_OR_RETURN(InvestigationStatus status, Get(task_id));
  const store::Task& task = status.task;
  if (task.active()) return std::optional<ProgressMessage>();
  ProgressMessage message;
  Json data = {{"task_id", task.id}, {"status", std::string(store::TaskStatusName(task.status))}};
  if (task.status == store::TaskStatus::kDone && status.report) {
    message.event = "final";
    data["report_id"] = status.report->report_id;
    data["severity"] = std::string(SeverityName(status.report->severity));
    data["category"] = std::string(RootCauseName(status.report->category));
    data["engine"] = std::string(EngineKindName(status.report->engine));
  } else {
    message.event = "failed";
    data["error"] = task.last_error.empty() ? std::string(store::TaskStatusName(task.status))
                                            : task.last_error;
  }
  message.data = DumpJson(data);
  return std::optional<ProgressMessage>(std::move(message));
}

Status Investigations::FollowEvents(std::string_view task_id, long long after,
                                    std::chrono::milliseconds heartbeat,
                                    std::chrono::milliseconds max_duration,
                                    const std::function<bool(const ProgressMessage&)>& on_event,
                                    const std::function<bool()>& on_idle) {
  if (auto exists = Get(task_id); !exists) return Fail(exists.error());  // before anything
  ProgressHub& hub = runtime_.progress_hub();
  const auto give_up_at = MachineMonotonic() + max_duration;
  while (MachineMonotonic() < give_up_at) {
    ProgressHub::Batch batch = hub.Wait(task_id, after, heartbeat);
    if (batch.missed > 0) {
      ProgressMessage missed{0, "missed", DumpJson(Json{{"count", batch.missed}})};
      if (!on_event(missed)) return {};
    }
    for (const ProgressMessage& message : batch.events) {
      if (!on_event(message)) return {};
      after = message.id;
      if (IsFinalEvent(message.event)) return {};
    }
    if (batch.ended) return {};  // the reader had already seen the final event
    if (!batch.events.empty()) continue;
    if (!batch.known) {
      // Nothing live here: the task may have ended elsewhere (or before this process started).
      RH_ASSIGN_OR_RETURN(std::optional<ProgressMessage> final_event, StoredFinalEvent(task_id));
      if (final_event) {
        final_event->id = after + 1;
        on_event(*final_event);
        return {};
      }
    }
    if (!on_idle()) return {};
  }
  return {};
}

}  // namespace rh::service
