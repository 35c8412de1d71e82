// Report: the one structured result every investigation engine emits (DESIGN.md §5) — what is
// wrong, how sure we are, the evidence (each item citing the tool call it came from), and what
// to do about it, in order. Claude submits it through the `submit_report` tool (whose input
// schema is prompts/text/report_schema.json); the playbook engine builds it directly. Either way
// ParseReport validates it before it is stored, and RenderMarkdown turns it into what people read.
//
// Recommendations may name a concrete operation (scale BE nodes 3→6, BE CU 16→32, expand disk,
// change ESSD level, upgrade, set a config item, ...). Rockhound recommends; it never executes.
// Operations are checked against the instance limits of core/instance_limits.h (BE 3–50 nodes,
// CN 1–100, FE 1–11 and odd, disk 200–65000 GB, ESSD PL2 needs >= 500 GB, PL3 >= 1260 GB).
// Severity and root-cause category are the vocabulary of core/severity.h and core/root_cause.h;
// ParseReport and ReportToJson are where they meet their names.
// Thread-safety: plain values and pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/engine_kind.h"
#include "core/error.h"
#include "core/json.h"
#include "core/root_cause.h"
#include "core/severity.h"

namespace rh::agent {

struct Evidence {
  std::string tool_call_id;  // the id of the tool call it came from (e.g. "toolu_01..." or "call_3")
  std::string tool;          // the tool's name
  std::string finding;       // what the output showed, with the numbers
};

struct Recommendation {
  std::string action;      // what to do, in words an on-call engineer can follow
  std::string rationale;   // why, tied to the evidence
  std::string operation;   // optional: one of RecommendationOperations(), or empty
  Json parameters;         // the operation's parameters (object), e.g. {"from": 3, "to": 6}
  std::string risk;        // optional: what could go wrong / how to roll back
};

// One candidate explanation weighed during the investigation. Hypotheses are ranked, 1 the most
// likely; the rank-1 hypothesis names the report's own category. Evidence for and against cites
// tool calls exactly as the report's evidence does.
struct Hypothesis {
  int rank = 1;                // 1..n, unique, in the order given
  RootCause category = RootCause::kInsufficientData;
  std::string statement;       // the explanation in one sentence, with the key numbers
  double likelihood = 0.0;     // 0.0-1.0, never higher than the hypothesis ranked above it
  std::vector<Evidence> evidence_for;
  std::vector<Evidence> evidence_against;
};

// A cause considered and excluded, with why and the tool calls that show it.
struct RuledOut {
  RootCause category = RootCause::kInsufficientData;
  std::string why;
  std::vector<Evidence> evidence;  // may be empty when the reason is the absence of any sign
};

// Concrete operations a recommendation may carry, with their parameters:
//   scale_be_nodes {to}, scale_cn_nodes {to}, scale_fe_nodes {to}, scale_be_cu {to},
//   scale_cn_cu {to}, expand_disk {to_gb}, change_essd_level {to ("PL0".."PL3"), disk_gb},
//   upgrade_version {to}, set_config {component ("BE"|"FE"), name, value}, restart_node {node},
//   silence_alert {alert_name, duration}, none {}.
const std::vector<std::string>& RecommendationOperations();

struct Report {
  Severity severity = Severity::kInfo;
  double confidence = 0.0;
  std::string root_cause;
  RootCause root_cause_category = RootCause::kInsufficientData;
  std::vector<Evidence> evidence;
  std::vector<Recommendation> recommendations;
  std::string summary;
  // The reasoning (optional in a submit_report input, always present in a playbook report):
  // the hypotheses weighed, ranked; the causes ruled out; what could not be checked (a tool
  // that failed, a signal the data does not carry).
  std::vector<Hypothesis> hypotheses;
  std::vector<RuledOut> ruled_out;
  std::vector<std::string> missing_evidence;
  // Only on the report of a run that reached agent.investigation_timeout (the Investigator writes
  // it; it is never part of a submit_report input): what happened, e.g. "investigation timed out
  // after 10m at step 3 (...)"; the Investigator then adds the protocol steps whose evidence is
  // missing to missing_evidence.
  std::string timed_out;
};

// Limits of the reasoning fields (ParseReport refuses more).
inline constexpr size_t kMaxHypotheses = 8;
inline constexpr size_t kMaxRuledOut = 16;
inline constexpr size_t kMaxMissingEvidence = 16;

// Whether a report carries the reasoning the playbook must always give: at least one
// hypothesis. Returns the problem ("" when complete).
std::string MissingReasoning(const Report& report);

// Validates `input` (the submit_report tool input or a stored report) and returns the report,
// or invalid_argument listing EVERY problem found, one per line, phrased so a model can fix its
// submission ("severity: must be one of critical, high, medium, low, info; got 'urgent'").
// `known_tool_call_ids`, when non-empty, is the set of tool calls made in this investigation;
// evidence must cite one of them.
Result<Report> ParseReport(const Json& input, const std::vector<std::string>& known_tool_call_ids = {});

// A tool call as the model that submits a report knows it, for the citation rules.
struct CitableCall {
  enum class State {
    kSeen,    // succeeded, and its result was sent to the model before the submitting turn
    kFailed,  // its result was an error (is_error): a gap, not evidence
    kUnseen,  // made in the submitting message itself: the model had not read its result
  };
  std::string id;
  std::string tool;
  State state = State::kSeen;
};

// ParseReport with the citation rules of the Claude loop: every evidence item (of the evidence,
// the hypotheses' evidence for and against, and the ruled-out causes) must cite a call in
// `calls` that is kSeen, and name that call's tool; a kFailed call may be cited only by an
// insufficient_data report (as the gap that explains it); a report when no call is kSeen must
// be insufficient_data (or healthy, saying why). Every broken rule is one
// problem line, with the ids that may be cited.
Result<Report> ParseReportCiting(const Json& input, const std::vector<CitableCall>& calls);

// The citation rules of ParseReportCiting for one cited item (`where` names it in the problem
// lines, e.g. "citations[2]"): it must cite a call of `calls` the model had read (kSeen; a
// kFailed call only when `may_cite_failed`) and name that call's tool when it names one. Appends
// one line per broken rule to `problems`, listing the ids that may be cited. The follow-up
// answers (agent/follow_up.h) cite under the same rules.
void CheckCitation(const Evidence& item, const std::vector<CitableCall>& calls,
                   bool may_cite_failed, const std::string& where,
                   std::vector<std::string>* problems);

Json ReportToJson(const Report& report);

// What the Markdown header shows besides the report.
struct ReportContext {
  std::string report_id;
  std::string cluster_id;
  EngineKind engine = EngineKind::kPlaybook;  // claude | playbook
  std::string model;
  std::string created_at;   // ISO time
  std::string question;
  std::string llm_error;    // why the playbook stood in for Claude, when it did
  std::string trigger;      // agent/trigger_brief.h TriggerBriefText: why this investigation ran
  long long duration_ms = 0;
  long long tool_calls = 0;
};

std::string RenderMarkdown(const Report& report, const ReportContext& context);

}  // namespace rh::agent
