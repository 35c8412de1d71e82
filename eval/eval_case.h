// EvalCase: one case of the eval harness (eval/README.md) — a fleet slice, a trigger and an
// answer key, read from a JSON file of bench/agent/cases/.
//
//   fleet    the accounts, clusters (node groups, metric series as piecewise-linear points over
//            the last `days` days), alerts and operations an investigation may look at; loaded
//            into a fresh fleet database by LoadFleetSlice (eval/fleet_slice.h)
//   trigger  what started the investigation: sentinel rules with their values, a firing alert,
//            or an engineer's question
//   expect   the answer key: the root-cause category (core/root_cause.h; `also_accept` for a
//            second defensible reading), the acceptable severities, the facts that must appear in
//            the findings of correctly cited evidence (regexes), claims no report may make
//            (regexes over root cause, summary and findings) and red herrings (categories the
//            data shows but that must not be blamed)
//   script   how the scripted model answers this case (eval/scripted_model.h): which tools it
//            calls and, for the cases built to fail a check, the fault it commits and the
//            checks the harness must then fail
// ParseCase refuses a case whose parts do not fit together (a fact's `says` not matching its
// own pattern, a trigger cluster not in the fleet, an unknown metric) with every problem named.
// Thread-safety: plain values and pure functions.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/json.h"
#include "core/root_cause.h"
#include "core/severity.h"

namespace rh::eval {

// A fact a correct report must state in the finding of an evidence item whose citation is valid.
struct RequiredFact {
  std::string pattern;  // ECMAScript regex, matched case-insensitively
  std::string says;     // how the scripted model states it (must match `pattern`)
  std::string tool;     // the tool whose output shows it (the scripted model cites that call)
};

struct Expectation {
  RootCause category = RootCause::kHealthy;
  std::vector<RootCause> also_accept;
  std::vector<Severity> severities;  // empty: any
  std::vector<RequiredFact> facts;
  std::vector<std::string> forbidden;  // regexes, case-insensitive
  std::vector<RootCause> red_herrings;
};

enum class TriggerKind { kSentinel, kAlert, kQuestion };

struct Trigger {
  TriggerKind kind = TriggerKind::kQuestion;
  std::string cluster_id;
  std::string question;  // the engineer's question, or the alert's one-line question
  Json rules = nullptr;  // kSentinel: [{rule, value, threshold, reason, priority}]
};

// The scripted model's plan for this case.
enum class ScriptFault {
  kNone,
  kFabricatedCitation,  // cites a tool call id that was never made
  kForbiddenClaim,      // states the case's first forbidden claim (script.claim)
  kMissingFact,         // leaves the required facts out
  kWrongCategory,       // blames the first red herring
  kUngroundedFact,      // states the first fact as script.claim: a number the data does not show
};

struct ScriptPlan {
  std::vector<std::string> tools;  // tools called in the first turn (default: the first four)
  ScriptFault fault = ScriptFault::kNone;
  // kForbiddenClaim: the sentence added to the root cause; kUngroundedFact: the first fact's
  // finding (it matches the fact's pattern, its numbers are not in the tool output)
  std::string claim;
  std::vector<std::string> expect_failed;  // checks (ScoreChecks names) that must fail
};

struct EvalCase {
  std::string id;
  std::string title;
  std::string source;  // where the story comes from: "ops", "StarRocks PR #12345", a doc
  std::string path;    // the file it was read from
  TimePoint now{};     // the investigation's "now"; the fleet's last hour is the hour before
  int days = 8;
  Json fleet;  // the raw slice (eval/fleet_slice.h reads it)
  Trigger trigger;
  Expectation expect;
  ScriptPlan script;
};

std::string_view ScriptFaultName(ScriptFault fault);

// The checks a run is scored on, in table order (eval/scoring.h): engine (the requested engine
// wrote the report, no fallback), category, severity, facts, forbidden, citations.
const std::vector<std::string>& CheckNames();

// invalid_argument naming the file and every problem.
Result<EvalCase> ParseCase(const Json& json, const std::string& path);
Result<EvalCase> LoadCase(const std::string& path);
// Every *.json under `dir`, sorted by id; ids must be unique.
Result<std::vector<EvalCase>> LoadCases(const std::string& dir);

}  // namespace rh::eval
