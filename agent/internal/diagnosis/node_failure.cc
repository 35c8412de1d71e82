// node_failure (rule 2): the primary symptom is the alive BE/CN ratio. A dead node explains
// everything below it in the causal order, so no other cause is weighed against it.
#include <algorithm>
#include <cmath>
#include <regex>

#include "agent/internal/diagnosis/family.h"
#include "core/instance_limits.h"
#include "agent/internal/playbook_vocabulary.h"

namespace rh::agent::internal::diagnosis {
namespace {

class NodeFailure final : public DiagnosisFamily {
 public:
  std::string_view Name() const override { return RootCauseName(RootCause::kNodeFailure); }

  bool Applies(Case& c) override {
    const Symptom* primary = c.assessment().Primary();
    return primary && primary->dimension->name == "alive_be";
  }

  Report Diagnose(Case& c) override {
    const PlaybookFacts& facts = c.facts();
    const Assessment& assessment = c.assessment();
    Draft& draft = c.draft();
    const Symptom& primary = *assessment.Primary();
    c.CiteContext();
    c.SymptomSignals(primary);
    const DimensionFact& alive = *primary.dimension;
    const NodeGroupFact* compute = facts.cluster.Compute();
    int64_t count = compute ? compute->count : 0;
    int64_t down = count > 0 ? std::llround(count * (100.0 - alive.latest) / 100.0) : 0;
    std::string node;
    std::regex node_pattern("\\b(be|cn)-[0-9]+\\b");
    for (const OperationFact& op : facts.operations.operations) {
      if (op.type != "RESTART" || !op.started_at || !assessment.onset ||
          *op.started_at < *assessment.onset)
        continue;
      draft.Cite(facts.operations.source, "RESTART " + op.ParametersText() + " by " + op.actor +
                                              " at " + Minute(*op.started_at) + ": " + op.result +
                                              " (a reaction to the failure)");
      if (op.result != "SUCCESS") draft.Agree(0.5, "the auto-restart did not bring it back");
      std::smatch match;
      std::string params = op.ParametersText();
      if (node.empty() && std::regex_search(params, match, node_pattern)) node = match.str();
    }
    for (const AlertFact* alert : primary.alerts) {
      std::smatch match;
      if (node.empty() && std::regex_search(alert->detail, match, node_pattern)) {
        node = match.str();
      }
    }
    if (const DimensionFact* cpu = facts.metrics.Find("cpu"); cpu && cpu->rising()) {
      draft.Agree(0.5, "CPU rose on the survivors");
      c.CiteDimension(*cpu);
    }
    c.CiteKnowledge(SymptomKeywords("alive_be"), false);
    c.CiteMemory(RootCause::kNodeFailure);
    c.CiteSiblingsLocal();
    std::string who = node.empty() ? "a " + c.ComputeType() + " node" : node;
    if (!node.empty()) {
      draft.Recommend("Restart " + node +
                          " and read be.out / be.INFO for the crash reason (OOM, "
                          "check failure, disk).",
                      "The alive ratio is " + WithUnit(alive.latest, "%") + "; the node is down.",
                      "restart_node", Json{{"node", node}},
                      "if it crashes again on start, leave it down and replace it");
    } else {
      draft.Recommend("Find the dead " + c.ComputeType() +
                          " with SHOW BACKENDS (Alive=false), "
                          "restart it and read its logs for the crash reason.",
                      "The alive ratio is " + WithUnit(alive.latest, "%") + ".");
    }
    if (compute && compute->node_type == "BE" && count > 0) {
      int64_t to = std::min<int64_t>(limits::kMaxBeNodes, count + std::max<int64_t>(1, down));
      draft.Recommend("If it does not come back, add a replacement BE (" + std::to_string(count) +
                          " -> " + std::to_string(to) +
                          ") so the tablets re-replicate onto "
                          "healthy nodes, then decommission the dead one.",
                      "Under-replicated tablets and the extra load on the survivors persist "
                      "while the node is down.",
                      "scale_be_nodes", Json{{"to", to}},
                      "cloning tablets adds disk and network I/O for a few hours");
    }
    draft.Recommend("Watch SHOW PROC '/statistic' until no tablet is unhealthy.",
                    "Replicas on the dead node must be cloned elsewhere.");
    const std::string since = c.SinceOnset();
    return draft.Finish(
        RootCause::kNodeFailure, SeverityFor(c, alive),
        who + " of " + facts.cluster.cluster_id + " is down" + since + ": alive " +
            c.ComputeType() + " ratio " + WithUnit(alive.latest, "%") +
            (count > 0 ? " (" + std::to_string(down) + " of " + std::to_string(count) + ")" : "") +
            "; the surviving nodes carry the load and its tablets are under-replicated.",
        "Node failure on " + facts.cluster.cluster_id + ": " + who + " down" + since + ".");
  }

 private:
  // Critical below 80% alive or on a tier S/A customer, high otherwise.
  static Severity SeverityFor(const Case& c, const DimensionFact& alive) {
    const std::string& tier = c.facts().cluster.tier;
    const bool high_tier = tier == "S" || tier == "A";
    return high_tier || alive.latest < 80 ? Severity::kCritical : Severity::kHigh;
  }
};

}  // namespace

std::unique_ptr<DiagnosisFamily> NewNodeFailure() { return std::make_unique<NodeFailure>(); }

}  // namespace rh::agent::internal::diagnosis
