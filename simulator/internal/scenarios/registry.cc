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
// Catalogue families (scenarios/mode.h), one file each.
const Scenario& BeCrashLoopFamily();
const Scenario& FeFollowerLostFamily();
const Scenario& FeJvmGcPressureFamily();
const Scenario& BeOomKillFamily();
const Scenario& SpillDiskFillFamily();
const Scenario& TooManyVersionsFamily();
const Scenario& StaleStatsBadPlanFamily();
const Scenario& SlowDiskIoFamily();
const Scenario& BigQueryMemExceedFamily();
const Scenario& ConnectionLimitExhaustionFamily();
const Scenario& RoutineLoadPausedFamily();
const Scenario& StreamLoadFailuresFamily();
const Scenario& FailedUpgradeFamily();
const Scenario& ScaleInDataMovementFamily();
const Scenario& KnownBugInsertMemoryLeakFamily();
const Scenario& KnownBugFeUnionOomFamily();
const Scenario& DecoyBugErrorRateMetricFamily();
const Scenario& AccountWideClientReleaseFamily();
const Scenario& NoisyCustomRuleFamily();
const Scenario& TelemetryPartialGapsFamily();
const Scenario& FeLeaderLostFamily();
const Scenario& CnNodeLostFamily();
const Scenario& FeCheckpointFailureFamily();
const Scenario& LogDiskFillFamily();
const Scenario& CompactionFailuresFamily();
const Scenario& CpuOrganicGrowthFamily();
const Scenario& ObjectStorageThrottlingFamily();
const Scenario& QueryQueueSaturationFamily();
const Scenario& ResourceGroupLimitFamily();
const Scenario& ExternalCatalogFailureFamily();
const Scenario& KafkaUpstreamOutageFamily();
const Scenario& PublishTimeoutFamily();
const Scenario& BrokerLoadNightlyFamily();
const Scenario& MvRefreshFailuresFamily();
const Scenario& ConfigUpdateMemLimitFamily();
const Scenario& BalanceStormAfterScaleOutFamily();
const Scenario& SlowRollingUpgradeFamily();
const Scenario& KnownBugCompactionDelayFamily();
const Scenario& KnownBugRoutineLoadTxnExpiredFamily();
const Scenario& DecoyBugRoutineLoadDisplayFamily();
const Scenario& AccountWideUpstreamCollapseFamily();
const Scenario& NoisyStaticCriticalFamily();
const Scenario& TelemetryGapWithAlertsFamily();
const Scenario& HealthyBenignSpikeFamily();
const Scenario& HealthyInnocentOperationFamily();

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

const std::vector<CatalogueEntry>& Catalogue() {
  // The split is fixed here (simulator/README.md, "The catalogue and its split"): append a new
  // family at the end of its block.
  static const std::vector<CatalogueEntry> catalogue = [] {
    std::vector<CatalogueEntry> entries;
    for (const Scenario* family : ScenarioFamilies()) {
      entries.push_back({family, FamilySplit::kTuning, true});
    }
    const std::vector<CatalogueEntry> rest = {
        // clang-format off
      // ---- tuning ----
      {&BeCrashLoopFamily(), FamilySplit::kTuning, false},
      {&FeFollowerLostFamily(), FamilySplit::kTuning, false},
      {&FeJvmGcPressureFamily(), FamilySplit::kTuning, false},
      {&BeOomKillFamily(), FamilySplit::kTuning, false},
      {&SpillDiskFillFamily(), FamilySplit::kTuning, false},
      {&TooManyVersionsFamily(), FamilySplit::kTuning, false},
      {&StaleStatsBadPlanFamily(), FamilySplit::kTuning, false},
      {&SlowDiskIoFamily(), FamilySplit::kTuning, false},
      {&BigQueryMemExceedFamily(), FamilySplit::kTuning, false},
      {&ConnectionLimitExhaustionFamily(), FamilySplit::kTuning, false},
      {&RoutineLoadPausedFamily(), FamilySplit::kTuning, false},
      {&StreamLoadFailuresFamily(), FamilySplit::kTuning, false},
      {&FailedUpgradeFamily(), FamilySplit::kTuning, false},
      {&ScaleInDataMovementFamily(), FamilySplit::kTuning, false},
      {&KnownBugInsertMemoryLeakFamily(), FamilySplit::kTuning, false},
      {&KnownBugFeUnionOomFamily(), FamilySplit::kTuning, false},
      {&DecoyBugErrorRateMetricFamily(), FamilySplit::kTuning, false},
      {&AccountWideClientReleaseFamily(), FamilySplit::kTuning, false},
      {&NoisyCustomRuleFamily(), FamilySplit::kTuning, false},
      {&TelemetryPartialGapsFamily(), FamilySplit::kTuning, false},
      {&HealthyBenignSpikeFamily(), FamilySplit::kTuning, false},
      // ---- held-out ----
      {&FeLeaderLostFamily(), FamilySplit::kHeldOut, false},
      {&CnNodeLostFamily(), FamilySplit::kHeldOut, false},
      {&FeCheckpointFailureFamily(), FamilySplit::kHeldOut, false},
      {&LogDiskFillFamily(), FamilySplit::kHeldOut, false},
      {&CompactionFailuresFamily(), FamilySplit::kHeldOut, false},
      {&CpuOrganicGrowthFamily(), FamilySplit::kHeldOut, false},
      {&ObjectStorageThrottlingFamily(), FamilySplit::kHeldOut, false},
      {&QueryQueueSaturationFamily(), FamilySplit::kHeldOut, false},
      {&ResourceGroupLimitFamily(), FamilySplit::kHeldOut, false},
      {&ExternalCatalogFailureFamily(), FamilySplit::kHeldOut, false},
      {&KafkaUpstreamOutageFamily(), FamilySplit::kHeldOut, false},
      {&PublishTimeoutFamily(), FamilySplit::kHeldOut, false},
      {&BrokerLoadNightlyFamily(), FamilySplit::kHeldOut, false},
      {&MvRefreshFailuresFamily(), FamilySplit::kHeldOut, false},
      {&ConfigUpdateMemLimitFamily(), FamilySplit::kHeldOut, false},
      {&BalanceStormAfterScaleOutFamily(), FamilySplit::kHeldOut, false},
      {&SlowRollingUpgradeFamily(), FamilySplit::kHeldOut, false},
      {&KnownBugCompactionDelayFamily(), FamilySplit::kHeldOut, false},
      {&KnownBugRoutineLoadTxnExpiredFamily(), FamilySplit::kHeldOut, false},
      {&DecoyBugRoutineLoadDisplayFamily(), FamilySplit::kHeldOut, false},
      {&AccountWideUpstreamCollapseFamily(), FamilySplit::kHeldOut, false},
      {&NoisyStaticCriticalFamily(), FamilySplit::kHeldOut, false},
      {&TelemetryGapWithAlertsFamily(), FamilySplit::kHeldOut, false},
      {&HealthyInnocentOperationFamily(), FamilySplit::kHeldOut, false},
        // clang-format on
    };
    entries.insert(entries.end(), rest.begin(), rest.end());
    return entries;
  }();
  return catalogue;
}

const std::vector<const Scenario*>& FamiliesFor(ScenarioSet set) {
  static const auto make = [](ScenarioSet wanted) {
    std::vector<const Scenario*> families;
    for (const CatalogueEntry& entry : Catalogue()) {
      const bool take = wanted == ScenarioSet::kAll ||
                        (wanted == ScenarioSet::kTuning && entry.split == FamilySplit::kTuning) ||
                        (wanted == ScenarioSet::kHeldOut && entry.split == FamilySplit::kHeldOut);
      if (take) families.push_back(entry.family);
    }
    return families;
  };
  static const std::vector<const Scenario*> tuning = make(ScenarioSet::kTuning);
  static const std::vector<const Scenario*> held_out = make(ScenarioSet::kHeldOut);
  static const std::vector<const Scenario*> all = make(ScenarioSet::kAll);
  switch (set) {
    case ScenarioSet::kClassic:
      return ScenarioFamilies();
    case ScenarioSet::kTuning:
      return tuning;
    case ScenarioSet::kHeldOut:
      return held_out;
    case ScenarioSet::kAll:
      return all;
  }
  return ScenarioFamilies();
}

}  // namespace rh::simulator::internal
