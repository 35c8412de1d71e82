#include "service/workers.h"

#include "agent/worker_pool.h"
#include "core/json.h"
#include "core/log.h"
#include "service/investigations.h"
#include "service/progress_hub.h"

namespace rh::service {

InvestigationWorkers::InvestigationWorkers(Runtime& runtime) : runtime_(runtime) {}

InvestigationWorkers::~InvestigationWorkers() { Stop(); }

void InvestigationWorkers::AddListener(agent::ReportListener listener) {
  listeners_.push_back(std::move(listener));
}

int InvestigationWorkers::workers() const { return runtime_.config().agent.workers; }

Status InvestigationWorkers::Start() {
  if (pool_) return {};
  RH_ASSIGN_OR_RETURN(agent::Investigator * investigator, runtime_.Investigator());
  RH_ASSIGN_OR_RETURN(store::Database * memory, runtime_.Memory());
  for (const agent::ReportListener& listener : listeners_) investigator->AddListener(listener);
  agent::WorkerPoolOptions options;
  options.workers = runtime_.config().agent.workers;
  options.queue = runtime_.config().queue;
  options.poll_interval = std::chrono::seconds(1);
  pool_ = std::make_unique<agent::WorkerPool>(*investigator, *memory, runtime_.clock(), options);
  PublishProgress(runtime_, *pool_);
  RH_RETURN_IF_ERROR(pool_->Start());
  Logger("service")->info("{} investigation worker(s) started", options.workers);
  return {};
}

void PublishProgress(Runtime& runtime, agent::WorkerPool& pool) {
  ProgressHub& hub = runtime.progress_hub();
  pool.set_on_task_claimed([&hub](const std::string& task_id) {
    hub.Publish(task_id, "started", Json{{"task_id", task_id}});
  });
  pool.set_on_progress([&hub](const std::string& task_id, const agent::ProgressEvent& event) {
    auto [name, data] = ProgressEventJson(event);
    hub.Publish(task_id, std::move(name), data);
  });
  pool.set_on_task_finished([&runtime, &hub](const std::string& task_id,
                                             const Result<std::string>&) {
    // What the queue says now is the truth: done (the report), failed, or queued again.
    Investigations investigations(runtime);
    auto final_event = investigations.StoredFinalEvent(task_id);
    if (!final_event) {
      hub.Publish(task_id, "failed",
                  Json{{"task_id", task_id}, {"status", "unknown"},
                       {"error", final_event.error().ToString()}});
    } else if (*final_event) {
      auto data = ParseJson((*final_event)->data, "event");
      hub.Publish(task_id, (*final_event)->event, data ? *data : Json::object());
    } else {
      hub.Publish(task_id, "retrying", Json{{"task_id", task_id}});
    }
  });
}

void InvestigationWorkers::Stop() {
  if (!pool_) return;
  pool_->Stop();
  pool_.reset();
}

}  // namespace rh::service
