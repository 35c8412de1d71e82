#include "service/workers.h"

#include "agent/worker_pool.h"
#include "core/log.h"

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
  RH_RETURN_IF_ERROR(pool_->Start());
  Logger("service")->info("{} investigation worker(s) started", options.workers);
  return {};
}

void InvestigationWorkers::Stop() {
  if (!pool_) return;
  pool_->Stop();
  pool_.reset();
}

}  // namespace rh::service
