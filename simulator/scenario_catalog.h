// The scenario catalogue: every scenario family the simulator can tell, which root-cause category
// each one is labelled with, and the fixed split of the families into tuning families (rules and
// calibrations may be tuned on them) and held-out families (only ever evaluated).
//
// A fleet draws its incidents from one ScenarioSet (FleetParams::scenarios):
//   classic   the 13 original families, one per category (the default: demo, tests)
//   tuning    every tuning family (the classic ones included)
//   held_out  every held-out family
//   all       the whole catalogue, tuning families first
// The split is part of the code, not of a run: simulator/README.md ("The catalogue and its split")
// lists it and says why each held-out family differs in shape from the tuning families of its
// category. tests/simulator/scenario_catalog_test.cc checks that it is fixed and covers every
// category on both sides.
//
// The family of a ground-truth row: catalogue families name their scenarios
// "<family>/<shape>[_partial]"; a classic family's scenario has no '/' and its family is named
// after its category (FamilyOfScenario).
// Thread-safety: immutable data and pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/root_cause.h"

namespace rh::simulator {

enum class ScenarioSet { kClassic, kTuning, kHeldOut, kAll };

std::string_view ScenarioSetName(ScenarioSet set);  // "classic" | "tuning" | "held_out" | "all"
// invalid_argument naming the accepted values for anything else.
Result<ScenarioSet> ParseScenarioSet(std::string_view text);

enum class FamilySplit { kTuning, kHeldOut };
std::string_view FamilySplitName(FamilySplit split);  // "tuning" | "held_out"

struct FamilyInfo {
  std::string name;    // unique: "be_crash_loop", "disk_capacity" (a classic family)
  RootCause category;  // the answer key of every incident it tells
  FamilySplit split;
  bool classic = false;  // one of the 13 original families
  std::string summary;   // one line: what the story is
};

// Every family of the catalogue: the tuning families (classic first), then the held-out ones.
const std::vector<FamilyInfo>& ScenarioCatalogue();
// The families a ScenarioSet deals incidents from, in dealing order.
std::vector<FamilyInfo> FamiliesOf(ScenarioSet set);
// nullptr when no family has that name.
const FamilyInfo* FindFamily(std::string_view name);

// Whether `family` is a held-out family (false for unknown names and tuning families).
bool IsHeldOutFamily(std::string_view family);

// The family a ground-truth row's scenario belongs to: the part before '/' for catalogue
// families, the category's classic family otherwise. nullopt when that is no known family.
std::optional<std::string> FamilyOfScenario(std::string_view scenario, RootCause category);

}  // namespace rh::simulator
