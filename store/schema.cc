#include "store/schema.h"

#include "core/time_format.h"

namespace rh::store {
namespace {

// ---- fleet telemetry, version 1 ----------------------------------------------------------

constexpr const char* kFleetV1Sqlite = R"SQL(
CREATE TABLE IF NOT EXISTS dim_customer_profile (
  account_id     TEXT PRIMARY KEY,
  account_name   TEXT NOT NULL,
  customer_tier  TEXT NOT NULL,            -- S | A | B | C
  owner          TEXT,
  industry       TEXT,
  created_at     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cluster_info (
  cluster_id     TEXT PRIMARY KEY,
  cluster_name   TEXT NOT NULL,
  account_id     TEXT NOT NULL,
  region         TEXT NOT NULL,
  version        TEXT NOT NULL,            -- StarRocks version, e.g. 3.3.4
  run_mode       TEXT NOT NULL,            -- shared_nothing (FE+BE) | shared_data (FE+CN)
  package_type   TEXT NOT NULL,            -- official | trial
  status         TEXT NOT NULL,            -- running | stopped | upgrading | scaling
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_cluster_info_account ON cluster_info(account_id);
CREATE TABLE IF NOT EXISTS cluster_node_groups (
  cluster_id     TEXT NOT NULL,
  node_type      TEXT NOT NULL,            -- FE | BE | CN
  node_count     INTEGER NOT NULL,
  cu             INTEGER NOT NULL,         -- compute units per node
  spec_type      TEXT NOT NULL,            -- standard | ramEnhanced | networkEnhanced | localSSD | bigData
  disk_size_gb   INTEGER NOT NULL,         -- data disk per node
  essd_level     TEXT,                     -- PL0 | PL1 | PL2 | PL3
  PRIMARY KEY (cluster_id, node_type)
);
CREATE TABLE IF NOT EXISTS amv_hourly_snapshots_v1 (
  cluster_id     TEXT NOT NULL,
  snapshot_hour  TEXT NOT NULL,            -- start of the hour, UTC
  metric_name    TEXT NOT NULL,            -- see store/metric_catalog.h
  avg_value      REAL,
  max_value      REAL,
  p99_value      REAL,
  PRIMARY KEY (cluster_id, snapshot_hour, metric_name)
) WITHOUT ROWID;
-- Covering for the scorer's "every cluster at hour H" read (the primary key columns ride along in
-- every index of a WITHOUT ROWID table): no lookup into the table per row.
CREATE INDEX IF NOT EXISTS idx_snapshots_hour ON amv_hourly_snapshots_v1(snapshot_hour, metric_name, avg_value);
CREATE TABLE IF NOT EXISTS lark_alerts (
  message_id     TEXT PRIMARY KEY,         -- om_... (Lark) or wh_<sha256> (webhook)
  cluster_id     TEXT NOT NULL,
  account_id     TEXT,
  region         TEXT,
  alert_name     TEXT NOT NULL,
  severity       TEXT,                     -- critical | warning | info
  status         TEXT NOT NULL,            -- Firing | Resolved
  detail         TEXT,
  dashboard_url  TEXT,
  silence_url    TEXT,
  source         TEXT,                     -- lark | alertmanager | grafana | simulator
  alert_time     TEXT NOT NULL,            -- when this message was sent
  starts_at      TEXT,                     -- when the alert began firing
  ends_at        TEXT,                     -- when it resolved (Resolved messages)
  created_at     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_lark_alerts_cluster_time ON lark_alerts(cluster_id, alert_time);
CREATE INDEX IF NOT EXISTS idx_lark_alerts_time ON lark_alerts(alert_time);
CREATE TABLE IF NOT EXISTS cluster_operations (
  operation_id   TEXT PRIMARY KEY,
  cluster_id     TEXT NOT NULL,
  account_id     TEXT,
  operation_type TEXT NOT NULL,            -- START | STOP | UPDATE | SCALE | RESTART | UPGRADE
  actor          TEXT,
  parameters     TEXT,                     -- JSON
  result         TEXT NOT NULL,            -- SUCCESS | FAILED | RUNNING
  started_at     TEXT NOT NULL,
  finished_at    TEXT
);
CREATE INDEX IF NOT EXISTS idx_cluster_operations_cluster ON cluster_operations(cluster_id, started_at);
CREATE TABLE IF NOT EXISTS cluster_health_scores (
  cluster_id     TEXT NOT NULL,
  snapshot_time  TEXT NOT NULL,            -- the snapshot hour scored
  health_score   REAL NOT NULL,            -- 0..100 composite
  metric_score   REAL NOT NULL,
  alert_score    REAL NOT NULL,
  tier_score     REAL NOT NULL,
  risk_level     TEXT NOT NULL,            -- Healthy | Warning | Critical
  baseline_score REAL,                     -- metric score at the baseline (7 days earlier)
  trend          REAL,                     -- metric_score - baseline_score
  firing_alerts  INTEGER NOT NULL,
  dimension_scores TEXT,                   -- JSON {metric_name: sub-score}
  computed_at    TEXT NOT NULL,
  PRIMARY KEY (cluster_id, snapshot_time)
);
CREATE INDEX IF NOT EXISTS idx_health_scores_time ON cluster_health_scores(snapshot_time);
CREATE TABLE IF NOT EXISTS cluster_risk_snapshots (
  cluster_id     TEXT NOT NULL,
  snapshot_time  TEXT NOT NULL,
  risk_level     TEXT NOT NULL,
  health_score   REAL NOT NULL,
  previous_score REAL,                     -- the cluster's score at its previous snapshot
  score_delta    REAL,
  customer_tier  TEXT,
  top_risks      TEXT,                     -- JSON [{metric, value, state}] worst first
  PRIMARY KEY (cluster_id, snapshot_time)
);
CREATE INDEX IF NOT EXISTS idx_risk_snapshots_time ON cluster_risk_snapshots(snapshot_time);
CREATE TABLE IF NOT EXISTS fleet_meta (
  meta_key       TEXT PRIMARY KEY,
  meta_value     TEXT NOT NULL
);
)SQL";

constexpr const char* kFleetV1Mysql = R"SQL(
CREATE TABLE IF NOT EXISTS dim_customer_profile (
  account_id     VARCHAR(64) NOT NULL PRIMARY KEY,
  account_name   VARCHAR(255) NOT NULL,
  customer_tier  VARCHAR(4) NOT NULL,
  owner          VARCHAR(255),
  industry       VARCHAR(64),
  created_at     DATETIME NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS cluster_info (
  cluster_id     VARCHAR(64) NOT NULL PRIMARY KEY,
  cluster_name   VARCHAR(255) NOT NULL,
  account_id     VARCHAR(64) NOT NULL,
  region         VARCHAR(64) NOT NULL,
  version        VARCHAR(32) NOT NULL,
  run_mode       VARCHAR(32) NOT NULL,
  package_type   VARCHAR(32) NOT NULL,
  status         VARCHAR(32) NOT NULL,
  created_at     DATETIME NOT NULL,
  updated_at     DATETIME NOT NULL,
  INDEX idx_cluster_info_account (account_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS cluster_node_groups (
  cluster_id     VARCHAR(64) NOT NULL,
  node_type      VARCHAR(8) NOT NULL,
  node_count     INT NOT NULL,
  cu             INT NOT NULL,
  spec_type      VARCHAR(32) NOT NULL,
  disk_size_gb   INT NOT NULL,
  essd_level     VARCHAR(8),
  PRIMARY KEY (cluster_id, node_type)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS amv_hourly_snapshots_v1 (
  cluster_id     VARCHAR(64) NOT NULL,
  snapshot_hour  DATETIME NOT NULL,
  metric_name    VARCHAR(64) NOT NULL,
  avg_value      DOUBLE,
  max_value      DOUBLE,
  p99_value      DOUBLE,
  PRIMARY KEY (cluster_id, snapshot_hour, metric_name),
  INDEX idx_snapshots_hour (snapshot_hour, metric_name, avg_value)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS lark_alerts (
  message_id     VARCHAR(128) NOT NULL PRIMARY KEY,
  cluster_id     VARCHAR(64) NOT NULL,
  account_id     VARCHAR(64),
  region         VARCHAR(64),
  alert_name     VARCHAR(255) NOT NULL,
  severity       VARCHAR(16),
  status         VARCHAR(16) NOT NULL,
  detail         TEXT,
  dashboard_url  VARCHAR(1024),
  silence_url    VARCHAR(1024),
  source         VARCHAR(32),
  alert_time     DATETIME NOT NULL,
  starts_at      DATETIME,
  ends_at        DATETIME,
  created_at     DATETIME NOT NULL,
  INDEX idx_lark_alerts_cluster_time (cluster_id, alert_time),
  INDEX idx_lark_alerts_time (alert_time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS cluster_operations (
  operation_id   VARCHAR(64) NOT NULL PRIMARY KEY,
  cluster_id     VARCHAR(64) NOT NULL,
  account_id     VARCHAR(64),
  operation_type VARCHAR(16) NOT NULL,
  actor          VARCHAR(255),
  parameters     TEXT,
  result         VARCHAR(16) NOT NULL,
  started_at     DATETIME NOT NULL,
  finished_at    DATETIME,
  INDEX idx_cluster_operations_cluster (cluster_id, started_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS cluster_health_scores (
  cluster_id     VARCHAR(64) NOT NULL,
  snapshot_time  DATETIME NOT NULL,
  health_score   DOUBLE NOT NULL,
  metric_score   DOUBLE NOT NULL,
  alert_score    DOUBLE NOT NULL,
  tier_score     DOUBLE NOT NULL,
  risk_level     VARCHAR(16) NOT NULL,
  baseline_score DOUBLE,
  trend          DOUBLE,
  firing_alerts  INT NOT NULL,
  dimension_scores TEXT,
  computed_at    DATETIME NOT NULL,
  PRIMARY KEY (cluster_id, snapshot_time),
  INDEX idx_health_scores_time (snapshot_time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS cluster_risk_snapshots (
  cluster_id     VARCHAR(64) NOT NULL,
  snapshot_time  DATETIME NOT NULL,
  risk_level     VARCHAR(16) NOT NULL,
  health_score   DOUBLE NOT NULL,
  previous_score DOUBLE,
  score_delta    DOUBLE,
  customer_tier  VARCHAR(4),
  top_risks      TEXT,
  PRIMARY KEY (cluster_id, snapshot_time),
  INDEX idx_risk_snapshots_time (snapshot_time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS fleet_meta (
  meta_key       VARCHAR(64) NOT NULL PRIMARY KEY,
  meta_value     TEXT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
)SQL";

// ---- fleet telemetry, version 2: Lark ingestion (alerts/lark_alert_store.h, docs/lark.md) ----
// lark_alerts gains the card's own fields (cluster and account names, the chat, the number of
// alert sections; a multi-section card is one row whose fields are pipe-delimited), and messages
// that could not be parsed are kept in lark_unparsed_messages with the reason. MySQL widens the
// columns a pipe-delimited value can outgrow (MariaDB syntax: ADD COLUMN IF NOT EXISTS).

constexpr const char* kFleetV2Sqlite = R"SQL(
ALTER TABLE lark_alerts ADD COLUMN cluster_name TEXT;
ALTER TABLE lark_alerts ADD COLUMN account_name TEXT;
ALTER TABLE lark_alerts ADD COLUMN chat_id TEXT;
ALTER TABLE lark_alerts ADD COLUMN sections INTEGER;
CREATE INDEX IF NOT EXISTS idx_lark_alerts_source_time ON lark_alerts(source, alert_time);
CREATE TABLE IF NOT EXISTS lark_unparsed_messages (
  message_id     TEXT PRIMARY KEY,         -- om_...
  chat_id        TEXT,
  msg_type       TEXT,                     -- interactive | text | ...
  reason         TEXT NOT NULL,            -- why it is not (fully) in lark_alerts
  content        TEXT,                     -- body.content as received (secrets masked)
  message_time   TEXT NOT NULL,            -- the message's create_time
  created_at     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_lark_unparsed_time ON lark_unparsed_messages(message_time);
)SQL";

constexpr const char* kFleetV2Mysql = R"SQL(
ALTER TABLE lark_alerts
  ADD COLUMN IF NOT EXISTS cluster_name VARCHAR(1024),
  ADD COLUMN IF NOT EXISTS account_name VARCHAR(1024),
  ADD COLUMN IF NOT EXISTS chat_id VARCHAR(128),
  ADD COLUMN IF NOT EXISTS sections INT,
  MODIFY COLUMN cluster_id VARCHAR(512) NOT NULL,
  MODIFY COLUMN region VARCHAR(512),
  MODIFY COLUMN alert_name VARCHAR(1024) NOT NULL,
  MODIFY COLUMN severity VARCHAR(255),
  MODIFY COLUMN status VARCHAR(255) NOT NULL,
  MODIFY COLUMN dashboard_url TEXT,
  MODIFY COLUMN silence_url TEXT;
CREATE INDEX IF NOT EXISTS idx_lark_alerts_source_time ON lark_alerts (source, alert_time);
CREATE TABLE IF NOT EXISTS lark_unparsed_messages (
  message_id     VARCHAR(128) NOT NULL PRIMARY KEY,
  chat_id        VARCHAR(128),
  msg_type       VARCHAR(32),
  reason         TEXT NOT NULL,
  content        MEDIUMTEXT,
  message_time   DATETIME NOT NULL,
  created_at     DATETIME NOT NULL,
  INDEX idx_lark_unparsed_time (message_time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
)SQL";

// ---- agent memory, version 1 -------------------------------------------------------------

constexpr const char* kMemoryV1Sqlite = R"SQL(
CREATE TABLE IF NOT EXISTS investigation_tasks (
  task_id          TEXT PRIMARY KEY,
  cluster_id       TEXT NOT NULL,
  source           TEXT NOT NULL,          -- sentinel | adhoc | webhook
  rules_fired      TEXT,                   -- JSON [{rule, reason}]
  priority         INTEGER NOT NULL,       -- 1 (most urgent) .. 3
  question         TEXT,
  dedup_key        TEXT,                   -- cluster + normalised question (ad-hoc de-dup)
  status           TEXT NOT NULL,          -- queued | running | done | failed | cancelled
  lease_owner      TEXT,
  lease_expires_at TEXT,
  attempts         INTEGER NOT NULL DEFAULT 0,
  max_attempts     INTEGER NOT NULL DEFAULT 3,
  not_before       TEXT,                   -- retry backoff: not claimable before this time
  last_error       TEXT,
  requester        TEXT,
  report_id        TEXT,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  started_at       TEXT,
  finished_at      TEXT
);
CREATE INDEX IF NOT EXISTS idx_tasks_status ON investigation_tasks(status, priority, created_at);
CREATE INDEX IF NOT EXISTS idx_tasks_cluster ON investigation_tasks(cluster_id, created_at);
CREATE INDEX IF NOT EXISTS idx_tasks_dedup ON investigation_tasks(dedup_key, status);
CREATE TABLE IF NOT EXISTS investigation_reports (
  report_id          TEXT PRIMARY KEY,
  task_id            TEXT,
  cluster_id         TEXT NOT NULL,
  account_id         TEXT,
  engine             TEXT NOT NULL,        -- claude | playbook
  model              TEXT,
  severity           TEXT NOT NULL,        -- critical | high | medium | low | info
  confidence         REAL NOT NULL,
  category           TEXT NOT NULL,        -- root_cause_category
  root_cause         TEXT,
  summary            TEXT,
  report_json        TEXT NOT NULL,
  markdown           TEXT NOT NULL,
  transcript_json    TEXT,                 -- every tool call: input, output as sent, timing
  input_tokens       INTEGER NOT NULL DEFAULT 0,
  output_tokens      INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens  INTEGER NOT NULL DEFAULT 0,
  cache_write_tokens INTEGER NOT NULL DEFAULT 0,
  cost_usd           REAL NOT NULL DEFAULT 0,
  duration_ms        INTEGER NOT NULL DEFAULT 0,
  llm_error          TEXT,                 -- why Claude failed when the playbook stood in
  created_at         TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS idx_reports_task ON investigation_reports(task_id);
CREATE INDEX IF NOT EXISTS idx_reports_cluster ON investigation_reports(cluster_id, created_at);
CREATE INDEX IF NOT EXISTS idx_reports_created ON investigation_reports(created_at);
CREATE INDEX IF NOT EXISTS idx_reports_category ON investigation_reports(category, created_at);
CREATE INDEX IF NOT EXISTS idx_reports_account ON investigation_reports(account_id, created_at);
)SQL";

constexpr const char* kMemoryV1Mysql = R"SQL(
CREATE TABLE IF NOT EXISTS investigation_tasks (
  task_id          VARCHAR(40) NOT NULL PRIMARY KEY,
  cluster_id       VARCHAR(64) NOT NULL,
  source           VARCHAR(16) NOT NULL,
  rules_fired      TEXT,
  priority         INT NOT NULL,
  question         TEXT,
  dedup_key        VARCHAR(190),
  status           VARCHAR(16) NOT NULL,
  lease_owner      VARCHAR(128),
  lease_expires_at DATETIME,
  attempts         INT NOT NULL DEFAULT 0,
  max_attempts     INT NOT NULL DEFAULT 3,
  not_before       DATETIME,
  last_error       TEXT,
  requester        VARCHAR(255),
  report_id        VARCHAR(40),
  created_at       DATETIME NOT NULL,
  updated_at       DATETIME NOT NULL,
  started_at       DATETIME,
  finished_at      DATETIME,
  INDEX idx_tasks_status (status, priority, created_at),
  INDEX idx_tasks_cluster (cluster_id, created_at),
  INDEX idx_tasks_dedup (dedup_key, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS investigation_reports (
  report_id          VARCHAR(40) NOT NULL PRIMARY KEY,
  task_id            VARCHAR(40),
  cluster_id         VARCHAR(64) NOT NULL,
  account_id         VARCHAR(64),
  engine             VARCHAR(16) NOT NULL,
  model              VARCHAR(128),
  severity           VARCHAR(16) NOT NULL,
  confidence         DOUBLE NOT NULL,
  category           VARCHAR(64) NOT NULL,
  root_cause         TEXT,
  summary            TEXT,
  report_json        MEDIUMTEXT NOT NULL,
  markdown           MEDIUMTEXT NOT NULL,
  transcript_json    LONGTEXT,
  input_tokens       BIGINT NOT NULL DEFAULT 0,
  output_tokens      BIGINT NOT NULL DEFAULT 0,
  cache_read_tokens  BIGINT NOT NULL DEFAULT 0,
  cache_write_tokens BIGINT NOT NULL DEFAULT 0,
  cost_usd           DOUBLE NOT NULL DEFAULT 0,
  duration_ms        BIGINT NOT NULL DEFAULT 0,
  llm_error          TEXT,
  created_at         DATETIME NOT NULL,
  UNIQUE INDEX idx_reports_task (task_id),
  INDEX idx_reports_cluster (cluster_id, created_at),
  INDEX idx_reports_created (created_at),
  INDEX idx_reports_category (category, created_at),
  INDEX idx_reports_account (account_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
)SQL";

// ---- fleet telemetry, version 3: orphan alerts ------------------------------------------
// Alerts whose cluster is unknown (or unnamed) are kept, not dropped (alerts/alert_store.h):
// `orphan` 1 with the reason; the claimed cluster name (version 2's cluster_name) is what they
// are matched by later.

constexpr const char* kFleetV3Sqlite = R"SQL(
ALTER TABLE lark_alerts ADD COLUMN orphan INTEGER NOT NULL DEFAULT 0;
ALTER TABLE lark_alerts ADD COLUMN orphan_reason TEXT;
CREATE INDEX IF NOT EXISTS idx_lark_alerts_orphan ON lark_alerts(orphan);
)SQL";

constexpr const char* kFleetV3Mysql = R"SQL(
ALTER TABLE lark_alerts ADD COLUMN IF NOT EXISTS orphan TINYINT NOT NULL DEFAULT 0;
ALTER TABLE lark_alerts ADD COLUMN IF NOT EXISTS orphan_reason VARCHAR(1024);
CREATE INDEX IF NOT EXISTS idx_lark_alerts_orphan ON lark_alerts(orphan);
)SQL";

// ---- fleet telemetry, version 4: the issue tracker ----------------------------------------
// Alerts grouped into issues (issues/README.md): the issues, which alert message belongs to
// which issue (one row per message: grouping is idempotent), every lifecycle change with who and
// when, and the investigations (and their reports) an issue led to.

constexpr const char* kFleetV4Sqlite = R"SQL(
CREATE TABLE IF NOT EXISTS alert_issues (
  issue_id           TEXT PRIMARY KEY,     -- iss_...
  cluster_id         TEXT NOT NULL,
  kind               TEXT NOT NULL,        -- anomaly | failure
  title              TEXT NOT NULL,
  escalated          INTEGER NOT NULL DEFAULT 0,
  escalated_at       TEXT,
  issue_status       TEXT NOT NULL,        -- Ongoing | Resolved
  triage_status      TEXT NOT NULL,        -- New | Acknowledged | Investigating | Mitigating | Closed
  disposition_status TEXT NOT NULL,        -- New | No Action Needed | JIRA Created
  ticket_ref         TEXT,
  severity           TEXT,                 -- the worst alert severity seen
  alert_names        TEXT NOT NULL,        -- distinct names, first seen first, one per line
  first_alert_at     TEXT NOT NULL,
  last_alert_at      TEXT NOT NULL,
  resolved_at        TEXT,
  alert_count        INTEGER NOT NULL,     -- messages
  open_alerts        INTEGER NOT NULL,     -- alert instances still firing
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_alert_issues_cluster ON alert_issues(cluster_id, last_alert_at);
CREATE INDEX IF NOT EXISTS idx_alert_issues_status ON alert_issues(issue_status, last_alert_at);
CREATE TABLE IF NOT EXISTS alert_issue_members (
  message_id         TEXT PRIMARY KEY,     -- lark_alerts.message_id
  issue_id           TEXT NOT NULL,
  cluster_id         TEXT NOT NULL,
  alert_name         TEXT NOT NULL,
  status             TEXT NOT NULL,        -- Firing | Resolved
  starts_at          TEXT NOT NULL,
  ends_at            TEXT,
  event_at           TEXT NOT NULL,        -- the message's alert_time
  added_at           TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_alert_issue_members_issue ON alert_issue_members(issue_id, event_at);
CREATE INDEX IF NOT EXISTS idx_alert_issue_members_instance ON alert_issue_members(cluster_id, alert_name, starts_at);
CREATE TABLE IF NOT EXISTS alert_issue_events (
  event_id           TEXT PRIMARY KEY,     -- evt_...
  issue_id           TEXT NOT NULL,
  seq                INTEGER NOT NULL,     -- 1, 2, ... per issue: the order of the changes
  at                 TEXT NOT NULL,
  actor              TEXT NOT NULL,        -- a user, "tracker", "http", "mcp"
  field              TEXT NOT NULL,        -- created | issue_status | triage_status | disposition_status | escalated
  from_value         TEXT,
  to_value           TEXT,
  note               TEXT
);
CREATE INDEX IF NOT EXISTS idx_alert_issue_events_issue ON alert_issue_events(issue_id, seq);
CREATE TABLE IF NOT EXISTS alert_issue_links (
  issue_id           TEXT NOT NULL,
  task_id            TEXT NOT NULL,
  report_id          TEXT,
  reason             TEXT,                 -- new | escalated
  created_at         TEXT NOT NULL,
  PRIMARY KEY (issue_id, task_id)
);
CREATE INDEX IF NOT EXISTS idx_alert_issue_links_task ON alert_issue_links(task_id);
)SQL";

constexpr const char* kFleetV4Mysql = R"SQL(
CREATE TABLE IF NOT EXISTS alert_issues (
  issue_id           VARCHAR(40) NOT NULL PRIMARY KEY,
  cluster_id         VARCHAR(64) NOT NULL,
  kind               VARCHAR(16) NOT NULL,
  title              VARCHAR(512) NOT NULL,
  escalated          TINYINT NOT NULL DEFAULT 0,
  escalated_at       DATETIME,
  issue_status       VARCHAR(16) NOT NULL,
  triage_status      VARCHAR(16) NOT NULL,
  disposition_status VARCHAR(32) NOT NULL,
  ticket_ref         VARCHAR(255),
  severity           VARCHAR(16),
  alert_names        TEXT NOT NULL,
  first_alert_at     DATETIME NOT NULL,
  last_alert_at      DATETIME NOT NULL,
  resolved_at        DATETIME,
  alert_count        INT NOT NULL,
  open_alerts        INT NOT NULL,
  created_at         DATETIME NOT NULL,
  updated_at         DATETIME NOT NULL,
  INDEX idx_alert_issues_cluster (cluster_id, last_alert_at),
  INDEX idx_alert_issues_status (issue_status, last_alert_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS alert_issue_members (
  message_id         VARCHAR(128) NOT NULL PRIMARY KEY,
  issue_id           VARCHAR(40) NOT NULL,
  cluster_id         VARCHAR(64) NOT NULL,
  alert_name         VARCHAR(255) NOT NULL,
  status             VARCHAR(16) NOT NULL,
  starts_at          DATETIME NOT NULL,
  ends_at            DATETIME,
  event_at           DATETIME NOT NULL,
  added_at           DATETIME NOT NULL,
  INDEX idx_alert_issue_members_issue (issue_id, event_at),
  INDEX idx_alert_issue_members_instance (cluster_id, alert_name, starts_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS alert_issue_events (
  event_id           VARCHAR(40) NOT NULL PRIMARY KEY,
  issue_id           VARCHAR(40) NOT NULL,
  seq                INT NOT NULL,
  at                 DATETIME NOT NULL,
  actor              VARCHAR(255) NOT NULL,
  field              VARCHAR(32) NOT NULL,
  from_value         VARCHAR(255),
  to_value           VARCHAR(255),
  note               TEXT,
  INDEX idx_alert_issue_events_issue (issue_id, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS alert_issue_links (
  issue_id           VARCHAR(40) NOT NULL,
  task_id            VARCHAR(40) NOT NULL,
  report_id          VARCHAR(40),
  reason             VARCHAR(32),
  created_at         DATETIME NOT NULL,
  PRIMARY KEY (issue_id, task_id),
  INDEX idx_alert_issue_links_task (task_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
)SQL";

// ---- agent memory, version 2: what a task carries -----------------------------------------
// The alerts (and issue) that triggered a task, as JSON, for the investigation's brief.

constexpr const char* kMemoryV2Sqlite = R"SQL(
ALTER TABLE investigation_tasks ADD COLUMN context_json TEXT;
)SQL";

constexpr const char* kMemoryV2Mysql = R"SQL(
ALTER TABLE investigation_tasks ADD COLUMN IF NOT EXISTS context_json MEDIUMTEXT;
)SQL";

// ---- agent memory, version 3: follow-up questions on a report -----------------------------
// One row per question asked about a stored report and its answer (store/report_messages.h).

constexpr const char* kMemoryV3Sqlite = R"SQL(
CREATE TABLE IF NOT EXISTS report_messages (
  message_id         TEXT PRIMARY KEY,
  report_id          TEXT NOT NULL,
  seq                INTEGER NOT NULL,     -- 1, 2, ... within the report: the conversation order
  question           TEXT NOT NULL,
  answer             TEXT NOT NULL,
  citations_json     TEXT NOT NULL,        -- [{tool_call_id, tool, finding}], validated
  transcript_json    TEXT,                 -- the tool calls made to answer (same shape as a report's)
  engine             TEXT NOT NULL,        -- claude | playbook
  model              TEXT,
  input_tokens       INTEGER NOT NULL DEFAULT 0,
  output_tokens      INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens  INTEGER NOT NULL DEFAULT 0,
  cache_write_tokens INTEGER NOT NULL DEFAULT 0,
  cost_usd           REAL NOT NULL DEFAULT 0,
  duration_ms        INTEGER NOT NULL DEFAULT 0,
  requester          TEXT,
  llm_error          TEXT,                 -- why the model failed when the playbook answered
  created_at         TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS idx_report_messages_report ON report_messages(report_id, seq);
CREATE INDEX IF NOT EXISTS idx_report_messages_created ON report_messages(created_at);
)SQL";

constexpr const char* kMemoryV3Mysql = R"SQL(
CREATE TABLE IF NOT EXISTS report_messages (
  message_id         VARCHAR(40) NOT NULL PRIMARY KEY,
  report_id          VARCHAR(40) NOT NULL,
  seq                INT NOT NULL,
  question           TEXT NOT NULL,
  answer             MEDIUMTEXT NOT NULL,
  citations_json     MEDIUMTEXT NOT NULL,
  transcript_json    LONGTEXT,
  engine             VARCHAR(16) NOT NULL,
  model              VARCHAR(128),
  input_tokens       BIGINT NOT NULL DEFAULT 0,
  output_tokens      BIGINT NOT NULL DEFAULT 0,
  cache_read_tokens  BIGINT NOT NULL DEFAULT 0,
  cache_write_tokens BIGINT NOT NULL DEFAULT 0,
  cost_usd           DOUBLE NOT NULL DEFAULT 0,
  duration_ms        BIGINT NOT NULL DEFAULT 0,
  requester          VARCHAR(255),
  llm_error          TEXT,
  created_at         DATETIME NOT NULL,
  UNIQUE INDEX idx_report_messages_report (report_id, seq),
  INDEX idx_report_messages_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
)SQL";

constexpr const char* kMigrationsTableSqlite =
    "CREATE TABLE IF NOT EXISTS schema_migrations (schema_name TEXT NOT NULL, version INTEGER NOT "
    "NULL, description TEXT, applied_at TEXT NOT NULL, PRIMARY KEY (schema_name, version))";
constexpr const char* kMigrationsTableMysql =
    "CREATE TABLE IF NOT EXISTS schema_migrations (schema_name VARCHAR(32) NOT NULL, version INT "
    "NOT NULL, description VARCHAR(255), applied_at DATETIME NOT NULL, PRIMARY KEY (schema_name, "
    "version)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";

}  // namespace

const std::vector<Migration>& Migrations(SchemaSet set) {
  static const std::vector<Migration> fleet = {
      {1, "fleet telemetry tables and scorer output", kFleetV1Sqlite, kFleetV1Mysql},
      {2, "Lark ingestion: card fields on lark_alerts, lark_unparsed_messages", kFleetV2Sqlite,
       kFleetV2Mysql},
      {3, "orphan alerts: claimed cluster name, orphan flag and reason", kFleetV3Sqlite,
       kFleetV3Mysql},
      {4, "the issue tracker: issues, members, lifecycle events, investigation links",
       kFleetV4Sqlite, kFleetV4Mysql},
  };
  static const std::vector<Migration> memory = {
      {1, "investigation task queue and reports", kMemoryV1Sqlite, kMemoryV1Mysql},
      {2, "the context a task carries (triggering alerts and issue)", kMemoryV2Sqlite,
       kMemoryV2Mysql},
      {3, "follow-up questions on a report (report_messages)", kMemoryV3Sqlite, kMemoryV3Mysql},
  };
  return set == SchemaSet::kFleet ? fleet : memory;
}

std::string_view SchemaName(SchemaSet set) { return set == SchemaSet::kFleet ? "fleet" : "memory"; }

Result<int> SchemaVersion(Database& db, SchemaSet set) {
  RH_ASSIGN_OR_RETURN(bool exists, db.TableExists("schema_migrations"));
  if (!exists) return 0;
  RH_ASSIGN_OR_RETURN(int64_t version,
                      db.QueryInt("SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE "
                                  "schema_name = ?",
                                  {Text(std::string(SchemaName(set)))}));
  return static_cast<int>(version);
}

Result<int> Migrate(Database& db, SchemaSet set) {
  const bool sqlite = db.dialect() == Dialect::kSqlite;
  RH_RETURN_IF_ERROR(db.Execute(sqlite ? kMigrationsTableSqlite : kMigrationsTableMysql));
  RH_ASSIGN_OR_RETURN(int current, SchemaVersion(db, set));
  for (const Migration& migration : Migrations(set)) {
    if (migration.version <= current) continue;
    auto apply = [&]() -> Status {
      // Re-check inside the transaction: another process may have just applied it.
      RH_ASSIGN_OR_RETURN(int now_version, SchemaVersion(db, set));
      if (now_version >= migration.version) return {};
      RH_RETURN_IF_ERROR(db.ExecuteScript(sqlite ? migration.sqlite_sql : migration.mysql_sql));
      RH_RETURN_IF_ERROR(db.Execute(db.InsertIgnore() + " INTO schema_migrations (schema_name, "
                                    "version, description, applied_at) VALUES (?, ?, ?, ?)",
                                    {Text(std::string(SchemaName(set))), Int(migration.version),
                                     Text(migration.description),
                                     Time(std::chrono::system_clock::now())}));
      return {};
    };
    // SQLite DDL is transactional; MySQL DDL commits implicitly, and every statement is
    // idempotent, so no transaction is needed there.
    Status status = sqlite ? db.Transaction(apply) : apply();
    if (!status) {
      return Fail(status.error().WithContext(std::string(SchemaName(set)) + " migration " +
                                             std::to_string(migration.version)));
    }
  }
  return SchemaVersion(db, set);
}

const std::vector<std::string>& ForbiddenTables() {
  static const std::vector<std::string> tables = {"sim_ground_truth"};
  return tables;
}

}  // namespace rh::store
