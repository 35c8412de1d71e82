// `rockhound tool list` and `rockhound tool run <name> --input '<json>'`: run any investigation
// tool by hand and see exactly what the model sees (validated input, budget, redaction).
#include <cstdio>
#include <fstream>
#include <sstream>

#include "app/app_context.h"
#include "core/json.h"
#include "core/log.h"
#include "core/time_format.h"
#include "knowledge/knowledge_lake.h"
#include "service/runtime.h"
#include "tools/investigation_tools.h"

namespace rh::app {
namespace {

struct ToolRunOptions {
  std::string name;
  std::string input = "{}";
  std::string input_file;
  std::string at;
  bool pretty = false;
};

// "Now" for the tools: --at, else the end of a simulated fleet that ended in the past (what
// `demo` investigates), else the real time.
Status PinToolClock(AppContext& ctx, store::Database& fleet, const std::string& at) {
  if (!at.empty()) {
    auto time = ParseAnyTime(at);
    if (!time) return Fail(time.error().WithContext("--at"));
    ctx.PinClock(*time);
    return {};
  }
  auto meta = fleet.Query("SELECT meta_value FROM fleet_meta WHERE meta_key = 'sim_end'");
  if (!meta || meta->empty()) return {};
  auto end = ParseAnyTime(meta->front().GetString(size_t{0}));
  if (!end || *end >= ctx.clock().Now()) return {};
  std::fprintf(stderr,
               "tool: a simulated fleet: \"now\" is its last hour, %s (override with "
               "--at)\n",
               FormatSqlTime(*end).c_str());
  ctx.PinClock(*end);
  return {};
}

// Maps the "error: <code>: ..." of an is_error result to the command's exit status.
Error ToolFailure(const std::string& content) {
  for (ErrorCode code : {ErrorCode::kInvalidArgument, ErrorCode::kNotFound, ErrorCode::kUnavailable,
                         ErrorCode::kDeadlineExceeded, ErrorCode::kResourceExhausted,
                         ErrorCode::kPermissionDenied, ErrorCode::kDataLoss}) {
    if (content.starts_with("error: " + std::string(ErrorCodeName(code)) + ":")) {
      return Error{code, "the tool answered with an error (printed above)", "tool run"};
    }
  }
  return Error{ErrorCode::kInvalidArgument, "the tool answered with an error (printed above)",
               "tool run"};
}

Status RunTool(AppContext& ctx, const ToolRunOptions& options) {
  std::string input = options.input;
  if (!options.input_file.empty()) {
    std::ifstream in(options.input_file == "-" ? "/dev/stdin" : options.input_file);
    if (!in) return InvalidArgument(options.input_file, "cannot read the --input-file");
    std::ostringstream text;
    text << in.rdbuf();
    input = text.str();
  }
  // The input is checked before anything is opened: a malformed call is the caller's to fix
  // whatever the state of the data directory.
  if (!input.empty()) {
    if (auto parsed = ParseJson(input); !parsed) {
      return Fail(parsed.error().WithContext(options.input_file.empty() ? "--input"
                                                                        : options.input_file));
    }
  }
  RH_ASSIGN_OR_RETURN(store::Database * fleet, ctx.Fleet());
  RH_RETURN_IF_ERROR(PinToolClock(ctx, *fleet, options.at));
  knowledge::KnowledgeLake* lake = nullptr;
  if (options.name == "search_knowledge_lake") {  // opening the lake costs; only when needed
    auto opened = ctx.runtime().Knowledge();
    if (opened) {
      lake = *opened;
    } else {
      Logger("tools")->warn("knowledge lake unavailable: {}", opened.error().ToString());
    }
  }
  RH_ASSIGN_OR_RETURN(tools::ToolRegistry registry, ctx.runtime().NewToolRegistry(lake));
  tools::ToolResult result = registry.CallWithText(options.name, input);
  std::string shown = result.content;
  if (options.pretty && !result.is_error) {
    if (auto parsed = ParseJson(result.content)) shown = DumpJson(*parsed, 2);
  }
  std::printf("%s\n", shown.c_str());
  std::fflush(stdout);
  if (result.is_error) return Fail(ToolFailure(result.content));
  return {};
}

// The first sentence of a description (not fooled by "e.g." or "i.e.").
std::string FirstSentence(std::string_view text) {
  size_t line = text.find('\n');
  size_t end = line == std::string_view::npos ? text.size() : line;
  for (size_t stop = text.find(". "); stop != std::string_view::npos && stop < end;
       stop = text.find(". ", stop + 1)) {
    std::string_view before = text.substr(0, stop);
    if (before.ends_with("e.g") || before.ends_with("i.e")) continue;
    end = stop + 1;
    break;
  }
  return std::string(text.substr(0, end));
}

Status ListTools(AppContext& ctx, const std::string& format) {
  // Listing needs no fleet: build the registry over an empty private database.
  RH_ASSIGN_OR_RETURN(auto scratch, store::OpenDatabase(":memory:"));
  RH_ASSIGN_OR_RETURN(tools::ToolRegistry registry,
                      tools::BuildInvestigationTools(service::ToolEnvironmentFor(
                          ctx.config(), ctx.clock(), scratch.get(), nullptr, nullptr)));
  if (format == "anthropic") {
    std::printf("%s\n", DumpJson(registry.AnthropicDefinitions(), 2).c_str());
    return {};
  }
  if (format == "mcp") {
    std::printf("%s\n", DumpJson(registry.McpDefinitions(), 2).c_str());
    return {};
  }
  if (format != "text") return InvalidArgument("--format", "must be text, anthropic or mcp");
  for (const std::string& name : registry.Names()) {
    const tools::Tool* tool = registry.Find(name);
    std::printf("%s\n  %s\n  input:", name.c_str(), FirstSentence(tool->description()).c_str());
    const Json& schema = tool->input_schema();
    std::vector<std::string> required;
    if (schema.contains("required")) required = schema["required"].get<std::vector<std::string>>();
    for (auto property = schema["properties"].begin(); property != schema["properties"].end();
         ++property) {
      bool is_required =
          std::find(required.begin(), required.end(), property.key()) != required.end();
      std::printf(" %s%s (%s%s)", property.key().c_str(), is_required ? "*" : "",
                  JsonString(property.value(), "type").c_str(),
                  property.value().contains("default")
                      ? (", default " + DumpJson(property.value()["default"])).c_str()
                      : "");
    }
    std::printf("\n\n");
  }
  std::printf(
      "* required. Run one: rockhound tool run query_cluster_info --input "
      "'{\"cluster_id\": \"c-1a2b3c4d\"}'\n");
  return {};
}

}  // namespace

void RegisterToolCommands(CLI::App& app, Action* chosen) {
  CLI::App* tool = app.add_subcommand(
      "tool", "Run the investigation tools by hand: see exactly what the model sees");
  tool->require_subcommand(1);

  auto format = std::make_shared<std::string>("text");
  CLI::App* list = tool->add_subcommand(
      "list",
      "List the eight tools with their inputs (or their definitions as sent to the "
      "Anthropic API / MCP clients)");
  list->add_option("--format", *format, "text (default), anthropic or mcp (JSON definitions)")
      ->check(CLI::IsMember({"text", "anthropic", "mcp"}));
  list->callback([chosen, format] {
    *chosen = [format](AppContext& ctx) -> Status { return ListTools(ctx, *format); };
  });

  auto options = std::make_shared<ToolRunOptions>();
  CLI::App* run = tool->add_subcommand(
      "run",
      "Run one tool on the configured fleet and print its result exactly as the model gets it "
      "(input validated against the tool's schema, output within tools.output_budget_tokens, "
      "secrets masked). Exits non-zero when the tool answers with an error.\n"
      "Example: rockhound tool run query_cluster_metrics --input "
      "'{\"cluster_id\": \"c-1a2b3c4d\", \"dimensions\": [\"disk\"]}'");
  run->add_option("name", options->name, "Tool name (see `rockhound tool list`)")->required();
  run->add_option("--input", options->input, "The input as a JSON object (default {})");
  run->add_option("--input-file", options->input_file,
                  "Read the input JSON from a file ('-': "
                  "stdin)");
  run->add_option("--at", options->at,
                  "Run as of this UTC time, e.g. \"2026-11-21 10:00:00\" (default: now, or the "
                  "last hour of a simulated fleet that ended in the past)");
  run->add_flag("--pretty", options->pretty, "Indent the JSON result for reading");
  run->callback([chosen, options] {
    *chosen = [options](AppContext& ctx) -> Status { return RunTool(ctx, *options); };
  });
}

}  // namespace rh::app
