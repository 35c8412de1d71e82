#include "store/task_queue.h"

#include <algorithm>
#include <cctype>

#include "core/ids.h"
#include "core/log.h"
#include "core/redact.h"
#include "core/time_format.h"

namespace rh::store {
namespace {

constexpr std::string_view kColumns =
    "task_id, cluster_id, source, rules_fired, priority, question, dedup_key, status, "
    "lease_owner, lease_expires_at, attempts, max_attempts, not_before, last_error, requester, "
    "report_id, created_at, updated_at, started_at, finished_at, context_json";

// MySQL claims: how many of the most urgent claimable tasks one round tries to lock, and how
// many rounds a Claim makes when other workers take all of them first.
constexpr int kClaimCandidates = 16;
constexpr int kClaimRounds = 8;

// How long an enqueue waits for another worker's enqueue for the same cluster (MySQL).
constexpr int64_t kEnqueueLockSeconds = 10;

// The longest backoff a retry waits, whatever the attempt count.
constexpr Duration kMaxRetryBackoff = std::chrono::hours(1);

Task TaskFromRow(const Row& row) {
  Task task;
  task.id = row.GetString("task_id");
  task.cluster_id = row.GetString("cluster_id");
  task.source = ParseTaskSource(row.GetString("source")).value_or(TaskSource::kAdhoc);
  task.rules_fired = row.GetString("rules_fired", "[]");
  task.priority = static_cast<int>(row.GetInt("priority", 3));
  task.question = row.GetString("question");
  task.dedup_key = row.GetString("dedup_key");
  task.status = ParseTaskStatus(row.GetString("status")).value_or(TaskStatus::kQueued);
  task.lease_owner = row.GetString("lease_owner");
  task.lease_expires_at = row.GetTime("lease_expires_at");
  task.attempts = static_cast<int>(row.GetInt("attempts"));
  task.max_attempts = static_cast<int>(row.GetInt("max_attempts", 3));
  task.not_before = row.GetTime("not_before");
  task.last_error = row.GetString("last_error");
  task.requester = row.GetString("requester");
  task.report_id = row.GetString("report_id");
  task.created_at = row.GetTime("created_at").value_or(TimePoint{});
  task.updated_at = row.GetTime("updated_at").value_or(TimePoint{});
  task.started_at = row.GetTime("started_at");
  task.finished_at = row.GetTime("finished_at");
  task.context_json = row.GetString("context_json");
  return task;
}

std::string SelectTasks(std::string_view where_and_rest) {
  return "SELECT " + std::string(kColumns) + " FROM investigation_tasks " +
         std::string(where_and_rest);
}

std::string DedupKey(std::string_view cluster_id, std::string_view question) {
  return std::string(cluster_id) + "|" + Sha256Hex(NormaliseQuestion(question));
}

Status ValidateRequest(const EnqueueRequest& request) {
  if (!IsValidResourceId(request.cluster_id)) {
    return InvalidArgument("cluster '" + request.cluster_id + "'",
                           "not a valid cluster id: use lower-case letters, digits and '-' "
                           "(at most 64), e.g. c-1a2b3c4d");
  }
  if (request.priority < 1 || request.priority > 3) {
    return InvalidArgument(
        "priority", "must be 1 (most urgent), 2 or 3, not " + std::to_string(request.priority));
  }
  if (request.question.size() > 4000) {
    return InvalidArgument("question", "longer than 4000 characters; shorten it");
  }
  return {};
}

Status ValidateOwner(std::string_view owner) {
  if (owner.empty() || owner.size() > 128) {
    return InvalidArgument("owner", "a worker name of 1..128 characters is required");
  }
  return {};
}

Status Discard(const Result<int64_t>& result) {
  if (!result) return Fail(result.error());
  return {};
}

}  // namespace

std::string_view TaskSourceName(TaskSource source) {
  switch (source) {
    case TaskSource::kSentinel:
      return "sentinel";
    case TaskSource::kAdhoc:
      return "adhoc";
    case TaskSource::kWebhook:
      return "webhook";
    case TaskSource::kIssue:
      return "issue";
  }
  return "adhoc";
}

std::string_view TaskStatusName(TaskStatus status) {
  switch (status) {
    case TaskStatus::kQueued:
      return "queued";
    case TaskStatus::kRunning:
      return "running";
    case TaskStatus::kDone:
      return "done";
    case TaskStatus::kFailed:
      return "failed";
    case TaskStatus::kCancelled:
      return "cancelled";
  }
  return "queued";
}

Result<TaskSource> ParseTaskSource(std::string_view text) {
  for (TaskSource source : {TaskSource::kSentinel, TaskSource::kAdhoc, TaskSource::kWebhook,
                            TaskSource::kIssue}) {
    if (TaskSourceName(source) == text) return source;
  }
  return InvalidArgument("source '" + std::string(text) + "'",
                         "unknown task source; use sentinel, adhoc, webhook or issue");
}

Result<TaskStatus> ParseTaskStatus(std::string_view text) {
  for (TaskStatus status : {TaskStatus::kQueued, TaskStatus::kRunning, TaskStatus::kDone,
                            TaskStatus::kFailed, TaskStatus::kCancelled}) {
    if (TaskStatusName(status) == text) return status;
  }
  return InvalidArgument("status '" + std::string(text) + "'",
                         "unknown task status; use queued, running, done, failed or cancelled");
}

std::string NormaliseQuestion(std::string_view question) {
  std::string out;
  out.reserve(question.size());
  bool pending_space = false;
  for (char c : question) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  while (!out.empty() &&
         (out.back() == '?' || out.back() == '.' || out.back() == '!' || out.back() == ' ')) {
    out.pop_back();
  }
  return out;
}

TaskQueue::TaskQueue(Database& db, Clock& clock, QueueConfig config)
    : db_(db), clock_(clock), config_(config) {}

Result<Task> TaskQueue::InsertTask(const EnqueueRequest& request, const std::string& dedup_key) {
  const TimePoint now = clock_.Now();
  Task task;
  task.id = NewId("tsk", now);
  task.cluster_id = request.cluster_id;
  task.source = request.source;
  task.rules_fired = request.rules_fired.empty() ? "[]" : request.rules_fired;
  task.priority = request.priority;
  task.question = RedactSecrets(request.question);  // a secret typed into a question stays out
  task.dedup_key = dedup_key;
  task.status = TaskStatus::kQueued;
  task.max_attempts = config_.max_attempts;
  task.requester = request.requester;
  task.context_json = RedactSecrets(request.context_json);
  task.created_at = FloorTo(now, std::chrono::seconds(1));
  task.updated_at = task.created_at;
  RH_RETURN_IF_ERROR(db_.Execute(
      "INSERT INTO investigation_tasks (task_id, cluster_id, source, rules_fired, priority, "
      "question, dedup_key, status, attempts, max_attempts, requester, created_at, updated_at, "
      "context_json) VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?, ?)",
      {Text(task.id), Text(task.cluster_id), Text(std::string(TaskSourceName(task.source))),
       Text(task.rules_fired), Int(task.priority), Text(task.question), Text(task.dedup_key),
       Int(task.max_attempts), Text(task.requester), Time(now), Time(now),
       task.context_json.empty() ? Null() : Text(task.context_json)}));
  Logger("store")->info("task={} enqueued: cluster={} source={} priority={}", task.id,
                        task.cluster_id, TaskSourceName(task.source), task.priority);
  return task;
}

Status TaskQueue::WithClusterLock(const std::string& cluster_id,
                                  const std::function<Status()>& body) {
  if (db_.dialect() == Dialect::kSqlite) return db_.Transaction(body);  // BEGIN IMMEDIATE
  // MySQL/MariaDB: a named lock per cluster (server-wide, so the database is part of the name)
  // instead of locking reads, which InnoDB may widen to every row it scans and so hide queued
  // tasks from concurrent claimers. Taken inside the transaction (which holds this connection)
  // and released after the commit, so the next holder sees what this one wrote.
  const std::string name =
      "rh_enqueue_" + Sha256Hex(db_.description() + "|" + cluster_id).substr(0, 40);
  // The lock belongs to a connection: OnOneConnection keeps the release on the connection that
  // took it (a pooled Database would otherwise run it on any).
  return db_.OnOneConnection([&]() -> Status {
    bool locked = false;
    Status status = db_.Transaction([&]() -> Status {
      RH_ASSIGN_OR_RETURN(int64_t got, db_.QueryInt("SELECT GET_LOCK(?, ?)",
                                                    {Text(name), Int(kEnqueueLockSeconds)}, -1));
      if (got != 1) {
        return Unavailable("cluster " + cluster_id, "another worker held the enqueue lock for " +
                                                        std::to_string(kEnqueueLockSeconds) +
                                                        "s; try again");
      }
      locked = true;
      return body();
    });
    if (locked) (void)db_.Query("SELECT RELEASE_LOCK(?)", {Text(name)});
    return status;
  });
}

Result<EnqueueResult> TaskQueue::Enqueue(const EnqueueRequest& request) {
  RH_RETURN_IF_ERROR(ValidateRequest(request));
  const std::string dedup_key = DedupKey(request.cluster_id, request.question);
  EnqueueResult outcome;
  Status status = WithClusterLock(request.cluster_id, [&]() -> Status {
    outcome = EnqueueResult{};
    RH_ASSIGN_OR_RETURN(
        QueryResult existing,
        request.one_per_cluster
            ? db_.Query(SelectTasks("WHERE cluster_id = ? AND source = ? AND status IN "
                                    "('queued', 'running') ORDER BY created_at LIMIT 1"),
                        {Text(request.cluster_id),
                         Text(std::string(TaskSourceName(request.source)))})
            : db_.Query(SelectTasks("WHERE dedup_key = ? AND status IN ('queued', 'running') "
                                    "ORDER BY created_at LIMIT 1"),
                        {Text(dedup_key)}));
    if (!existing.empty()) {
      outcome.task = TaskFromRow(existing.front());
      return {};
    }
    RH_ASSIGN_OR_RETURN(outcome.task, InsertTask(request, dedup_key));
    outcome.created = true;
    return {};
  });
  if (!status) return rh::Fail(status.error().WithContext("enqueue " + request.cluster_id));
  return outcome;
}

Result<EnqueueResult> TaskQueue::EnqueueUnlessCooling(const EnqueueRequest& request,
                                                      Duration cooldown) {
  RH_RETURN_IF_ERROR(ValidateRequest(request));
  const std::string dedup_key = DedupKey(request.cluster_id, request.question);
  EnqueueResult outcome;
  Status status = WithClusterLock(request.cluster_id, [&]() -> Status {
    outcome = EnqueueResult{};
    const TimePoint since = clock_.Now() - cooldown;
    RH_ASSIGN_OR_RETURN(
        QueryResult recent,
        db_.Query(SelectTasks("WHERE cluster_id = ? AND created_at > ? ORDER BY created_at DESC "
                              "LIMIT 1"),
                  {Text(request.cluster_id), Time(since)}));
    if (!recent.empty()) {
      outcome.task = TaskFromRow(recent.front());
      outcome.cooling = true;
      return {};
    }
    RH_ASSIGN_OR_RETURN(outcome.task, InsertTask(request, dedup_key));
    outcome.created = true;
    return {};
  });
  if (!status) return rh::Fail(status.error().WithContext("enqueue " + request.cluster_id));
  return outcome;
}

Result<Task> TaskQueue::SetContext(std::string_view task_id, std::string_view context_json) {
  RH_ASSIGN_OR_RETURN(
      int64_t changed,
      db_.Execute("UPDATE investigation_tasks SET context_json = ?, updated_at = ? WHERE task_id "
                  "= ? AND status IN ('queued', 'running')",
                  {Text(RedactSecrets(context_json)), Time(clock_.Now()),
                   Text(std::string(task_id))}));
  RH_ASSIGN_OR_RETURN(Task task, Get(task_id));
  if (changed == 0) {
    return InvalidArgument("task " + task.id,
                           "already " + std::string(TaskStatusName(task.status)) +
                               "; its context can no longer change");
  }
  return task;
}

Result<int> TaskQueue::RequeueExpired() {
  // A plain read, then one conditional update per expired task (by primary key): no locking scan,
  // and a task another claimer requeued first simply does not match any more.
  const TimePoint now = clock_.Now();
  RH_ASSIGN_OR_RETURN(
      QueryResult expired,
      db_.Query("SELECT task_id, lease_owner, attempts, max_attempts, lease_expires_at FROM "
                "investigation_tasks WHERE status = 'running' AND lease_expires_at < ?",
                {Time(now)}));
  int changed = 0;
  for (Row row : expired) {
    const std::string task_id = row.GetString("task_id");
    const std::string owner = row.GetString("lease_owner");
    const bool exhausted = row.GetInt("attempts") >= row.GetInt("max_attempts", 3);
    const std::string reason = "lease of worker '" + owner + "' expired at " +
                               row.GetString("lease_expires_at") +
                               " (the worker stopped heartbeating)";
    auto updated = db_.Execute(
        exhausted ? "UPDATE investigation_tasks SET status = 'failed', lease_owner = NULL, "
                    "lease_expires_at = NULL, last_error = ?, updated_at = ?, finished_at = ? "
                    "WHERE task_id = ? AND status = 'running' AND lease_owner = ? AND "
                    "lease_expires_at < ?"
                  : "UPDATE investigation_tasks SET status = 'queued', lease_owner = NULL, "
                    "lease_expires_at = NULL, last_error = ?, updated_at = ?, not_before = ? "
                    "WHERE task_id = ? AND status = 'running' AND lease_owner = ? AND "
                    "lease_expires_at < ?",
        {Text(reason), Time(now), Time(now), Text(task_id), Text(owner), Time(now)});
    if (!updated) return rh::Fail(updated.error().WithContext("requeue expired leases"));
    if (*updated == 0) continue;
    ++changed;
    Logger("store")->warn("task={} {}: {}", task_id,
                          exhausted ? "failed (out of attempts)" : "requeued", reason);
  }
  return changed;
}

Result<std::optional<Task>> TaskQueue::ClaimOnce(std::string_view owner) {
  const bool mysql = db_.dialect() == Dialect::kMysql;
  constexpr std::string_view kClaimable =
      "FROM investigation_tasks WHERE status = 'queued' AND (not_before IS NULL OR not_before <= "
      "?) ORDER BY priority, created_at, task_id LIMIT ";
  for (int round = 0; round < (mysql ? kClaimRounds : 1); ++round) {
    // MySQL: a plain read of the most urgent claimable tasks, then, inside the transaction, the
    // first of them that can be locked by primary key (FOR UPDATE SKIP LOCKED). A locking scan of
    // the status index itself skips far more rows than other claimers hold (InnoDB checks
    // implicit locks per index page), so workers would see an empty queue that is not.
    std::vector<std::string> candidates;
    if (mysql) {
      RH_ASSIGN_OR_RETURN(QueryResult rows, db_.Query("SELECT task_id " + std::string(kClaimable) +
                                                          std::to_string(kClaimCandidates),
                                                      {Time(clock_.Now())}));
      if (rows.empty()) return std::optional<Task>();
      for (Row row : rows) candidates.push_back(row.GetString(size_t{0}));
    }
    std::optional<Task> claimed;
    bool contended = false;
    Status status = db_.Transaction([&]() -> Status {
      claimed.reset();
      contended = false;
      const TimePoint now = clock_.Now();
      std::string task_id;
      if (mysql) {
        for (const std::string& candidate : candidates) {
          RH_ASSIGN_OR_RETURN(
              QueryResult locked,
              db_.Query("SELECT task_id FROM investigation_tasks WHERE task_id = ? AND status = "
                        "'queued' AND (not_before IS NULL OR not_before <= ?) FOR UPDATE SKIP "
                        "LOCKED",
                        {Text(candidate), Time(now)}));
          if (!locked.empty()) {
            task_id = candidate;
            break;
          }
        }
        if (task_id.empty()) {
          contended = true;  // others claimed every candidate meanwhile: look again
          return {};
        }
      } else {
        // SQLite: the write transaction (BEGIN IMMEDIATE) already excludes other claimers.
        RH_ASSIGN_OR_RETURN(
            QueryResult first,
            db_.Query("SELECT task_id " + std::string(kClaimable) + "1", {Time(now)}));
        if (first.empty()) return {};
        task_id = first.front().GetString(size_t{0});
      }
      RH_ASSIGN_OR_RETURN(
          int64_t updated,
          db_.Execute("UPDATE investigation_tasks SET status = 'running', lease_owner = ?, "
                      "lease_expires_at = ?, attempts = attempts + 1, not_before = NULL, "
                      "started_at = COALESCE(started_at, ?), updated_at = ? WHERE task_id = ? AND "
                      "status = 'queued'",
                      {Text(std::string(owner)), Time(now + config_.lease), Time(now), Time(now),
                       Text(task_id)}));
      if (updated != 1) {
        contended = mysql;
        return {};
      }
      RH_ASSIGN_OR_RETURN(QueryResult row,
                          db_.Query(SelectTasks("WHERE task_id = ?"), {Text(task_id)}));
      if (!row.empty()) claimed = TaskFromRow(row.front());
      return {};
    });
    if (!status) return rh::Fail(status.error().WithContext("claim"));
    if (claimed || !contended) return claimed;
  }
  return std::optional<Task>();  // every task seen was being claimed by others; poll again
}

Result<std::optional<Task>> TaskQueue::Claim(std::string_view owner) {
  RH_RETURN_IF_ERROR(ValidateOwner(owner));
  RH_RETURN_IF_ERROR(RequeueExpired());
  RH_ASSIGN_OR_RETURN(std::optional<Task> claimed, ClaimOnce(owner));
  if (claimed) {
    Logger("store")->info("task={} claimed by {} (attempt {}/{})", claimed->id, owner,
                          claimed->attempts, claimed->max_attempts);
  }
  return claimed;
}

Status TaskQueue::CheckOwnedUpdate(int64_t changed, std::string_view task_id,
                                   std::string_view owner) {
  if (changed > 0) return {};
  auto task = Get(task_id);
  if (!task) return rh::Fail(task.error());
  return PermissionDenied(
      "task " + std::string(task_id),
      "lease lost: the task is " + std::string(TaskStatusName(task->status)) +
          (task->lease_owner.empty() ? std::string()
                                     : " and owned by '" + task->lease_owner + "'") +
          ", not running under '" + std::string(owner) + "'");
}

Status TaskQueue::Heartbeat(std::string_view task_id, std::string_view owner) {
  RH_RETURN_IF_ERROR(ValidateOwner(owner));
  const TimePoint now = clock_.Now();
  RH_ASSIGN_OR_RETURN(
      int64_t changed,
      db_.Execute("UPDATE investigation_tasks SET lease_expires_at = ?, updated_at = ? WHERE "
                  "task_id = ? AND status = 'running' AND lease_owner = ?",
                  {Time(now + config_.lease), Time(now), Text(std::string(task_id)),
                   Text(std::string(owner))}));
  return CheckOwnedUpdate(changed, task_id, owner);
}

Status TaskQueue::Complete(std::string_view task_id, std::string_view owner,
                           std::string_view report_id) {
  RH_RETURN_IF_ERROR(ValidateOwner(owner));
  const TimePoint now = clock_.Now();
  RH_ASSIGN_OR_RETURN(
      int64_t changed,
      db_.Execute("UPDATE investigation_tasks SET status = 'done', report_id = ?, lease_owner = "
                  "NULL, lease_expires_at = NULL, updated_at = ?, finished_at = ? WHERE task_id = "
                  "? AND status = 'running' AND lease_owner = ?",
                  {Text(std::string(report_id)), Time(now), Time(now), Text(std::string(task_id)),
                   Text(std::string(owner))}));
  RH_RETURN_IF_ERROR(CheckOwnedUpdate(changed, task_id, owner));
  Logger("store")->info("task={} done by {} (report {})", task_id, owner, report_id);
  return {};
}

Result<Task> TaskQueue::Fail(std::string_view task_id, std::string_view owner,
                             std::string_view error, bool retryable) {
  RH_RETURN_IF_ERROR(ValidateOwner(owner));
  Task after;
  Status status = db_.Transaction([&]() -> Status {
    const TimePoint now = clock_.Now();
    RH_ASSIGN_OR_RETURN(Task task, Get(task_id));
    if (task.status != TaskStatus::kRunning || task.lease_owner != owner) {
      return CheckOwnedUpdate(0, task_id, owner);
    }
    const bool retry = retryable && task.attempts < task.max_attempts;
    int64_t changed = 0;
    if (retry) {
      Duration backoff = config_.retry_backoff;
      for (int attempt_idx = 1; attempt_idx < task.attempts && backoff < kMaxRetryBackoff;
           ++attempt_idx) {
        backoff *= 2;
      }
      backoff = std::min(backoff, kMaxRetryBackoff);
      RH_ASSIGN_OR_RETURN(
          changed,
          db_.Execute("UPDATE investigation_tasks SET status = 'queued', lease_owner = NULL, "
                      "lease_expires_at = NULL, not_before = ?, last_error = ?, updated_at = ? "
                      "WHERE task_id = ? AND status = 'running' AND lease_owner = ?",
                      {Time(now + backoff), Text(std::string(error)), Time(now),
                       Text(std::string(task_id)), Text(std::string(owner))}));
    } else {
      RH_ASSIGN_OR_RETURN(
          changed,
          db_.Execute("UPDATE investigation_tasks SET status = 'failed', lease_owner = NULL, "
                      "lease_expires_at = NULL, last_error = ?, updated_at = ?, finished_at = ? "
                      "WHERE task_id = ? AND status = 'running' AND lease_owner = ?",
                      {Text(std::string(error)), Time(now), Time(now), Text(std::string(task_id)),
                       Text(std::string(owner))}));
    }
    RH_RETURN_IF_ERROR(CheckOwnedUpdate(changed, task_id, owner));
    RH_ASSIGN_OR_RETURN(after, Get(task_id));
    return {};
  });
  if (!status) return rh::Fail(status.error());
  Logger("store")->warn("task={} attempt {}/{} failed ({}): {}", after.id, after.attempts,
                        after.max_attempts,
                        after.status == TaskStatus::kQueued ? "will retry" : "giving up", error);
  return after;
}

Status TaskQueue::Release(std::string_view task_id, std::string_view owner) {
  RH_RETURN_IF_ERROR(ValidateOwner(owner));
  const TimePoint now = clock_.Now();
  RH_ASSIGN_OR_RETURN(
      int64_t changed,
      db_.Execute("UPDATE investigation_tasks SET status = 'queued', lease_owner = NULL, "
                  "lease_expires_at = NULL, attempts = CASE WHEN attempts > 0 THEN attempts - 1 "
                  "ELSE 0 END, updated_at = ? WHERE task_id = ? AND status = 'running' AND "
                  "lease_owner = ?",
                  {Time(now), Text(std::string(task_id)), Text(std::string(owner))}));
  RH_RETURN_IF_ERROR(CheckOwnedUpdate(changed, task_id, owner));
  Logger("store")->info("task={} released by {} (shutting down); back in the queue", task_id,
                        owner);
  return {};
}

Result<Task> TaskQueue::Cancel(std::string_view task_id, std::string_view requester) {
  Task after;
  Status status = db_.Transaction([&]() -> Status {
    RH_ASSIGN_OR_RETURN(Task task, Get(task_id));
    if (!task.active()) {
      return InvalidArgument("task " + std::string(task_id),
                             "already " + std::string(TaskStatusName(task.status)) +
                                 "; only queued or running tasks can be cancelled");
    }
    const TimePoint now = clock_.Now();
    RH_RETURN_IF_ERROR(Discard(db_.Execute(
        "UPDATE investigation_tasks SET status = 'cancelled', lease_owner = NULL, "
        "lease_expires_at = NULL, last_error = ?, updated_at = ?, finished_at = ? WHERE task_id "
        "= ? AND status IN ('queued', 'running')",
        {Text("cancelled by " +
              (requester.empty() ? std::string("unknown") : std::string(requester))),
         Time(now), Time(now), Text(std::string(task_id))})));
    RH_ASSIGN_OR_RETURN(after, Get(task_id));
    return {};
  });
  if (!status) return rh::Fail(status.error());
  Logger("store")->info("task={} cancelled by {}", after.id, requester);
  return after;
}

Result<Task> TaskQueue::Get(std::string_view task_id) {
  RH_ASSIGN_OR_RETURN(QueryResult rows,
                      db_.Query(SelectTasks("WHERE task_id = ?"), {Text(std::string(task_id))}));
  if (rows.empty()) {
    return NotFound("task " + std::string(task_id),
                    "no such task; `rockhound tasks list` shows the queue");
  }
  return TaskFromRow(rows.front());
}

Result<TaskPage> TaskQueue::ListPage(const TaskFilter& filter) {
  std::string where = "WHERE 1 = 1";
  std::vector<Value> params;
  if (filter.status) {
    where += " AND status = ?";
    params.push_back(Text(std::string(TaskStatusName(*filter.status))));
  }
  if (!filter.cluster_id.empty()) {
    where += " AND cluster_id = ?";
    params.push_back(Text(filter.cluster_id));
  }
  if (!filter.cursor.empty()) {
    // Cursor: "<created_at SQL time>|<task_id>" of the last task of the previous page.
    const size_t bar = filter.cursor.find('|');
    auto at = bar == std::string::npos ? Result<TimePoint>(InvalidArgument("", ""))
                                       : ParseSqlTime(filter.cursor.substr(0, bar));
    if (!at) return InvalidArgument("cursor", "malformed; pass next_cursor from the previous page");
    where += " AND (created_at < ? OR (created_at = ? AND task_id < ?))";
    params.push_back(Time(*at));
    params.push_back(Time(*at));
    params.push_back(Text(filter.cursor.substr(bar + 1)));
  }
  const int limit = std::clamp(filter.limit, 1, 10000);
  RH_ASSIGN_OR_RETURN(
      QueryResult rows,
      db_.Query(SelectTasks(where + " ORDER BY created_at DESC, task_id DESC LIMIT " +
                            std::to_string(limit + 1)),
                params));
  TaskPage page;
  page.tasks.reserve(std::min(rows.size(), size_t(limit)));
  for (size_t row_idx = 0; row_idx < rows.size() && row_idx < size_t(limit); ++row_idx) {
    page.tasks.push_back(TaskFromRow(rows[row_idx]));
  }
  if (rows.size() > size_t(limit)) {
    const Task& last = page.tasks.back();
    page.next_cursor = FormatSqlTime(last.created_at) + "|" + last.id;
  }
  return page;
}

Result<std::vector<Task>> TaskQueue::List(const TaskFilter& filter) {
  RH_ASSIGN_OR_RETURN(TaskPage page, ListPage(filter));
  return std::move(page.tasks);
}

Result<std::map<std::string, Task>> TaskQueue::LatestTaskPerCluster(TimePoint since) {
  RH_ASSIGN_OR_RETURN(
      QueryResult rows,
      db_.Query(SelectTasks("WHERE created_at > ? ORDER BY created_at, task_id"), {Time(since)}));
  std::map<std::string, Task> latest;
  for (Row row : rows) {
    Task task = TaskFromRow(row);
    std::string cluster = task.cluster_id;
    latest.insert_or_assign(std::move(cluster), std::move(task));  // later rows win
  }
  return latest;
}

Result<std::map<TaskStatus, int>> TaskQueue::CountByStatus() {
  RH_ASSIGN_OR_RETURN(
      QueryResult rows,
      db_.Query("SELECT status, COUNT(*) AS n FROM investigation_tasks GROUP BY status"));
  std::map<TaskStatus, int> counts;
  for (Row row : rows) {
    auto status = ParseTaskStatus(row.GetString("status"));
    if (status) counts[*status] += static_cast<int>(row.GetInt("n"));
  }
  return counts;
}

}  // namespace rh::store
