// CancellationToken: how another thread tells one running investigation to stop.
//
// The lease keeper (agent/lease_keeper.h) cancels the investigation whose task lease was lost
// (another worker reclaimed the task after the lease expired, or the task was cancelled): this
// worker may no longer finish it, so it must neither store a report nor spend more tokens.
// The run looks at the token at its checkpoints — the Claude loop before each model turn and
// each tool call, the playbook before each protocol step — and returns the cancellation error;
// the Investigator stores nothing for a cancelled run. A model request or tool call already in
// flight is not interrupted (agent.request_timeout and the tools' own limits bound it).
//
// The error is `permission_denied` (the code the task queue uses for "lease lost": the run is no
// longer allowed to finish), context "cancelled", the message the canceller gave.
// Thread-safety: Cancel, cancelled and Check may be called from any thread.
#pragma once

#include <atomic>
#include <mutex>
#include <string>

#include "core/error.h"

namespace rh::agent {

class CancellationToken {
 public:
  // Asks the run to stop because of `reason` ("lease lost: ..."). The first call wins; later
  // calls change nothing.
  void Cancel(std::string reason) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (cancelled_.load()) return;
    reason_ = std::move(reason);
    cancelled_.store(true);
  }

  bool cancelled() const { return cancelled_.load(); }

  // OK while not cancelled; afterwards permission_denied: cancelled: <reason>.
  Status Check() const {
    if (!cancelled_.load()) return {};
    std::lock_guard<std::mutex> lock(mutex_);
    return PermissionDenied("cancelled", reason_);
  }

 private:
  std::atomic<bool> cancelled_{false};
  mutable std::mutex mutex_;
  std::string reason_;
};

}  // namespace rh::agent
