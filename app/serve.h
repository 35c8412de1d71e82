// `rockhound serve` and `rockhound mcp` (app/cmd_serve.cc): the service commands.
//
// `serve` runs the HTTP server (server/http_server.h) and, beside it in the same process, the
// work the composition root plugs in with SetServeBackground — the investigation workers — so
// one process answers the API, takes webhook alerts and works the queue. The background gets the
// notifier's listener to attach to the investigator (report notifications) and a stop flag set
// by SIGINT/SIGTERM; it must return once the flag is set. With no background plugged in, serve
// only serves: queued tasks wait for a `rockhound run` worker sharing the memory database.
// Thread-safety: SetServeBackground is called once from main before commands run.
#pragma once

#include <atomic>
#include <functional>

#include "agent/investigator.h"
#include "app/app_context.h"
#include "core/error.h"

namespace rh::app {

using ServeBackground = std::function<Status(
    AppContext& ctx, const agent::ReportListener& on_report, const std::atomic<bool>& stop)>;

void SetServeBackground(ServeBackground background);

}  // namespace rh::app
