// `rockhound serve [--port N] [--bind ADDR]` and `rockhound mcp`: see app/serve.h.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>

#include "agent/scheduler.h"
#include "app/app_context.h"
#include "core/log.h"
#include "core/redact.h"
#include "server/http_server.h"
#include "server/mcp_server.h"
#include "server/notifier.h"
#include "service/workers.h"

namespace rh::app {
namespace {

Status Serve(AppContext& ctx, int port, const std::string& bind, bool workers) {
  if (port >= 0 || !bind.empty()) {
    Config& config = ctx.mutable_config();
    if (port >= 0) config.server.port = port;
    if (!bind.empty()) config.server.bind = bind;
    RH_RETURN_IF_ERROR(ValidateConfig(config));
  }
  const Config& config = ctx.config();
  // One Runtime for the server's life: the HTTP threads, the workers and their tool calls share
  // its pooled databases, lake, tools and engines.
  service::Runtime& runtime = ctx.runtime();
  RH_RETURN_IF_ERROR(runtime.Fleet());
  RH_RETURN_IF_ERROR(runtime.Memory());
  agent::InstallStopSignalHandlers();
  const std::atomic<bool>& stop = agent::ProcessStopFlag();

  server::HttpServer http(runtime);
  RH_ASSIGN_OR_RETURN(int bound_port, http.Start());
  const std::string url = "http://" + config.server.bind + ":" + std::to_string(bound_port);
  const std::string public_url = config.server.public_url.empty() ? url : config.server.public_url;
  server::ReportNotifier notifier(server::NotifierOptions::FromConfig(config, public_url),
                                  ctx.clock());
  // New and escalated alert issues (the webhook's tracker pass) notify too.
  runtime.AddIssueListener([&notifier](const issues::Issue& issue, std::string_view reason) {
    notifier.OnIssue(issue, reason);
  });
  std::printf("rockhound: serving %s/ (web page and API under /api/v1; Ctrl-C to stop)\n",
              url.c_str());
  std::printf("rockhound: token %s; notifications %s\n",
              config.secrets.server_token.empty() ? "not required (loopback)" : "required",
              config.secrets.notify_webhook_url.empty()
                  ? "off (set ROCKHOUND_NOTIFY_WEBHOOK_URL)"
                  : ("to " + MaskSecret(config.secrets.notify_webhook_url) +
                     " at severity >= " + std::string(SeverityName(config.notify.min_severity)))
                        .c_str());
  std::fflush(stdout);

  service::InvestigationWorkers investigators(runtime);
  if (workers) {
    investigators.AddListener(notifier.AsListener());
    RH_RETURN_IF_ERROR(investigators.Start());
  } else {
    std::printf(
        "rockhound: no investigation workers in this process%s; queued tasks wait for "
        "`rockhound run`\n",
        workers ? "" : " (--no-workers)");
    std::fflush(stdout);
  }
  while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Logger("server")->info("stopping: finishing requests in flight");
  investigators.Stop();
  http.Stop();
  notifier.Flush();
  return {};
}

Status Mcp(AppContext& ctx) {
  // stdout carries the protocol and nothing else: keep a private handle on it and point the
  // process's stdout at stderr, so a stray print anywhere cannot corrupt the stream.
  std::fflush(stdout);
  const int protocol_fd = dup(STDOUT_FILENO);
  if (protocol_fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
    return Internal("mcp", "cannot set up stdout for the protocol");
  }
  std::FILE* protocol = fdopen(protocol_fd, "w");
  if (protocol == nullptr) return Internal("mcp", "cannot open the protocol stream");

  service::Runtime& runtime = ctx.runtime();
  RH_ASSIGN_OR_RETURN(std::unique_ptr<server::McpServer> mcp, server::McpServer::Create(runtime));
  Logger("server")->info("mcp: ready on stdio with {} tools", mcp->ToolDefinitions().size());
  mcp->Run(std::cin, [protocol](const std::string& line) {
    std::fwrite(line.data(), 1, line.size(), protocol);
    std::fputc('\n', protocol);
    std::fflush(protocol);
  });
  std::fclose(protocol);
  return {};
}

}  // namespace

void RegisterServeCommands(CLI::App& app, Action* chosen) {
  auto port = std::make_shared<int>(-1);
  auto bind = std::make_shared<std::string>();
  CLI::App* serve = app.add_subcommand(
      "serve",
      "Serve the web page, the HTTP API (/api/v1), the Alertmanager webhook "
      "(/api/v1/alerts/alertmanager), /healthz and /metrics; prints the URL once listening. "
      "Binds 127.0.0.1:8080 unless told otherwise; any other address requires "
      "ROCKHOUND_SERVER_TOKEN (sent as 'Authorization: Bearer <token>').");
  serve->add_option("--port", *port, "Port to listen on (0: any free port; default server.port)")
      ->check(CLI::Range(0, 65535));
  serve->add_option("--bind", *bind, "Address to bind (default server.bind, 127.0.0.1)");
  auto no_workers = std::make_shared<bool>(false);
  serve->add_flag("--no-workers", *no_workers,
                  "Serve only: run no investigation workers in this process (queued and "
                  "requested investigations wait for `rockhound run` elsewhere)");
  serve->callback([chosen, port, bind, no_workers] {
    *chosen = [port, bind, no_workers](AppContext& ctx) {
      return Serve(ctx, *port, *bind, !*no_workers);
    };
  });

  CLI::App* mcp = app.add_subcommand(
      "mcp",
      "Run the MCP server on stdin/stdout (JSON-RPC 2.0, one message per line) for Claude Code, "
      "Claude Desktop or any MCP client: the eight investigation tools, Knowledge Lake search, "
      "stored reports and investigation requests. Logs go to stderr. Example client config: "
      "{\"command\": \"rockhound\", \"args\": [\"--data-dir\", \"/path/to/data\", \"mcp\"]}");
  mcp->callback([chosen] { *chosen = [](AppContext& ctx) { return Mcp(ctx); }; });
}

}  // namespace rh::app
