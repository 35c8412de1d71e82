// InstanceLimits: what a StarRocks cluster of the managed platform can be scaled to — the bounds
// every recommended operation is checked against (Rockhound recommends, it never executes):
//   BE nodes 3-50, CN nodes 1-100, FE nodes 1-11 and odd (a quorum), disk 200-65,000 GB per
//   node, and the ESSD level PL2 needs at least 500 GB (PL3 at least 1,260 GB).
// Thread-safety: constants.
#pragma once

#include <cstdint>

namespace rh::limits {

inline constexpr int64_t kMinBeNodes = 3;
inline constexpr int64_t kMaxBeNodes = 50;
inline constexpr int64_t kMinCnNodes = 1;
inline constexpr int64_t kMaxCnNodes = 100;
inline constexpr int64_t kMinFeNodes = 1;
inline constexpr int64_t kMaxFeNodes = 11;  // and odd
inline constexpr int64_t kMinDiskGb = 200;
inline constexpr int64_t kMaxDiskGb = 65000;
inline constexpr int64_t kMinPl2DiskGb = 500;
inline constexpr int64_t kMinPl3DiskGb = 1260;

}  // namespace rh::limits
