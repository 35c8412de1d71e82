// operation_induced (rule 2, before the node loss it may cause): a suspect operation (an
// UPGRADE, config UPDATE, SCALE, STOP or RESTART started at most 4 h before the onset and
// before the first alert about it, a failed one first; see Assess) precedes the primary
// symptom, a lost node or a volume collapse. The operation outranks the symptom it explains.
// The recommendation rolls the operation back.
#include <map>

#include "agent/internal/diagnosis/family.h"
#include "agent/internal/playbook_vocabulary.h"

namespace rh::agent::internal::diagnosis {
namespace {

class OperationInduced final : public DiagnosisFamily {
 public:
  std::string_view Name() const override { return RootCauseName(RootCause::kOperationInduced); }

  // Not when the siblings' tool sees the same alerts account-wide: one cluster's operation
  // cannot explain its siblings' trouble (rule 4 decides).
  bool Applies(Case& c) override {
    return c.assessment().suspect_operation != nullptr &&
           c.facts().siblings.pattern != "account_wide";
  }

  Report Diagnose(Case& c) override {
    const PlaybookFacts& facts = c.facts();
    const Assessment& assessment = c.assessment();
    Draft& draft = c.draft();
    const Symptom* primary = assessment.Primary();
    c.CiteContext();
    std::string label;
    std::string observed;
    if (primary) {
      c.SymptomSignals(*primary);
      label = DimensionLabel(primary->dimension->name);
      observed = label + " " + WithUnit(primary->dimension->latest, primary->dimension->unit) +
                 " (" + primary->dimension->state + ")";
    }
    if (assessment.node_alert) {
      c.CiteAlerts({assessment.node_alert});
      draft.Agree(1.0, "'" + assessment.node_alert->name + "': " + assessment.lost_node_type +
                           " node lost");
      if (label.empty()) {
        label = "the " + assessment.lost_node_type + " nodes";
        observed = "the loss of " + std::string(assessment.lost_node_type == "FE" ? "an " : "a ") +
                   assessment.lost_node_type + " node ('" + assessment.node_alert->name + "')";
      }
    }
    if (assessment.collapsed) {
      c.CiteDimension(*assessment.collapsed);
      draft.Agree(1.0, DimensionLabel(assessment.collapsed->name) + " collapsed");
      if (label.empty()) {
        label = DimensionLabel(assessment.collapsed->name);
        observed = label + " down to " + WithUnit(assessment.collapsed->latest,
                                                  assessment.collapsed->unit) +
                   " (" + Number(assessment.collapse_ratio * 100) + "% of its baseline)";
      }
    }
    if (label.empty() && !assessment.regressions.empty()) {
      std::vector<std::string> moved;
      for (const DimensionFact* dim : assessment.regressions) {
        c.CiteDimension(*dim);
        if (moved.size() < 3) {
          moved.push_back(DimensionLabel(dim->name) + " " +
                          Factor(dim->change->level_now / dim->change->level_before));
        }
      }
      draft.Agree(assessment.regressions.size() > 1 ? 1.0 : 0.5,
                  JoinNames(moved) + " right after it");
      draft.Disagree("no threshold crossed yet");
      label = DimensionLabel(assessment.regressions.front()->name);
      observed = "a regression still under the alert thresholds: " + JoinNames(moved);
    }
    const OperationFact& op = *assessment.suspect_operation;
    const std::string params = op.ParametersText();
    draft.Cite(facts.operations.source, op.type + " " + params + " by " + op.actor + " at " +
                                            Minute(*op.started_at) + " (" + op.result + "), " +
                                            MinutesText(assessment.suspect_minutes_before) +
                                            " before the onset at " + Minute(*assessment.onset));
    draft.Agree(1.5, op.type + " shortly before the onset");
    if (op.result == "FAILED") draft.Agree(1.0, "the " + op.type + " failed");
    if (!c.Surge()) {
      draft.Agree(0.5, "no workload change");
    } else {
      draft.Disagree("the workload grew as well (" + c.SurgeText() + ")");
    }
    c.CiteMemory(RootCause::kOperationInduced);
    c.CiteSiblingsLocal();
    RecommendRollback(c, op, label);
    if (op.type == "STOP") {
      draft.Recommend("Start the cluster again if the stop was not intended.",
                      "The symptoms began right after the STOP.");
    }
    if (op.result == "FAILED") {
      draft.Recommend("Read the failed " + op.type + "'s log and finish or revert it (the cluster "
                          "may be half-changed: nodes on different versions or configs).",
                      "The " + op.type + " at " + Minute(*op.started_at) + " failed.");
    }
    draft.Recommend("Confirm with the query profiles before and after " + Minute(*op.started_at) +
                        ", and hold further changes on this cluster until it is resolved.",
                    "The regression follows the operation, with no other change in the data.");
    // Severity: critical for a tier S customer or a lost node after a failed operation, high
    // otherwise.
    const bool critical =
        facts.cluster.tier == "S" || (assessment.node_alert && op.result == "FAILED");
    return draft.Finish(
        RootCause::kOperationInduced, critical ? Severity::kCritical : Severity::kHigh,
        "The " + op.type + " " + params + " at " + Minute(*op.started_at) + " by " + op.actor +
            (op.result == "FAILED" ? " (which failed)" : "") + " was followed about " +
            MinutesText(assessment.suspect_minutes_before) + " later by " + observed +
            (c.Surge() ? "" : " with an unchanged workload") + ".",
        "Operation-induced regression on " + facts.cluster.cluster_id + " after the " + op.type +
            " at " + Minute(*op.started_at) + ".");
  }

 private:
  // Undo the operation: the previous version, the config's default, the size before a scale-in.
  static void RecommendRollback(Case& c, const OperationFact& op, const std::string& label) {
    Draft& draft = c.draft();
    const Json& p = op.parameters;
    if (op.type == "UPGRADE" && p.is_object() && p.contains("from_version")) {
      std::string from = JsonString(p, "from_version");
      draft.Recommend(
          "Roll back to " + from +
              " (or move to the next patch release) and file "
              "the regression with the query profiles.",
          label + " regressed right after the upgrade to " + JsonString(p, "to_version") + ".",
          "upgrade_version", Json{{"to", from}},
          "a downgrade needs the metadata to be compatible; take an FE metadata "
          "backup first");
    } else if (op.type == "UPDATE" && p.is_object() && p.contains("changes") &&
               p["changes"].is_object()) {
      std::string scope = JsonString(p, "scope");
      std::string component = scope == "BE" || scope == "CN" || scope == "FE" ? scope : "FE";
      static const std::map<std::string, Json> kDefaults = {
          {"pipeline_dop", "0"},
          {"storage_page_cache_limit", "20%"},
          {"query_timeout", "300"},
          {"max_compaction_concurrency", "-1"},
          {"scanner_thread_pool_thread_num", "48"}};
      for (const auto& [name, value] : p["changes"].items()) {
        auto known = kDefaults.find(name);
        if (known != kDefaults.end()) {
          draft.Recommend("Revert " + name + " (set to " + value.dump() + " at " +
                              Minute(*op.started_at) + ") to " + known->second.get<std::string>() +
                              ".",
                          label + " regressed right after this change.", "set_config",
                          Json{{"component", component}, {"name", name}, {"value", known->second}},
                          "none expected: it restores the previous behaviour");
        } else {
          draft.Recommend("Revert " + name + " to its value before " + Minute(*op.started_at) +
                              " (it was set to " + value.dump() + ").",
                          label + " regressed right after this change.");
        }
      }
    } else if (op.type == "SCALE" && p.is_object()) {
      const bool cn = JsonString(p, "node_type") == "CN";
      if (p.contains("from_cu") && p["from_cu"].is_number_integer()) {
        int64_t from = p["from_cu"].get<int64_t>();
        draft.Recommend(
            "Scale " + std::string(cn ? "CN" : "BE") + " CU back to " + std::to_string(from) + ".",
            label + " regressed right after the scale-in to " +
                std::to_string(JsonInt(p, "to_cu")) + " CU.",
            cn ? "scale_cn_cu" : "scale_be_cu", Json{{"to", from}}, "rolling restart of the nodes");
      } else if (p.contains("from_count") && p["from_count"].is_number_integer()) {
        int64_t from = p["from_count"].get<int64_t>();
        draft.Recommend("Scale " + std::string(cn ? "CN" : "BE") + " nodes back to " +
                            std::to_string(from) + ".",
                        label + " regressed right after the scale-in.",
                        cn ? "scale_cn_nodes" : "scale_be_nodes", Json{{"to", from}},
                        "tablet rebalancing adds I/O for a few hours");
      }
    }
  }
};

}  // namespace

std::unique_ptr<DiagnosisFamily> NewOperationInduced() {
  return std::make_unique<OperationInduced>();
}

}  // namespace rh::agent::internal::diagnosis
