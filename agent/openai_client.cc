#include "agent/openai_client.h"

#include <atomic>
#include <chrono>
#include <random>
#include <utility>

#include "agent/internal/llm_http.h"
#include "agent/internal/openai_strict_schema.h"
#include "agent/internal/sse_stream.h"
#include "core/log.h"
#include "core/redact.h"

namespace rh::agent {
namespace {

constexpr char kContext[] = "openai";
constexpr size_t kRawArgumentsChars = 2000;  // of invalid tool arguments kept for the model

std::string StatusHint(long status) {
  switch (status) {
    case 401:
      return " (check OPENAI_API_KEY)";
    case 403:
      return " (the API key lacks permission for this model)";
    case 404:
      return " (check that agent.openai_base_url ends in /v1 and the server serves "
             "agent.openai_model)";
    case 429:
      return " (rate or quota limit; lower agent.workers or wait)";
    default:
      return "";
  }
}

// The texts of `content` (a string, or an array whose text blocks count) joined by `separator`.
std::string Texts(const Json& content, const std::string& separator) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (!content.is_array()) return out;
  for (const Json& block : content) {
    if (!block.is_object() || JsonString(block, "type") != "text") continue;
    const std::string text = JsonString(block, "text");
    if (text.empty()) continue;
    out += (out.empty() ? "" : separator) + text;
  }
  return out;
}

// Whether `tool` is one the loop marks strict (submit_report with agent.strict_report).
bool IsStrictTool(const Json& tool) {
  return tool.is_object() && tool.value("strict", false) && tool.contains("input_schema");
}

// With `strict` (agent.openai_strict_schema) a strict tool goes as a strict function whose
// parameters follow OpenAI's strict rules (internal/openai_strict_schema.h).
Json ToolDefinition(const Json& tool, bool strict) {
  Json function = {{"name", JsonString(tool, "name")}};
  if (tool.contains("description")) function["description"] = tool["description"];
  function["parameters"] =
      tool.contains("input_schema") ? tool["input_schema"] : Json{{"type", "object"}};
  if (strict && IsStrictTool(tool)) {
    function["parameters"] = internal::OpenAiStrictSchema(function["parameters"]);
    function["strict"] = true;
  }
  return Json{{"type", "function"}, {"function", std::move(function)}};
}

// The strict tool a request forces (tool_choice {type: tool, name}), or null.
const Json* ForcedStrictTool(const LlmRequest& request) {
  if (JsonString(request.tool_choice, "type") != "tool" || !request.tools.is_array()) {
    return nullptr;
  }
  const std::string name = JsonString(request.tool_choice, "name");
  for (const Json& tool : request.tools) {
    if (IsStrictTool(tool) && JsonString(tool, "name") == name) return &tool;
  }
  return nullptr;
}

Result<Json> ToolChoice(const Json& choice) {
  const std::string type = JsonString(choice, "type");
  if (type == "auto") return Json("auto");
  if (type == "any") return Json("required");
  if (type == "none") return Json("none");
  if (type == "tool") {
    return Json{{"type", "function"}, {"function", {{"name", JsonString(choice, "name")}}}};
  }
  return InvalidArgument(kContext,
                         "tool_choice type must be auto, any, tool or none (got '" + type + "')");
}

// One Anthropic-shaped message as Chat Completions messages, appended to `out`.
void AppendMessages(const Json& message, Json& out) {
  const std::string role = JsonString(message, "role");
  const Json content = message.contains("content") ? message["content"] : Json();
  if (role == "assistant") {
    Json translated = {{"role", "assistant"}};
    Json calls = Json::array();
    if (content.is_array()) {
      for (const Json& block : content) {
        if (!block.is_object() || JsonString(block, "type") != "tool_use") continue;
        const Json input = block.contains("input") ? block["input"] : Json::object();
        calls.push_back(Json{
            {"id", JsonString(block, "id")},
            {"type", "function"},
            {"function", {{"name", JsonString(block, "name")}, {"arguments", DumpJson(input)}}}});
      }
    }
    const std::string text = Texts(content, "\n\n");
    if (!text.empty() || calls.empty()) {
      translated["content"] = text;
    } else {
      translated["content"] = nullptr;
    }
    if (!calls.empty()) translated["tool_calls"] = std::move(calls);
    out.push_back(std::move(translated));
    return;
  }
  // A user message: its tool results first (each its own `tool` message, answering the
  // previous assistant message's calls in order), then its text.
  if (content.is_array()) {
    for (const Json& block : content) {
      if (!block.is_object() || JsonString(block, "type") != "tool_result") continue;
      const Json result = block.contains("content") ? block["content"] : Json("");
      std::string text = Texts(result, "\n");
      if (block.value("is_error", false)) text = "Error: " + text;
      out.push_back(Json{{"role", "tool"},
                         {"tool_call_id", JsonString(block, "tool_use_id")},
                         {"content", std::move(text)}});
    }
  }
  const std::string text = Texts(content, "\n\n");
  if (!text.empty()) out.push_back(Json{{"role", role.empty() ? "user" : role}, {"content", text}});
}

std::string StopReason(const std::string& finish_reason, bool has_tool_calls) {
  if (finish_reason == "length") return "max_tokens";
  if (finish_reason == "content_filter") return "refusal";
  // Servers disagree on the reason that goes with tool calls (stop, tool_calls, function_call).
  if (has_tool_calls && (finish_reason.empty() || finish_reason == "stop" ||
                         finish_reason == "tool_calls" || finish_reason == "function_call")) {
    return "tool_use";
  }
  if (finish_reason.empty() || finish_reason == "stop") return "end_turn";
  if (finish_reason == "tool_calls") return "tool_use";
  return finish_reason;
}

// The input of a tool call: its arguments as a JSON object; an empty string is {}; anything
// else (invalid JSON, a non-object) keeps the raw text under kInvalidJsonArgumentsKey.
Json ToolInput(const Json& arguments) {
  if (arguments.is_object()) return arguments;  // some servers send an object, not a string
  if (arguments.is_null()) return Json::object();
  std::string raw = arguments.is_string() ? arguments.get<std::string>() : arguments.dump();
  if (raw.find_first_not_of(" \t\r\n") == std::string::npos) return Json::object();
  if (auto parsed = ParseJson(raw, "tool arguments"); parsed && parsed->is_object()) {
    return std::move(*parsed);
  }
  if (raw.size() > kRawArgumentsChars) raw = raw.substr(0, kRawArgumentsChars) + "...";
  return Json{{kInvalidJsonArgumentsKey, RedactSecrets(raw)}};
}

std::atomic<long long> generated_call_ids{0};

// A structured-outputs answer back into the loop's terms: with response_format, the content
// (the report as JSON) becomes the forced tool's call; every strict tool's input loses the nulls
// OpenAI's strict mode used for absent optional fields.
void StrictAnswer(const LlmRequest& request, bool structured, LlmResponse& message) {
  const Json* forced = structured ? ForcedStrictTool(request) : nullptr;
  bool has_call = false;
  for (const Json& block : message.content) {
    has_call = has_call || JsonString(block, "type") == "tool_use";
  }
  if (forced && !has_call) {
    for (const Json& block : message.content) {
      if (JsonString(block, "type") != "text") continue;
      auto parsed = ParseJson(JsonString(block, "text"), "structured output");
      if (!parsed || !parsed->is_object()) continue;
      message.content = Json::array({Json{{"type", "tool_use"},
                                          {"id", "call_rh_" + std::to_string(++generated_call_ids)},
                                          {"name", JsonString(*forced, "name")},
                                          {"input", std::move(*parsed)}}});
      message.stop_reason = "tool_use";
      break;
    }
  }
  if (!request.tools.is_array()) return;
  for (Json& block : message.content) {
    if (JsonString(block, "type") != "tool_use") continue;
    for (const Json& tool : request.tools) {
      if (IsStrictTool(tool) && JsonString(tool, "name") == JsonString(block, "name")) {
        block["input"] = internal::DropNullOptionals(block["input"], tool["input_schema"]);
      }
    }
  }
}

}  // namespace

Result<LlmResponse> ParseChatCompletion(const Json& body) {
  if (!body.is_object()) return Unavailable(kContext, "the 200 answer is not a JSON object");
  auto choices = body.find("choices");
  if (choices == body.end() || !choices->is_array() || choices->empty() ||
      !(*choices)[0].is_object() || !(*choices)[0].contains("message") ||
      !(*choices)[0]["message"].is_object()) {
    return Unavailable(kContext, "the 200 answer has no choices[0].message (object=" +
                                     JsonString(body, "object", "?") + ")");
  }
  const Json& choice = (*choices)[0];
  const Json& message = choice["message"];
  LlmResponse response;
  response.id = JsonString(body, "id");
  response.model = JsonString(body, "model");
  const std::string text = Texts(message.value("content", Json()), "\n\n");
  if (!text.empty()) response.content.push_back(Json{{"type", "text"}, {"text", text}});
  bool has_tool_calls = false;
  if (auto calls = message.find("tool_calls"); calls != message.end() && calls->is_array()) {
    for (const Json& call : *calls) {
      if (!call.is_object()) continue;
      const Json function = call.value("function", Json::object());
      std::string id = JsonString(call, "id");
      if (id.empty()) id = "call_rh_" + std::to_string(++generated_call_ids);  // llama.cpp, old
      response.content.push_back(Json{{"type", "tool_use"},
                                      {"id", std::move(id)},
                                      {"name", JsonString(function, "name")},
                                      {"input", ToolInput(function.value("arguments", Json()))}});
      has_tool_calls = true;
    }
  }
  response.stop_reason = StopReason(JsonString(choice, "finish_reason"), has_tool_calls);
  if (auto usage = body.find("usage"); usage != body.end() && usage->is_object()) {
    long long cached = 0;
    if (auto details = usage->find("prompt_tokens_details");
        details != usage->end() && details->is_object()) {
      cached = JsonInt(*details, "cached_tokens");
    }
    response.usage.cache_read_tokens = cached;
    response.usage.input_tokens = std::max(0LL, JsonInt(*usage, "prompt_tokens") - cached);
    response.usage.output_tokens = JsonInt(*usage, "completion_tokens");
  }
  return response;
}

OpenAiClientOptions OpenAiClientOptions::FromConfig(const Config& config) {
  OpenAiClientOptions options;
  options.base_url = config.agent.openai_base_url;
  options.api_key = config.secrets.openai_api_key;
  options.model = config.agent.openai_model;
  options.max_tokens = config.agent.max_tokens;
  options.max_retries = config.agent.max_retries;
  options.connect_timeout = config.agent.connect_timeout;
  options.request_timeout = config.agent.request_timeout;
  options.temperature = config.agent.temperature;
  options.max_retry_wait = config.agent.max_retry_wait;
  options.stream = config.agent.stream;
  options.jitter_seed = std::random_device{}();
  options.strict_schema = config.agent.openai_strict_schema;
  return options;
}

Result<std::unique_ptr<OpenAiClient>> OpenAiClient::Create(OpenAiClientOptions options,
                                                           Clock& clock) {
  RH_RETURN_IF_ERROR(CheckOptions(options));
  std::unique_ptr<net::HttpTransport> owned_transport = net::MakeDefaultHttpTransport();
  net::HttpTransport& transport = *owned_transport;
  return std::make_unique<OpenAiClient>(ConstructionKey(), std::move(options),
                                        std::move(owned_transport), transport, clock);
}

Result<std::unique_ptr<OpenAiClient>> OpenAiClient::Create(OpenAiClientOptions options,
                                                           net::HttpTransport& transport,
                                                           Clock& clock) {
  RH_RETURN_IF_ERROR(CheckOptions(options));
  return std::make_unique<OpenAiClient>(ConstructionKey(), std::move(options), nullptr, transport,
                                        clock);
}

Status OpenAiClient::CheckOptions(OpenAiClientOptions& options) {
  RH_RETURN_IF_ERROR(internal::CheckBaseUrl(kContext, "agent.openai_base_url", options.base_url));
  if (options.api_key.empty() && options.base_url.rfind("https://api.openai.com", 0) == 0) {
    return InvalidArgument(kContext,
                           "no API key: export OPENAI_API_KEY (api.openai.com requires "
                           "one; a local server without authentication does not)");
  }
  if (options.model.empty()) {
    return InvalidArgument(kContext,
                           "agent.openai_model must be set (the model id the server "
                           "serves)");
  }
  if (options.max_tokens < 1) return InvalidArgument(kContext, "agent.max_tokens must be >= 1");
  if (!options.max_completion_tokens) {
    options.max_completion_tokens = options.base_url.rfind("https://api.openai.com", 0) == 0;
  }
  return internal::CheckRetrySettings(kContext, options.max_retries, options.max_retry_wait,
                                      options.connect_timeout, options.request_timeout);
}

OpenAiClient::OpenAiClient(ConstructionKey /*key*/, OpenAiClientOptions options,
                           std::unique_ptr<net::HttpTransport> owned_transport,
                           net::HttpTransport& transport, Clock& clock)
    : options_(std::move(options)),
      owned_transport_(std::move(owned_transport)),
      transport_(transport),
      clock_(clock),
      endpoint_(options_.base_url + "/chat/completions"),
      jitter_(std::make_unique<internal::JitterSource>(options_.jitter_seed, options_.jitter)) {}

OpenAiClient::~OpenAiClient() = default;

Result<Json> OpenAiClient::BuildRequestBody(const LlmRequest& request) const {
  return BuildBody(request, options_.strict_schema && !response_format_refused_.load());
}

Result<Json> OpenAiClient::BuildBody(const LlmRequest& request, bool with_response_format) const {
  RH_RETURN_IF_ERROR(internal::CheckRequestShape(kContext, request));
  const int max_tokens = request.max_tokens.value_or(options_.max_tokens);
  if (max_tokens < 0) return InvalidArgument(kContext, "max_tokens must be >= 0");

  Json body = Json::object();
  body["model"] = request.model.empty() ? options_.model : request.model;
  Json messages = Json::array();
  if (const std::string system = Texts(request.system, "\n\n"); !system.empty()) {
    messages.push_back(Json{{"role", "system"}, {"content", system}});
  }
  for (const Json& message : request.messages) {
    if (!message.is_object()) return InvalidArgument(kContext, "every message must be an object");
    AppendMessages(message, messages);
  }
  body["messages"] = std::move(messages);
  body[*options_.max_completion_tokens ? "max_completion_tokens" : "max_tokens"] = max_tokens;
  body["stream"] = false;
  if (request.tools.is_array() && !request.tools.empty()) {
    Json tools = Json::array();
    for (const Json& tool : request.tools) {
      if (!tool.is_object()) return InvalidArgument(kContext, "every tool must be an object");
      tools.push_back(ToolDefinition(tool, options_.strict_schema));
    }
    body["tools"] = std::move(tools);
    if (request.tool_choice.is_object()) {
      RH_ASSIGN_OR_RETURN(body["tool_choice"], ToolChoice(request.tool_choice));
      if (request.tool_choice.value("disable_parallel_tool_use", false)) {
        body["parallel_tool_calls"] = false;
      }
    }
    // The forced report as structured output: the answer's content is the report itself,
    // constrained by the server to the schema (turned back into the tool call on return).
    if (const Json* forced = ForcedStrictTool(request); forced && with_response_format) {
      body["response_format"] = {
          {"type", "json_schema"},
          {"json_schema",
           {{"name", JsonString(*forced, "name")},
            {"strict", true},
            {"schema", internal::OpenAiStrictSchema((*forced)["input_schema"])}}}};
      body["tool_choice"] = "none";
      body.erase("parallel_tool_calls");
    }
  }
  if (auto temperature = request.temperature ? request.temperature : options_.temperature) {
    body["temperature"] = *temperature;
  }
  if (request.stop_sequences.is_array() && !request.stop_sequences.empty()) {
    body["stop"] = request.stop_sequences;
  }
  if (request.metadata.is_object()) {
    if (const std::string user = JsonString(request.metadata, "user_id"); !user.empty()) {
      body["user"] = user;
    }
  }
  return body;
}

Result<LlmResponse> OpenAiClient::CreateMessage(const LlmRequest& request) {
  RH_ASSIGN_OR_RETURN(Json body, BuildRequestBody(request));
  const bool structured = body.contains("response_format");
  auto log = Logger("agent");
  const Stopwatch elapsed;

  internal::LlmHttpCall call;
  call.context = kContext;
  call.endpoint = endpoint_;
  call.base_url_hint = "agent.openai_base_url";
  call.body = DumpJson(body);
  call.secret = options_.api_key;
  std::optional<internal::ChatCompletionStream> stream;
  if (options_.stream) {
    body["stream"] = true;
    body["stream_options"] = Json{{"include_usage", true}};
    call.body = DumpJson(body);
    stream.emplace(request.on_text);
    call.on_stream = [&stream](std::string_view piece) { stream->Feed(piece); };
  }
  call.headers = [this](int retries_taken) {
    net::HttpHeaders headers = {
        {"content-type", "application/json"},
        {"accept", options_.stream ? "text/event-stream" : "application/json"},
        {"user-agent", net::kUserAgent},
        {"x-stainless-retry-count", std::to_string(retries_taken)}};
    // A keyless local server gets no Authorization header at all.
    if (!options_.api_key.empty()) {
      headers.push_back({"authorization", "Bearer " + options_.api_key});
    }
    return headers;
  };
  call.request_id_headers = {"x-request-id", "request-id"};
  call.status_hint = StatusHint;
  call.max_retries = options_.max_retries;
  call.connect_timeout = options_.connect_timeout;
  call.request_timeout = options_.request_timeout;
  call.max_retry_wait = options_.max_retry_wait;
  log->debug("openai: POST {} model={} body={} bytes messages={} tools={}",
             RedactSecrets(endpoint_), body["model"].get<std::string>(), call.body.size(),
             body["messages"].size(), body.contains("tools") ? body["tools"].size() : 0);
  log->trace("openai: request body {}", call.body);

  auto posted = internal::PostJsonWithRetries(call, transport_, clock_, *jitter_);
  if (!posted && structured && posted.error().code == ErrorCode::kInvalidArgument &&
      posted.error().message.find("response_format") != std::string::npos) {
    // The server does not do structured outputs: the plain forced tool call, now and from now
    // on (the report is validated locally either way).
    response_format_refused_ = true;
    log->warn(
        "openai: the server refused response_format ({}); sending the forced tool call "
        "instead from now on",
        posted.error().message);
    RH_ASSIGN_OR_RETURN(body, BuildBody(request, false));
    call.body = DumpJson(body);
    posted = internal::PostJsonWithRetries(call, transport_, clock_, *jitter_);
  }
  RH_ASSIGN_OR_RETURN(internal::LlmHttpAnswer answer, std::move(posted));
  if (stream) {
    auto assembled = stream->Finish(answer.text);
    if (!assembled) {
      Error error = assembled.error();
      error.message += answer.Suffix();
      log->error("openai: {}", error.message);
      return Fail(std::move(error));
    }
    answer.body = std::move(*assembled);
  }
  auto message = ParseChatCompletion(answer.body);
  if (!message) {
    Error error = message.error();
    error.message += answer.Suffix();
    log->error("openai: {}", error.message);
    return Fail(std::move(error));
  }
  if (message->model.empty()) message->model = body["model"].get<std::string>();
  if (options_.strict_schema) StrictAnswer(request, body.contains("response_format"), *message);
  message->request_id = answer.request_id;
  message->attempts = answer.attempts;
  log->info(
      "openai: status={} attempts={} request_id={} model={} stop_reason={} input={} "
      "output={} cache_read={} elapsed_ms={}",
      answer.status, answer.attempts, answer.request_id.empty() ? "-" : answer.request_id,
      message->model, message->stop_reason, message->usage.input_tokens,
      message->usage.output_tokens, message->usage.cache_read_tokens,
      std::chrono::duration_cast<std::chrono::milliseconds>(elapsed.Elapsed()).count());
  return message;
}

}  // namespace rh::agent
