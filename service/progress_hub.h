// ProgressHub: the live event streams of the investigations this process runs — what
// GET /api/v1/investigations/{id}/events serves as Server-Sent Events and the web page shows.
//
// The workers (service/workers.h) publish each investigation's progress (agent::ProgressEvent,
// turned into a named event with a JSON payload by ProgressEventJson) under its task id; each
// event gets the next id of its stream (1, 2, ...). A stream ends with its "final" (the report
// id) or "failed" event; a "retrying" event (the task was failed and queued again) does not end
// it. Subscribers read with Wait: every event after the id they saw last (0: from the start, so
// a late subscriber replays the stream; a reconnecting EventSource passes its Last-Event-ID).
// Bounds: a stream keeps its newest `max_events` events (older ones are dropped and a reader
// that asks for them is told how many it missed); an ended stream is dropped `keep_after_end`
// after its end (on the injected Clock's Monotonic time), and at most `max_streams` streams
// are kept (the oldest ended ones go first, then the oldest). Nothing is kept on disk: a
// finished investigation whose stream is gone is answered from its stored report.
// Thread-safety: every method may be called from any thread; Wait blocks only its caller.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/investigation.h"
#include "core/clock.h"
#include "core/json.h"

namespace rh::service {

struct ProgressMessage {
  long long id = 0;    // 1, 2, ... within its stream
  std::string event;   // step, model_turn, tool_started, tool_finished, text, tokens, ...
  std::string data;    // one line of JSON
};

// Whether `event` ends a stream.
bool IsFinalEvent(std::string_view event);

// The event name and JSON payload of an engine's progress event:
//   step          {step, what, elapsed_ms}
//   model_turn    {step, detail, elapsed_ms}
//   compacted     {step, detail, elapsed_ms}
//   tool_started  {step, tool, call_id, elapsed_ms}
//   tool_finished {step, tool, call_id, ok, duration_ms, elapsed_ms}
//   text          {step, text, elapsed_ms}
//   tokens        {step, tokens, cost_usd, elapsed_ms}
//   report        {step, category, elapsed_ms}  (the engine has a report; "final" follows once
//                                                it is stored)
std::pair<std::string, Json> ProgressEventJson(const agent::ProgressEvent& event);

struct ProgressHubOptions {
  size_t max_events = 2000;  // per stream
  std::chrono::milliseconds keep_after_end = std::chrono::minutes(10);
  size_t max_streams = 256;
};

class ProgressHub {
 public:
  explicit ProgressHub(Clock& clock, ProgressHubOptions options = {});

  // Appends an event to the stream of `task_id` (created on first use); returns its id. An
  // event published to an ended stream starts it again (a task run once more).
  long long Publish(std::string_view task_id, std::string event, const Json& data);

  struct Batch {
    bool known = false;  // the hub has a stream for the task
    bool ended = false;  // its final event is in the stream (and in `events` if after `after`)
    long long missed = 0;  // events after `after` that were dropped before they could be read
    std::vector<ProgressMessage> events;  // after `after`, in order
  };
  // The events of `task_id` after id `after`; when there are none and the stream has not ended,
  // waits up to `timeout` (real time) for one.
  Batch Wait(std::string_view task_id, long long after, std::chrono::milliseconds timeout);

  // How many streams are kept now (after dropping the expired ones).
  size_t streams();

 private:
  struct Stream {
    std::deque<ProgressMessage> events;
    long long next_id = 1;
    bool ended = false;
    MonoTime ended_at{};
    MonoTime created_at{};
  };
  void DropExpiredLocked();

  Clock& clock_;
  ProgressHubOptions options_;
  std::mutex mutex_;
  std::condition_variable published_;
  std::map<std::string, Stream, std::less<>> streams_;
};

}  // namespace rh::service
