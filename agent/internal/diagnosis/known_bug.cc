// known_bug (rule 5): the most specific Knowledge Lake hit of kind known_bug that applies
// (JudgeKnownBugs: the cluster's version inside the bug's affected range, checked here again
// whatever the search's filter did; the effect the release note describes the observed symptom
// in the same process, not merely words in common; every condition the note names that leaves a
// trace in the telemetry actually present), with no ordinary driver (no workload surge, no
// suspect operation). Every other bug that shares the symptom's words is ruled out with the
// reason, citing the search; the recommendation is the fixing version on the cluster's own
// release line and the documented workaround meanwhile.
#include <algorithm>

#include "agent/internal/diagnosis/family.h"
#include "agent/internal/playbook_vocabulary.h"

namespace rh::agent::internal::diagnosis {
namespace {

// The comma-separated fixing versions of a known bug ("3.2.3,3.1.7,2.5.19").
std::vector<std::string> SplitVersions(const std::string& versions) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= versions.size()) {
    size_t end = versions.find(',', start);
    std::string item =
        versions.substr(start, end == std::string::npos ? std::string::npos : end - start);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty()) out.push_back(item);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

// The sentence starting at "Meanwhile" (the documented workaround) in `text`, or "".
std::string WorkaroundSentence(const std::string& text) {
  size_t start = text.find("Meanwhile");
  if (start == std::string::npos) start = text.find("meanwhile");
  if (start == std::string::npos) return "";
  size_t end = text.find(". ", start);
  std::string sentence =
      text.substr(start, end == std::string::npos ? std::string::npos : end - start + 1);
  while (!sentence.empty() && (sentence.back() == ' ' || sentence.back() == '\n')) {
    sentence.pop_back();
  }
  const std::string ellipsis = "\xe2\x80\xa6";  // the snippet was cut: keep what is there
  if (sentence.size() >= ellipsis.size() &&
      sentence.compare(sentence.size() - ellipsis.size(), ellipsis.size(), ellipsis) == 0) {
    sentence.resize(sentence.size() - ellipsis.size());
    sentence += "...";
  }
  std::replace(sentence.begin(), sentence.end(), '\n', ' ');
  sentence[0] = 'M';
  return sentence;
}

// Whether loads fail with "Too many versions" (error -235): the StarRocks operations docs name
// it the sign of loads coming faster than compaction merges them ("reduce the loading job
// concurrency, or increase loading data batch size"), an ordinary driver of a compaction
// backlog that no bug is needed to explain.
bool LoadsOutpaceCompaction(const PlaybookFacts& facts) {
  for (const AlertFact& alert : facts.alerts.alerts) {
    const std::string text = Lower(alert.name + " " + alert.detail);
    if (ContainsAny(text, {"too many versions", "版本过多", "版本数过多"})) return true;
  }
  return false;
}

class KnownBug final : public DiagnosisFamily {
 public:
  std::string_view Name() const override { return RootCauseName(RootCause::kKnownBug); }

  bool Applies(Case& c) override {
    const Symptom* primary = c.assessment().Primary();
    if (!primary) return false;
    hit_ = MatchKnownBug(c, *primary);
    return hit_ != nullptr;
  }

  Report Diagnose(Case& c) override {
    const PlaybookFacts& facts = c.facts();
    const Assessment& assessment = c.assessment();
    Draft& draft = c.draft();
    const Symptom& primary = *assessment.Primary();
    const KnowledgeHitFact& hit = *hit_;
    c.CiteContext();
    c.SymptomSignals(primary);
    const std::string title = hit.DocumentTitle();
    const std::vector<std::string> fixes = SplitVersions(hit.version);
    std::string fixed_in;
    for (size_t fix_idx = 0; fix_idx < fixes.size(); ++fix_idx) {
      fixed_in +=
          fix_idx == 0 ? fixes[fix_idx] : (fix_idx == 1 ? " (also " : ", ") + fixes[fix_idx];
    }
    if (fixes.size() > 1) fixed_in += ")";
    draft.Cite(facts.knowledge.source,
               "known bug affecting " + facts.cluster.version + ": \"" + title + "\" (" +
                   hit.source + (fixed_in.empty() ? "" : "; fixed in " + fixed_in) + ")");
    draft.Agree(1.5, "a known bug of this version with this symptom");
    draft.Agree(0.5, "no workload growth or operation explains it");
    // The documented workaround: from the resolution search, else from the first snippet.
    std::string workaround;
    for (const KnowledgeHitFact& more : facts.knowledge.followup_hits) {
      if (more.DocumentTitle() != title) continue;
      workaround = WorkaroundSentence(more.snippet);
      if (!workaround.empty()) {
        draft.Cite(facts.knowledge.followup,
                   "documented workaround for \"" + title + "\": " + workaround);
        break;
      }
    }
    if (workaround.empty()) workaround = WorkaroundSentence(hit.snippet);
    c.CiteOperationsContext();
    c.CiteMemory(RootCause::kKnownBug);
    c.CiteSiblingsLocal();
    // The fixing version on the cluster's own release line, else the first one listed.
    const std::string& version = facts.cluster.version;
    const std::string line = version.substr(0, version.find('.', version.find('.') + 1));
    std::string fix = fixes.empty() ? "" : fixes.front();
    for (const std::string& candidate : fixes) {
      if (!line.empty() && candidate.rfind(line + ".", 0) == 0) {
        fix = candidate;
        break;
      }
    }
    if (!fix.empty()) {
      draft.Recommend("Upgrade " + version + " -> " + fix +
                          " (or later on this line), which fixes "
                          "\"" +
                          title + "\".",
                      "The cluster runs an affected version and shows the bug's symptom.",
                      "upgrade_version", Json{{"to", fix}},
                      "rolling upgrade: one node at a time; take an FE metadata backup first");
    }
    draft.Recommend(
        workaround.empty() ? "Until the upgrade, apply the workaround documented for \"" + title +
                                 "\" (" + hit.source + ")."
                           : "Until the upgrade: " + workaround,
        "It relieves " + DimensionLabel(primary.dimension->name) + " before it reaches the limit.");
    // Always high: the fix and a workaround are known.
    return draft.Finish(
        RootCause::kKnownBug, Severity::kHigh,
        facts.cluster.cluster_id + " runs StarRocks " + version + ", affected by the known bug \"" +
            title + "\" (" + hit.source + "): " + DimensionLabel(primary.dimension->name) +
            " reached " + WithUnit(primary.dimension->latest, primary.dimension->unit) +
            (assessment.onset ? ", climbing since " + Minute(*assessment.onset) : "") +
            ", with no workload growth and no change operation to explain it.",
        "Known bug on " + facts.cluster.cluster_id + " (" + version + "): " + title + ".");
  }

 private:
  // The most specific known_bug hit that applies to the primary symptom (JudgeKnownBugs) and
  // survives the checks; otherwise nullptr. Every other bug that shares the symptom's words is
  // ruled out with the reason, citing the search.
  static const KnowledgeHitFact* MatchKnownBug(Case& c, const Symptom& primary) {
    const KnowledgeFacts& knowledge = c.facts().knowledge;
    if (!knowledge.source.ok) return nullptr;
    const std::string& dimension = primary.dimension->name;
    const KnowledgeHitFact* match = nullptr;
    for (const BugVerdict& verdict : JudgeKnownBugs(c.facts(), c.assessment())) {
      const KnowledgeHitFact& hit = *verdict.hit;
      // A bug that applies describes the symptom whatever its words; one that does not is
      // worth a line only when it shares the symptom's words.
      auto rule_out = [&](const std::string& why) {
        if (verdict.applies || NamesSymptom(hit, dimension)) {
          c.draft().RuleOut(RootCause::kKnownBug, why, &knowledge.source);
        }
      };
      const std::string title = "\"" + hit.DocumentTitle() + "\"";
      if (!verdict.applies) {
        rule_out(verdict.why_not);
      } else if (match) {
        rule_out(title + " applies too, but \"" + match->DocumentTitle() +
                 "\" describes the symptom more precisely");
      } else if (c.Surge()) {
        rule_out(title + " applies, but the workload grew: " + c.SurgeText());
      } else if (c.assessment().suspect_operation) {
        rule_out(title + " applies, but a change operation explains the timing");
      } else if (DimensionCategory(dimension) == RootCause::kCompactionBacklog &&
                 LoadsOutpaceCompaction(c.facts())) {
        rule_out(title +
                 " applies, but the loads fail with \"Too many versions\": they come faster "
                 "than compaction merges them, the ordinary cause");
      } else {
        match = &hit;
      }
    }
    return match;
  }

  const KnowledgeHitFact* hit_ = nullptr;  // the bug that applies
};

}  // namespace

std::unique_ptr<DiagnosisFamily> NewKnownBug() { return std::make_unique<KnownBug>(); }

}  // namespace rh::agent::internal::diagnosis
