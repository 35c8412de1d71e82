#include "agent/report.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "core/instance_limits.h"

namespace rh::agent {
namespace {

std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (size_t item_idx = 0; item_idx < items.size(); ++item_idx) {
    if (item_idx) out += ", ";
    out += items[item_idx];
  }
  return out;
}

bool Contains(const std::vector<std::string>& items, std::string_view value) {
  return std::find(items.begin(), items.end(), value) != items.end();
}

std::string TypeName(const Json& value) {
  if (value.is_null()) return "null";
  if (value.is_string()) return "a string";
  if (value.is_number()) return "a number";
  if (value.is_boolean()) return "a boolean";
  if (value.is_array()) return "an array";
  return "an object";
}

// Checks one operation's parameters against the instance limits.
void CheckOperation(const Recommendation& rec, const std::string& where,
                    std::vector<std::string>* problems) {
  const Json& p = rec.parameters;
  auto need_int = [&](const char* key, long long low, long long high) -> std::optional<long long> {
    if (!p.is_object() || !p.contains(key) || !p[key].is_number_integer()) {
      problems->push_back(where + ".parameters." + key + ": required integer for operation '" +
                          rec.operation + "'");
      return std::nullopt;
    }
    long long value = p[key].get<long long>();
    if (value < low || value > high) {
      problems->push_back(where + ".parameters." + key + ": " + std::to_string(value) +
                          " is outside the instance limits " + std::to_string(low) + ".." +
                          std::to_string(high) + " for '" + rec.operation + "'");
      return std::nullopt;
    }
    return value;
  };
  auto need_string = [&](const char* key) -> std::optional<std::string> {
    if (!p.is_object() || !p.contains(key) || !p[key].is_string() ||
        p[key].get<std::string>().empty()) {
      problems->push_back(where + ".parameters." + key + ": required non-empty string for "
                          "operation '" + rec.operation + "'");
      return std::nullopt;
    }
    return p[key].get<std::string>();
  };
  const std::string& op = rec.operation;
  if (op == "scale_be_nodes") {
    need_int("to", limits::kMinBeNodes, limits::kMaxBeNodes);
  } else if (op == "scale_cn_nodes") {
    need_int("to", limits::kMinCnNodes, limits::kMaxCnNodes);
  } else if (op == "scale_fe_nodes") {
    if (auto to = need_int("to", limits::kMinFeNodes, limits::kMaxFeNodes); to && *to % 2 == 0) {
      problems->push_back(where + ".parameters.to: FE node count must be odd (1, 3, 5, ... " +
                          std::to_string(limits::kMaxFeNodes) + ")");
    }
  } else if (op == "scale_be_cu" || op == "scale_cn_cu") {
    need_int("to", 1, 1024);
  } else if (op == "expand_disk") {
    need_int("to_gb", limits::kMinDiskGb, limits::kMaxDiskGb);
  } else if (op == "change_essd_level") {
    if (auto level = need_string("to")) {
      if (*level != "PL0" && *level != "PL1" && *level != "PL2" && *level != "PL3") {
        problems->push_back(where + ".parameters.to: must be PL0, PL1, PL2 or PL3");
      } else if (*level == "PL2" || *level == "PL3") {
        auto disk = need_int("disk_gb", limits::kMinDiskGb, limits::kMaxDiskGb);
        const int64_t at_least = *level == "PL2" ? limits::kMinPl2DiskGb : limits::kMinPl3DiskGb;
        if (disk && *disk < at_least) {
          problems->push_back(where + ".parameters.disk_gb: ESSD " + *level + " needs at least " +
                              std::to_string(at_least) + " GB per disk");
        }
      }
    }
  } else if (op == "upgrade_version") {
    need_string("to");
  } else if (op == "set_config") {
    if (auto component = need_string("component"); component && *component != "BE" &&
                                                    *component != "FE" && *component != "CN") {
      problems->push_back(where + ".parameters.component: must be BE, FE or CN");
    }
    need_string("name");
    if (!p.is_object() || !p.contains("value")) {
      problems->push_back(where + ".parameters.value: required for set_config");
    }
  } else if (op == "restart_node") {
    need_string("node");
  } else if (op == "silence_alert") {
    need_string("alert_name");
    need_string("duration");
  }
}

// Parses one evidence item {tool_call_id, tool, finding} at `where`, checking the call id
// against the investigation's calls when they are known.
Evidence ParseEvidenceItem(const Json& item, const std::string& where,
                           const std::vector<std::string>& known_tool_call_ids,
                           std::vector<std::string>* problems) {
  if (!item.is_object()) {
    problems->push_back(where + ": must be an object {tool_call_id, tool, finding}");
    return {};
  }
  Evidence entry{JsonString(item, "tool_call_id"), JsonString(item, "tool"),
                 JsonString(item, "finding")};
  if (entry.tool_call_id.empty()) problems->push_back(where + ".tool_call_id: required");
  if (entry.tool.empty()) problems->push_back(where + ".tool: required");
  if (entry.finding.empty()) problems->push_back(where + ".finding: required");
  if (!entry.tool_call_id.empty() && !known_tool_call_ids.empty() &&
      !Contains(known_tool_call_ids, entry.tool_call_id)) {
    problems->push_back(where + ".tool_call_id: '" + entry.tool_call_id +
                        "' is not a tool call of this investigation; cite one of: " +
                        JoinList(known_tool_call_ids));
  }
  return entry;
}

// An optional array of evidence items at `where` (absent = empty).
std::vector<Evidence> ParseEvidenceList(const Json& object, const char* key,
                                        const std::string& where,
                                        const std::vector<std::string>& known_tool_call_ids,
                                        std::vector<std::string>* problems) {
  std::vector<Evidence> out;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return out;
  if (!it->is_array()) {
    problems->push_back(where + "." + key + ": must be an array of {tool_call_id, tool, finding}");
    return out;
  }
  for (size_t item_idx = 0; item_idx < it->size(); ++item_idx) {
    out.push_back(ParseEvidenceItem((*it)[item_idx],
                                    where + "." + key + "[" + std::to_string(item_idx) + "]",
                                    known_tool_call_ids, problems));
  }
  return out;
}

// A category field of a reasoning item: parsed through the vocabulary, every valid name listed
// on a refusal.
std::optional<RootCause> ParseCategoryField(const Json& item, const std::string& where,
                                            std::vector<std::string>* problems) {
  auto it = item.find("category");
  if (it == item.end() || !it->is_string() || it->get<std::string>().empty()) {
    problems->push_back(where + ".category: required, one of " + std::string(RootCauseNames()));
    return std::nullopt;
  }
  auto parsed = ParseRootCause(it->get<std::string>());
  if (!parsed) {
    problems->push_back(where + ".category: " + parsed.error().message);
    return std::nullopt;
  }
  return *parsed;
}

// A required non-empty string of at most `max_len` characters in a reasoning item.
std::string ParseItemText(const Json& item, const char* key, const std::string& where,
                          size_t max_len, std::vector<std::string>* problems) {
  std::string text = JsonString(item, key);
  if (text.empty()) {
    problems->push_back(where + "." + key + ": required non-empty string");
  } else if (text.size() > max_len) {
    problems->push_back(where + "." + key + ": too long (" + std::to_string(text.size()) +
                        " characters, at most " + std::to_string(max_len) + ")");
  }
  return text;
}

// hypotheses, ruled_out and missing_evidence: each optional; when present, well formed.
void ParseReasoning(const Json& input, const std::vector<std::string>& known_tool_call_ids,
                    Report* report, std::vector<std::string>* problems) {
  if (auto it = input.find("hypotheses"); it != input.end() && !it->is_null()) {
    if (!it->is_array()) {
      problems->push_back("hypotheses: must be an array of {rank, category, statement, "
                          "likelihood, evidence_for, evidence_against}");
    } else if (it->size() > kMaxHypotheses) {
      problems->push_back("hypotheses: at most " + std::to_string(kMaxHypotheses) + "; got " +
                          std::to_string(it->size()));
    } else {
      for (size_t hyp_idx = 0; hyp_idx < it->size(); ++hyp_idx) {
        const Json& item = (*it)[hyp_idx];
        const std::string where = "hypotheses[" + std::to_string(hyp_idx) + "]";
        if (!item.is_object()) {
          problems->push_back(where + ": must be an object {rank, category, statement, "
                                      "likelihood, evidence_for, evidence_against}");
          continue;
        }
        Hypothesis hypothesis;
        const int expected_rank = static_cast<int>(hyp_idx) + 1;
        auto rank = item.find("rank");
        if (rank == item.end() || !rank->is_number_integer()) {
          problems->push_back(where + ".rank: required integer (" + std::to_string(expected_rank) +
                              " here: ranks run 1, 2, ... in the order given)");
        } else if (rank->get<long long>() != expected_rank) {
          problems->push_back(where + ".rank: must be " + std::to_string(expected_rank) +
                              " (ranks run 1, 2, ... in the order given); got " +
                              std::to_string(rank->get<long long>()));
        }
        hypothesis.rank = expected_rank;
        if (auto category = ParseCategoryField(item, where, problems)) {
          hypothesis.category = *category;
        }
        hypothesis.statement = ParseItemText(item, "statement", where, 1000, problems);
        auto likelihood = item.find("likelihood");
        if (likelihood == item.end() || !likelihood->is_number()) {
          problems->push_back(where + ".likelihood: required number between 0.0 and 1.0");
        } else {
          hypothesis.likelihood = likelihood->get<double>();
          if (!(hypothesis.likelihood >= 0.0 && hypothesis.likelihood <= 1.0)) {
            problems->push_back(where + ".likelihood: must be between 0.0 and 1.0");
          } else if (!report->hypotheses.empty() &&
                     hypothesis.likelihood > report->hypotheses.back().likelihood + 1e-9) {
            problems->push_back(where + ".likelihood: " + std::to_string(hypothesis.likelihood) +
                                " is higher than the hypothesis ranked above it; order the "
                                "hypotheses most likely first");
          }
        }
        hypothesis.evidence_for =
            ParseEvidenceList(item, "evidence_for", where, known_tool_call_ids, problems);
        hypothesis.evidence_against =
            ParseEvidenceList(item, "evidence_against", where, known_tool_call_ids, problems);
        report->hypotheses.push_back(std::move(hypothesis));
      }
      if (!report->hypotheses.empty() &&
          report->hypotheses.front().category != report->root_cause_category) {
        problems->push_back("hypotheses[0].category: the most likely hypothesis must be the "
                            "report's root_cause_category (" +
                            std::string(RootCauseName(report->root_cause_category)) + "); got " +
                            std::string(RootCauseName(report->hypotheses.front().category)));
      }
    }
  }
  if (auto it = input.find("ruled_out"); it != input.end() && !it->is_null()) {
    if (!it->is_array()) {
      problems->push_back("ruled_out: must be an array of {category, why, evidence}");
    } else if (it->size() > kMaxRuledOut) {
      problems->push_back("ruled_out: at most " + std::to_string(kMaxRuledOut) + "; got " +
                          std::to_string(it->size()));
    } else {
      for (size_t out_idx = 0; out_idx < it->size(); ++out_idx) {
        const Json& item = (*it)[out_idx];
        const std::string where = "ruled_out[" + std::to_string(out_idx) + "]";
        if (!item.is_object()) {
          problems->push_back(where + ": must be an object {category, why, evidence}");
          continue;
        }
        RuledOut ruled;
        if (auto category = ParseCategoryField(item, where, problems)) {
          ruled.category = *category;
          if (ruled.category == report->root_cause_category) {
            problems->push_back(where + ".category: " + std::string(RootCauseName(*category)) +
                                " is the report's own root_cause_category; it cannot be ruled "
                                "out too");
          }
        }
        ruled.why = ParseItemText(item, "why", where, 1000, problems);
        ruled.evidence = ParseEvidenceList(item, "evidence", where, known_tool_call_ids, problems);
        report->ruled_out.push_back(std::move(ruled));
      }
    }
  }
  if (auto it = input.find("missing_evidence"); it != input.end() && !it->is_null()) {
    if (!it->is_array()) {
      problems->push_back("missing_evidence: must be an array of strings (what could not be "
                          "checked)");
    } else if (it->size() > kMaxMissingEvidence) {
      problems->push_back("missing_evidence: at most " + std::to_string(kMaxMissingEvidence) +
                          "; got " + std::to_string(it->size()));
    } else {
      for (size_t miss_idx = 0; miss_idx < it->size(); ++miss_idx) {
        const Json& item = (*it)[miss_idx];
        const std::string where = "missing_evidence[" + std::to_string(miss_idx) + "]";
        if (!item.is_string() || item.get<std::string>().empty()) {
          problems->push_back(where + ": must be a non-empty string");
        } else if (item.get<std::string>().size() > 500) {
          problems->push_back(where + ": too long (at most 500 characters)");
        } else {
          report->missing_evidence.push_back(item.get<std::string>());
        }
      }
    }
  }
}

Json EvidenceListJson(const std::vector<Evidence>& items) {
  Json out = Json::array();
  for (const Evidence& item : items) {
    out.push_back({{"tool_call_id", item.tool_call_id}, {"tool", item.tool},
                   {"finding", item.finding}});
  }
  return out;
}

}  // namespace

std::string MissingReasoning(const Report& report) {
  if (report.hypotheses.empty()) return "hypotheses: at least one is required";
  return "";
}

const std::vector<std::string>& RecommendationOperations() {
  static const std::vector<std::string> operations = {
      "none",          "scale_be_nodes",    "scale_cn_nodes",  "scale_fe_nodes",
      "scale_be_cu",   "scale_cn_cu",       "expand_disk",     "change_essd_level",
      "upgrade_version", "set_config",      "restart_node",    "silence_alert"};
  return operations;
}

void CheckCitation(const Evidence& item, const std::vector<CitableCall>& calls,
                   bool may_cite_failed, const std::string& where,
                   std::vector<std::string>* problems) {
  if (item.tool_call_id.empty()) return;  // reported as required already
  std::vector<std::string> citable;
  for (const CitableCall& call : calls) {
    if (call.state == CitableCall::State::kSeen) citable.push_back(call.id + " (" + call.tool + ")");
  }
  const std::string cite_one = citable.empty() ? std::string("no call has succeeded yet")
                                               : "cite one of: " + JoinList(citable);
  auto call = std::find_if(calls.begin(), calls.end(),
                           [&](const CitableCall& c) { return c.id == item.tool_call_id; });
  if (call == calls.end()) {
    problems->push_back(where + ".tool_call_id: '" + item.tool_call_id +
                        "' is not a tool call of this investigation; " + cite_one);
    return;
  }
  if (call->state == CitableCall::State::kUnseen) {
    problems->push_back(where + ".tool_call_id: '" + item.tool_call_id +
                        "' was called in this same message, so you had not seen its result; "
                        "cite only results you have read (" + cite_one + ")");
  } else if (call->state == CitableCall::State::kFailed && !may_cite_failed) {
    problems->push_back(where + ".tool_call_id: '" + item.tool_call_id + "' (" + call->tool +
                        ") failed; a failed call is a gap, not evidence: say so in the summary "
                        "and " + cite_one);
  }
  if (!item.tool.empty() && item.tool != call->tool) {
    problems->push_back(where + ".tool: '" + item.tool + "' but " + item.tool_call_id +
                        " was a call of " + call->tool);
  }
}

namespace {

// The citation problems of `evidence` under the Claude loop's rules (ParseReportCiting).
void CheckCitations(const Report& report, bool category_known,
                    const std::vector<CitableCall>& calls, std::vector<std::string>* problems) {
  const bool insufficient = report.root_cause_category == RootCause::kInsufficientData;
  const bool citable_empty =
      std::none_of(calls.begin(), calls.end(),
                   [](const CitableCall& c) { return c.state == CitableCall::State::kSeen; });
  auto check = [&](const Evidence& item, const std::string& where) {
    CheckCitation(item, calls, /*may_cite_failed=*/category_known && insufficient, where,
                  problems);
  };
  auto check_all = [&](const std::vector<Evidence>& items, const std::string& where) {
    for (size_t item_idx = 0; item_idx < items.size(); ++item_idx) {
      check(items[item_idx], where + "[" + std::to_string(item_idx) + "]");
    }
  };
  check_all(report.evidence, "evidence");
  for (size_t idx = 0; idx < report.hypotheses.size(); ++idx) {
    const std::string where = "hypotheses[" + std::to_string(idx) + "]";
    check_all(report.hypotheses[idx].evidence_for, where + ".evidence_for");
    check_all(report.hypotheses[idx].evidence_against, where + ".evidence_against");
  }
  for (size_t idx = 0; idx < report.ruled_out.size(); ++idx) {
    check_all(report.ruled_out[idx].evidence, "ruled_out[" + std::to_string(idx) + "].evidence");
  }
  // Nothing succeeded: only "we cannot tell" (or "nothing is wrong", said with that reason) may
  // be reported.
  if (citable_empty && category_known && !insufficient &&
      report.root_cause_category != RootCause::kHealthy) {
    problems->push_back("root_cause_category: no tool call of this investigation has succeeded, "
                        "so nothing can support a diagnosis; investigate with the tools first, or "
                        "submit insufficient_data and say which tools failed");
  }
}

Result<Report> ParseReportImpl(const Json& input,
                               const std::vector<std::string>& known_tool_call_ids,
                               const std::vector<CitableCall>* calls);

}  // namespace

Result<Report> ParseReport(const Json& input, const std::vector<std::string>& known_tool_call_ids) {
  return ParseReportImpl(input, known_tool_call_ids, nullptr);
}

Result<Report> ParseReportCiting(const Json& input, const std::vector<CitableCall>& calls) {
  return ParseReportImpl(input, {}, &calls);
}

namespace {

Result<Report> ParseReportImpl(const Json& input,
                               const std::vector<std::string>& known_tool_call_ids,
                               const std::vector<CitableCall>* calls) {
  std::vector<std::string> problems;
  Report report;
  if (!input.is_object()) {
    return InvalidArgument("report", "must be a JSON object with severity, confidence, "
                                     "root_cause, root_cause_category, evidence, "
                                     "recommendations and summary; got " + TypeName(input));
  }
  static const std::set<std::string> kKnownFields = {
      "severity",        "confidence", "root_cause", "root_cause_category", "evidence",
      "recommendations", "summary",    "hypotheses", "ruled_out",           "missing_evidence"};
  for (const auto& [key, value] : input.items()) {
    if (!kKnownFields.count(key)) problems.push_back(key + ": unknown field; remove it");
  }
  auto text_field = [&](const char* key, size_t max_len, std::string* out) {
    auto it = input.find(key);
    if (it == input.end() || !it->is_string() || it->get<std::string>().empty()) {
      problems.push_back(std::string(key) + ": required non-empty string");
      return;
    }
    *out = it->get<std::string>();
    if (out->size() > max_len) {
      problems.push_back(std::string(key) + ": too long (" + std::to_string(out->size()) +
                         " characters, at most " + std::to_string(max_len) + ")");
    }
  };
  // The vocabulary fields: a name Parse refuses is listed with every valid one.
  std::optional<Severity> severity;
  std::string severity_text;
  text_field("severity", 16, &severity_text);
  if (!severity_text.empty()) {
    if (auto parsed = ParseSeverity(severity_text)) {
      severity = *parsed;
      report.severity = *parsed;
    } else {
      problems.push_back("severity: " + parsed.error().message);
    }
  }
  auto confidence = input.find("confidence");
  if (confidence == input.end() || !confidence->is_number()) {
    problems.push_back("confidence: required number between 0.0 and 1.0");
  } else {
    report.confidence = confidence->get<double>();
    if (!(report.confidence >= 0.0 && report.confidence <= 1.0)) {
      problems.push_back("confidence: must be between 0.0 and 1.0");
    }
  }
  text_field("root_cause", 4000, &report.root_cause);
  std::string category_text;
  bool category_known = false;
  text_field("root_cause_category", 64, &category_text);
  if (!category_text.empty()) {
    if (auto parsed = ParseRootCause(category_text)) {
      report.root_cause_category = *parsed;
      category_known = true;
    } else {
      problems.push_back("root_cause_category: " + parsed.error().message);
    }
  }
  text_field("summary", 4000, &report.summary);

  auto evidence = input.find("evidence");
  if (evidence == input.end() || !evidence->is_array() || evidence->empty()) {
    problems.push_back("evidence: required non-empty array of {tool_call_id, tool, finding}");
  } else {
    for (size_t item_idx = 0; item_idx < evidence->size(); ++item_idx) {
      const Json& item = (*evidence)[item_idx];
      Evidence entry = ParseEvidenceItem(item, "evidence[" + std::to_string(item_idx) + "]",
                                         known_tool_call_ids, &problems);
      if (item.is_object()) report.evidence.push_back(std::move(entry));
    }
  }

  auto recommendations = input.find("recommendations");
  if (recommendations == input.end() || !recommendations->is_array()) {
    problems.push_back("recommendations: required array (ordered, most important first; may be "
                       "empty only for severity info)");
  } else {
    for (size_t rec_idx = 0; rec_idx < recommendations->size(); ++rec_idx) {
      const Json& item = (*recommendations)[rec_idx];
      std::string where = "recommendations[" + std::to_string(rec_idx) + "]";
      if (!item.is_object()) {
        problems.push_back(where + ": must be an object {action, rationale, operation?, "
                                   "parameters?, risk?}");
        continue;
      }
      Recommendation rec;
      rec.action = JsonString(item, "action");
      rec.rationale = JsonString(item, "rationale");
      rec.operation = JsonString(item, "operation");
      rec.risk = JsonString(item, "risk");
      rec.parameters = item.contains("parameters") ? item["parameters"] : Json::object();
      if (rec.action.empty()) problems.push_back(where + ".action: required");
      if (rec.rationale.empty()) problems.push_back(where + ".rationale: required");
      if (!rec.parameters.is_object()) problems.push_back(where + ".parameters: must be an object");
      if (!rec.operation.empty()) {
        if (!Contains(RecommendationOperations(), rec.operation)) {
          problems.push_back(where + ".operation: must be one of " +
                             JoinList(RecommendationOperations()) + "; got '" + rec.operation + "'");
        } else if (rec.parameters.is_object()) {
          CheckOperation(rec, where, &problems);
        }
      }
      report.recommendations.push_back(std::move(rec));
    }
    if (recommendations->empty() && severity && *severity != Severity::kInfo) {
      problems.push_back("recommendations: at least one is required unless severity is info");
    }
  }
  ParseReasoning(input, known_tool_call_ids, &report, &problems);
  if (calls) CheckCitations(report, category_known, *calls, &problems);
  if (!problems.empty()) {
    std::string message = "the report is invalid (" + std::to_string(problems.size()) +
                          " problem" + (problems.size() == 1 ? "" : "s") + "):";
    for (const std::string& problem : problems) message += "\n- " + problem;
    return InvalidArgument("report", message);
  }
  return report;
}

}  // namespace

Json ReportToJson(const Report& report) {
  Json evidence = EvidenceListJson(report.evidence);
  Json recommendations = Json::array();
  for (const Recommendation& rec : report.recommendations) {
    Json item = {{"action", rec.action}, {"rationale", rec.rationale}};
    if (!rec.operation.empty()) item["operation"] = rec.operation;
    if (rec.parameters.is_object() && !rec.parameters.empty()) item["parameters"] = rec.parameters;
    if (!rec.risk.empty()) item["risk"] = rec.risk;
    recommendations.push_back(std::move(item));
  }
  Json out = {{"severity", std::string(SeverityName(report.severity))},
              {"confidence", std::round(report.confidence * 100.0) / 100.0},
              {"root_cause", report.root_cause},
              {"root_cause_category", std::string(RootCauseName(report.root_cause_category))},
              {"evidence", std::move(evidence)},
              {"recommendations", std::move(recommendations)},
              {"summary", report.summary}};
  if (!report.hypotheses.empty()) {
    Json hypotheses = Json::array();
    for (const Hypothesis& hypothesis : report.hypotheses) {
      hypotheses.push_back({{"rank", hypothesis.rank},
                            {"category", std::string(RootCauseName(hypothesis.category))},
                            {"statement", hypothesis.statement},
                            {"likelihood", std::round(hypothesis.likelihood * 100.0) / 100.0},
                            {"evidence_for", EvidenceListJson(hypothesis.evidence_for)},
                            {"evidence_against", EvidenceListJson(hypothesis.evidence_against)}});
    }
    out["hypotheses"] = std::move(hypotheses);
  }
  if (!report.ruled_out.empty()) {
    Json ruled_out = Json::array();
    for (const RuledOut& ruled : report.ruled_out) {
      ruled_out.push_back({{"category", std::string(RootCauseName(ruled.category))},
                           {"why", ruled.why},
                           {"evidence", EvidenceListJson(ruled.evidence)}});
    }
    out["ruled_out"] = std::move(ruled_out);
  }
  if (!report.timed_out.empty()) out["timed_out"] = report.timed_out;
  if (!report.missing_evidence.empty()) out["missing_evidence"] = report.missing_evidence;
  return out;
}

std::string RenderMarkdown(const Report& report, const ReportContext& context) {
  std::ostringstream out;
  std::string severity_upper(SeverityName(report.severity));
  std::transform(severity_upper.begin(), severity_upper.end(), severity_upper.begin(), ::toupper);
  out << "# " << severity_upper << " — " << context.cluster_id << ": "
      << RootCauseName(report.root_cause_category) << "\n\n";
  out << "**Confidence:** " << static_cast<int>(std::lround(report.confidence * 100)) << "%  \n";
  out << "**Engine:** " << EngineKindName(context.engine);
  if (!context.model.empty()) out << " (" << context.model << ")";
  out << "  \n";
  if (!context.report_id.empty()) out << "**Report:** " << context.report_id << "  \n";
  if (!context.created_at.empty()) out << "**Created:** " << context.created_at << "  \n";
  if (!context.question.empty()) out << "**Question:** " << context.question << "  \n";
  if (context.duration_ms > 0 || context.tool_calls > 0) {
    out << "**Work:** " << context.tool_calls << " tool calls in "
        << (context.duration_ms / 1000.0) << " s  \n";
  }
  if (!context.trigger.empty()) {
    out << "\n## Trigger\n\n```\n" << context.trigger << "\n```\n";
  }
  if (!context.llm_error.empty()) {
    out << "\n> **Note:** Claude could not complete this investigation (" << context.llm_error
        << "); the offline playbook engine wrote this report.\n";
  }
  if (!report.timed_out.empty()) {
    out << "\n> **Note:** the " << report.timed_out
        << "; this report holds only what was found before it stopped.\n";
  }
  out << "\n## Summary\n\n" << report.summary << "\n\n## Root cause\n\n" << report.root_cause << "\n";
  out << "\n## Evidence\n\n";
  if (report.evidence.empty()) out << "None.\n";
  for (const Evidence& item : report.evidence) {
    out << "- " << item.finding << " — *" << item.tool << "* `" << item.tool_call_id << "`\n";
  }
  auto citations = [](const std::vector<Evidence>& items) {
    std::string text;
    for (const Evidence& item : items) {
      text += (text.empty() ? "" : "; ") + item.finding + " (`" + item.tool_call_id + "`)";
    }
    return text;
  };
  if (!report.hypotheses.empty()) {
    out << "\n## Hypotheses\n\n";
    for (const Hypothesis& hypothesis : report.hypotheses) {
      out << hypothesis.rank << ". **" << RootCauseName(hypothesis.category) << "** ("
          << static_cast<int>(std::lround(hypothesis.likelihood * 100)) << "%): "
          << hypothesis.statement << "\n";
      if (!hypothesis.evidence_for.empty()) {
        out << "   *For:* " << citations(hypothesis.evidence_for) << "\n";
      }
      if (!hypothesis.evidence_against.empty()) {
        out << "   *Against:* " << citations(hypothesis.evidence_against) << "\n";
      }
    }
  }
  if (!report.ruled_out.empty()) {
    out << "\n## Ruled out\n\n";
    for (const RuledOut& ruled : report.ruled_out) {
      out << "- **" << RootCauseName(ruled.category) << "**: " << ruled.why;
      if (!ruled.evidence.empty()) out << " — " << citations(ruled.evidence);
      out << "\n";
    }
  }
  if (!report.missing_evidence.empty()) {
    out << "\n## Missing evidence\n\n";
    for (const std::string& missing : report.missing_evidence) out << "- " << missing << "\n";
  }
  out << "\n## Recommendations\n\n";
  if (report.recommendations.empty()) out << "No action needed.\n";
  int order = 1;
  for (const Recommendation& rec : report.recommendations) {
    out << order++ << ". **" << rec.action << "**";
    if (!rec.operation.empty() && rec.operation != "none") {
      out << " (`" << rec.operation;
      if (rec.parameters.is_object() && !rec.parameters.empty()) out << " " << rec.parameters.dump();
      out << "`)";
    }
    out << "  \n   " << rec.rationale << "\n";
    if (!rec.risk.empty()) out << "   *Risk:* " << rec.risk << "\n";
  }
  out << "\n*Rockhound recommends; it never executes operations.*\n";
  return out.str();
}

}  // namespace rh::agent
