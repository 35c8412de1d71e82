// TaskQueue: the durable investigation queue in the agent memory (table investigation_tasks).
//
// A task asks for one investigation of one cluster. It is created by the sentinel (subject to a
// per-cluster cooldown), by an engineer (ad-hoc: CLI, HTTP, MCP) or by the alert webhook, and is
// worked by whichever worker claims it first. The queue guarantees, across threads, processes
// and machines sharing one memory database:
//   - never lost: a task leaves `queued`/`running` only through Complete, Fail (out of attempts
//     or not retryable) or Cancel; a worker that dies keeps its lease only until the lease
//     expires, then the next Claim puts the task back in the queue (or fails it when it has used
//     all its attempts);
//   - never run twice at once: Claim is atomic (SQLite: one BEGIN IMMEDIATE transaction;
//     MySQL/MariaDB: the most urgent claimable ids by a plain read, then the first that
//     SELECT ... WHERE task_id = ? FOR UPDATE SKIP LOCKED can lock, then a conditional UPDATE),
//     so concurrent claimers get different tasks without waiting for each other, and
//     Heartbeat/Complete/Fail/Release succeed only for the current lease owner;
//   - ordered: priority (1 most urgent) first, then age (oldest first);
//   - de-duplicated: Enqueue returns the existing task instead of a new one while a task for
//     the same cluster and normalised question (lower case, single spaces, no trailing "?.!")
//     is queued or running; EnqueueUnlessCooling (the sentinel's entry point) creates nothing
//     while any task for the cluster was created within the cooldown. Check and insert run
//     under a per-cluster lock (SQLite: BEGIN IMMEDIATE; MySQL: GET_LOCK), never doubled.
// Retries: Fail(retryable) puts the task back with not_before = now + retry_backoff * 2^(n-1)
// after its n-th attempt, until max_attempts attempts have been made; a lost lease counts as an
// attempt. Every time comes from the injected Clock and reaches SQL as a bound parameter.
//
// Errors: invalid_argument for bad input (unknown cluster id shape, empty owner), not_found for
// an unknown task id, permission_denied ("lease lost") when the caller no longer owns the task,
// unavailable when the database is busy or down (retry later).
// Thread-safety: a TaskQueue is safe to share between threads (the Database serialises calls);
// for parallel claiming, give each worker its own Database connection and TaskQueue.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/error.h"
#include "store/database.h"

namespace rh::store {

enum class TaskSource { kSentinel, kAdhoc, kWebhook, kIssue };
enum class TaskStatus { kQueued, kRunning, kDone, kFailed, kCancelled };

// "sentinel" | "adhoc" | "webhook" | "issue" (a new or escalated alert issue, issues/)
std::string_view TaskSourceName(TaskSource source);
std::string_view TaskStatusName(TaskStatus status);  // "queued" | "running" | ...
Result<TaskSource> ParseTaskSource(std::string_view text);
Result<TaskStatus> ParseTaskStatus(std::string_view text);

struct Task {
  std::string id;  // tsk_...
  std::string cluster_id;
  TaskSource source = TaskSource::kAdhoc;
  std::string rules_fired;  // JSON array written by the sentinel; "[]" for other sources
  int priority = 3;         // 1 (most urgent) .. 3
  std::string question;
  std::string dedup_key;  // cluster id + "|" + SHA-256 of the normalised question
  TaskStatus status = TaskStatus::kQueued;
  std::string lease_owner;  // empty unless running
  std::optional<TimePoint> lease_expires_at;
  int attempts = 0;  // claims so far
  int max_attempts = 3;
  std::optional<TimePoint> not_before;  // not claimable before this time (retry backoff)
  std::string last_error;
  std::string requester;  // who asked ("sentinel", a user name, "alertmanager")
  std::string report_id;  // set by Complete
  TimePoint created_at{};
  TimePoint updated_at{};
  std::optional<TimePoint> started_at;   // first claim
  std::optional<TimePoint> finished_at;  // done, failed or cancelled
  // What triggered the task, as a JSON object (webhook and issue tasks: {"alerts": [...],
  // "issue": {...}}), for the investigation's brief; "" when nothing.
  std::string context_json;

  bool active() const { return status == TaskStatus::kQueued || status == TaskStatus::kRunning; }
};

struct EnqueueRequest {
  std::string cluster_id;  // must satisfy IsValidResourceId
  TaskSource source = TaskSource::kAdhoc;
  int priority = 3;      // 1..3
  std::string question;  // may be empty (a general health investigation)
  std::string rules_fired = "[]";
  std::string requester;
  std::string context_json;  // see Task::context_json
  // Enqueue: de-duplicate on (cluster, source) instead of (cluster, question): while any task
  // of this source for the cluster is queued or running, that one is returned (webhook tasks:
  // at most one open per cluster; later alerts attach to it with MergeContext).
  bool one_per_cluster = false;
};

struct EnqueueResult {
  Task task;  // the new task, the duplicate already queued/running, or the task
              // that started the cooldown
  bool created = false;
  bool cooling = false;  // EnqueueUnlessCooling: nothing created, `task` started the cooldown
};

struct TaskFilter {
  std::optional<TaskStatus> status;
  std::string cluster_id;  // empty: every cluster
  int limit = 50;          // 1..10000
  std::string cursor;      // TaskPage::next_cursor of the previous page; empty: the first page
};

struct TaskPage {
  std::vector<Task> tasks;  // newest first
  std::string next_cursor;  // empty when there are no more
};

// The question as de-duplication sees it: trimmed, lower case, runs of white space collapsed to
// one space, trailing '?', '.' and '!' removed.
std::string NormaliseQuestion(std::string_view question);

class TaskQueue {
 public:
  TaskQueue(Database& db, Clock& clock, QueueConfig config);

  // Creates a task unless one for the same cluster and normalised question is queued or running;
  // then returns that one (created = false). No cooldown (ad-hoc and webhook requests).
  Result<EnqueueResult> Enqueue(const EnqueueRequest& request);

  // The sentinel's entry point: creates a task unless any task for the cluster (any source, any
  // status) was created less than `cooldown` ago; then returns the most recent such task with
  // cooling = true. Check and insert are one transaction, so several sentinels sharing a memory
  // database create at most one task per cluster per cooldown.
  Result<EnqueueResult> EnqueueUnlessCooling(const EnqueueRequest& request, Duration cooldown);

  // Claims the most urgent claimable task for `owner` (a lease of config.lease), first putting
  // back tasks whose lease expired. nullopt when nothing is claimable.
  Result<std::optional<Task>> Claim(std::string_view owner);
  // Extends the lease by config.lease. permission_denied when the lease was lost.
  Status Heartbeat(std::string_view task_id, std::string_view owner);
  // Marks the task done with its report. permission_denied when the lease was lost.
  Status Complete(std::string_view task_id, std::string_view owner, std::string_view report_id);
  // Records a failed attempt: back to the queue after the backoff when `retryable` and attempts
  // remain, otherwise failed for good. Returns the task as it is now.
  Result<Task> Fail(std::string_view task_id, std::string_view owner, std::string_view error,
                    bool retryable);
  // Gives a claimed task back without counting the attempt (clean shutdown).
  Status Release(std::string_view task_id, std::string_view owner);
  // Cancels a queued or running task (a running worker loses its lease). invalid_argument when
  // the task already finished.
  Result<Task> Cancel(std::string_view task_id, std::string_view requester);
  // Puts back (or fails, when out of attempts) running tasks whose lease expired. Returns how
  // many were put back or failed. Claim calls it; exposed for `tasks list` and tests.
  Result<int> RequeueExpired();

  // Replaces the context of a queued or running task (alerts that arrived later attach to the
  // task already open). invalid_argument when the task already ended.
  Result<Task> SetContext(std::string_view task_id, std::string_view context_json);

  Result<Task> Get(std::string_view task_id);
  // Newest first; one page of at most filter.limit tasks. invalid_argument for a malformed cursor.
  Result<TaskPage> ListPage(const TaskFilter& filter);
  // Newest first (the first page only).
  Result<std::vector<Task>> List(const TaskFilter& filter);
  // The most recent task per cluster created after `since` (cooldown and `sentinel explain`).
  Result<std::map<std::string, Task>> LatestTaskPerCluster(TimePoint since);
  // Number of tasks per status.
  Result<std::map<TaskStatus, int>> CountByStatus();

 private:
  Result<Task> InsertTask(const EnqueueRequest& request, const std::string& dedup_key);
  // Runs `body` (check + insert) exclusively for one cluster across processes.
  Status WithClusterLock(const std::string& cluster_id, const std::function<Status()>& body);
  Result<std::optional<Task>> ClaimOnce(std::string_view owner);
  Status CheckOwnedUpdate(int64_t changed, std::string_view task_id, std::string_view owner);

  Database& db_;
  Clock& clock_;
  QueueConfig config_;
};

}  // namespace rh::store
