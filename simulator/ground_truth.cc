#include "simulator/ground_truth.h"

namespace rh::simulator {
namespace {

constexpr const char* kCreateSqlite = R"SQL(
CREATE TABLE IF NOT EXISTS sim_ground_truth (
  incident_id       TEXT NOT NULL,
  cluster_id        TEXT NOT NULL,
  account_id        TEXT NOT NULL,
  scenario          TEXT NOT NULL,
  category          TEXT NOT NULL,
  expected_severity TEXT NOT NULL,
  window_start      TEXT NOT NULL,
  window_end        TEXT NOT NULL,
  red_herring       TEXT,
  description       TEXT NOT NULL,
  PRIMARY KEY (incident_id, cluster_id)
))SQL";

constexpr const char* kCreateMysql = R"SQL(
CREATE TABLE IF NOT EXISTS sim_ground_truth (
  incident_id       VARCHAR(32) NOT NULL,
  cluster_id        VARCHAR(64) NOT NULL,
  account_id        VARCHAR(64) NOT NULL,
  scenario          VARCHAR(128) NOT NULL,
  category          VARCHAR(64) NOT NULL,
  expected_severity VARCHAR(16) NOT NULL,
  window_start      DATETIME NOT NULL,
  window_end        DATETIME NOT NULL,
  red_herring       TEXT,
  description       TEXT NOT NULL,
  PRIMARY KEY (incident_id, cluster_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4)SQL";

}  // namespace

Status CreateGroundTruthTable(store::Database& db) {
  auto created =
      db.Execute(db.dialect() == store::Dialect::kSqlite ? kCreateSqlite : kCreateMysql);
  if (!created) return Fail(created.error().WithContext("create sim_ground_truth"));
  return {};
}

Result<std::vector<GroundTruthRow>> ReadGroundTruth(store::Database& db) {
  RH_ASSIGN_OR_RETURN(bool exists, db.TableExists(kGroundTruthTable));
  std::vector<GroundTruthRow> rows;
  if (!exists) return rows;
  RH_ASSIGN_OR_RETURN(
      store::QueryResult result,
      db.Query("SELECT incident_id, cluster_id, account_id, scenario, category, expected_severity, "
               "window_start, window_end, red_herring, description FROM sim_ground_truth "
               "ORDER BY incident_id, cluster_id"));
  for (const store::Row row : result) {
    GroundTruthRow out;
    out.incident_id = row.GetString(0);
    out.cluster_id = row.GetString(1);
    out.account_id = row.GetString(2);
    out.scenario = row.GetString(3);
    auto category = ParseRootCause(row.GetString(4));
    auto severity = ParseSeverity(row.GetString(5));
    if (!category || !severity) {
      return DataLoss(std::string(kGroundTruthTable),
                      out.incident_id + " " + out.cluster_id + ": " +
                          (category ? severity.error() : category.error()).message);
    }
    out.category = *category;
    out.expected_severity = *severity;
    out.window_start = row.GetTime(6).value_or(TimePoint{});
    out.window_end = row.GetTime(7).value_or(TimePoint{});
    if (!row.IsNull(8)) out.red_herring = row.GetString(8);
    out.description = row.GetString(9);
    rows.push_back(std::move(out));
  }
  return rows;
}

}  // namespace rh::simulator
