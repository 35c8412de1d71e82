// account_wide (rule 4): a same-account sibling fires the same alert, its episode started
// within 6 h of ours, and it shows the same primary symptom moving the same way with the same
// workload change over our windows. Without the SQL checks the siblings tool's own
// `account_wide` pattern decides. Two unrelated incidents in one account that fire the same
// alert the same night are told apart by the workload check. A volume collapse without a
// symptom is shared when a same-account sibling's volume fell to half or less over the same
// hours, whether or not the sibling alerts (an upstream source feeds them all; its health score
// need not show it). Alerts that their own metric contradicts are not a shared problem, even
// when the siblings fire them too: a wrong rule deployed account-wide is noise.
#include <algorithm>

#include "agent/internal/diagnosis/family.h"
#include "agent/internal/playbook_vocabulary.h"

namespace rh::agent::internal::diagnosis {
namespace {

constexpr double kSiblingOnsetHours = 6;  // siblings whose episodes start this close: one cause
constexpr double kSqlDrop = 0.8;          // workload down 20%: a drop
constexpr double kSiblingLooseUp = 1.15;  // a sibling's workload moving the same way as ours
constexpr double kSiblingLooseDown = 0.87;
// A sibling whose volume since our collapse is at most half of the same hours a week earlier
// collapsed with us (ours is at 20% or less; a sibling fed by the same source may lag).
constexpr double kSiblingCollapse = 0.5;

// -1 down, 0 flat, +1 up, for a (before, since) pair.
int Direction(const std::pair<double, double>& values, double up, double down) {
  if (values.first <= 0) return values.second > 0 ? 1 : 0;
  double ratio = values.second / values.first;
  return ratio >= up ? 1 : ratio <= down ? -1 : 0;
}

class AccountWide final : public DiagnosisFamily {
 public:
  std::string_view Name() const override { return RootCauseName(RootCause::kAccountWide); }

  bool Applies(Case& c) override {
    const Assessment& assessment = c.assessment();
    if (!assessment.Primary() && assessment.collapsed && CollapseShared(c)) return true;
    if (!assessment.Primary() && !assessment.collapsed && !assessment.node_alert &&
        !assessment.firing.empty() && AllContradicted(assessment)) {
      // One wrong rule deployed to every cluster of the account fires on all of them: shared
      // noise is still noise.
      if (!c.facts().siblings.SiblingsSharing().empty()) {
        c.draft().RuleOut(RootCause::kAccountWide,
                          "the siblings share the alert, but its own metric never approached "
                          "the threshold here: a shared wrong rule, not a shared problem",
                          &c.facts().metrics.source);
      }
      return false;
    }
    if ((assessment.Primary() || !assessment.firing.empty()) && SiblingsConfirmed(c)) return true;
    if (!c.facts().siblings.SiblingsSharing().empty() && siblings_.empty()) {
      c.draft().RuleOut(RootCause::kAccountWide,
                        "no sibling's shared alert started within " + Number(kSiblingOnsetHours) +
                            " h of this cluster's with the same symptom",
                        &c.facts().siblings.source);
    }
    return false;
  }

  Report Diagnose(Case& c) override {
    const PlaybookFacts& facts = c.facts();
    const Assessment& assessment = c.assessment();
    const SqlFindings& sql = c.sql();
    Draft& draft = c.draft();
    c.CiteContext();
    const Symptom* primary = assessment.Primary();
    if (primary) c.SymptomSignals(*primary);
    if (!primary) c.CiteAlerts(assessment.firing);
    const SiblingFacts& sib = facts.siblings;
    draft.Cite(sib.source, "siblings: " + sib.pattern + " (" + sib.pattern_reason + ")");
    if (!collapse_text_.empty()) {
      c.CiteDimension(*assessment.collapsed);
      draft.Agree(1.5, DimensionLabel(assessment.collapsed->name) + " at " +
                           Number(assessment.collapse_ratio * 100) + "% of its baseline");
      draft.Cite(sql.sibling_shift_call, "run_sql",
                 "the siblings' " + DimensionLabel(assessment.collapsed->name) +
                     " over the same hours: " + collapse_text_);
      draft.Agree(1.0, std::to_string(siblings_.size()) + " sibling(s) collapsed over the same "
                                                          "hours");
      if (!draft.Considered(RootCause::kIngestionFailure)) {
        draft.Consider(RootCause::kIngestionFailure,
                     "a local ingestion failure (a paused job, a broken load on this cluster "
                     "alone); less likely, since the siblings' volume fell over the same hours",
                     0.5, {c.DimensionEvidence(*assessment.collapsed)}, {});
      }
    } else {
      draft.Agree(1.0, std::to_string(siblings_.size()) + " sibling(s) share the alerts");
    }
    if (!sql.sibling_call.empty()) {
      std::string gaps;
      for (const auto& [sibling, gap] : sql.sibling_gaps) {
        gaps += (gaps.empty() ? "" : ", ") + sibling + " " + Number(gap) + " h apart";
      }
      draft.Cite(sql.sibling_call, "run_sql", "the shared alerts started together: " + gaps);
      draft.Agree(1.0, "their episodes started within " + Number(kSiblingOnsetHours) + " h");
    }
    std::string surge = c.SurgeText();
    c.CiteMemory(RootCause::kAccountWide);
    std::string symptom =
        primary ? DimensionLabel(primary->dimension->name)
                : !collapse_text_.empty()
                      ? "the same " + DimensionLabel(assessment.collapsed->name) + " collapse"
                      : "the same alerts";
    std::string names = JoinNames(siblings_);
    draft.Recommend("Handle it as one account-level incident across " + facts.cluster.cluster_id +
                        " and " + names +
                        ": tell the account owner and find the common change (new workload, "
                        "shared upstream source, client release).",
                    "The siblings show the same problem from the same hour, so the cause is "
                    "shared, not local to one cluster.");
    if ((primary && primary->dimension->name == "txn_failed") || !collapse_text_.empty()) {
      draft.Recommend(
          "Check the shared ingestion source (Kafka brokers, credentials, network) "
          "with SHOW ROUTINE LOAD on each cluster, then RESUME the paused jobs.",
          "Loads fail on every affected cluster at once: the common upstream is the "
          "likely cause.");
    } else if (!surge.empty()) {
      draft.Recommend("Put the new workload (" + surge +
                          ") under a resource group "
                          "(concurrency_limit, cpu_weight, big_query limits) on each cluster.",
                      "The account's traffic grew on all affected clusters together.");
      c.RecommendScaleUp("If the new workload is expected, the clusters need more capacity.");
    } else {
      draft.Recommend("Compare the slow queries of the affected clusters in fe.audit.log.",
                      "A shared cause shows up as the same statements or sources.");
    }
    // Severity: critical for a tier S customer, high otherwise.
    return draft.Finish(
        RootCause::kAccountWide, facts.cluster.tier == "S" ? Severity::kCritical : Severity::kHigh,
        "An account-wide problem: " + facts.cluster.cluster_id + " and its sibling(s) " + names +
            " of account " + facts.cluster.account_id + " show " + symptom +
            (surge.empty() ? "" : " with the workload up (" + surge + ")") +
            " from about the same hour, so the cause is shared by the account, not local.",
        "Account-wide issue on account " + facts.cluster.account_id + " (" +
            facts.cluster.cluster_id + ", " + names + ").");
  }

 private:
  // Whether every firing alert is one its own metric contradicts (Assess: contradicted_alerts).
  static bool AllContradicted(const Assessment& assessment) {
    for (const AlertFact* alert : assessment.firing) {
      if (std::find(assessment.contradicted_alerts.begin(), assessment.contradicted_alerts.end(),
                    alert) == assessment.contradicted_alerts.end()) {
        return false;
      }
    }
    return true;
  }

  // A volume collapse with no symptom: the same-account siblings whose same volume fell to half
  // or less over our hours (the sibling_shift check), alerting or not.
  bool CollapseShared(Case& c) {
    const Assessment& assessment = c.assessment();
    const SqlFindings& sql = c.sql();
    if (sql.sibling_shift_call.empty()) return false;
    const std::string& dimension = assessment.collapsed->name;
    std::vector<std::string> shared;
    std::vector<std::string> held;
    std::string text;
    for (const auto& [sibling, dimensions] : sql.sibling_shifts) {
      auto found = dimensions.find(dimension);
      if (found == dimensions.end() || found->second.first <= 0) continue;
      const double ratio = found->second.second / found->second.first;
      const std::string share = sibling + " at " + Number(ratio * 100) + "%";
      if (ratio > kSiblingCollapse) {
        held.push_back(share);
        continue;
      }
      shared.push_back(sibling);
      text += (text.empty() ? "" : ", ") + share;
    }
    if (shared.empty()) {
      if (!held.empty()) {
        c.draft().RuleOut(RootCause::kAccountWide,
                          "the siblings' " + DimensionLabel(dimension) +
                              " held over the same hours (" + JoinNames(held) +
                              " of a week earlier): the collapse is this cluster's own",
                          sql.sibling_shift_call, "run_sql");
      }
      return false;
    }
    siblings_ = shared;
    collapse_text_ = text + " of the same hours a week earlier";
    return true;
  }

  // Fills siblings_ with the siblings that share the cause; notes the ones ruled out.
  bool SiblingsConfirmed(Case& c) {
    const SiblingFacts& facts = c.facts().siblings;
    const SqlFindings& sql = c.sql();
    if (!facts.source.ok) return false;
    if (!sql.sibling_call.empty()) {
      for (const auto& [sibling, gap] : sql.sibling_gaps) {
        if (gap > kSiblingOnsetHours) continue;
        if (!SameProfile(c, sibling)) {
          c.draft().RuleOut(RootCause::kAccountWide,
                            sibling + " fires the same alert from the same hours but shows a "
                                      "different symptom or workload change",
                            sql.sibling_shift_call.empty() ? sql.sibling_call
                                                           : sql.sibling_shift_call,
                            "run_sql");
          continue;
        }
        siblings_.push_back(sibling);
      }
      return !siblings_.empty();
    }
    if (facts.pattern != "account_wide") return false;
    for (const PeerFact* peer : facts.SiblingsSharing()) siblings_.push_back(peer->cluster_id);
    return !siblings_.empty();
  }

  // Whether `sibling` shows the primary symptom and the same workload change over our hours.
  static bool SameProfile(const Case& c, const std::string& sibling) {
    const SqlFindings& sql = c.sql();
    const Symptom* primary = c.assessment().Primary();
    if (!primary || sql.sibling_shift_call.empty()) return true;  // nothing more to compare
    auto found = sql.sibling_shifts.find(sibling);
    if (found == sql.sibling_shifts.end()) return false;
    const auto& theirs = found->second;
    const std::string& dimension = primary->dimension->name;
    auto symptom = theirs.find(dimension);
    if (symptom == theirs.end()) return false;
    const auto& values = symptom->second;
    bool worse = HigherIsWorse(dimension) ? values.second >= values.first * kSqlRise
                                          : values.second * kSqlRise <= values.first;
    if (!worse) return false;
    for (const char* name : {"qps", "scan_rows", "load_rate"}) {
      auto own = sql.Compare(name);
      auto other = theirs.find(name);
      if (!own || other == theirs.end()) continue;
      const int own_direction = Direction(*own, kSqlSurge, kSqlDrop);
      if (own_direction != 0) {
        // A shared driver moves the siblings' workload the same way, by at least half as much.
        const double own_ratio = own->first > 0 ? own->second / own->first : 1.0;
        const double half = 1.0 + (own_ratio - 1.0) / 2;
        if (Direction(other->second, std::max(kSiblingLooseUp, half),
                      std::min(kSiblingLooseDown, half)) != own_direction) {
          return false;
        }
      } else if (Direction(other->second, kSqlSurge, kSqlDrop) != 0) {
        return false;
      }
    }
    return true;
  }

  std::vector<std::string> siblings_;  // the siblings that share the cause
  std::string collapse_text_;          // the siblings' collapse, when that is what is shared
};

}  // namespace

std::unique_ptr<DiagnosisFamily> NewAccountWide() { return std::make_unique<AccountWide>(); }

}  // namespace rh::agent::internal::diagnosis
