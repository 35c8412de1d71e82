// node_failure (rule 3): the primary symptom is the alive BE/CN ratio, or the alerts say a node
// is lost (Assess: a firing node alert, or a critical one or one with crash text that flapped
// in the last 24 h). That covers an FE follower, observer or leader down (QPS down and some
// errors follow; no metric of ours counts FE nodes) and a BE/CN crash loop whose latest hour
// looks fine between crashes: a flapping node alert is a node problem, not noise. A dead node
// explains everything below it in the causal order.
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
    if (primary && primary->dimension->name == "alive_be") return true;
    // A node OOM-killed is the effect of memory pressure (the memory family reports it).
    return c.assessment().node_alert != nullptr && !c.assessment().oom_kill;
  }

  Report Diagnose(Case& c) override {
    const Symptom* primary = c.assessment().Primary();
    if (primary && primary->dimension->name == "alive_be") return FromAliveRatio(c);
    return FromAlerts(c);
  }

 private:
  // A node lost according to its alerts (FE loss, or a crash loop between crashes).
  static Report FromAlerts(Case& c) {
    const PlaybookFacts& facts = c.facts();
    const Assessment& assessment = c.assessment();
    Draft& draft = c.draft();
    const AlertFact& alert = *assessment.node_alert;
    const std::string& type = assessment.lost_node_type;
    c.CiteContext();
    c.CiteAlerts({&alert});
    const bool crash = CrashText(alert.detail);
    const bool flapping = alert.flapping || alert.episodes >= 3;
    draft.Agree(alert.currently_firing ? 1.5 : 1.0,
                "'" + alert.name + "' " + (alert.currently_firing ? "firing" : "fired"));
    if (flapping) {
      draft.Agree(1.0, std::to_string(alert.episodes) + " fire/resolve episodes: a crash loop");
    }
    if (crash) draft.Agree(1.0, "crash text in the alert");
    // What a lost node does to the rest: QPS down (FE), errors and latency up.
    if (const WorkloadShift* qps = assessment.Shift("qps"); qps && !qps->rising) {
      c.CiteDimension(*qps->dimension);
      draft.Agree(0.5, "QPS dropped " + Factor(qps->factor));
    }
    for (const Symptom& symptom : assessment.symptoms) {
      if (!symptom.is_new) continue;
      c.CiteDimension(*symptom.dimension);
      draft.Agree(0.5, DimensionLabel(symptom.dimension->name) + " " + symptom.dimension->state);
      break;
    }
    if (const DimensionFact* alive = facts.metrics.Find("alive_be");
        alive && !alive->abnormal() && type != "FE") {
      draft.Cite(facts.metrics.source, "alive " + type + " ratio " +
                                           WithUnit(alive->latest, alive->unit) +
                                           " in the latest hour (the node comes back between "
                                           "crashes)");
    }
    c.CiteKnowledge(SymptomKeywords("alive_be"), false);
    c.CiteMemory(RootCause::kNodeFailure);
    c.CiteSiblingsLocal();
    std::string node;
    std::smatch match;
    static const std::regex kNode("\\b(fe|be|cn)-[0-9a-z]+\\b");
    const std::string detail = Lower(alert.detail);
    if (std::regex_search(detail, match, kNode)) node = match.str();
    const std::string who = node.empty() ? (type == "FE" ? "an FE node" : "a " + type + " node")
                                         : node;
    if (type == "FE") {
      draft.Recommend("Find the FE that is down (SHOW FRONTENDS: Alive=false, or a follower "
                          "that cannot join), read its fe.log / fe.warn.log and restart it.",
                      "'" + alert.name + "' says an FE node is lost; queries routed to it fail "
                      "and the FE quorum is thinner.",
                      node.empty() ? "" : "restart_node",
                      node.empty() ? Json::object() : Json{{"node", node}},
                      "restarting the leader triggers an election; restart followers first");
      draft.Recommend("If the leader is affected, check that a new leader was elected (SHOW "
                          "FRONTENDS: IsMaster) and that the BDB journal is healthy.",
                      "Without a leader no metadata change or load can commit.");
    } else {
      draft.Recommend(std::string(crash ? "Read be.out / be.WARNING for the crash stack "
                                          "(SIGSEGV, check failure, OOM kill), "
                                        : "Find the node with SHOW BACKENDS (Alive=false), ") +
                          "fix the cause and stop the crash loop before it corrupts tablets.",
                      "'" + alert.name + "' " +
                          (flapping ? "fires and resolves again and again: the node crashes and "
                                      "restarts."
                                    : "says the node is down."),
                      node.empty() ? "" : "restart_node",
                      node.empty() ? Json::object() : Json{{"node", node}},
                      "a node that keeps crashing on start should be decommissioned, not "
                      "restarted again");
      draft.Recommend("Watch SHOW PROC '/statistic' until no tablet is unhealthy.",
                      "Replicas on the crashing node must be cloned elsewhere.");
    }
    const std::string& tier = facts.cluster.tier;
    const Severity severity = tier == "S" || tier == "A" || alert.currently_firing || crash
                                  ? Severity::kCritical
                                  : Severity::kHigh;
    const std::string since = c.SinceOnset();
    return draft.Finish(
        RootCause::kNodeFailure, severity,
        who + " of " + facts.cluster.cluster_id + " is " +
            (flapping && !alert.currently_firing ? "crash-looping" : "down") + since + ": '" +
            alert.name + "' " +
            (flapping ? "fired and resolved " + std::to_string(alert.episodes) + " times"
                      : std::string("is firing")) +
            (crash ? " with crash text in the alert" : "") +
            (type == "FE" ? "; queries through it fail and the FE quorum is thinner."
                          : "; its tablets are under-replicated while it is down."),
        "Node failure on " + facts.cluster.cluster_id + ": " + who + " " +
            (flapping && !alert.currently_firing ? "crash-looping" : "down") + since + ".");
  }

  static Report FromAliveRatio(Case& c) {
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
    if (primary.intermittent) {
      draft.Recommend("Find the " + c.ComputeType() +
                          " that went away (SHOW BACKENDS / SHOW COMPUTE NODES: "
                          "LastStartTime, ErrMsg) and read its logs for the reason (crash, OOM, "
                          "a replaced instance).",
                      "The alive ratio fell to a " + alive.worst_state + " level" +
                          " in the window before the other symptoms began; it is back at " +
                          WithUnit(alive.latest, "%") + ".");
      if (c.ComputeType() == "CN") {
        draft.Recommend("Warm the data cache of the returned CN (CACHE SELECT on the hot "
                            "tables) and let latency settle.",
                        "A CN that comes back or is replaced reads from object storage until "
                        "its data cache is warm.");
      }
    } else if (!node.empty()) {
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
    if (compute && compute->node_type == "BE" && count > 0 && !primary.intermittent) {
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
    if (primary.intermittent) {
      // Lost and back: what it left behind (a cold data cache, failed queries and loads) is
      // the symptom the report explains.
      std::vector<std::string> effects;
      for (const Symptom& symptom : assessment.symptoms) {
        if (&symptom == &primary || !symptom.is_new) continue;
        effects.push_back(DimensionLabel(symptom.dimension->name) + " " + StateWords(symptom));
        c.CiteDimension(*symptom.dimension);
      }
      draft.Agree(0.5, "the loss came before " + JoinNames(effects));
      return draft.Finish(
          RootCause::kNodeFailure, SeverityFor(c, alive),
          who + " of " + facts.cluster.cluster_id + " was lost" + since + ": the alive " +
              c.ComputeType() + " ratio fell to a " + alive.worst_state + " level" +
              " in the window and is back at " + WithUnit(alive.latest, "%") + ", and " +
              JoinNames(effects) + " followed (" +
              (c.ComputeType() == "CN" ? "a replaced CN starts with a cold data cache"
                                       : "the node's queries and tablets moved to the others") +
              ").",
          "Node failure on " + facts.cluster.cluster_id + ": " + who + " lost" + since + ".");
    }
    return draft.Finish(
        RootCause::kNodeFailure, SeverityFor(c, alive),
        who + " of " + facts.cluster.cluster_id + " is down" + since + ": alive " +
            c.ComputeType() + " ratio " + WithUnit(alive.latest, "%") +
            (count > 0 ? " (" + std::to_string(down) + " of " + std::to_string(count) + ")" : "") +
            "; the surviving nodes carry the load and its tablets are under-replicated.",
        "Node failure on " + facts.cluster.cluster_id + ": " + who + " down" + since + ".");
  }

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
