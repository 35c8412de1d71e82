#include "service/progress_hub.h"

#include <algorithm>

namespace rh::service {

bool IsFinalEvent(std::string_view event) { return event == "final" || event == "failed"; }

std::pair<std::string, Json> ProgressEventJson(const agent::ProgressEvent& event) {
  Json data = {{"step", event.step}, {"elapsed_ms", event.elapsed_ms}};
  if (event.what == "step") {
    data["what"] = event.detail;
    return {"step", std::move(data)};
  }
  if (event.what == "tool" || event.what == "tool done") {
    data["tool"] = event.detail;
    data["call_id"] = event.call_id;
    if (event.what == "tool") return {"tool_started", std::move(data)};
    data["ok"] = event.ok;
    data["duration_ms"] = event.duration_ms;
    return {"tool_finished", std::move(data)};
  }
  if (event.what == "text") {
    data["text"] = event.text;
    return {"text", std::move(data)};
  }
  if (event.what == "tokens") {
    data["tokens"] = event.tokens;
    data["cost_usd"] = event.cost_usd;
    return {"tokens", std::move(data)};
  }
  if (event.what == "report") {
    data["category"] = event.detail;
    return {"report", std::move(data)};
  }
  data["detail"] = event.detail;
  if (event.what == "model turn") return {"model_turn", std::move(data)};
  std::string name = event.what;
  std::replace(name.begin(), name.end(), ' ', '_');
  return {std::move(name), std::move(data)};
}

ProgressHub::ProgressHub(Clock& clock, ProgressHubOptions options)
    : clock_(clock), options_(options) {
  options_.max_events = std::max<size_t>(options_.max_events, 1);
  options_.max_streams = std::max<size_t>(options_.max_streams, 1);
}

long long ProgressHub::Publish(std::string_view task_id, std::string event, const Json& data) {
  long long id = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    DropExpiredLocked();
    auto it = streams_.find(task_id);
    if (it == streams_.end()) {
      if (streams_.size() >= options_.max_streams) {
        // Room for the new stream: the oldest ended one, else the oldest.
        auto victim = streams_.end();
        for (auto candidate = streams_.begin(); candidate != streams_.end(); ++candidate) {
          const Stream& s = candidate->second;
          if (victim == streams_.end()) {
            victim = candidate;
            continue;
          }
          const Stream& v = victim->second;
          if (s.ended != v.ended ? s.ended : s.created_at < v.created_at) victim = candidate;
        }
        streams_.erase(victim);
      }
      it = streams_.emplace(std::string(task_id), Stream{}).first;
      it->second.created_at = clock_.Monotonic();
    }
    Stream& stream = it->second;
    stream.ended = IsFinalEvent(event);
    if (stream.ended) stream.ended_at = clock_.Monotonic();
    id = stream.next_id++;
    stream.events.push_back(ProgressMessage{id, std::move(event), DumpJson(data)});
    while (stream.events.size() > options_.max_events) stream.events.pop_front();
  }
  published_.notify_all();
  return id;
}

ProgressHub::Batch ProgressHub::Wait(std::string_view task_id, long long after,
                                     std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  DropExpiredLocked();
  auto ready = [&] {
    auto it = streams_.find(task_id);
    return it != streams_.end() && (it->second.ended || it->second.next_id - 1 > after);
  };
  if (!ready() && timeout.count() > 0) published_.wait_for(lock, timeout, ready);
  Batch batch;
  auto it = streams_.find(task_id);
  if (it == streams_.end()) return batch;
  const Stream& stream = it->second;
  batch.known = true;
  batch.ended = stream.ended;
  const long long first_kept = stream.events.empty() ? stream.next_id : stream.events.front().id;
  batch.missed = std::max(0LL, first_kept - (after + 1));
  for (const ProgressMessage& message : stream.events) {
    if (message.id > after) batch.events.push_back(message);
  }
  return batch;
}

size_t ProgressHub::streams() {
  std::lock_guard<std::mutex> lock(mutex_);
  DropExpiredLocked();
  return streams_.size();
}

void ProgressHub::DropExpiredLocked() {
  const MonoTime now = clock_.Monotonic();
  std::erase_if(streams_, [&](const auto& entry) {
    return entry.second.ended && now - entry.second.ended_at >= options_.keep_after_end;
  });
}

}  // namespace rh::service
