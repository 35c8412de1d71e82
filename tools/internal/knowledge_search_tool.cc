// search_knowledge_lake: runbooks, known bugs, guidelines and past resolutions matching a
// symptom, through the KnowledgeSearch interface.
#include "tools/internal/tool_factories.h"

namespace rh::tools::internal {
namespace {

constexpr size_t kSnippetBytes = 600;

class KnowledgeSearchTool final : public InvestigationTool {
 public:
  KnowledgeSearchTool(std::string description, ContextPtr context)
      : InvestigationTool(
            "search_knowledge_lake", std::move(description),
            ObjectSchema(
                {{"query",
                  {{"type", "string"},
                   {"description",
                    "What to look for: symptoms, alert names, metric names, "
                    "error messages (e.g. \"BE memory climbing page cache "
                    "without workload increase\")."},
                   {"minLength", 2},
                   {"maxLength", 500}}},
                 {"mode", StringEnumProperty("hybrid (default: keywords + meaning), fulltext "
                                             "(exact words, BM25) or vector (meaning).",
                                             {"hybrid", "fulltext", "vector"})},
                 {"kinds",
                  {{"type", "array"},
                   {"description", "Only these kinds of knowledge."},
                   {"items",
                    {{"type", "string"},
                     {"enum", {"oncall_log", "known_bug", "guideline", "resolution", "doc"}}}},
                   {"maxItems", 5}}},
                 {"version",
                  {{"type", "string"},
                   {"description",
                    "The cluster's StarRocks version (e.g. \"3.2.1\"): keeps "
                    "known bugs affecting it and knowledge valid for it."},
                   {"pattern", "^[0-9]+(\\.[0-9]+){0,3}$"},
                   {"maxLength", 32}}},
                 {"k", IntegerProperty("Number of hits.", 1, 20, 5)}},
                {"query"}),
            "ask for fewer hits (k), filter by kinds, or search a more specific phrase", context) {}

 protected:
  Result<Json> Execute(const Json& input) override {
    if (context().knowledge == nullptr) {
      return Unavailable("search_knowledge_lake",
                         "the Knowledge Lake is not available in this process (no knowledge "
                         "base configured or ingested: run `rockhound kb ingest` or `rockhound "
                         "demo`); continue with the other tools");
    }
    knowledge::SearchRequest request;
    request.query = input["query"].get<std::string>();
    if (input.contains("mode")) {
      RH_ASSIGN_OR_RETURN(request.mode, knowledge::ParseSearchMode(JsonString(input, "mode")));
    }
    if (input.contains("kinds")) {
      for (const Json& kind : input["kinds"])
        request.filter.kinds.push_back(kind.get<std::string>());
    }
    request.filter.version = JsonString(input, "version");
    request.k = input["k"].get<int>();
    RH_ASSIGN_OR_RETURN(std::vector<knowledge::SearchHit> hits,
                        context().knowledge->Search(request));
    Json items = Json::array();
    int rank = 0;
    for (const knowledge::SearchHit& hit : hits) {
      items.push_back({{"rank", ++rank},
                       {"title", hit.title},
                       {"source", hit.source},
                       {"kind", hit.kind},
                       {"version", hit.version},
                       {"score", Tidy(hit.score)},
                       {"snippet", Clip(hit.snippet, kSnippetBytes)}});
    }
    Json filters = {{"kinds", request.filter.kinds}, {"version", request.filter.version}};
    Json out = {{"query", request.query},
                {"mode", std::string(knowledge::SearchModeName(request.mode))},
                {"filters", std::move(filters)},
                {"hits", std::move(items)}};
    if (hits.empty()) {
      out["note"] =
          "no matching knowledge; try other words (alert or metric names), mode "
          "fulltext for exact terms, or drop the filters";
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Tool> MakeKnowledgeSearchTool(std::string description, ContextPtr context) {
  return std::make_unique<KnowledgeSearchTool>(std::move(description), std::move(context));
}

}  // namespace rh::tools::internal
