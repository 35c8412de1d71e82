// The fleet overview's snapshot: every cluster's overview row (its newest score), read from the
// fleet database once and kept in the Runtime, with the rows pre-sorted for each OverviewSort.
// A page is then a binary search for the cursor and a walk of `limit` rows, whatever the fleet's
// size, instead of two queries that join and sort every cluster per page.
//
// Freshness: FleetViews rebuilds the snapshot when the newest scored snapshot time or the number
// of clusters changed (both read with one cheap query per page), and at most kMaxAge after it was
// built, so an edit that changes neither (a cluster renamed, a customer profile updated) shows
// within that time.
// Thread-safety: Current/Replace may be called from several threads; a snapshot is immutable.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "core/clock.h"
#include "service/fleet_views.h"

namespace rh::service {

struct OverviewSnapshot {
  static constexpr Duration kMaxAge = std::chrono::seconds(30);

  std::optional<TimePoint> as_of;  // newest score snapshot when built
  int64_t cluster_count = 0;       // rows of cluster_info when built
  MonoTime built_at{};             // MachineMonotonic() when built
  std::vector<ClusterRow> rows;    // without history, report or task
  std::vector<size_t> worst_first;  // indices into rows, OverviewSort::kWorstFirst
  std::vector<size_t> by_name;      // indices into rows, OverviewSort::kName
};

class OverviewCache {
 public:
  std::shared_ptr<const OverviewSnapshot> Current() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return current_;
  }
  void Replace(std::shared_ptr<const OverviewSnapshot> snapshot) {
    std::lock_guard<std::mutex> lock(mutex_);
    current_ = std::move(snapshot);
  }
  // Held while a snapshot is rebuilt, so concurrent pages wait for one rebuild.
  std::mutex& rebuild_mutex() { return rebuild_mutex_; }

 private:
  mutable std::mutex mutex_;
  std::mutex rebuild_mutex_;
  std::shared_ptr<const OverviewSnapshot> current_;
};

}  // namespace rh::service
