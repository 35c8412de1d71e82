#include "issues/tracker.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "alerts/alert_store.h"
#include "alerts/cluster_alerts.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/time_format.h"
#include "issues/internal/issue_rows.h"

namespace rh::issues {
namespace {

constexpr const char* kActor = "tracker";
constexpr int64_t kLockSeconds = 30;

// One alert instance: a cluster's alert name that began at starts_at (second precision, as SQL
// keeps it). Its messages (first firing, repeats, resolution) share it.
std::string InstanceKey(const std::string& alert_name, TimePoint starts_at) {
  return alert_name + "|" + FormatSqlTime(starts_at);
}

TimePoint Seconds(TimePoint at) { return std::chrono::floor<std::chrono::seconds>(at); }

struct InstanceState {
  bool resolved = false;
  std::optional<TimePoint> end;
};

// An issue being worked on in memory during one update.
struct WorkIssue {
  Issue issue;
  bool is_new = false;
  bool dirty = false;
  std::map<std::string, InstanceState> instances;
  IssueChange change;
  std::vector<IssueEvent> events;
};

struct Member {
  std::string message_id;
  std::string issue_id;
  std::string cluster_id;
  std::string alert_name;
  std::string status;
  TimePoint starts_at{};
  std::optional<TimePoint> ends_at;
  TimePoint event_at{};
};

// The end of an issue's span for overlap tests: resolved_at, or open (nullopt).
std::optional<TimePoint> SpanEnd(const Issue& issue) {
  return issue.open() ? std::nullopt : issue.resolved_at;
}

// Distance from `t` to the span [first, last] (0 inside).
Duration DistanceToSpan(TimePoint t, TimePoint first, TimePoint last) {
  if (t < first) return first - t;
  if (t > last) return t - last;
  return Duration::zero();
}

class ClusterGrouper {
 public:
  ClusterGrouper(store::Database& fleet, const RuleTable& rules, TimePoint now)
      : fleet_(fleet), rules_(rules), now_(now) {}

  // Loads the issues of `cluster_id` an alert beginning at or after `earliest` could join.
  Status Load(const std::string& cluster_id, TimePoint earliest) {
    cluster_id_ = cluster_id;
    const TimePoint horizon =
        earliest - std::max(rules_.correlation_window(), rules_.time_window());
    RH_ASSIGN_OR_RETURN(
        store::QueryResult rows,
        fleet_.Query("SELECT " + std::string(internal::IssueColumns()) +
                         " FROM alert_issues WHERE cluster_id = ? AND (issue_status = 'Ongoing' "
                         "OR last_alert_at >= ? OR resolved_at >= ?) ORDER BY issue_id",
                     {store::Text(cluster_id), store::Time(horizon), store::Time(horizon)}));
    for (const store::Row& row : rows) RH_RETURN_IF_ERROR(Adopt(internal::IssueFromRow(row)));
    return {};
  }

  Status Place(const alerts::StoredAlert& stored) {
    const alerts::AlertRecord& alert = stored.alert;
    const TimePoint starts = Seconds(alert.starts_at);
    const std::string key = InstanceKey(alert.alert_name, starts);
    WorkIssue* target = nullptr;
    if (auto found = by_instance_.find(key); found != by_instance_.end()) {
      target = found->second;
    } else {
      RH_ASSIGN_OR_RETURN(target, FindStoredInstance(alert.alert_name, starts));
    }
    bool escalates = false;
    if (target == nullptr) {
      const IssueKind kind = rules_.KindOf(alert.alert_name);
      std::optional<TimePoint> end;
      if (alert.status == alerts::kResolved) end = alert.ends_at.value_or(*alert.alert_time);
      if (kind == IssueKind::kAnomaly) {
        target = FindAnomaly(starts, end);
      } else {
        target = FindEscalation(starts);
        escalates = target != nullptr;
        if (target == nullptr) target = FindFailure(alert.alert_name, starts);
      }
      if (target == nullptr) target = Open(kind, alert);
    }
    Apply(*target, stored, key, escalates);
    return {};
  }

  std::vector<WorkIssue*> Touched() {
    std::vector<WorkIssue*> out;
    for (auto& [id, work] : issues_) {
      if (work->dirty) out.push_back(work.get());
    }
    return out;
  }
  std::vector<Member>& members() { return members_; }

 private:
  Status Adopt(Issue issue) {
    if (issues_.contains(issue.issue_id)) return {};
    auto work = std::make_unique<WorkIssue>();
    work->issue = std::move(issue);
    RH_ASSIGN_OR_RETURN(
        store::QueryResult rows,
        fleet_.Query("SELECT alert_name, status, starts_at, ends_at, event_at FROM "
                     "alert_issue_members WHERE issue_id = ? ORDER BY event_at, message_id",
                     {store::Text(work->issue.issue_id)}));
    for (const store::Row& row : rows) {
      const TimePoint starts = row.GetTime("starts_at").value_or(TimePoint{});
      InstanceState& state = work->instances[InstanceKey(row.GetString("alert_name"), starts)];
      if (row.GetString("status") == alerts::kResolved) {
        state.resolved = true;
        state.end = row.GetTime("ends_at").value_or(row.GetTime("event_at").value_or(starts));
      }
    }
    WorkIssue* raw = work.get();
    for (const auto& [key, state] : raw->instances) by_instance_[key] = raw;
    issues_.emplace(raw->issue.issue_id, std::move(work));
    return {};
  }

  // An instance grouped in an issue this grouper has not loaded (a very old one).
  Result<WorkIssue*> FindStoredInstance(const std::string& alert_name, TimePoint starts) {
    RH_ASSIGN_OR_RETURN(
        store::QueryResult rows,
        fleet_.Query("SELECT issue_id FROM alert_issue_members WHERE cluster_id = ? AND "
                     "alert_name = ? AND starts_at = ? ORDER BY issue_id LIMIT 1",
                     {store::Text(cluster_id_), store::Text(alert_name), store::Time(starts)}));
    if (rows.empty()) return static_cast<WorkIssue*>(nullptr);
    const std::string issue_id = rows.front().GetString("issue_id");
    if (!issues_.contains(issue_id)) {
      RH_ASSIGN_OR_RETURN(
          store::QueryResult issue,
          fleet_.Query("SELECT " + std::string(internal::IssueColumns()) +
                           " FROM alert_issues WHERE issue_id = ?",
                       {store::Text(issue_id)}));
      if (issue.empty()) return static_cast<WorkIssue*>(nullptr);
      RH_RETURN_IF_ERROR(Adopt(internal::IssueFromRow(issue.front())));
    }
    return issues_.at(issue_id).get();
  }

  // The ANOMALY issue whose span overlaps the instance [starts, end]: the latest that began at
  // or before it, else the earliest after it.
  WorkIssue* FindAnomaly(TimePoint starts, std::optional<TimePoint> end) {
    WorkIssue* before = nullptr;
    WorkIssue* after = nullptr;
    for (auto& [id, work] : issues_) {
      const Issue& issue = work->issue;
      if (issue.kind != IssueKind::kAnomaly) continue;
      // A flapping alert that fires again within the time window of the resolution re-opens
      // the issue instead of opening one per flap.
      const std::optional<TimePoint> issue_end = SpanEnd(issue);
      const bool overlaps = (!issue_end || starts <= *issue_end + rules_.time_window()) &&
                            (!end || *end >= issue.first_alert_at);
      if (!overlaps) continue;
      if (issue.first_alert_at <= starts) {
        if (!before || issue.first_alert_at > before->issue.first_alert_at) before = work.get();
      } else if (!after || issue.first_alert_at < after->issue.first_alert_at) {
        after = work.get();
      }
    }
    return before ? before : after;
  }

  // The ANOMALY issue a FAILURE at `starts` escalates: open at that time, or resolved less than
  // the correlation window before it. The latest such.
  WorkIssue* FindEscalation(TimePoint starts) {
    WorkIssue* best = nullptr;
    for (auto& [id, work] : issues_) {
      const Issue& issue = work->issue;
      if (issue.kind != IssueKind::kAnomaly || issue.first_alert_at > starts) continue;
      const std::optional<TimePoint> end = SpanEnd(issue);
      if (end && starts > *end + rules_.correlation_window()) continue;
      if (!best || issue.first_alert_at > best->issue.first_alert_at) best = work.get();
    }
    return best;
  }

  // The FAILURE issue a FAILURE at `starts` joins: within the time window of its span, or
  // holding the same alert name within the correlation window. The nearest (then the oldest).
  WorkIssue* FindFailure(const std::string& alert_name, TimePoint starts) {
    WorkIssue* best = nullptr;
    Duration best_distance = Duration::max();
    for (auto& [id, work] : issues_) {
      const Issue& issue = work->issue;
      if (issue.kind != IssueKind::kFailure) continue;
      const Duration distance = DistanceToSpan(starts, issue.first_alert_at, issue.last_alert_at);
      const bool same_name = std::find(issue.alert_names.begin(), issue.alert_names.end(),
                                       alert_name) != issue.alert_names.end();
      const bool joins = distance <= rules_.time_window() ||
                         (same_name && distance <= rules_.correlation_window());
      if (!joins) continue;
      if (distance < best_distance) {  // issues_ is in id order: ties keep the oldest
        best = work.get();
        best_distance = distance;
      }
    }
    return best;
  }

  WorkIssue* Open(IssueKind kind, const alerts::AlertRecord& alert) {
    auto work = std::make_unique<WorkIssue>();
    work->is_new = true;
    Issue& issue = work->issue;
    issue.issue_id = NewId("iss", now_);
    issue.cluster_id = cluster_id_;
    issue.kind = kind;
    issue.first_alert_at = Seconds(alert.starts_at);
    issue.last_alert_at = issue.first_alert_at;
    issue.created_at = now_;
    issue.updated_at = now_;
    work->change.created = true;
    work->events.push_back(IssueEvent{"", now_, kActor, "created", "",
                                      std::string(IssueKindName(kind)),
                                      "opened by " + alert.alert_name});
    WorkIssue* raw = work.get();
    issues_.emplace(issue.issue_id, std::move(work));
    return raw;
  }

  void Apply(WorkIssue& work, const alerts::StoredAlert& stored, const std::string& key,
             bool escalates) {
    const alerts::AlertRecord& alert = stored.alert;
    Issue& issue = work.issue;
    const TimePoint starts = Seconds(alert.starts_at);
    const TimePoint event_at = Seconds(*alert.alert_time);
    const bool was_open = work.is_new || issue.open();
    work.dirty = true;
    ++work.change.alerts_added;
    ++issue.alert_count;
    if (std::find(issue.alert_names.begin(), issue.alert_names.end(), alert.alert_name) ==
        issue.alert_names.end()) {
      issue.alert_names.push_back(alert.alert_name);
    }
    issue.title = internal::TitleOf(issue.alert_names);
    if (!alert.severity.empty() &&
        (issue.severity.empty() ||
         internal::SeverityRank(alert.severity) < internal::SeverityRank(issue.severity))) {
      issue.severity = alert.severity;
    }
    issue.first_alert_at = std::min(issue.first_alert_at, starts);
    issue.last_alert_at = std::max(issue.last_alert_at, starts);
    InstanceState& state = work.instances[key];
    by_instance_[key] = &work;
    if (alert.status == alerts::kResolved) {
      state.resolved = true;
      state.end = Seconds(alert.ends_at.value_or(*alert.alert_time));
    }
    if (escalates && !issue.escalated) {
      issue.escalated = true;
      issue.escalated_at = starts;
      work.change.escalated = true;
      work.events.push_back(IssueEvent{"", now_, kActor, "escalated", "", "true",
                                       "FAILURE " + alert.alert_name + " at " +
                                           FormatIsoTime(starts) +
                                           " on a cluster with this ANOMALY open"});
    }
    // issue_status follows the instances.
    int open_instances = 0;
    std::optional<TimePoint> last_end;
    for (const auto& [instance, instance_state] : work.instances) {
      if (!instance_state.resolved) {
        ++open_instances;
      } else if (instance_state.end && (!last_end || *instance_state.end > *last_end)) {
        last_end = instance_state.end;
      }
    }
    issue.open_alerts = open_instances;
    issue.issue_status = open_instances == 0 ? IssueStatus::kResolved : IssueStatus::kOngoing;
    issue.resolved_at = open_instances == 0 ? last_end : std::nullopt;
    if (!work.is_new && was_open != issue.open()) {
      work.events.push_back(IssueEvent{
          "", now_, kActor, "issue_status", std::string(IssueStatusName(
                                                 was_open ? IssueStatus::kOngoing
                                                          : IssueStatus::kResolved)),
          std::string(IssueStatusName(issue.issue_status)),
          (issue.open() ? "reopened by " : "resolved by ") + alert.alert_name});
      if (issue.open()) {
        work.change.reopened = true;
        work.change.resolved = false;
      } else {
        work.change.resolved = true;
        work.change.reopened = false;
      }
    } else if (work.is_new) {
      work.change.resolved = !issue.open();
    }
    issue.updated_at = now_;
    members_.push_back(Member{stored.AlertId(), issue.issue_id, cluster_id_, alert.alert_name,
                              alert.status, starts,
                              alert.ends_at ? std::optional<TimePoint>(Seconds(*alert.ends_at))
                                            : std::nullopt,
                              event_at});
  }

  store::Database& fleet_;
  const RuleTable& rules_;
  TimePoint now_;
  std::string cluster_id_;
  std::map<std::string, std::unique_ptr<WorkIssue>> issues_;  // by id
  std::map<std::string, WorkIssue*> by_instance_;
  std::vector<Member> members_;
};

}  // namespace

Result<TrackerOutcome> IssueTracker::Update(int batch) {
  TrackerOutcome total;
  std::map<std::string, IssueChange> merged;
  for (int round = 0; round < 1000; ++round) {
    RH_ASSIGN_OR_RETURN(TrackerOutcome outcome, UpdateBatch(batch));
    total.alerts_grouped += outcome.alerts_grouped;
    for (const IssueChange& change : outcome.changes) {
      auto [it, inserted] = merged.emplace(change.issue_id, change);
      if (inserted) continue;
      IssueChange& into = it->second;
      into.created = into.created || change.created;
      into.escalated = into.escalated || change.escalated;
      into.resolved = change.resolved || (into.resolved && !change.reopened);
      into.reopened = change.reopened || (into.reopened && !change.resolved);
      into.alerts_added += change.alerts_added;
    }
    if (outcome.rows_read < batch || outcome.alerts_grouped == 0) break;
  }
  for (auto& [id, change] : merged) total.changes.push_back(change);
  if (total.alerts_grouped > 0) {
    Logger("issues")->info("tracker: {} alerts grouped, {} issues changed", total.alerts_grouped,
                           total.changes.size());
  }
  return total;
}

Result<TrackerOutcome> IssueTracker::UpdateBatch(int batch) {
  TrackerOutcome outcome;
  const TimePoint now = clock_.Now();
  // "<a> || <b>" in the fleet's dialect.
  const auto Concat = [&](const std::string& a, const std::string& b) {
    return fleet_.dialect() == store::Dialect::kSqlite ? "(" + a + " || " + b + ")"
                                                       : "CONCAT(" + a + ", " + b + ")";
  };
  auto body = [&]() -> Status {
    outcome = TrackerOutcome{};
    RH_ASSIGN_OR_RETURN(
        store::QueryResult rows,
        fleet_.Query("SELECT " + std::string(alerts::AlertColumns()) +
                         " FROM lark_alerts WHERE orphan = 0 AND cluster_id <> '' AND NOT EXISTS "
                         "(SELECT 1 FROM alert_issue_members m WHERE m.message_id = "
                         "lark_alerts.message_id) AND (sections IS NULL OR sections <= 1 OR NOT "
                         "EXISTS (SELECT 1 FROM alert_issue_members s WHERE s.message_id >= " +
                         Concat("lark_alerts.message_id", "'#'") + " AND s.message_id < " +
                         Concat("lark_alerts.message_id", "'$'") +
                         ")) ORDER BY alert_time, message_id LIMIT " + std::to_string(batch)));
    std::map<std::string, std::vector<alerts::StoredAlert>> by_cluster;
    for (const store::Row& row : rows) {
      alerts::StoredAlert whole = alerts::AlertFromRow(row);
      if (!whole.alert.alert_time) whole.alert.alert_time = whole.created_at;
      // A multi-section Lark row: each section is an alert of its own cluster ("om_...#2").
      auto sections = alerts::ExpandSections(whole);
      if (!sections) {
        Logger("issues")->warn("lark_alerts {} grouped whole: {}", whole.alert.message_id,
                               sections.error().ToString());
        sections = std::vector<alerts::StoredAlert>{whole};
      }
      ++outcome.rows_read;
      for (alerts::StoredAlert& stored : *sections) {
        if (stored.alert.cluster_id.empty()) continue;
        by_cluster[stored.alert.cluster_id].push_back(std::move(stored));
      }
    }
    for (auto& [cluster_id, cluster_alerts] : by_cluster) {
      std::sort(cluster_alerts.begin(), cluster_alerts.end(),
                [](const alerts::StoredAlert& a, const alerts::StoredAlert& b) {
                  return std::tie(a.alert.starts_at, *a.alert.alert_time, a.alert.message_id) <
                         std::tie(b.alert.starts_at, *b.alert.alert_time, b.alert.message_id);
                });
      ClusterGrouper grouper(fleet_, rules_, now);
      RH_RETURN_IF_ERROR(grouper.Load(cluster_id, cluster_alerts.front().alert.starts_at));
      for (const alerts::StoredAlert& stored : cluster_alerts) {
        RH_RETURN_IF_ERROR(grouper.Place(stored));
      }
      for (WorkIssue* work : grouper.Touched()) {
        if (work->is_new) {
          RH_RETURN_IF_ERROR(internal::InsertIssue(fleet_, work->issue));
        } else {
          RH_RETURN_IF_ERROR(internal::UpdateDerived(fleet_, work->issue));
        }
        for (const IssueEvent& event : work->events) {
          RH_RETURN_IF_ERROR(internal::InsertEvent(fleet_, work->issue.issue_id, event));
        }
        work->change.issue_id = work->issue.issue_id;
        work->change.cluster_id = work->issue.cluster_id;
        work->change.kind = work->issue.kind;
        outcome.changes.push_back(work->change);
      }
      const std::string insert =
          fleet_.InsertIgnore() +
          " INTO alert_issue_members (message_id, issue_id, cluster_id, alert_name, status, "
          "starts_at, ends_at, event_at, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
      for (const Member& member : grouper.members()) {
        RH_RETURN_IF_ERROR(fleet_.Execute(
            insert, {store::Text(member.message_id), store::Text(member.issue_id),
                     store::Text(member.cluster_id), store::Text(member.alert_name),
                     store::Text(member.status), store::Time(member.starts_at),
                     member.ends_at ? store::Time(*member.ends_at) : store::Null(),
                     store::Time(member.event_at), store::Time(now)}));
        ++outcome.alerts_grouped;
      }
    }
    return {};
  };
  Status status;
  if (fleet_.dialect() == store::Dialect::kSqlite) {
    status = fleet_.Transaction(body);  // BEGIN IMMEDIATE: one update at a time
  } else {
    // MySQL/MariaDB: a named lock around the transaction, released after its commit.
    const std::string name =
        "rh_issues_" + Sha256Hex(fleet_.description()).substr(0, 40);
    status = fleet_.OnOneConnection([&]() -> Status {
      RH_ASSIGN_OR_RETURN(int64_t got, fleet_.QueryInt("SELECT GET_LOCK(?, ?)",
                                                       {store::Text(name),
                                                        store::Int(kLockSeconds)}));
      if (got != 1) return Unavailable("issue tracker", "another update holds the lock");
      Status inner = fleet_.Transaction(body);
      (void)fleet_.Query("SELECT RELEASE_LOCK(?)", {store::Text(name)});
      return inner;
    });
  }
  if (!status) return Fail(status.error().WithContext("issue tracker"));
  std::sort(outcome.changes.begin(), outcome.changes.end(),
            [](const IssueChange& a, const IssueChange& b) { return a.issue_id < b.issue_id; });
  return outcome;
}

}  // namespace rh::issues
