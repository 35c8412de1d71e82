#include "simulator/scenario_catalog.h"

#include "simulator/internal/scenarios/mode.h"
#include "simulator/internal/scenarios/registry.h"

namespace rh::simulator {
namespace {

// One line for each classic family (their stories are told in their own files).
std::string ClassicSummary(RootCause category) {
  switch (category) {
    case RootCause::kDiskCapacity:
      return "BE data disk climbs steadily to 88-97% over days (new ingest job or no TTL)";
    case RootCause::kCompactionBacklog:
      return "load surge x2.5-4: compaction score 600-1500, versions pile up";
    case RootCause::kMemoryPressure:
      return "QPS and scans x2.4-5.5: BE memory 88-96%, memory-limit query errors";
    case RootCause::kCpuSaturation:
      return "heavy queries: CPU 78-94%, scans x3.5-5.5, latency 6-12 s";
    case RootCause::kSlowQueries:
      return "latency p99 16-45 s with CPU unchanged (big scans or data skew)";
    case RootCause::kQueryErrors:
      return "error rate 3-15% on a flat workload (bad client release or timeouts)";
    case RootCause::kNodeFailure:
      return "one or two BEs down, failed auto-restart, survivors loaded";
    case RootCause::kOperationInduced:
      return "UPGRADE, config UPDATE or SCALE-in 10-90 min before a regression";
    case RootCause::kIngestionFailure:
      return "60-400 failed loads an hour, load rate down (Kafka schema change, txn limit)";
    case RootCause::kKnownBug:
      return "3.2.0-3.2.2 PageCache exceeds its limit (#37740): BE memory climbs on a flat load";
    case RootCause::kAccountWide:
      return "2-4 siblings degrade together (BI dashboard rollout or Kafka outage)";
    case RootCause::kAlertNoise:
      return "an alert fires and resolves every few minutes on a healthy cluster";
    case RootCause::kInsufficientData:
      return "no snapshots for the last 6-30 hours";
    default:
      return "";
  }
}

std::vector<FamilyInfo> BuildCatalogue() {
  std::vector<FamilyInfo> out;
  for (const internal::CatalogueEntry& entry : internal::Catalogue()) {
    FamilyInfo info;
    info.name = std::string(entry.family->name());
    info.category = entry.family->category();
    info.split = entry.split;
    info.classic = entry.classic;
    const auto* mode = dynamic_cast<const internal::ModeFamily*>(entry.family);
    info.summary = mode ? mode->spec().summary : ClassicSummary(info.category);
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace

std::string_view ScenarioSetName(ScenarioSet set) {
  switch (set) {
    case ScenarioSet::kClassic:
      return "classic";
    case ScenarioSet::kTuning:
      return "tuning";
    case ScenarioSet::kHeldOut:
      return "held_out";
    case ScenarioSet::kAll:
      return "all";
  }
  return "classic";
}

Result<ScenarioSet> ParseScenarioSet(std::string_view text) {
  for (ScenarioSet set :
       {ScenarioSet::kClassic, ScenarioSet::kTuning, ScenarioSet::kHeldOut, ScenarioSet::kAll}) {
    if (text == ScenarioSetName(set)) return set;
  }
  return InvalidArgument("scenarios", "unknown scenario set '" + std::string(text) +
                                          "': use classic, tuning, held_out or all");
}

std::string_view FamilySplitName(FamilySplit split) {
  return split == FamilySplit::kTuning ? "tuning" : "held_out";
}

const std::vector<FamilyInfo>& ScenarioCatalogue() {
  static const std::vector<FamilyInfo> catalogue = BuildCatalogue();
  return catalogue;
}

std::vector<FamilyInfo> FamiliesOf(ScenarioSet set) {
  std::vector<FamilyInfo> out;
  for (const internal::Scenario* family : internal::FamiliesFor(set)) {
    const FamilyInfo* info = FindFamily(family->name());
    if (info) out.push_back(*info);
  }
  return out;
}

const FamilyInfo* FindFamily(std::string_view name) {
  for (const FamilyInfo& info : ScenarioCatalogue()) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

bool IsHeldOutFamily(std::string_view family) {
  const FamilyInfo* info = FindFamily(family);
  return info && info->split == FamilySplit::kHeldOut;
}

std::optional<std::string> FamilyOfScenario(std::string_view scenario, RootCause category) {
  const size_t slash = scenario.find('/');
  const std::string name = slash == std::string_view::npos ? std::string(RootCauseName(category))
                                                           : std::string(scenario.substr(0, slash));
  const FamilyInfo* info = FindFamily(name);
  if (!info || info->category != category) return std::nullopt;
  return info->name;
}

}  // namespace rh::simulator
