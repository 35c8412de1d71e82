// disk_capacity (rule 6, disk): BE data disks filling. A flat load rate means data is not
// being removed; a load-rate rise corroborates. The recommendation frees space, then expands
// the disks to 1.5x (rounded up to 100 GB, within the ESSD level's minimum and the 65000 GB
// maximum), or adds a BE node when the disks are at their maximum.
#include <algorithm>

#include "agent/internal/diagnosis/family.h"
#include "core/instance_limits.h"

namespace rh::agent::internal::diagnosis {
namespace {

class DiskCapacity final : public SymptomFamily {
 public:
  DiskCapacity() : SymptomFamily(RootCause::kDiskCapacity) {}

 protected:
  std::string Explain(Case& c, const Symptom& primary) override {
    Draft& draft = c.draft();
    const DimensionFact& dim = *primary.dimension;
    const std::string surge = c.SurgeText();
    const std::string value = WithUnit(dim.latest, dim.unit);
    if (dim.trend_per_hour > 0) draft.Agree(0.5, "a steady climb");
    if (const WorkloadShift* load = c.assessment().Shift("load_rate"); load && load->rising) {
      draft.Agree(0.5, "the load rate grew");
      c.CiteDimension(*load->dimension);
    }
    std::string root_cause =
        "BE data disks of " + c.facts().cluster.cluster_id + " are filling: " + value + " used" +
        c.SinceOnset() +
        (dim.projected_hours_to_critical
             ? ", critical in about " + Number(*dim.projected_hours_to_critical) + " h"
             : "") +
        (surge.empty() ? " with a flat load rate (data is not being removed: expired "
                         "partitions, trash, or a growing table)"
                       : " after the load rate grew (" + surge + ")") +
        ".";
    draft.Recommend(
        "Free space now: drop expired partitions, truncate staging tables, empty the "
        "BE trash (ADMIN CLEAN TRASH); check partition TTL settings.",
        "Disk usage is " + value + " and rising.");
    const NodeGroupFact* compute = c.facts().cluster.Compute();
    if (compute && compute->disk_size_gb > 0) {
      int64_t to =
          std::min<int64_t>(limits::kMaxDiskGb, ((compute->disk_size_gb * 3 / 2 + 99) / 100) * 100);
      if (compute->essd_level == "PL2") to = std::max<int64_t>(to, limits::kMinPl2DiskGb);
      if (compute->essd_level == "PL3") to = std::max<int64_t>(to, limits::kMinPl3DiskGb);
      if (to > compute->disk_size_gb) {
        draft.Recommend("Expand the " + compute->node_type + " data disks " +
                            std::to_string(compute->disk_size_gb) + " -> " + std::to_string(to) +
                            " GB.",
                        "Keeps usage under 85% while the growth is dealt with.", "expand_disk",
                        Json{{"to_gb", to}}, "online expansion; cannot be shrunk afterwards");
      } else if (compute->node_type == "BE" && compute->count < limits::kMaxBeNodes) {
        int64_t nodes = std::min<int64_t>(limits::kMaxBeNodes, compute->count + 1);
        draft.Recommend("Add a BE node (" + std::to_string(compute->count) + " -> " +
                            std::to_string(nodes) + "): the disks are at their maximum size.",
                        "More nodes spread the data.", "scale_be_nodes", Json{{"to", nodes}},
                        "rebalancing adds I/O for a few hours");
      }
    }
    if (!surge.empty()) {
      draft.Recommend("Review the new ingestion (" + surge +
                          "): retention and partitioning of "
                          "the tables it writes.",
                      "The growth started with the extra load.");
    }
    return root_cause;
  }

  // Critical at 95% or critical on a tier S customer; high when critical; medium at warning.
  Severity SeverityFor(const Case& c, const Symptom& primary) const override {
    const bool critical_now = primary.level == 2;
    if (primary.dimension->latest >= 95 || (c.facts().cluster.tier == "S" && critical_now)) {
      return Severity::kCritical;
    }
    return critical_now ? Severity::kHigh : Severity::kMedium;
  }
};

}  // namespace

std::unique_ptr<DiagnosisFamily> NewDiskCapacity() { return std::make_unique<DiskCapacity>(); }

}  // namespace rh::agent::internal::diagnosis
