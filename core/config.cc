#include "core/config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <functional>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "core/log.h"
#include "core/redact.h"
#include "core/time_format.h"

extern char** environ;

namespace rh {
namespace {

enum class FieldType { kString, kInt, kDouble, kBool, kDuration, kOptionalDouble };

struct Field {
  std::string key;  // "section.name" or "name"
  FieldType type;
  std::string doc;
  std::function<Status(Config&, std::string_view)> set;
  std::function<std::string(const Config&)> get;
};

std::string EnvName(std::string_view key) {
  std::string out = "ROCKHOUND_";
  for (char c : key) out.push_back(c == '.' ? '_' : static_cast<char>(std::toupper(c)));
  return out;
}

Status ParseInto(std::string_view key, std::string_view text, std::string* out) {
  (void)key;
  *out = std::string(text);
  return {};
}

Status ParseInto(std::string_view key, std::string_view text, long long* out) {
  long long value = 0;
  auto res = std::from_chars(text.data(), text.data() + text.size(), value);
  if (res.ec != std::errc() || res.ptr != text.data() + text.size()) {
    return InvalidArgument(std::string(key), "must be a whole number, got '" + std::string(text) + "'");
  }
  *out = value;
  return {};
}

Status ParseInto(std::string_view key, std::string_view text, int* out) {
  long long wide = 0;
  RH_RETURN_IF_ERROR(ParseInto(key, text, &wide));
  if (wide < -2147483647LL || wide > 2147483647LL) {
    return InvalidArgument(std::string(key), "is out of range, got '" + std::string(text) + "'");
  }
  *out = static_cast<int>(wide);
  return {};
}

Status ParseInto(std::string_view key, std::string_view text, double* out) {
  std::string copy(text);
  char* end = nullptr;
  double value = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size()) {
    return InvalidArgument(std::string(key), "must be a number, got '" + copy + "'");
  }
  if (!std::isfinite(value)) {  // strtod reads "nan", "inf" and overflows such as 1e999
    return InvalidArgument(std::string(key), "must be a finite number, got '" + copy + "'");
  }
  *out = value;
  return {};
}

Status ParseInto(std::string_view key, std::string_view text, bool* out) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  if (lower == "true" || lower == "1" || lower == "yes" || lower == "on") {
    *out = true;
  } else if (lower == "false" || lower == "0" || lower == "no" || lower == "off") {
    *out = false;
  } else {
    return InvalidArgument(std::string(key), "must be true or false, got '" + std::string(text) + "'");
  }
  return {};
}

Status ParseInto(std::string_view key, std::string_view text, Duration* out) {
  auto parsed = ParseDurationShort(text);
  if (!parsed) {
    return InvalidArgument(std::string(key),
                           "must be a duration like 15m, 4h, 90s or 1h30m, at most 36500d; got '" +
                               std::string(text) + "'");
  }
  *out = *parsed;
  return {};
}

Status ParseInto(std::string_view key, std::string_view text, EngineKind* out) {
  auto parsed = ParseEngineKind(text);
  if (!parsed) return InvalidArgument(std::string(key), parsed.error().message);
  *out = *parsed;
  return {};
}

Status ParseInto(std::string_view key, std::string_view text, LlmProvider* out) {
  auto parsed = ParseLlmProvider(text);
  if (!parsed) return InvalidArgument(std::string(key), parsed.error().message);
  *out = *parsed;
  return {};
}

Status ParseInto(std::string_view key, std::string_view text, Severity* out) {
  auto parsed = ParseSeverity(text);
  if (!parsed) return InvalidArgument(std::string(key), parsed.error().message);
  *out = *parsed;
  return {};
}

}  // namespace

std::vector<std::string> SplitAlertNames(std::string_view list) {
  std::vector<std::string> names;
  std::string current;
  auto flush = [&] {
    size_t begin = current.find_first_not_of(' ');
    size_t end = current.find_last_not_of(' ');
    if (begin != std::string::npos) {
      std::string name = current.substr(begin, end - begin + 1);
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      names.push_back(name);
    }
    current.clear();
  };
  for (char ch : list) {
    if (ch == ',') {
      flush();
    } else {
      current += ch;
    }
  }
  flush();
  return names;
}

namespace {

Status ParseInto(std::string_view key, std::string_view text, IssueKind* out) {
  auto parsed = ParseIssueKind(text);
  if (!parsed) return InvalidArgument(std::string(key), parsed.error().message);
  *out = *parsed;
  return {};
}

Status ParseInto(std::string_view key, std::string_view text, std::optional<double>* out) {
  if (text.empty() || text == "none") {
    out->reset();
    return {};
  }
  double value = 0;
  RH_RETURN_IF_ERROR(ParseInto(key, text, &value));
  *out = value;
  return {};
}

std::string Show(const std::string& v) { return v; }
std::string Show(int v) { return std::to_string(v); }
std::string Show(long long v) { return std::to_string(v); }
std::string Show(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}
std::string Show(bool v) { return v ? "true" : "false"; }
std::string Show(Duration v) { return FormatDurationShort(v); }
std::string Show(const std::optional<double>& v) { return v ? Show(*v) : std::string("(unset)"); }
std::string Show(EngineKind v) { return std::string(EngineKindName(v)); }
std::string Show(LlmProvider v) { return std::string(LlmProviderName(v)); }
std::string Show(Severity v) { return std::string(SeverityName(v)); }
std::string Show(IssueKind v) { return std::string(IssueKindName(v)); }

template <typename T>
Field MakeField(std::string key, std::string doc, T& (*member)(Config&)) {
  Field field;
  field.key = key;
  field.doc = std::move(doc);
  field.set = [member, key](Config& config, std::string_view text) {
    return ParseInto(key, text, &member(config));
  };
  field.get = [member](const Config& config) {
    return Show(member(const_cast<Config&>(config)));
  };
  return field;
}

// "a, b, c" (a vocabulary's Names()) as "a|b|c" for a field's doc.
std::string Alternatives(std::string_view names) {
  std::string out;
  for (char ch : names) {
    if (ch == ' ') continue;
    out += ch == ',' ? '|' : ch;
  }
  return out;
}

#define RH_FIELD(key, doc, expr) \
  MakeField(key, doc, +[](Config& c) -> decltype(expr)& { return expr; })

const std::vector<Field>& Fields() {
  static const std::vector<Field> fields = {
      RH_FIELD("data_dir", "directory for embedded databases and the knowledge index", c.data_dir),
      RH_FIELD("log_level", "trace|debug|info|warn|error|auto (auto: info for run/serve/mcp, warn otherwise)", c.log_level),
      RH_FIELD("log_format", "text|json", c.log_format),
      RH_FIELD("fleet.db", "fleet telemetry: SQLite path or mysql://user@host:port/db",
               c.fleet.db),
      RH_FIELD("fleet.pool_size", "fleet connections for concurrent calls (SQLite: readers)",
               c.fleet.pool_size),
      RH_FIELD("memory.db", "agent memory (queue, reports): SQLite path or mysql:// URL",
               c.memory.db),
      RH_FIELD("memory.pool_size", "memory connections for concurrent calls (SQLite: readers)",
               c.memory.pool_size),
      RH_FIELD("knowledge.db", "Knowledge Lake SQLite file", c.knowledge.db),
      RH_FIELD("knowledge.index_path", "Knowledge Lake FAISS index file", c.knowledge.index_path),
      RH_FIELD("knowledge.embedder", "builtin|http", c.knowledge.embedder),
      RH_FIELD("knowledge.embedder_url", "OpenAI-compatible embeddings base URL",
               c.knowledge.embedder_url),
      RH_FIELD("knowledge.embedder_model", "embedding model name", c.knowledge.embedder_model),
      RH_FIELD("knowledge.embedder_batch", "texts per embeddings request",
               c.knowledge.embedder_batch),
      RH_FIELD("knowledge.approximate_above", "vectors above which IVF replaces exact search",
               c.knowledge.approximate_above),
      RH_FIELD("knowledge.vector_weight", "hybrid vector weight; negative = embedder default",
               c.knowledge.vector_weight),
      RH_FIELD("knowledge.fusion", "auto (embedder default)|weighted|rrf", c.knowledge.fusion),
      RH_FIELD("knowledge.starter_dir", "extra starter knowledge directory for demo",
               c.knowledge.starter_dir),
      RH_FIELD("sentinel.interval", "cycle period (aligned to the wall clock)", c.sentinel.interval),
      RH_FIELD("sentinel.cooldown", "one sentinel task per cluster per this window",
               c.sentinel.cooldown),
      RH_FIELD("sentinel.score_cliff_points", "score drop that triggers the cliff rule",
               c.sentinel.score_cliff_points),
      RH_FIELD("sentinel.alert_storm_count", "more firing alerts than this is a storm",
               c.sentinel.alert_storm_count),
      RH_FIELD("sentinel.alert_storm_window", "window of the alert-storm rule",
               c.sentinel.alert_storm_window),
      RH_FIELD("sentinel.alert_window", "firing alerts counted by the scorer",
               c.sentinel.alert_window),
      RH_FIELD("sentinel.baseline_offset", "trend baseline offset", c.sentinel.baseline_offset),
      RH_FIELD("sentinel.tier_warning", "enable the tier A/S warning rule",
               c.sentinel.tier_warning),
      RH_FIELD("sentinel.volume_baseline_days", "same-hour days in the volume baseline median",
               c.sentinel.volume_baseline_days),
      RH_FIELD("sentinel.volume_min_baseline_days", "fewer same-hour samples: volume not judged",
               c.sentinel.volume_min_baseline_days),
      RH_FIELD("sentinel.volume_drop_warning", "QPS/load share of baseline below which: Warning",
               c.sentinel.volume_drop_warning),
      RH_FIELD("sentinel.volume_drop_critical", "QPS/load share of baseline below which: Critical",
               c.sentinel.volume_drop_critical),
      RH_FIELD("sentinel.volume_min_qps", "QPS baseline below this is not judged",
               c.sentinel.volume_min_qps),
      RH_FIELD("sentinel.volume_min_load_rows", "load rows/s baseline below this is not judged",
               c.sentinel.volume_min_load_rows),
      RH_FIELD("sentinel.volume_failed_rise_warning", "failed loads x baseline that is Warning",
               c.sentinel.volume_failed_rise_warning),
      RH_FIELD("sentinel.volume_failed_rise_critical", "failed loads x baseline that is Critical",
               c.sentinel.volume_failed_rise_critical),
      RH_FIELD("sentinel.volume_min_failed_loads", "failed loads/h below this never count",
               c.sentinel.volume_min_failed_loads),
      RH_FIELD("sentinel.flap_window", "window of critical-alert fire/resolve episodes",
               c.sentinel.flap_window),
      RH_FIELD("sentinel.flap_min_episodes", "episodes of one critical alert that are flapping",
               c.sentinel.flap_min_episodes),
      RH_FIELD("sentinel.flap_episode_points", "alert sub-score points per flapping episode",
               c.sentinel.flap_episode_points),
      RH_FIELD("sentinel.account_wide_min_clusters", "clusters of one account for account_wide",
               c.sentinel.account_wide_min_clusters),
      RH_FIELD("sentinel.node_lost_alive_below", "BE/CN alive % below which node_lost fires",
               c.sentinel.node_lost_alive_below),
      RH_FIELD("sentinel.node_lost_alerts", "firing alerts that mean a lost node (node_lost)",
               c.sentinel.node_lost_alerts),
      RH_FIELD("sentinel.sustained_warning_below",
               "health below this now and 1h before fires sustained_warning (0 = off)",
               c.sentinel.sustained_warning_below),
      RH_FIELD("sentinel.change_window", "operations this recent make the change dimension judged",
               c.sentinel.change_window),
      RH_FIELD("sentinel.change_operations", "operation types the change dimension follows",
               c.sentinel.change_operations),
      RH_FIELD("sentinel.change_rise_warning", "x pre-operation level that is Warning",
               c.sentinel.change_rise_warning),
      RH_FIELD("sentinel.change_rise_critical", "x pre-operation level that is Critical",
               c.sentinel.change_rise_critical),
      RH_FIELD("sentinel.change_min_rise_share",
               "smallest rise that counts, as a share of the warning threshold",
               c.sentinel.change_min_rise_share),
      RH_FIELD("sentinel.reinvestigate_worse_points",
               "health drop that re-investigates a persistent Critical cluster",
               c.sentinel.reinvestigate_worse_points),
      RH_FIELD("sentinel.unchanged_recheck",
               "re-investigate an unchanged Critical cluster after this long",
               c.sentinel.unchanged_recheck),
      RH_FIELD("queue.lease", "task lease length", c.queue.lease),
      RH_FIELD("queue.heartbeat", "lease heartbeat period", c.queue.heartbeat),
      RH_FIELD("queue.max_attempts", "tries before a task fails", c.queue.max_attempts),
      RH_FIELD("queue.retry_backoff", "first retry delay (doubles)", c.queue.retry_backoff),
      RH_FIELD("tools.output_budget_tokens", "hard cap per tool result",
               c.tools.output_budget_tokens),
      RH_FIELD("tools.sql_max_rows", "run_sql row cap", c.tools.sql_max_rows),
      RH_FIELD("tools.sql_max_bytes", "run_sql byte cap", c.tools.sql_max_bytes),
      RH_FIELD("tools.sql_timeout_seconds", "run_sql time cap", c.tools.sql_timeout_seconds),
      RH_FIELD("tools.default_window", "default look-back of the tools", c.tools.default_window),
      RH_FIELD("agent.engine", Alternatives(EngineKindNames()), c.agent.engine),
      RH_FIELD("agent.model", "Anthropic model id", c.agent.model),
      RH_FIELD("agent.max_tokens", "max output tokens per model turn", c.agent.max_tokens),
      RH_FIELD("agent.max_steps", "model turns before a forced final report", c.agent.max_steps),
      RH_FIELD("agent.token_budget", "tokens per investigation", c.agent.token_budget),
      RH_FIELD("agent.cost_budget_usd", "USD per investigation", c.agent.cost_budget_usd),
      RH_FIELD("agent.max_retries", "HTTP retries per model call", c.agent.max_retries),
      RH_FIELD("agent.connect_timeout", "HTTP connect timeout", c.agent.connect_timeout),
      RH_FIELD("agent.request_timeout", "HTTP request timeout", c.agent.request_timeout),
      RH_FIELD("agent.temperature", "sampling temperature; unset = omitted", c.agent.temperature),
      RH_FIELD("agent.workers", "investigation workers per process", c.agent.workers),
      RH_FIELD("agent.tool_concurrency", "tool calls at once across all investigations",
               c.agent.tool_concurrency),
      RH_FIELD("agent.investigation_timeout", "wall time of one investigation",
               c.agent.investigation_timeout),
      RH_FIELD("agent.prompts_dir", "directory overriding the embedded prompts",
               c.agent.prompts_dir),
      RH_FIELD("agent.input_price_per_mtok", "USD per million input tokens",
               c.agent.input_price_per_mtok),
      RH_FIELD("agent.output_price_per_mtok", "USD per million output tokens",
               c.agent.output_price_per_mtok),
      RH_FIELD("agent.prices", "model=input/output/cache_write/cache_read USD per Mtok, ...",
               c.agent.prices),
      RH_FIELD("agent.daily_budget_usd", "Claude spend per UTC day, all investigations; 0 = none",
               c.agent.daily_budget_usd),
      RH_FIELD("agent.daily_budget_tiers", "share of the daily budget per customer tier",
               c.agent.daily_budget_tiers),
      RH_FIELD("agent.thinking_budget", "extended thinking tokens per turn; 0 = off",
               c.agent.thinking_budget),
      RH_FIELD("agent.max_retry_wait", "longest retry-after honoured", c.agent.max_retry_wait),
      RH_FIELD("agent.strict_report", "submit_report as a strict tool", c.agent.strict_report),
      RH_FIELD("agent.stream", "stream the model's answers (SSE) into the live progress",
               c.agent.stream),
      RH_FIELD("agent.provider", Alternatives(LlmProviderNames()), c.agent.provider),
      RH_FIELD("agent.openai_base_url", "OpenAI-compatible API base URL, up to /v1",
               c.agent.openai_base_url),
      RH_FIELD("agent.openai_model", "model id for agent.provider = openai", c.agent.openai_model),
      RH_FIELD("agent.openai_strict_schema",
               "submit_report as a strict function / response_format json_schema (openai)",
               c.agent.openai_strict_schema),
      RH_FIELD("agent.gateway_base_url",
               "bedrock/vertex endpoint or signing proxy; empty = the cloud's own",
               c.agent.gateway_base_url),
      RH_FIELD("agent.gateway_region", "AWS region or Vertex location (bedrock, vertex)",
               c.agent.gateway_region),
      RH_FIELD("agent.vertex_project", "Google Cloud project id (vertex)", c.agent.vertex_project),
      RH_FIELD("server.bind", "HTTP bind address", c.server.bind),
      RH_FIELD("server.port", "HTTP port (0 = any free port)", c.server.port),
      RH_FIELD("server.max_body_bytes", "largest accepted request body", c.server.max_body_bytes),
      RH_FIELD("server.rate_limit_per_minute", "requests per minute per client",
               c.server.rate_limit_per_minute),
      RH_FIELD("server.cluster_label", "Alertmanager label naming the cluster",
               c.server.cluster_label),
      RH_FIELD("server.public_url", "base URL used in notification links", c.server.public_url),
      RH_FIELD("server.threads", "HTTP worker threads", c.server.threads),
      RH_FIELD("server.metrics_max_clusters",
               "clusters exported as per-cluster /metrics gauges, worst first (0: none)",
               c.server.metrics_max_clusters),
      RH_FIELD("server.investigate_critical_alerts",
               "queue an investigation for a new firing critical webhook alert",
               c.server.investigate_critical_alerts),
      RH_FIELD("server.header_timeout", "time to send a whole request head",
               c.server.header_timeout),
      RH_FIELD("server.body_timeout", "time to send a whole request body (and take a response)",
               c.server.body_timeout),
      RH_FIELD("server.max_connections", "open HTTP connections in total",
               c.server.max_connections),
      RH_FIELD("server.max_connections_per_client", "open HTTP connections per client address",
               c.server.max_connections_per_client),
      RH_FIELD("server.allowed_hosts", "extra Host names, comma-separated (host or host:port)",
               c.server.allowed_hosts),
      RH_FIELD("issues.anomaly_alerts", "alert names that are ANOMALY (comma-separated)",
               c.issues.anomaly_alerts),
      RH_FIELD("issues.failure_alerts", "alert names that are FAILURE (comma-separated)",
               c.issues.failure_alerts),
      RH_FIELD("issues.default_kind", "kind of an alert name in neither list: anomaly|failure",
               c.issues.default_kind),
      RH_FIELD("issues.time_window", "FAILURE alerts this close to an issue's latest join it",
               c.issues.time_window),
      RH_FIELD("issues.correlation_window",
               "same-name FAILURE grouping and ANOMALY escalation window",
               c.issues.correlation_window),
      RH_FIELD("issues.investigate_tiers",
               "tiers whose new/escalated issues queue an investigation (e.g. S,A; empty: none)",
               c.issues.investigate_tiers),
      RH_FIELD("notify.min_severity", "lowest severity that notifies", c.notify.min_severity),
      RH_FIELD("notify.format", "slack|lark", c.notify.format),
      RH_FIELD("notify.max_retries", "notification POST retries", c.notify.max_retries),
      RH_FIELD("lark.base_url", "Lark Open Platform base URL", c.lark.base_url),
      RH_FIELD("lark.chat_id", "alert chat to ingest (oc_...)", c.lark.chat_id),
      RH_FIELD("lark.page_size", "messages per page (1..50)", c.lark.page_size),
      RH_FIELD("lark.max_retries", "retries per Lark API call", c.lark.max_retries),
      RH_FIELD("lark.request_timeout", "Lark HTTP request timeout", c.lark.request_timeout),
      RH_FIELD("lark.first_catch_up", "catch-up window when nothing is stored yet",
               c.lark.first_catch_up),
      RH_FIELD("lark.catch_up_every_cycle", "catch up the Lark chat at the start of every cycle",
               c.lark.catch_up_every_cycle),
  };
  return fields;
}

#undef RH_FIELD

const Field* FindField(std::string_view key) {
  for (const Field& field : Fields()) {
    if (field.key == key) return &field;
  }
  return nullptr;
}

// Names a secret key by its config-file spelling, so a file holding one gets a clear refusal: a
// name ending in _key, _token, _secret or password (passwd), one of the env-only secrets
// (webhook_url, anything under [secrets]), or a *_url whose value carries user:password@. By the
// end of the name, not a substring: tools.output_budget_tokens and agent.token_budget are settings.
bool LooksLikeSecretKey(std::string_view key, std::string_view value) {
  std::string lower(key);
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  if (lower.starts_with("secrets.")) return true;
  const std::string_view name = std::string_view(lower).substr(lower.rfind('.') + 1);
  for (std::string_view suffix : {"_key", "_token", "_secret", "password", "passwd"}) {
    if (name.ends_with(suffix)) return true;
  }
  if (name == "token" || name == "secret" || name == "apikey" || name == "webhook_url") {
    return true;
  }
  return name.ends_with("_url") && UrlHasUserinfo(value);
}

std::string TomlValueText(const toml::node& node) {
  if (auto s = node.as_string()) return s->get();
  if (auto i = node.as_integer()) return std::to_string(i->get());
  if (auto f = node.as_floating_point()) return Show(f->get());
  if (auto b = node.as_boolean()) return b->get() ? "true" : "false";
  return "(unsupported TOML value: use a string, number or boolean)";
}

Status ApplyTomlTable(const toml::table& table, const std::string& prefix, Config& config,
                      const std::string& file) {
  for (const auto& [name, node] : table) {
    std::string key = prefix.empty() ? std::string(name.str()) : prefix + "." + std::string(name.str());
    if (const toml::table* sub = node.as_table()) {
      if (!prefix.empty()) {  // every key is "name" or "section.name": no deeper tables
        return InvalidArgument(file, "unknown section '" + key + "'; `rockhound config show` "
                                     "lists every key");
      }
      RH_RETURN_IF_ERROR(ApplyTomlTable(*sub, key, config, file));
      continue;
    }
    const std::string value = TomlValueText(node);
    if (LooksLikeSecretKey(key, value)) {
      return InvalidArgument(file, "'" + key + "' looks like a secret; secrets are read only from "
                                   "the environment (see `rockhound config show`)");
    }
    const Field* field = FindField(key);
    if (!field) {
      return InvalidArgument(file, "unknown key '" + key + "'; `rockhound config show` lists "
                                   "every key");
    }
    auto status = field->set(config, value);
    if (!status) return Fail(status.error().WithContext(file));
  }
  return {};
}

std::string EnvOr(const std::map<std::string, std::string>& env, const std::string& name,
                  const std::string& fallback = "") {
  auto it = env.find(name);
  return it == env.end() ? fallback : it->second;
}

bool IsLoopback(std::string_view host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1";
}

// The first entry of server.allowed_hosts that is not a host name or address with an optional
// port, or "" when every entry is one.
std::string BadAllowedHost(std::string_view list) {
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  while (true) {
    const size_t comma = list.find(',');
    std::string_view entry = list.substr(0, comma);
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    std::string_view host = entry;
    std::string_view rest;
    bool host_ok = false;
    if (entry.starts_with('[')) {  // [IPv6]
      const size_t close = entry.find(']');
      host = entry.substr(1, close == std::string_view::npos ? 0 : close - 1);
      rest = close == std::string_view::npos ? "?" : entry.substr(close + 1);
      host_ok = !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
        return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
      });
    } else {
      host = entry.substr(0, entry.find(':'));
      rest = entry.substr(host.size());
      host_ok = !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
      });
    }
    const std::string_view port = rest.empty() ? rest : rest.substr(1);
    const bool port_digits = !port.empty() && port.size() <= 5 &&
                             std::all_of(port.begin(), port.end(), is_digit);
    const int port_number = port_digits ? std::stoi(std::string(port)) : 0;
    const bool port_ok =
        rest.empty() || (rest.front() == ':' && port_number >= 1 && port_number <= 65535);
    if (!host_ok || !port_ok) return entry.empty() ? "(an empty entry)" : std::string(entry);
    if (comma == std::string_view::npos) return "";
    list.remove_prefix(comma + 1);
  }
}

// A value as `config show` prints it: URLs without their userinfo (HTTP userinfo is a credential,
// user name included), except a mysql:// user name, which is a login and not a secret.
std::string ShownValue(const std::string& value) {
  if (!UrlHasUserinfo(value)) return value;
  if (value.starts_with("mysql://")) return RedactSecrets(value);  // user:****@ at most
  return UrlWithoutUserinfo(value);
}

}  // namespace

std::string Config::FleetDb() const { return fleet.db.empty() ? data_dir + "/fleet.db" : fleet.db; }
std::string Config::MemoryDb() const {
  return memory.db.empty() ? data_dir + "/memory.db" : memory.db;
}
std::string Config::KnowledgeDb() const {
  return knowledge.db.empty() ? data_dir + "/knowledge.db" : knowledge.db;
}
std::string Config::KnowledgeIndexPath() const {
  return knowledge.index_path.empty() ? data_dir + "/knowledge.faiss" : knowledge.index_path;
}

std::map<std::string, std::string> CurrentEnvironment() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view text(*entry);
    size_t eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = text.substr(0, eq);
    if (name.starts_with("ROCKHOUND_") || name.starts_with("ANTHROPIC_") ||
        name == "OPENAI_API_KEY" || name == "AWS_BEARER_TOKEN_BEDROCK") {
      env.emplace(std::string(name), std::string(text.substr(eq + 1)));
    }
  }
  return env;
}

Result<Config> LoadConfig(const ConfigSources& sources) {
  Config config;
  std::string toml_path = sources.toml_path;
  if (toml_path.empty()) toml_path = EnvOr(sources.environment, "ROCKHOUND_CONFIG");
  if (!toml_path.empty()) {
    const std::string where =
        (sources.toml_path.empty() ? "ROCKHOUND_CONFIG " : "--config ") + toml_path;
    std::error_code fs_error;
    const auto kind = std::filesystem::status(toml_path, fs_error).type();
    if (kind == std::filesystem::file_type::not_found) {
      return InvalidArgument(where, "does not exist; give a TOML file");
    }
    if (kind == std::filesystem::file_type::directory) {
      return InvalidArgument(where, "is a directory; give a TOML file");
    }
    try {
      toml::table table = toml::parse_file(toml_path);
      RH_RETURN_IF_ERROR(ApplyTomlTable(table, "", config, toml_path));
    } catch (const toml::parse_error& e) {
      std::ostringstream msg;
      msg << e.description() << " (line " << e.source().begin.line << ", column "
          << e.source().begin.column << ")";
      if (e.description().find("File could not be opened") != std::string_view::npos) {
        return InvalidArgument(toml_path, "cannot open the config file; check the path");
      }
      return InvalidArgument(toml_path, msg.str());
    }
  }
  for (const Field& field : Fields()) {
    std::string name = EnvName(field.key);
    auto it = sources.environment.find(name);
    if (it == sources.environment.end()) continue;
    auto status = field.set(config, it->second);
    if (!status) return Fail(status.error().WithContext("environment " + name));
  }
  for (const std::string& override_text : sources.overrides) {
    size_t eq = override_text.find('=');
    if (eq == std::string::npos) {
      return InvalidArgument("--set " + override_text, "expected key=value, e.g. --set "
                                                       "sentinel.cooldown=2h");
    }
    std::string key = override_text.substr(0, eq);
    const Field* field = FindField(key);
    if (!field) {
      return InvalidArgument("--set " + override_text,
                             "unknown key '" + key + "'; `rockhound config show` lists every key");
    }
    auto status = field->set(config, std::string_view(override_text).substr(eq + 1));
    if (!status) return Fail(status.error().WithContext("--set"));
  }
  const auto& env = sources.environment;
  std::string shared_password = EnvOr(env, "ROCKHOUND_MYSQL_PASSWORD");
  config.secrets.anthropic_api_key = EnvOr(env, "ANTHROPIC_API_KEY");
  config.secrets.anthropic_base_url = EnvOr(env, "ANTHROPIC_BASE_URL");
  config.secrets.openai_api_key = EnvOr(env, "OPENAI_API_KEY");
  config.secrets.bedrock_api_key = EnvOr(env, "AWS_BEARER_TOKEN_BEDROCK");
  config.secrets.vertex_access_token = EnvOr(env, "ROCKHOUND_VERTEX_ACCESS_TOKEN");
  config.secrets.fleet_db_password = EnvOr(env, "ROCKHOUND_FLEET_DB_PASSWORD", shared_password);
  config.secrets.memory_db_password = EnvOr(env, "ROCKHOUND_MEMORY_DB_PASSWORD", shared_password);
  config.secrets.server_token = EnvOr(env, "ROCKHOUND_SERVER_TOKEN");
  config.secrets.embedder_api_key = EnvOr(env, "ROCKHOUND_EMBEDDER_API_KEY");
  config.secrets.notify_webhook_url = EnvOr(env, "ROCKHOUND_NOTIFY_WEBHOOK_URL");
  config.secrets.lark_app_id = EnvOr(env, "ROCKHOUND_LARK_APP_ID");
  config.secrets.lark_app_secret = EnvOr(env, "ROCKHOUND_LARK_APP_SECRET");
  RH_RETURN_IF_ERROR(ValidateConfig(config));
  return config;
}

namespace {

// The volume, flapping, account_wide and re-investigation settings (finiteness is checked
// before, with every other number).
Status ValidateSentinelExtensions(const SentinelConfig& s) {
  auto bad = [](std::string key, std::string message) {
    return InvalidArgument(std::move(key), std::move(message));
  };
  if (s.volume_baseline_days < 1 || s.volume_baseline_days > 28) {
    return bad("sentinel.volume_baseline_days", "must be 1..28 (days of same-hour samples)");
  }
  if (s.volume_min_baseline_days < 1 || s.volume_min_baseline_days > s.volume_baseline_days) {
    return bad("sentinel.volume_min_baseline_days",
               "must be between 1 and sentinel.volume_baseline_days");
  }
  if (!(s.volume_drop_warning > 0 && s.volume_drop_warning < 1)) {
    return bad("sentinel.volume_drop_warning", "must be a share of the baseline, > 0 and < 1");
  }
  if (!(s.volume_drop_critical > 0 && s.volume_drop_critical < s.volume_drop_warning)) {
    return bad("sentinel.volume_drop_critical",
               "must be > 0 and below sentinel.volume_drop_warning");
  }
  for (const auto& [key, value] :
       {std::pair<const char*, double>{"sentinel.volume_min_qps", s.volume_min_qps},
        {"sentinel.volume_min_load_rows", s.volume_min_load_rows},
        {"sentinel.volume_min_failed_loads", s.volume_min_failed_loads},
        {"sentinel.flap_episode_points", s.flap_episode_points},
        {"sentinel.reinvestigate_worse_points", s.reinvestigate_worse_points}}) {
    if (value < 0) return bad(key, "must not be negative");
  }
  if (!(s.volume_failed_rise_warning > 1)) {
    return bad("sentinel.volume_failed_rise_warning", "must be > 1 (a multiple of the baseline)");
  }
  if (!(s.volume_failed_rise_critical > s.volume_failed_rise_warning)) {
    return bad("sentinel.volume_failed_rise_critical",
               "must be above sentinel.volume_failed_rise_warning");
  }
  if (s.flap_window <= Duration::zero()) return bad("sentinel.flap_window", "must be > 0");
  if (s.flap_min_episodes < 2) {
    return bad("sentinel.flap_min_episodes", "must be >= 2 (one episode is not flapping)");
  }
  if (s.flap_episode_points > 100) return bad("sentinel.flap_episode_points", "must be <= 100");
  if (s.account_wide_min_clusters < 2) {
    return bad("sentinel.account_wide_min_clusters",
               "must be >= 2 (one cluster is not an account)");
  }
  if (s.change_window <= Duration::zero()) return bad("sentinel.change_window", "must be > 0");
  if (!(s.change_rise_warning > 1)) {
    return bad("sentinel.change_rise_warning",
               "must be > 1 (a multiple of the pre-operation level)");
  }
  if (!(s.change_rise_critical > s.change_rise_warning)) {
    return bad("sentinel.change_rise_critical", "must be above sentinel.change_rise_warning");
  }
  if (!(s.change_min_rise_share >= 0 && s.change_min_rise_share <= 1)) {
    return bad("sentinel.change_min_rise_share",
               "must be a share of the warning threshold, 0 to 1");
  }
  if (s.unchanged_recheck <= Duration::zero()) {
    return bad("sentinel.unchanged_recheck", "must be > 0");
  }
  if (!(s.node_lost_alive_below > 0 && s.node_lost_alive_below <= 100)) {
    return bad("sentinel.node_lost_alive_below",
               "must be a percentage of BE/CN nodes alive, > 0 and <= 100");
  }
  // 50 and 80: the Critical and Healthy bounds of sentinel/health_formula.h (core cannot
  // include sentinel/).
  if (s.sustained_warning_below != 0 &&
      !(s.sustained_warning_below > 50 && s.sustained_warning_below <= 80)) {
    return bad("sentinel.sustained_warning_below",
               "must be 0 (off) or a health score above 50 (Critical) and at most 80 (Healthy)");
  }
  return {};
}

}  // namespace

Status ValidateConfig(const Config& c) {
  auto bad = [](std::string key, std::string message) {
    return InvalidArgument(std::move(key), std::move(message));
  };
  if (c.data_dir.empty()) return bad("data_dir", "must not be empty");
  // NaN passes every "< x" and "> x" check below, so finiteness comes first.
  for (const auto& [key, value] :
       {std::pair<const char*, double>{"knowledge.vector_weight", c.knowledge.vector_weight},
        {"sentinel.score_cliff_points", c.sentinel.score_cliff_points},
        {"sentinel.volume_drop_warning", c.sentinel.volume_drop_warning},
        {"sentinel.volume_drop_critical", c.sentinel.volume_drop_critical},
        {"sentinel.volume_min_qps", c.sentinel.volume_min_qps},
        {"sentinel.volume_min_load_rows", c.sentinel.volume_min_load_rows},
        {"sentinel.volume_failed_rise_warning", c.sentinel.volume_failed_rise_warning},
        {"sentinel.volume_failed_rise_critical", c.sentinel.volume_failed_rise_critical},
        {"sentinel.volume_min_failed_loads", c.sentinel.volume_min_failed_loads},
        {"sentinel.flap_episode_points", c.sentinel.flap_episode_points},
        {"sentinel.reinvestigate_worse_points", c.sentinel.reinvestigate_worse_points},
        {"sentinel.node_lost_alive_below", c.sentinel.node_lost_alive_below},
        {"sentinel.sustained_warning_below", c.sentinel.sustained_warning_below},
        {"sentinel.change_rise_warning", c.sentinel.change_rise_warning},
        {"sentinel.change_rise_critical", c.sentinel.change_rise_critical},
        {"sentinel.change_min_rise_share", c.sentinel.change_min_rise_share},
        {"agent.cost_budget_usd", c.agent.cost_budget_usd},
        {"agent.temperature", c.agent.temperature.value_or(0.0)},
        {"agent.input_price_per_mtok", c.agent.input_price_per_mtok},
        {"agent.output_price_per_mtok", c.agent.output_price_per_mtok},
        {"agent.daily_budget_usd", c.agent.daily_budget_usd}}) {
    if (!std::isfinite(value)) return bad(key, "must be a finite number");
  }
  if (c.log_level != "auto" && !ParseLogLevel(c.log_level)) {
    return bad("log_level", "must be trace, debug, info, warn, error or auto");
  }
  if (!ParseLogFormat(c.log_format)) return bad("log_format", "must be text or json");
  for (const auto& [key, url] : {std::pair<std::string, std::string>{"fleet.db", c.fleet.db},
                                 {"memory.db", c.memory.db}}) {
    if (url.starts_with("mysql://") && url.find('/', 8) == std::string::npos) {
      return bad(key, "a mysql:// URL needs a database: mysql://user@host:port/db");
    }
    if (url.find("://") != std::string::npos && !url.starts_with("mysql://")) {
      return bad(key, "must be a SQLite file path or a mysql://user@host:port/db URL");
    }
    if (url.starts_with("mysql://")) {
      std::string_view rest = std::string_view(url).substr(8);
      std::string_view authority = rest.substr(0, rest.find('/'));
      size_t at = authority.find('@');
      if (at != std::string_view::npos && authority.substr(0, at).find(':') != std::string_view::npos) {
        return bad(key, "put the password in ROCKHOUND_MYSQL_PASSWORD (or ROCKHOUND_" +
                            std::string(key == "fleet.db" ? "FLEET" : "MEMORY") +
                            "_DB_PASSWORD), not in the URL");
      }
    }
  }
  if (c.knowledge.embedder != "builtin" && c.knowledge.embedder != "http") {
    return bad("knowledge.embedder", "must be builtin or http");
  }
  if (c.knowledge.embedder == "http" && c.knowledge.embedder_url.empty()) {
    return bad("knowledge.embedder_url", "is required when knowledge.embedder = http");
  }
  if (c.knowledge.fusion != "auto" && c.knowledge.fusion != "weighted" &&
      c.knowledge.fusion != "rrf") {
    return bad("knowledge.fusion", "must be auto, weighted or rrf");
  }
  if (c.knowledge.embedder_batch < 1 || c.knowledge.embedder_batch > 2048) {
    return bad("knowledge.embedder_batch", "must be between 1 and 2048");
  }
  if (c.knowledge.vector_weight > 1.0) return bad("knowledge.vector_weight", "must be <= 1");
  if (c.sentinel.interval < std::chrono::minutes(1)) return bad("sentinel.interval", "must be at least 1m");
  if (c.sentinel.cooldown < Duration::zero()) return bad("sentinel.cooldown", "must not be negative");
  if (c.sentinel.score_cliff_points <= 0) return bad("sentinel.score_cliff_points", "must be > 0");
  if (c.sentinel.alert_storm_count < 1) return bad("sentinel.alert_storm_count", "must be >= 1");
  if (c.sentinel.alert_storm_window <= Duration::zero()) return bad("sentinel.alert_storm_window", "must be > 0");
  if (c.sentinel.alert_window <= Duration::zero()) return bad("sentinel.alert_window", "must be > 0");
  RH_RETURN_IF_ERROR(ValidateSentinelExtensions(c.sentinel));
  if (c.queue.lease < std::chrono::seconds(5)) return bad("queue.lease", "must be at least 5s");
  if (c.queue.heartbeat <= Duration::zero() || c.queue.heartbeat >= c.queue.lease) {
    return bad("queue.heartbeat", "must be > 0 and shorter than queue.lease");
  }
  if (c.queue.max_attempts < 1) return bad("queue.max_attempts", "must be >= 1");
  if (c.tools.output_budget_tokens < 100) return bad("tools.output_budget_tokens", "must be >= 100");
  if (c.tools.sql_max_rows < 1) return bad("tools.sql_max_rows", "must be >= 1");
  if (c.tools.sql_max_bytes < 1024) return bad("tools.sql_max_bytes", "must be >= 1024");
  if (c.tools.sql_timeout_seconds < 1) return bad("tools.sql_timeout_seconds", "must be >= 1");
  if (c.agent.engine == EngineKind::kClaude && c.agent.provider == LlmProvider::kAnthropic &&
      c.secrets.anthropic_api_key.empty()) {
    return bad("agent.engine", "is claude but ANTHROPIC_API_KEY is not set; export it or use "
                               "--set agent.engine=playbook");
  }
  if (c.agent.engine == EngineKind::kClaude && c.agent.provider == LlmProvider::kOpenAi &&
      !ModelApiReady(c)) {
    return bad("agent.engine", "is claude with agent.provider=openai and api.openai.com but "
                               "OPENAI_API_KEY is not set; export it or use "
                               "--set agent.engine=playbook");
  }
  if (c.agent.provider == LlmProvider::kBedrock || c.agent.provider == LlmProvider::kVertex) {
    const bool bedrock = c.agent.provider == LlmProvider::kBedrock;
    if (c.agent.engine == EngineKind::kClaude && !ModelApiReady(c)) {
      return bad("agent.engine",
                 std::string("is claude with agent.provider=") + (bedrock ? "bedrock" : "vertex") +
                     " but neither " +
                     (bedrock ? "AWS_BEARER_TOKEN_BEDROCK" : "ROCKHOUND_VERTEX_ACCESS_TOKEN") +
                     " nor agent.gateway_base_url (a signing proxy) is set; see docs/gateways.md");
    }
    if (!c.agent.gateway_base_url.empty() &&
        c.agent.gateway_base_url.rfind("http://", 0) != 0 &&
        c.agent.gateway_base_url.rfind("https://", 0) != 0) {
      return bad("agent.gateway_base_url", "must start with http:// or https://");
    }
    if (bedrock && c.agent.stream) {
      return bad("agent.stream", "is true, but Bedrock streams in AWS's binary event-stream "
                                 "format (invoke-with-response-stream), which Rockhound does not "
                                 "read; set agent.stream=false with agent.provider=bedrock");
    }
    if (bedrock && c.agent.gateway_base_url.empty() && c.agent.gateway_region.empty()) {
      return bad("agent.gateway_region", "must name the AWS region (e.g. us-east-1) with "
                                         "agent.provider=bedrock, or set agent.gateway_base_url");
    }
    if (bedrock && c.agent.model.find("anthropic.") == std::string::npos &&
        c.agent.model.rfind("arn:", 0) != 0) {
      return bad("agent.model", "must be a Bedrock model id with agent.provider=bedrock (e.g. "
                                "anthropic.claude-sonnet-4-5-20250929-v1:0 or an inference "
                                "profile such as us.anthropic.claude-sonnet-4-5-20250929-v1:0); "
                                "got '" + c.agent.model + "'");
    }
    if (!bedrock && (c.agent.vertex_project.empty() || c.agent.gateway_region.empty())) {
      return bad(c.agent.vertex_project.empty() ? "agent.vertex_project" : "agent.gateway_region",
                 "must be set with agent.provider=vertex (the Google Cloud project id and the "
                 "location, e.g. us-east5 or global)");
    }
  }
  if (c.agent.provider == LlmProvider::kOpenAi) {
    if (c.agent.openai_model.empty()) {
      return bad("agent.openai_model", "must be set with agent.provider=openai (the model id "
                                       "the server serves, e.g. gpt-4.1 or qwen2.5:14b)");
    }
    if (c.agent.openai_base_url.rfind("http://", 0) != 0 &&
        c.agent.openai_base_url.rfind("https://", 0) != 0) {
      return bad("agent.openai_base_url", "must start with http:// or https:// (e.g. "
                                          "http://localhost:11434/v1)");
    }
  }
  if (c.agent.max_tokens < 256) return bad("agent.max_tokens", "must be >= 256");
  if (c.agent.max_steps < 2) return bad("agent.max_steps", "must be >= 2");
  if (c.agent.max_retries < 0 || c.agent.max_retries > 10) return bad("agent.max_retries", "must be 0..10");
  if (c.agent.workers < 1 || c.agent.workers > 64) return bad("agent.workers", "must be 1..64");
  if (c.fleet.pool_size < 1 || c.fleet.pool_size > 256) {
    return bad("fleet.pool_size", "must be 1..256");
  }
  if (c.memory.pool_size < 1 || c.memory.pool_size > 256) {
    return bad("memory.pool_size", "must be 1..256");
  }
  if (c.agent.tool_concurrency < 1 || c.agent.tool_concurrency > 64) {
    return bad("agent.tool_concurrency", "must be 1..64");
  }
  if (c.agent.investigation_timeout <= Duration::zero()) {
    return bad("agent.investigation_timeout", "must be > 0");
  }
  if (c.agent.temperature && (*c.agent.temperature < 0 || *c.agent.temperature > 1)) {
    return bad("agent.temperature", "must be between 0 and 1");
  }
  if (c.agent.token_budget <= 0) return bad("agent.token_budget", "must be > 0");
  if (c.agent.cost_budget_usd <= 0) return bad("agent.cost_budget_usd", "must be > 0");
  if (c.agent.input_price_per_mtok < 0) return bad("agent.input_price_per_mtok", "must be >= 0");
  if (c.agent.output_price_per_mtok < 0) return bad("agent.output_price_per_mtok", "must be >= 0");
  if (auto prices = ParsePriceTable(c.agent.prices); !prices) return Fail(prices.error());
  if (auto tiers = ParseTierShares(c.agent.daily_budget_tiers); !tiers) return Fail(tiers.error());
  if (c.agent.daily_budget_usd < 0) return bad("agent.daily_budget_usd", "must be >= 0 (0 = none)");
  if (c.agent.thinking_budget != 0 && c.agent.thinking_budget < 1024) {
    return bad("agent.thinking_budget", "must be 0 (off) or >= 1024 (the API's minimum)");
  }
  if (c.agent.thinking_budget > 0 && c.agent.temperature && *c.agent.temperature != 1.0) {
    return bad("agent.temperature", "must be unset (or 1.0) with agent.thinking_budget: the API "
                                    "refuses other temperatures with extended thinking");
  }
  if (c.agent.max_retry_wait <= Duration::zero()) return bad("agent.max_retry_wait", "must be > 0");
  if (c.agent.connect_timeout <= Duration::zero()) {
    return bad("agent.connect_timeout", "must be > 0");
  }
  if (c.agent.request_timeout <= Duration::zero()) {
    return bad("agent.request_timeout", "must be > 0");
  }
  if (c.tools.default_window <= Duration::zero()) return bad("tools.default_window", "must be > 0");
  if (c.sentinel.baseline_offset <= Duration::zero()) {
    return bad("sentinel.baseline_offset", "must be > 0");
  }
  if (c.queue.retry_backoff < Duration::zero()) return bad("queue.retry_backoff", "must be >= 0");
  if (c.knowledge.approximate_above < 0) return bad("knowledge.approximate_above", "must be >= 0");
  if (c.server.port < 0 || c.server.port > 65535) return bad("server.port", "must be 0..65535");
  if (c.server.max_body_bytes < 1024) return bad("server.max_body_bytes", "must be >= 1024");
  if (c.server.rate_limit_per_minute < 0) {
    return bad("server.rate_limit_per_minute", "must be >= 0 (0 turns the limit off)");
  }
  if (c.server.threads < 2 || c.server.threads > 256) return bad("server.threads", "must be 2..256");
  if (c.server.metrics_max_clusters < 0 || c.server.metrics_max_clusters > 1000000) {
    return bad("server.metrics_max_clusters", "must be 0..1000000");
  }
  if (c.server.cluster_label.empty()) return bad("server.cluster_label", "must not be empty");
  if (c.issues.time_window <= Duration::zero()) return bad("issues.time_window", "must be > 0");
  if (c.issues.correlation_window < c.issues.time_window) {
    return bad("issues.correlation_window", "must be at least issues.time_window");
  }
  {
    std::set<std::string> anomaly;
    for (const std::string& name : SplitAlertNames(c.issues.anomaly_alerts)) anomaly.insert(name);
    for (const std::string& name : SplitAlertNames(c.issues.failure_alerts)) {
      if (anomaly.contains(name)) {
        return bad("issues.failure_alerts", "'" + name +
                                                "' is also in issues.anomaly_alerts; an alert "
                                                "name has one kind");
      }
    }
    std::string tiers = c.issues.investigate_tiers;
    for (char ch : tiers) {
      if (ch != ',' && ch != ' ' && ch != 'S' && ch != 'A' && ch != 'B' && ch != 'C') {
        return bad("issues.investigate_tiers", "must list tiers S, A, B, C separated by commas");
      }
    }
  }
  if (c.server.header_timeout < std::chrono::seconds(1) ||
      c.server.header_timeout > std::chrono::minutes(10)) {
    return bad("server.header_timeout", "must be between 1s and 10m");
  }
  if (c.server.body_timeout < std::chrono::seconds(1) ||
      c.server.body_timeout > std::chrono::hours(1)) {
    return bad("server.body_timeout", "must be between 1s and 1h");
  }
  if (c.server.max_connections < 1 || c.server.max_connections > 1000000) {
    return bad("server.max_connections", "must be 1..1000000");
  }
  if (c.server.max_connections_per_client < 1 ||
      c.server.max_connections_per_client > c.server.max_connections) {
    return bad("server.max_connections_per_client",
               "must be at least 1 and at most server.max_connections (" +
                   std::to_string(c.server.max_connections) + ")");
  }
  if (!c.server.allowed_hosts.empty()) {
    const std::string bad_host = BadAllowedHost(c.server.allowed_hosts);
    if (!bad_host.empty()) {
      return bad("server.allowed_hosts",
                 "'" + bad_host + "' is not a host name with an optional port; list names such "
                 "as rockhound.example.com or 10.0.0.5:8080, separated by commas, without "
                 "http:// or a path");
    }
  }
  if (!c.server.public_url.empty() && !c.server.public_url.starts_with("http://") &&
      !c.server.public_url.starts_with("https://")) {
    return bad("server.public_url", "must start with http:// or https://");
  }
  if (c.notify.max_retries < 0 || c.notify.max_retries > 10) {
    return bad("notify.max_retries", "must be 0..10");
  }
  if (!IsLoopback(c.server.bind) && c.secrets.server_token.empty()) {
    return bad("server.bind", "is not a loopback address, so ROCKHOUND_SERVER_TOKEN must be set "
                              "(bearer-token auth is required off loopback)");
  }
  if (c.notify.format != "slack" && c.notify.format != "lark") {
    return bad("notify.format", "must be slack or lark");
  }
  if (!c.lark.base_url.starts_with("http://") && !c.lark.base_url.starts_with("https://")) {
    return bad("lark.base_url", "must start with https:// (or http://)");
  }
  if (!c.lark.chat_id.empty() && !c.lark.chat_id.starts_with("oc_")) {
    return bad("lark.chat_id", "must be a chat id (oc_...); find it in the chat's settings");
  }
  if (c.lark.page_size < 1 || c.lark.page_size > 50) return bad("lark.page_size", "must be 1..50");
  if (c.lark.max_retries < 0 || c.lark.max_retries > 10) return bad("lark.max_retries", "must be 0..10");
  if (c.lark.request_timeout <= Duration::zero()) return bad("lark.request_timeout", "must be > 0");
  if (c.lark.first_catch_up <= Duration::zero()) return bad("lark.first_catch_up", "must be > 0");
  if (c.lark.catch_up_every_cycle && c.lark.chat_id.empty()) {
    return bad("lark.catch_up_every_cycle", "is on but lark.chat_id is not set");
  }
  return {};
}

bool ModelApiReady(const Config& config) {
  const AgentConfig& agent = config.agent;
  switch (agent.provider) {
    case LlmProvider::kAnthropic:
      return !config.secrets.anthropic_api_key.empty();
    case LlmProvider::kOpenAi:
      return !config.secrets.openai_api_key.empty() ||
             agent.openai_base_url.rfind("https://api.openai.com", 0) != 0;
    case LlmProvider::kBedrock:
      return !config.secrets.bedrock_api_key.empty() || !agent.gateway_base_url.empty();
    case LlmProvider::kVertex:
      return !config.secrets.vertex_access_token.empty() || !agent.gateway_base_url.empty();
  }
  return false;
}

void RegisterConfiguredSecrets(const Config& config) {
  const Secrets& secrets = config.secrets;
  for (const std::string* value : {&secrets.anthropic_api_key, &secrets.openai_api_key,
                                   &secrets.bedrock_api_key, &secrets.vertex_access_token,
                                   &secrets.fleet_db_password,
                                   &secrets.memory_db_password, &secrets.server_token,
                                   &secrets.embedder_api_key, &secrets.lark_app_id,
                                   &secrets.lark_app_secret}) {
    RegisterSecretValue(*value);
  }
  if (!secrets.notify_webhook_url.empty()) RegisterSecretUrl(secrets.notify_webhook_url);
  // URLs that may carry user:password@ (accepted from the environment and flags only).
  for (const std::string* url : {&secrets.anthropic_base_url, &config.knowledge.embedder_url,
                                 &config.server.public_url, &config.agent.openai_base_url,
                                 &config.agent.gateway_base_url}) {
    if (!UrlHasUserinfo(*url)) continue;
    std::string_view rest = std::string_view(*url).substr(url->find("://") + 3);
    std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    std::string_view userinfo = authority.substr(0, authority.rfind('@'));
    size_t colon = userinfo.find(':');
    if (colon != std::string_view::npos) RegisterSecretValue(userinfo.substr(colon + 1));
  }
}

std::vector<ConfigEntry> DescribeConfig(const Config& config) {
  std::vector<ConfigEntry> entries;
  for (const Field& field : Fields()) {
    entries.push_back({field.key, EnvName(field.key), ShownValue(field.get(config)), field.doc});
  }
  auto secret = [&](std::string key, std::string env, const std::string& value, std::string doc) {
    entries.push_back({std::move(key), std::move(env),
                       value.empty() ? "(unset)" : MaskSecret(value), std::move(doc)});
  };
  secret("secrets.anthropic_api_key", "ANTHROPIC_API_KEY", config.secrets.anthropic_api_key,
         "Anthropic API key (env only)");
  entries.push_back({"secrets.anthropic_base_url", "ANTHROPIC_BASE_URL",
                     config.secrets.anthropic_base_url.empty()
                         ? "https://api.anthropic.com"
                         : ShownValue(config.secrets.anthropic_base_url),
                     "Anthropic API base URL (env only)"});
  secret("secrets.openai_api_key", "OPENAI_API_KEY", config.secrets.openai_api_key,
         "OpenAI-compatible API key, agent.provider = openai (env only)");
  secret("secrets.bedrock_api_key", "AWS_BEARER_TOKEN_BEDROCK", config.secrets.bedrock_api_key,
         "Amazon Bedrock API key, agent.provider = bedrock (env only)");
  secret("secrets.vertex_access_token", "ROCKHOUND_VERTEX_ACCESS_TOKEN",
         config.secrets.vertex_access_token,
         "Google OAuth access token, agent.provider = vertex (env only)");
  secret("secrets.fleet_db_password", "ROCKHOUND_FLEET_DB_PASSWORD", config.secrets.fleet_db_password,
         "fleet MySQL password (env only; falls back to ROCKHOUND_MYSQL_PASSWORD)");
  secret("secrets.memory_db_password", "ROCKHOUND_MEMORY_DB_PASSWORD",
         config.secrets.memory_db_password,
         "memory MySQL password (env only; falls back to ROCKHOUND_MYSQL_PASSWORD)");
  secret("secrets.server_token", "ROCKHOUND_SERVER_TOKEN", config.secrets.server_token,
         "HTTP API bearer token (env only)");
  secret("secrets.embedder_api_key", "ROCKHOUND_EMBEDDER_API_KEY", config.secrets.embedder_api_key,
         "HTTP embedder API key (env only)");
  secret("secrets.notify_webhook_url", "ROCKHOUND_NOTIFY_WEBHOOK_URL",
         config.secrets.notify_webhook_url, "Slack/Lark incoming webhook URL (env only)");
  secret("secrets.lark_app_id", "ROCKHOUND_LARK_APP_ID", config.secrets.lark_app_id,
         "Lark custom app id for `alerts lark` (env only)");
  secret("secrets.lark_app_secret", "ROCKHOUND_LARK_APP_SECRET", config.secrets.lark_app_secret,
         "Lark custom app secret for `alerts lark` (env only)");
  return entries;
}

}  // namespace rh
