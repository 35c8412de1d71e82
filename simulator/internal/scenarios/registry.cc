#include "simulator/internal/scenarios/registry.h"

namespace rh::simulator::internal {

// Defined in scenarios/<family>.cc, one file per family.
const Scenario& DiskCapacityFamily();
const Scenario& NodeFailureFamily();
const Scenario& CompactionBacklogFamily();
const Scenario& MemoryPressureFamily();
const Scenario& CpuSaturationFamily();
const Scenario& QueryErrorsFamily();
const Scenario& SlowQueriesFamily();
const Scenario& OperationInducedFamily();
const Scenario& IngestionFailureFamily();
const Scenario& KnownBugFamily();
const Scenario& AccountWideFamily();
const Scenario& AlertNoiseFamily();
const Scenario& InsufficientDataFamily();

const std::vector<const Scenario*>& ScenarioFamilies() {
  // The dealing order (registry.h): append only.
  static const std::vector<const Scenario*> families = {
      // clang-format off
      &DiskCapacityFamily(),
      &NodeFailureFamily(),
      &CompactionBacklogFamily(),
      &MemoryPressureFamily(),
      &CpuSaturationFamily(),
      &QueryErrorsFamily(),
      &SlowQueriesFamily(),
      &OperationInducedFamily(),
      &IngestionFailureFamily(),
      &KnownBugFamily(),
      &AccountWideFamily(),
      &AlertNoiseFamily(),
      &InsufficientDataFamily(),
      // clang-format on
  };
  return families;
}

}  // namespace rh::simulator::internal
