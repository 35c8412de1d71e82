// ScriptedConversation: the conversation a scripted Anthropic-compatible server replays for one
// eval case (the format of tests/agent/scenarios/README.md), so the harness can run the real
// Claude engine in CI without a model.
//
// Turn 1 calls the case's script tools (default: cluster info, metrics, alerts, operations) in
// parallel with fixed ids toolu_eval_1..n (the case's cluster id, or the case title as the
// knowledge query). Turn 2 submits a report built from the answer key: the expected category,
// the first acceptable severity, and one evidence item per required fact stating its `says`
// and citing the call of the fact's tool (that tool is added to turn 1 when the script lacks
// it). Nothing is hard-coded to pass: the citations are valid only if the engine really ran
// those calls on the case's fleet and they succeeded, and the engine's evidence rules and the
// harness's checks judge the report as they judge any model's.
// A case whose script names a fault breaks its report on purpose:
//   fabricated_citation  cites toolu_eval_fabricated (twice: the repair turn repeats it)
//   forbidden_claim      adds script.claim to the root cause
//   missing_fact         states a generic finding instead of the required facts
//   wrong_category       blames the first red herring
//   ungrounded_fact      states the first fact as script.claim, whose number the data lacks
// Thread-safety: pure function.
#pragma once

#include "core/json.h"
#include "eval/eval_case.h"

namespace rh::eval {

// {"name", "description", "turns": [...]} for ScriptedAnthropicServer.
Json ScriptedConversation(const EvalCase& eval_case);

}  // namespace rh::eval
