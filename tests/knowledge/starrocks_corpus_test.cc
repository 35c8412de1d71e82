// Ingesting the real StarRocks corpora (../shared/data/starrocks: 2,471 release-note rows and
// 393 operations-doc chunks) and finding real bugs by their symptoms.
#include <gtest/gtest.h>

#include "knowledge/builtin_embedder.h"
#include "knowledge/knowledge_lake.h"
#include "tests/fakes/test_env.h"

namespace rh::knowledge {
namespace {

TEST(StarRocksCorpusTest, IngestsBothCorporaAndFindsBugsBySymptom) {
  auto bugs = testing::SharedDataPath("starrocks/known_bugs.jsonl");
  auto docs = testing::SharedDataPath("starrocks/ops_docs.jsonl");
  if (!bugs || !docs || !std::filesystem::exists(*bugs) || !std::filesystem::exists(*docs)) {
    GTEST_SKIP() << "../shared/data/starrocks is absent: the StarRocks corpora are not beside "
                    "the checkout";
  }
  testing::TempDir dir;
  ManualClock clock(std::chrono::system_clock::time_point(std::chrono::hours(24 * 20000)));
  LakeOptions options;
  options.db_path = dir.File("knowledge.db");
  options.index_path = dir.File("knowledge.faiss");
  auto lake = KnowledgeLake::Open(options, std::make_unique<BuiltinEmbedder>(), clock);
  ASSERT_TRUE(lake) << lake.error().ToString();
  auto stats = (*lake)->IngestPaths({bugs->string(), docs->string()});
  ASSERT_TRUE(stats) << stats.error().ToString();
  EXPECT_EQ(stats->documents_added, stats->documents_seen);
  EXPECT_GT(stats->documents_added, 2000);
  auto lake_stats = (*lake)->Stats();
  EXPECT_GT(lake_stats->chunks_by_kind["known_bug"], 1000);
  EXPECT_GT(lake_stats->chunks_by_kind["doc"], 393);
  EXPECT_EQ(lake_stats->vectors, lake_stats->chunks);

  struct Symptom {
    std::string query;
    std::string version;
    std::string pr;
  };
  // Symptoms as an on-call engineer would describe them, not the release-note wording.
  const std::vector<Symptom> symptoms = {
      {"BE memory keeps growing past the page cache limit", "3.2.1", "37740"},
      {"page cache uses more memory than storage_page_cache_limit", "", "37740"},
  };
  for (const Symptom& symptom : symptoms) {
    for (SearchMode mode : {SearchMode::kHybrid, SearchMode::kFulltext}) {
      SearchRequest request;
      request.query = symptom.query;
      request.mode = mode;
      request.k = 5;
      request.filter.kinds = {"known_bug"};
      request.filter.version = symptom.version;
      auto hits = (*lake)->Search(request);
      ASSERT_TRUE(hits) << hits.error().ToString();
      bool found = false;
      for (const SearchHit& hit : *hits)
        found = found || hit.source.find(symptom.pr) != std::string::npos;
      EXPECT_TRUE(found) << symptom.query << " (" << SearchModeName(mode) << ")";
    }
  }
  // "Which known bugs affect 3.3.4?": every hit was fixed later on the 3.3 line.
  SearchRequest request;
  request.query = "BE crash";
  request.k = 20;
  request.filter.kinds = {"known_bug"};
  request.filter.version = "3.3.4";
  auto hits = (*lake)->Search(request);
  ASSERT_TRUE(hits);
  ASSERT_FALSE(hits->empty());
  for (const SearchHit& hit : *hits) {
    bool fixed_later_on_line = false;
    size_t pos = 0;
    while (pos <= hit.version.size()) {
      size_t comma = hit.version.find(',', pos);
      if (comma == std::string::npos) comma = hit.version.size();
      auto fixed = EncodeVersion(hit.version.substr(pos, comma - pos));
      if (fixed && *fixed / 1000 == 3003 && *fixed > 3003004) fixed_later_on_line = true;
      pos = comma + 1;
    }
    EXPECT_TRUE(fixed_later_on_line) << hit.version << " " << hit.title;
  }
  // Re-ingesting is a no-op.
  auto again = (*lake)->IngestPaths({bugs->string(), docs->string()});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->documents_unchanged, again->documents_seen);
}

}  // namespace
}  // namespace rh::knowledge
