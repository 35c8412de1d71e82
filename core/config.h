// Config: the one struct tree of every setting, with its default and meaning beside it.
//
// Loaded once at start-up, in this order (later wins):
//   1. defaults (below);
//   2. a TOML file (--config PATH or $ROCKHOUND_CONFIG), sections as in the struct tree:
//        data_dir = "/var/lib/rockhound"
//        [sentinel]
//        cooldown = "4h"
//   3. environment variables ROCKHOUND_<SECTION>_<KEY>, e.g. ROCKHOUND_FLEET_DB,
//      ROCKHOUND_SENTINEL_COOLDOWN; top-level keys have no section (ROCKHOUND_DATA_DIR);
//   4. flags (--set section.key=value, and the CLI's own shortcuts such as --data-dir).
// Then Validate() checks every value and names the first bad one with what to do.
// Secrets (API keys, passwords, tokens, webhook URLs) come only from the environment; a TOML key
// named like one (ending in _key, _token, _secret or password, or a *_url with user:password@)
// is refused. Numbers must be finite, durations at most 36500d, and --config must name a file.
// `rockhound config show` prints the result with secrets masked and URLs without userinfo.
// Thread-safety: a loaded Config is an immutable value; share it by const reference.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/engine_kind.h"
#include "core/error.h"
#include "core/issue_status.h"
#include "core/model_prices.h"
#include "core/severity.h"

namespace rh {

struct FleetConfig {
  // Fleet telemetry: a SQLite path or mysql://user@host:port/db (StarRocks or MySQL).
  // Empty means <data_dir>/fleet.db.
  std::string db;
  // Connections for concurrent calls: SQLite readers beside the one writer; MySQL connections.
  int pool_size = 8;
};

struct MemoryConfig {
  // Agent memory (task queue, reports): a SQLite path or mysql:// URL. Empty means
  // <data_dir>/memory.db. Use MySQL/MariaDB when workers on several machines share a queue.
  std::string db;
  int pool_size = 8;  // as fleet.pool_size
};

struct KnowledgeConfig {
  std::string db;          // SQLite file of the lake; empty means <data_dir>/knowledge.db
  std::string index_path;  // FAISS index file; empty means <data_dir>/knowledge.faiss
  std::string embedder = "builtin";  // "builtin" (no weights, no network) or "http"
  std::string embedder_url;          // OpenAI-compatible base URL, e.g. http://127.0.0.1:11434
  std::string embedder_model;        // model name sent to the HTTP embedder
  int embedder_batch = 64;           // texts per HTTP embeddings request
  int approximate_above = 50000;     // vectors above which an IVF index replaces exact search
  double vector_weight = -1.0;       // hybrid blend weight of the vector side; <0 = embedder default
  std::string fusion = "auto";  // "auto" (the embedder's default), "weighted" or "rrf" (k = 60)
  std::string starter_dir;           // extra starter knowledge to ingest in `demo`; empty = built-in
};

struct SentinelConfig {
  Duration interval = std::chrono::minutes(15);  // cycle period, aligned to the wall clock
  Duration cooldown = std::chrono::hours(4);     // at most one sentinel task per cluster per window
  double score_cliff_points = 15.0;              // score drop vs previous snapshot that triggers
  int alert_storm_count = 5;                     // more than this many firing alerts ...
  Duration alert_storm_window = std::chrono::hours(1);  // ... within this window
  Duration alert_window = std::chrono::hours(24 * 7);   // firing alerts counted by the scorer
  Duration baseline_offset = std::chrono::hours(24 * 7);  // trend baseline: this long ago
  bool tier_warning = true;                      // tier A/S warning rule on/off

  // Volume dimension (sentinel/README.md "Volume"): QPS, load rows/s and failed loads/h against
  // the median of the same hour of day over the last volume_baseline_days days.
  int volume_baseline_days = 7;       // same-hour samples the baseline median is taken over
  int volume_min_baseline_days = 3;   // fewer samples than this: the dimension is not judged
  double volume_drop_warning = 0.5;   // QPS or load below this share of its baseline: Warning
  double volume_drop_critical = 0.2;  // ... below this share: Critical (sub-score 0 at a stop)
  double volume_min_qps = 1.0;        // a QPS baseline below this is too small to judge
  double volume_min_load_rows = 100.0;  // a load rows/s baseline below this: not judged
  double volume_failed_rise_warning = 5.0;    // failed loads/h at this multiple of baseline
  double volume_failed_rise_critical = 20.0;  // ... and at this multiple: Critical
  double volume_min_failed_loads = 5.0;  // failed loads/h below this never count (baseline floor 1)
  // Flapping: fire/resolve episodes of critical alerts in the alert sub-score.
  Duration flap_window = std::chrono::hours(24);  // episodes counted in this window
  int flap_min_episodes = 3;          // this many episodes of one critical alert is flapping
  double flap_episode_points = 5.0;   // alert sub-score points per episode of a flapping alert
  // account_wide rule: clusters of one account at Warning or worse sharing an alert or symptom.
  int account_wide_min_clusters = 2;
  // node_lost rule (any tier): a BE/CN share alive below this percentage, or a firing alert
  // whose name contains one of node_lost_alerts (comma-separated, any case; teams rename the
  // StarRocks rules, "[P1] starrocks_fe_node_down"; "" leaves only the metric).
  double node_lost_alive_below = 99.9;
  std::string node_lost_alerts =
      "BeAliveAbnormal, FeAliveAbnormal, Service Suspension, node_down, node down, "
      "node offline, 节点宕机, 节点离线, 存活异常";
  // sustained_warning rule (any tier): health below this at the scored snapshot and at the one
  // before it (H - 1h); kCriticalBelow (50) < value <= kHealthyAtLeast (80). 0 turns it off.
  double sustained_warning_below = 70.0;
  // Change dimension and operation_regression rule (sentinel/README.md "Change"): after an
  // operation of one of change_operations (comma-separated, any case) started in the last
  // change_window, CPU, heaps, BE memory and latency p99 against the median of the same hour on
  // earlier days before it (volume_baseline_days, at least volume_min_baseline_days samples).
  Duration change_window = std::chrono::hours(24);
  std::string change_operations = "SCALE, UPDATE, UPGRADE";
  double change_rise_warning = 1.5;   // value at this multiple of its pre-operation level: Warning
  double change_rise_critical = 3.0;  // ... at this multiple: Critical (sub-score 0 at 6x)
  double change_min_rise_share = 0.2;  // ... and a rise of at least this share of its warning
  // A persistent Critical cluster is re-investigated only when it changed since its last report:
  double reinvestigate_worse_points = 5.0;  // health fell by at least this much, or
  // (a new alert firing, or a new operation), or its last report is older than this.
  Duration unchanged_recheck = std::chrono::hours(24);
};

struct QueueConfig {
  Duration lease = std::chrono::minutes(5);      // a claim expires unless heartbeated
  Duration heartbeat = std::chrono::seconds(60);  // how often a worker extends its lease
  int max_attempts = 3;                          // tries before a task is marked failed
  Duration retry_backoff = std::chrono::minutes(1);  // first retry delay, doubled each attempt
};

struct ToolsConfig {
  int output_budget_tokens = 8000;  // hard cap per tool result (about 4 characters a token)
  int sql_max_rows = 200;           // run_sql row cap
  int sql_max_bytes = 64 * 1024;    // run_sql result byte cap
  int sql_timeout_seconds = 10;     // run_sql statement time cap
  Duration default_window = std::chrono::hours(24);  // default look-back of alerts/metrics/ops
};

struct AgentConfig {
  EngineKind engine = EngineKind::kAuto;  // auto (claude when a key is set) | claude | playbook
  std::string model = "claude-sonnet-4-5-20250929";  // a pinned snapshot, not an alias
  int max_tokens = 4096;                  // per model turn (a turn cut off retries once at 2x)
  int max_steps = 20;                     // model turns; turn max_steps is forced to report
  long long token_budget = 400000;        // input (+cache) + output tokens per investigation
  double cost_budget_usd = 2.0;           // per investigation
  int max_retries = 2;                    // HTTP retries, as the official SDKs
  Duration connect_timeout = std::chrono::seconds(10);
  Duration request_timeout = std::chrono::seconds(300);
  std::optional<double> temperature;      // left out of requests unless set
  int workers = 2;                        // investigation worker threads per process
  int tool_concurrency = 4;               // tool calls running at once, all investigations
  Duration investigation_timeout = std::chrono::minutes(10);  // one run, then a timed-out report
  std::string prompts_dir;                // override the embedded prompts/ files
  double input_price_per_mtok = 3.0;      // USD per million input tokens (cost accounting)
  double output_price_per_mtok = 15.0;    // USD per million output tokens
  // Per model id: "model=input/output/cache_write/cache_read, ..." USD per million tokens
  // (core/model_prices.h); the two prices above are for models this table does not name.
  std::string prices = std::string(DefaultPriceTableText());
  double daily_budget_usd = 25.0;         // Claude spend per UTC day, all investigations; 0 = none
  // The share of agent.daily_budget_usd each customer tier may use: "S=1,A=1,B=0.75,C=0.5" lets
  // B and C clusters fall back to the playbook first. A tier not listed uses 1.
  std::string daily_budget_tiers = "S=1,A=1,B=0.75,C=0.5";
  int thinking_budget = 0;                // extended (interleaved) thinking tokens; 0 = off
  Duration max_retry_wait = std::chrono::minutes(5);  // longest retry-after honoured
  bool strict_report = true;              // submit_report as a strict tool (Claude 4.5 models)
  // Stream the model's answers (Server-Sent Events, `"stream": true`): the text reaches the
  // live progress (`investigate --verbose`, GET .../events) as it is written. Off: one JSON body.
  bool stream = false;
  // The model API of the claude engine (docs/openai-compatible.md). With openai the loop speaks
  // Chat Completions to openai_base_url as openai_model, with the key from OPENAI_API_KEY.
  LlmProvider provider = LlmProvider::kAnthropic;
  std::string openai_base_url = "https://api.openai.com/v1";  // up to /v1, no /chat/completions
  std::string openai_model;               // required with provider openai, e.g. gpt-4.1
  // OPENAI_API_KEY is required only for https://api.openai.com; another server (vLLM, Ollama,
  // llama.cpp) may run without one, and then no Authorization header is sent.
  // Structured outputs for the report (OpenAI, vLLM, llama.cpp): submit_report goes as a strict
  // function, and the turn that forces the report asks for it as response_format json_schema;
  // a server that answers 400 naming response_format gets the plain forced tool call from then
  // on. The report is validated locally either way.
  bool openai_strict_schema = false;
  // Claude through a cloud gateway (provider bedrock or vertex, docs/gateways.md); agent.model
  // is then the gateway's model id (anthropic.claude-sonnet-4-5-20250929-v1:0 on Bedrock,
  // claude-sonnet-4-5@20250929 on Vertex). Authentication: AWS_BEARER_TOKEN_BEDROCK (a Bedrock
  // API key) or ROCKHOUND_VERTEX_ACCESS_TOKEN (gcloud auth print-access-token) as a bearer
  // token, or gateway_base_url naming a proxy that signs requests itself (SigV4 and Google
  // OAuth need a cloud SDK, which Rockhound does not link).
  std::string gateway_base_url;  // "" = the cloud's endpoint for gateway_region; or a proxy
  std::string gateway_region;    // AWS region (us-east-1) or Vertex location (us-east5, global)
  std::string vertex_project;    // Google Cloud project id (provider vertex)
};

struct ServerConfig {
  std::string bind = "127.0.0.1";         // a non-loopback bind requires ROCKHOUND_SERVER_TOKEN
  int port = 8080;
  long long max_body_bytes = 1 << 20;
  int rate_limit_per_minute = 1200;       // per client address; 0 turns the limit off
  std::string cluster_label = "cluster_id";  // Alertmanager label naming the cluster
  std::string public_url;                 // used in notification links; empty = http://bind:port
  int threads = 16;                       // HTTP handler threads (complete requests only)
  // Per-cluster gauges on /metrics (health score, risk level): at most this many clusters, the
  // worst first; 0 exports none.
  int metrics_max_clusters = 10000;
  bool investigate_critical_alerts = true;  // a new firing critical webhook alert queues a task
  Duration header_timeout = std::chrono::seconds(10);  // whole request head, from its first byte
  // The whole request body, from the end of the head; also the time a client has to take a
  // response.
  Duration body_timeout = std::chrono::seconds(30);
  int max_connections = 1024;             // open connections in total; more are answered 503
  int max_connections_per_client = 256;   // open connections from one client address
  // Extra names the server answers to (Host check, DNS-rebinding defence), comma-separated,
  // each with or without a port: "rockhound.example.com,10.0.0.5:8080". The bind address (and
  // localhost, 127.0.0.1, [::1] on loopback) need not be listed.
  std::string allowed_hosts;
};

// The issue tracker (issues/README.md). The rule table classifies each alert name: ANOMALY (an
// ongoing condition) or FAILURE (a discrete event); names are compared case-insensitively, a
// name in neither list is `default_kind`. The defaults cover the StarRocks alert rules of the
// official documentation and the platform's own alert names.
inline constexpr const char* kDefaultAnomalyAlerts =
    "OperationDurationGT, HeapUsageTooHigh, BE CPU Alert, Memory Alert, Disk Load Alert, "
    "Root Path Capacity Alert, Data Disk Capacity Alert, FE Metadata Disk Capacity Alert, "
    "High Compaction Pressure Alert, Exceeding Version Count Alert, CheckPoint Failure Alert, "
    "Excessive FE Thread Count Alert, High FE JVM Usage Alert, "
    "Routine Load Consumption Delay Alert, "
    "Loading Transaction Limit Alert for a Single Database, Query Latency Alert, "
    "Query Overload Alert, User Connection Limit Exceeded Alert";
inline constexpr const char* kDefaultFailureAlerts =
    "OperationAbnormal, BeAliveAbnormal, FeAliveAbnormal, FE Service Suspension, "
    "BE Service Suspension, Cumulative Compaction Failure Alert, Loading Failure Alert, "
    "Query Failure Alert, Schema Change Exception Alert, "
    "Materialized View Refresh Exception Alert";

// A comma-separated list of alert names, trimmed and lower-cased (the rule table's key form).
std::vector<std::string> SplitAlertNames(std::string_view list);

struct IssuesConfig {
  std::string anomaly_alerts = kDefaultAnomalyAlerts;  // comma-separated alert names
  std::string failure_alerts = kDefaultFailureAlerts;  // comma-separated alert names
  IssueKind default_kind = IssueKind::kFailure;        // a name in neither list
  // FAILURE alerts of a cluster within this time of an issue's latest alert join it.
  Duration time_window = std::chrono::minutes(30);
  // A FAILURE joins an issue holding the same alert name within this time of its latest alert,
  // and escalates an ANOMALY issue of its cluster open (or resolved) within this time.
  Duration correlation_window = std::chrono::hours(4);
  // A new or escalated issue on a cluster of these tiers queues an investigation (respecting
  // sentinel.cooldown); empty: never.
  std::string investigate_tiers = "S,A";
};

struct NotifyConfig {
  Severity min_severity = Severity::kHigh;  // critical | high | medium | low | info
  std::string format = "slack";           // slack | lark
  int max_retries = 3;
};

// Lark ingestion (`rockhound alerts lark`, alerts/lark_ingest.h, docs/lark.md). The app's
// credentials are secrets: ROCKHOUND_LARK_APP_ID / ROCKHOUND_LARK_APP_SECRET.
struct LarkConfig {
  std::string base_url = "https://open.feishu.cn";  // https://open.larksuite.com for Lark
  std::string chat_id;                 // the alert chat (oc_...); required to ingest
  int page_size = 50;                  // messages per page, 1..50
  int max_retries = 5;                 // per API call (429 / 5xx / network)
  Duration request_timeout = std::chrono::seconds(30);
  Duration first_catch_up = std::chrono::hours(24);  // catch-up window when nothing is stored
  bool catch_up_every_cycle = false;   // `cycle`/`run`: catch up the chat before scoring
};

// Only ever from the environment (names in brackets).
struct Secrets {
  std::string anthropic_api_key;   // [ANTHROPIC_API_KEY]
  std::string anthropic_base_url;  // [ANTHROPIC_BASE_URL] not secret, but env-only like the SDKs
  std::string openai_api_key;      // [OPENAI_API_KEY] agent.provider = openai
  std::string bedrock_api_key;     // [AWS_BEARER_TOKEN_BEDROCK] agent.provider = bedrock
  std::string vertex_access_token;  // [ROCKHOUND_VERTEX_ACCESS_TOKEN] agent.provider = vertex
  std::string fleet_db_password;   // [ROCKHOUND_FLEET_DB_PASSWORD], else ROCKHOUND_MYSQL_PASSWORD
  std::string memory_db_password;  // [ROCKHOUND_MEMORY_DB_PASSWORD], else ROCKHOUND_MYSQL_PASSWORD
  std::string server_token;        // [ROCKHOUND_SERVER_TOKEN] bearer token for the HTTP API
  std::string embedder_api_key;    // [ROCKHOUND_EMBEDDER_API_KEY]
  std::string notify_webhook_url;  // [ROCKHOUND_NOTIFY_WEBHOOK_URL] Slack/Lark incoming webhook
  std::string lark_app_id;         // [ROCKHOUND_LARK_APP_ID] Lark custom app (cli_...)
  std::string lark_app_secret;     // [ROCKHOUND_LARK_APP_SECRET]
};

struct Config {
  std::string data_dir = ".rockhound";  // where embedded databases, index and logs live
  // trace | debug | info | warn | error | auto. auto: daemons (run, serve, mcp) log info, the
  // other commands only warnings and errors (info with -v).
  std::string log_level = "auto";
  std::string log_format = "text";      // text | json

  FleetConfig fleet;
  MemoryConfig memory;
  KnowledgeConfig knowledge;
  SentinelConfig sentinel;
  QueueConfig queue;
  ToolsConfig tools;
  AgentConfig agent;
  ServerConfig server;
  IssuesConfig issues;
  NotifyConfig notify;
  LarkConfig lark;
  Secrets secrets;

  // Resolved database locations (the configured value, or the default under data_dir).
  std::string FleetDb() const;
  std::string MemoryDb() const;
  std::string KnowledgeDb() const;
  std::string KnowledgeIndexPath() const;
};

struct ConfigSources {
  std::string toml_path;                            // empty: no file
  std::map<std::string, std::string> environment;   // usually CurrentEnvironment()
  std::vector<std::string> overrides;               // "section.key=value", applied last
};

// The process environment as a map (only ROCKHOUND_* and ANTHROPIC_* variables).
std::map<std::string, std::string> CurrentEnvironment();

// Loads and validates. Errors are invalid_argument naming the file/variable/flag and the key.
Result<Config> LoadConfig(const ConfigSources& sources);
Status ValidateConfig(const Config& config);

// Whether agent.provider has what it needs to call a model (the `auto` engine then picks
// claude): anthropic an ANTHROPIC_API_KEY; openai an OPENAI_API_KEY, unless the base URL is
// another server than https://api.openai.com (keyless local servers); bedrock and vertex their
// bearer token (AWS_BEARER_TOKEN_BEDROCK, ROCKHOUND_VERTEX_ACCESS_TOKEN) or a gateway_base_url
// (a proxy that authenticates the requests itself).
bool ModelApiReady(const Config& config);

// Registers every configured secret value with the redaction registry (core/redact.h), so each is
// masked wherever it appears: the API key, both database passwords, the server token, the
// embedder key, the notify webhook URL with its path and token segment, the Lark app id and
// secret, and the password of any
// configured URL with user:password@. Values under 8 characters are not registered (see
// kMinRegisteredSecretChars). Called once, right after LoadConfig (app/main.cc).
void RegisterConfiguredSecrets(const Config& config);

// Every settable key with its current value (secrets masked, URLs without their userinfo) and
// its documentation line, for `rockhound config show`.
struct ConfigEntry {
  std::string key;        // "sentinel.cooldown"
  std::string env;        // "ROCKHOUND_SENTINEL_COOLDOWN"
  std::string value;
  std::string doc;
};
std::vector<ConfigEntry> DescribeConfig(const Config& config);

}  // namespace rh
