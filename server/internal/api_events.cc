// GET /api/v1/investigations/{id}/events: an investigation's live events as Server-Sent Events.
#include <algorithm>
#include <charconv>

#include "server/internal/api.h"
#include "service/investigations.h"

namespace rh::server::internal {
namespace {

// How often an idle stream checks that its client is still there (more often when the
// heartbeat, Api's event_heartbeat_, is shorter).
constexpr std::chrono::milliseconds kClientCheck{1000};
// A stream ends after this long whatever happens; the EventSource reconnects with its
// Last-Event-ID and goes on where it was.
constexpr std::chrono::milliseconds kMaxStreamTime = std::chrono::minutes(30);

}  // namespace

std::string FormatServerSentEvent(const service::ProgressMessage& message) {
  std::string text;
  text.reserve(message.data.size() + message.event.size() + 32);
  if (message.id > 0) text += "id: " + std::to_string(message.id) + "\n";
  text += "event: " + message.event + "\n";
  text += "data: " + message.data + "\n\n";  // one line: JSON is dumped without newlines
  return text;
}

Result<ApiResponse> Api::InvestigationEvents(const ApiRequest& request) {
  const std::string task_id = request.path_params.at(0);
  long long after = 0;
  if (!request.last_event_id.empty()) {
    const std::string& text = request.last_event_id;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), after);
    if (error != std::errc() || end != text.data() + text.size() || after < 0) {
      return InvalidArgument("Last-Event-ID",
                             "must be the id of an event of this stream (a whole number); got '" +
                                 text + "'");
    }
  }
  // Unknown ids are a 404 before the stream starts.
  if (auto known = service::Investigations(runtime_).Get(task_id); !known) {
    return Fail(known.error());
  }
  const int cap = std::max(1, runtime_.config().server.threads / 2);
  if (open_streams_->fetch_add(1) >= cap) {
    open_streams_->fetch_sub(1);
    return Unavailable("event streams",
                       "all " + std::to_string(cap) + " event streams (half of server.threads) "
                       "are open; try again shortly");
  }
  ApiResponse response;
  response.content_type = "text/event-stream";
  response.headers = {{"Cache-Control", "no-cache"}, {"X-Accel-Buffering", "no"}};
  // The slot is given back when the producer is destroyed, whether it ran or not (a HEAD).
  std::shared_ptr<void> slot(nullptr,
                             [open = open_streams_](void*) { open->fetch_sub(1); });
  response.stream = [this, task_id, after, slot](ResponseStream& out) {
    if (!out.Write("retry: 1000\n\n")) return;
    // A heartbeat every checks_per_heartbeat idle checks: every 15 checks of 1 s by default.
    const std::chrono::milliseconds check = std::min(kClientCheck, event_heartbeat_);
    const long long checks_per_heartbeat = (event_heartbeat_ + check / 2) / check;  // rounded
    long long idle_checks = 0;
    Status followed = service::Investigations(runtime_).FollowEvents(
        task_id, after, check, kMaxStreamTime,
        [&](const service::ProgressMessage& message) {
          idle_checks = 0;
          return !out.Stopped() && out.Write(FormatServerSentEvent(message));
        },
        [&]() {
          if (out.Stopped()) return false;
          if (++idle_checks < checks_per_heartbeat) return true;
          idle_checks = 0;
          return out.Write(": heartbeat\n\n");
        });
    if (!followed) {
      service::ProgressMessage failed{0, "error",
                                      DumpJson(Json{{"message", followed.error().ToString()}})};
      out.Write(FormatServerSentEvent(failed));
    }
  };
  return response;
}

}  // namespace rh::server::internal
