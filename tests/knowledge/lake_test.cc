// KnowledgeLake end to end on real SQLite/FTS5 and FAISS: ingest, the three search modes,
// filters, hostile queries, de-duplication, incremental update/delete, index rebuild,
// embedder switch, crash recovery, concurrent searches, and refreshing an open lake.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "knowledge/builtin_embedder.h"
#include "knowledge/knowledge_lake.h"
#include "knowledge/starter.h"
#include "store/database.h"
#include "tests/fakes/test_env.h"

namespace rh::knowledge {
namespace {

BuiltinEmbedderOptions Dims(int dims) {
  BuiltinEmbedderOptions options;
  options.dims = dims;
  return options;
}

Document Doc(std::string key, std::string kind, std::string version, std::string title,
             std::string text) {
  Document document;
  document.key = std::move(key);
  document.kind = std::move(kind);
  document.version = std::move(version);
  document.title = std::move(title);
  document.text = std::move(text);
  return document;
}

std::vector<Document> Corpus() {
  return {
      Doc("disk.md", "resolution", "", "Disk full",
          "# Disk full\nWhen a BE data disk is above 85% used, loads fail with disk space "
          "errors.\n## Free space\nDrop expired partitions, empty the trash directory and lower "
          "trash_file_expire_time_sec.\n"),
      Doc("compaction.md", "resolution", "", "Compaction backlog",
          "# Compaction backlog\nToo many versions: loads fail with 'Too many versions' when "
          "tablet_max_versions is exceeded. Raise compaction threads, batch small loads.\n"),
      Doc("memory.md", "resolution", "3.3", "Memory exceed limit",
          "# Memory exceed limit\nQueries fail with Memory of process exceed limit. Check "
          "mem_limit, big queries and the query_mem_limit session variable.\n"),
      Doc("guide.md", "guideline", "", "Monitoring guidelines",
          "# CPU\nBE CPU above 70% is critical.\n# Latency\nQuery latency p99 above 15 s is "
          "critical.\n"),
      Doc("bug-3.3.6", "known_bug", "3.3.6,3.2.12", "Known bug: BE crash on lateral join",
          "BE crashes when a lateral join meets an empty array in certain circumstances.\n"),
      Doc("bug-3.3.2", "known_bug", "3.3.2", "Known bug: wrong count distinct",
          "count distinct returns wrong results with a lateral join on a partitioned table.\n"),
      Doc("bug-3.2.5", "known_bug", "3.2.5", "Known bug: lateral join memory leak",
          "Memory leak in lateral join with unnest.\n"),
  };
}

class LakeTest : public ::testing::Test {
 protected:
  LakeTest() : clock_(std::chrono::system_clock::time_point(std::chrono::hours(24 * 20000))) {}

  LakeOptions Options() const {
    LakeOptions options;
    options.db_path = dir_.File("knowledge.db");
    options.index_path = dir_.File("knowledge.faiss");
    options.reader_connections = 2;
    return options;
  }

  std::unique_ptr<KnowledgeLake> OpenLake(std::unique_ptr<Embedder> embedder = nullptr,
                                          LakeOptions options = {}) {
    if (options.db_path.empty()) options = Options();
    if (!embedder) embedder = std::make_unique<BuiltinEmbedder>(Dims(32));
    auto lake = KnowledgeLake::Open(options, std::move(embedder), clock_);
    EXPECT_TRUE(lake) << lake.error().ToString();
    return lake ? std::move(*lake) : nullptr;
  }

  static std::vector<SearchHit> Search(KnowledgeLake& lake, const std::string& query,
                                       SearchMode mode = SearchMode::kHybrid, int k = 5,
                                       SearchFilter filter = {}) {
    SearchRequest request;
    request.query = query;
    request.mode = mode;
    request.k = k;
    request.filter = std::move(filter);
    auto hits = lake.Search(request);
    EXPECT_TRUE(hits) << query << ": " << hits.error().ToString();
    return hits ? *hits : std::vector<SearchHit>{};
  }

  static std::vector<std::string> Sources(const std::vector<SearchHit>& hits) {
    std::vector<std::string> out;
    for (const SearchHit& hit : hits) out.push_back(hit.source);
    return out;
  }

  testing::TempDir dir_;
  ManualClock clock_;
};

TEST_F(LakeTest, IngestsAndFindsByEveryMode) {
  auto lake = OpenLake();
  ASSERT_NE(lake, nullptr);
  auto stats = lake->IngestDocuments(Corpus());
  ASSERT_TRUE(stats) << stats.error().ToString();
  EXPECT_EQ(stats->documents_added, 7);
  EXPECT_TRUE(stats->refitted);
  EXPECT_EQ(stats->chunks_embedded, stats->chunks_added);

  for (SearchMode mode : {SearchMode::kFulltext, SearchMode::kHybrid}) {
    auto hits = Search(*lake, "loads fail: too many versions", mode);
    ASSERT_FALSE(hits.empty());
    EXPECT_EQ(hits[0].source, "compaction.md") << SearchModeName(mode);
    EXPECT_EQ(hits[0].kind, "resolution");
    EXPECT_EQ(hits[0].title, "Compaction backlog");
    EXPECT_NE(hits[0].snippet.find("[versions]"), std::string::npos) << hits[0].snippet;
    EXPECT_GT(hits[0].fulltext_rank, 0);
  }
  auto vector_hits = Search(*lake, "too many versions tablet_max_versions", SearchMode::kVector);
  ASSERT_FALSE(vector_hits.empty());
  EXPECT_EQ(vector_hits[0].source, "compaction.md");
  EXPECT_GT(vector_hits[0].cosine, 0.0);

  // An identifier is matched as one phrase.
  auto identifier = Search(*lake, "tablet_max_versions", SearchMode::kFulltext);
  ASSERT_EQ(identifier.size(), 1u);
  EXPECT_EQ(identifier[0].source, "compaction.md");

  auto lake_stats = lake->Stats();
  ASSERT_TRUE(lake_stats);
  EXPECT_EQ(lake_stats->documents, 7);
  EXPECT_EQ(lake_stats->chunks, lake_stats->vectors);
  EXPECT_EQ(lake_stats->index_type, "flat");
  EXPECT_EQ(lake_stats->dims, 32);
  EXPECT_EQ(lake_stats->chunks_by_kind["known_bug"], 3);
}

TEST_F(LakeTest, HostileQueriesNeverBreakFullText) {
  auto lake = OpenLake();
  ASSERT_NE(lake, nullptr);
  ASSERT_TRUE(lake->IngestDocuments(Corpus()));
  const std::vector<std::string> hostile = {
      "\"",
      "\"\"\"",
      "(unbalanced",
      "unbalanced)",
      "NOT",
      "AND OR",
      "OR",
      "NEAR(a b)",
      "NEAR(",
      "foo*",
      "*",
      "^start",
      "title:disk",
      "body : disk",
      "{title body}: disk",
      "-disk",
      "+",
      ":",
      "kube-system/coredns",
      "nginx:1.25",
      "1.25.3",
      "'; DROP TABLE kb_chunks; --",
      "disk\" OR \"x",
      "a\\b",
      "😀 disk",
      "磁盘 满了",
      std::string("disk\0full", 9),
      "\x01\x02\x1f",
      "\xff\xfe invalid utf8",
      std::string(20000, 'x'),
      std::string(5000, '('),
      "%_%",
      "tablet_max_versions)",
      "...",
      "!!!",
      "\"disk full\"",
  };
  for (const std::string& query : hostile) {
    for (SearchMode mode : {SearchMode::kFulltext, SearchMode::kVector, SearchMode::kHybrid}) {
      SearchRequest request;
      request.query = query;
      request.mode = mode;
      auto hits = lake->Search(request);
      EXPECT_TRUE(hits) << "query <" << query.substr(0, 40) << "> " << SearchModeName(mode) << ": "
                        << hits.error().ToString();
    }
  }
  // The tables are intact.
  EXPECT_EQ(Search(*lake, "disk full", SearchMode::kFulltext)[0].source, "disk.md");
}

TEST_F(LakeTest, RejectsBadRequestsClearly) {
  auto lake = OpenLake();
  ASSERT_NE(lake, nullptr);
  SearchRequest request;
  request.query = "   ";
  EXPECT_EQ(lake->Search(request).error().code, ErrorCode::kInvalidArgument);
  request.query = "disk";
  request.k = 0;
  EXPECT_EQ(lake->Search(request).error().code, ErrorCode::kInvalidArgument);
  request.k = 101;
  EXPECT_EQ(lake->Search(request).error().code, ErrorCode::kInvalidArgument);
  request.k = 5;
  request.filter.kinds = {"rumour"};
  EXPECT_EQ(lake->Search(request).error().code, ErrorCode::kInvalidArgument);
  request.filter.kinds = {};
  request.filter.version = "latest";
  EXPECT_EQ(lake->Search(request).error().code, ErrorCode::kInvalidArgument);
  // An empty lake answers with nothing.
  request.filter.version = "";
  auto hits = lake->Search(request);
  ASSERT_TRUE(hits);
  EXPECT_TRUE(hits->empty());
  // Bad documents change nothing.
  std::vector<Document> documents = Corpus();
  documents.back().version = "3.x";
  EXPECT_EQ(lake->IngestDocuments(documents).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(lake->Stats()->documents, 0);
}

TEST_F(LakeTest, VersionFilterAnswersWhichKnownBugsAffectAVersion) {
  auto lake = OpenLake();
  ASSERT_NE(lake, nullptr);
  ASSERT_TRUE(lake->IngestDocuments(Corpus()));
  for (SearchMode mode : {SearchMode::kFulltext, SearchMode::kVector, SearchMode::kHybrid}) {
    SearchFilter bugs{{"known_bug"}, "3.3.4"};
    auto hits = Search(*lake, "lateral join", mode, 10, bugs);
    // Fixed in 3.3.6: affects 3.3.4. Fixed in 3.3.2: no longer. Fixed in 3.2.5: another line.
    EXPECT_EQ(Sources(hits), std::vector<std::string>{"bug-3.3.6"}) << SearchModeName(mode);
    auto older = Search(*lake, "lateral join", mode, 10, SearchFilter{{"known_bug"}, "3.2.4"});
    std::set<std::string> older_sources;
    for (const auto& hit : older) older_sources.insert(hit.source);
    EXPECT_EQ(older_sources, (std::set<std::string>{"bug-3.3.6", "bug-3.2.5"}))
        << SearchModeName(mode);
    EXPECT_EQ(hits.empty() ? "" : hits[0].version, "3.3.6,3.2.12");
  }
  // Other kinds: kept when their range covers the version or they have none.
  auto memory = Search(*lake, "memory exceed limit", SearchMode::kFulltext, 10,
                       SearchFilter{{"resolution", "guideline"}, "3.3.4"});
  std::set<std::string> sources;
  for (const auto& hit : memory) sources.insert(hit.source);
  EXPECT_TRUE(sources.count("memory.md"));
  auto old_line = Search(*lake, "memory exceed limit", SearchMode::kFulltext, 10,
                         SearchFilter{{"resolution"}, "3.2.1"});
  for (const auto& hit : old_line) EXPECT_NE(hit.source, "memory.md");
}

TEST_F(LakeTest, DeduplicatesIdenticalChunksAndKeepsThemWhileReferenced) {
  auto lake = OpenLake();
  ASSERT_NE(lake, nullptr);
  std::string shared = "# Shared\nRestart the BE with systemctl restart starrocks-be.\n";
  auto stats = lake->IngestDocuments(
      {Doc("a.md", "resolution", "", "Runbook", shared + "# A\nalpha only\n"),
       Doc("b.md", "resolution", "", "Runbook", shared + "# B\nbeta only\n")});
  ASSERT_TRUE(stats) << stats.error().ToString();
  EXPECT_EQ(stats->chunks_deduplicated, 1);
  EXPECT_EQ(stats->chunks_added, 3);
  EXPECT_EQ(lake->Stats()->chunks, 3);
  ASSERT_EQ(lake->RemoveSource("a.md"), 1);  // "alpha only" goes; the shared chunk stays
  EXPECT_EQ(Search(*lake, "systemctl restart", SearchMode::kFulltext).size(), 1u);
  EXPECT_TRUE(Search(*lake, "alpha", SearchMode::kFulltext).empty());
  ASSERT_EQ(lake->RemoveSource("b.md"), 2);
  EXPECT_TRUE(Search(*lake, "systemctl restart", SearchMode::kFulltext).empty());
  EXPECT_EQ(lake->Stats()->vectors, 0);
}

TEST_F(LakeTest, ReingestSkipsUnchangedAndReplacesChanged) {
  auto lake = OpenLake();
  ASSERT_NE(lake, nullptr);
  ASSERT_TRUE(lake->IngestDocuments(Corpus()));
  auto again = lake->IngestDocuments(Corpus());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->documents_unchanged, 7);
  EXPECT_EQ(again->chunks_added, 0);

  std::vector<Document> changed = {Doc("disk.md", "resolution", "", "Disk full",
                                       "# Disk full\nUse the new cleanup_tool to free space.\n")};
  auto updated = lake->IngestDocuments(changed);
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->documents_updated, 1);
  EXPECT_EQ(updated->chunks_removed, 2);
  EXPECT_EQ(Search(*lake, "cleanup_tool")[0].source, "disk.md");
  EXPECT_TRUE(Search(*lake, "trash_file_expire_time_sec", SearchMode::kFulltext).empty());
  EXPECT_EQ(lake->Stats()->chunks, lake->Stats()->vectors);
}

TEST_F(LakeTest, IngestsFilesAndSyncsJsonlRowsAndRemovesByDirectory) {
  auto lake = OpenLake();
  ASSERT_NE(lake, nullptr);
  std::filesystem::create_directories(dir_.path() / "docs");
  std::ofstream(dir_.File("docs/be-down.md"))
      << "---\nkind: resolution\n---\n# BE down\nCheck be.out for a core dump.\n";
  std::ofstream(dir_.File("docs/notes.txt")) << "FE checkpoint stuck: check the image directory.\n";
  {
    std::ofstream jsonl(dir_.File("log.jsonl"));
    jsonl
        << R"({"id": "1", "kind": "oncall_log", "title": "Incident 1", "text": "disk full on be-3"})"
        << "\n"
        << R"({"id": "2", "kind": "oncall_log", "title": "Incident 2", "text": "compaction score 900"})"
        << "\n"
        << R"({"id": "3", "kind": "oncall_log", "title": "Incident 3", "text": "fe heap 95%"})"
        << "\n";
  }
  auto stats = lake->IngestPaths({dir_.File("docs"), dir_.File("log.jsonl")});
  ASSERT_TRUE(stats) << stats.error().ToString();
  EXPECT_EQ(stats->documents_added, 5);
  EXPECT_EQ(Search(*lake, "core dump")[0].kind, "resolution");
  {
    std::ofstream jsonl(dir_.File("log.jsonl"));
    jsonl
        << R"({"id": "1", "kind": "oncall_log", "title": "Incident 1", "text": "disk full on be-3"})"
        << "\n"
        << R"({"id": "3", "kind": "oncall_log", "title": "Incident 3", "text": "fe heap 97%"})"
        << "\n";
  }
  auto resync = lake->IngestPaths({dir_.File("log.jsonl")});
  ASSERT_TRUE(resync) << resync.error().ToString();
  EXPECT_EQ(resync->documents_unchanged, 1);
  EXPECT_EQ(resync->documents_updated, 1);
  EXPECT_EQ(resync->documents_removed, 1);
  EXPECT_TRUE(Search(*lake, "compaction score 900", SearchMode::kFulltext).empty());

  auto removed = lake->RemoveSource(dir_.File("docs") + "/");
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, 2);
  EXPECT_TRUE(Search(*lake, "core dump", SearchMode::kFulltext).empty());
  EXPECT_EQ(lake->RemoveSource("nothing-like-this"), 0);
  EXPECT_EQ(lake->Stats()->documents, 2);
  // A bad path changes nothing.
  EXPECT_EQ(lake->IngestPaths({dir_.File("docs"), dir_.File("missing")}).error().code,
            ErrorCode::kNotFound);
}

TEST_F(LakeTest, RebuildsAMissingCorruptOrStaleIndexFile) {
  std::vector<std::string> expected;
  {
    auto lake = OpenLake();
    ASSERT_NE(lake, nullptr);
    ASSERT_TRUE(lake->IngestDocuments(Corpus()));
    expected = Sources(Search(*lake, "memory limit of queries", SearchMode::kVector));
    ASSERT_FALSE(expected.empty());
  }
  ASSERT_TRUE(std::filesystem::exists(dir_.File("knowledge.faiss")));
  std::filesystem::copy_file(dir_.File("knowledge.faiss"), dir_.File("old.faiss"));

  auto check = [&](const char* what) {
    auto lake = OpenLake();
    ASSERT_NE(lake, nullptr) << what;
    EXPECT_EQ(Sources(Search(*lake, "memory limit of queries", SearchMode::kVector)), expected)
        << what;
    EXPECT_EQ(lake->Stats()->vectors, lake->Stats()->chunks) << what;
  };
  std::filesystem::remove(dir_.File("knowledge.faiss"));
  check("missing");
  ASSERT_TRUE(std::filesystem::exists(dir_.File("knowledge.faiss")));
  {  // flip a byte in the payload
    std::fstream file(dir_.File("knowledge.faiss"),
                      std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(-20, std::ios::end);
    file.put('\x7f');
  }
  check("corrupt");
  std::filesystem::resize_file(dir_.File("knowledge.faiss"), 100);
  check("truncated");
  { std::ofstream(dir_.File("knowledge.faiss")) << "garbage"; }
  check("garbage");
  {  // a crash after the SQLite commit but before the index write leaves an older index file
    auto lake = OpenLake();
    ASSERT_TRUE(lake->IngestDocuments(
        {Doc("new.md", "doc", "", "Lateral join", "lateral join unnest empty array crash")}));
  }
  std::filesystem::copy_file(dir_.File("old.faiss"), dir_.File("knowledge.faiss"),
                             std::filesystem::copy_options::overwrite_existing);
  auto lake = OpenLake();
  ASSERT_NE(lake, nullptr);
  // The stale file lacked the new chunk; the rebuilt index has every chunk.
  auto all = Search(*lake, "lateral join unnest empty array crash", SearchMode::kVector, 100);
  EXPECT_EQ(static_cast<int64_t>(all.size()), lake->Stats()->chunks);
  std::vector<std::string> sources = Sources(all);
  EXPECT_NE(std::find(sources.begin(), sources.end(), "new.md"), sources.end());
}

TEST_F(LakeTest, EmbedsChunksLeftWithoutVectorsByACrash) {
  {
    auto lake = OpenLake();
    ASSERT_TRUE(lake->IngestDocuments(Corpus()));
  }
  {  // as if the process died between writing chunks and writing their vectors
    auto db = store::OpenDatabase(dir_.File("knowledge.db"));
    ASSERT_TRUE(db);
    ASSERT_TRUE(
        (*db)->Execute("DELETE FROM kb_vectors WHERE chunk_id IN (SELECT id FROM kb_chunks "
                       "WHERE kind = 'known_bug')"));
  }
  auto lake = OpenLake();
  ASSERT_NE(lake, nullptr);
  auto stats = lake->Stats();
  EXPECT_EQ(stats->vectors, stats->chunks);
  auto hits =
      Search(*lake, "lateral join crash", SearchMode::kVector, 3, SearchFilter{{"known_bug"}, ""});
  EXPECT_EQ(hits.size(), 3u);
}

TEST_F(LakeTest, SwitchingEmbedderReEmbedsEverything) {
  std::string first_id;
  {
    auto lake = OpenLake();
    ASSERT_TRUE(lake->IngestDocuments(Corpus()));
    first_id = lake->Stats()->embedder;
  }
  auto lake = OpenLake(std::make_unique<BuiltinEmbedder>(Dims(16)));
  ASSERT_NE(lake, nullptr);
  auto stats = lake->Stats();
  // The stored model is loaded and its dimension wins; a refit happens only when the corpus
  // changes enough. A different model id is a different embedder.
  EXPECT_EQ(stats->vectors, stats->chunks);
  EXPECT_EQ(stats->embedder, first_id);
  {
    auto db = store::OpenDatabase(dir_.File("knowledge.db"));
    ASSERT_TRUE((*db)->Execute("DELETE FROM kb_models"));
  }
  lake.reset();
  lake = OpenLake(std::make_unique<BuiltinEmbedder>(Dims(16)));
  ASSERT_NE(lake, nullptr);
  stats = lake->Stats();
  EXPECT_NE(stats->embedder, first_id);
  EXPECT_EQ(stats->dims, 16);
  EXPECT_EQ(stats->vectors, stats->chunks);
  EXPECT_EQ(Search(*lake, "too many versions", SearchMode::kVector)[0].source, "compaction.md");
}

TEST_F(LakeTest, RefitsAModelStoredByAnOlderFormat) {
  std::string first_id;
  {
    auto lake = OpenLake();
    ASSERT_TRUE(lake->IngestDocuments(Corpus()));
    first_id = lake->Stats()->embedder;
  }
  {
    // What an earlier Rockhound stored: the same layout under magic RHLSA001.
    auto db = store::OpenDatabase(dir_.File("knowledge.db"));
    ASSERT_TRUE(db);
    ASSERT_TRUE(
        (*db)->Execute("UPDATE kb_models SET model = CAST('RHLSA001' AS BLOB) || substr(model, 9) "
                       "WHERE name = 'builtin'"));
  }
  auto lake = OpenLake();
  ASSERT_NE(lake, nullptr);
  auto stats = lake->Stats();
  // Refitted on the same corpus and options: the same model as the first fit, so the stored
  // vectors stay valid and only the model is written back, in the current format.
  EXPECT_EQ(stats->embedder, first_id);
  EXPECT_EQ(stats->vectors, stats->chunks);
  auto db = store::OpenDatabase(dir_.File("knowledge.db"));
  ASSERT_TRUE(db);
  auto magic = (*db)->Query("SELECT substr(model, 1, 8) FROM kb_models WHERE name = 'builtin'");
  ASSERT_TRUE(magic);
  ASSERT_EQ(magic->size(), 1u);
  EXPECT_EQ(magic->front().GetString(0), "RHLSA002");
  EXPECT_EQ(Search(*lake, "too many versions", SearchMode::kVector)[0].source, "compaction.md");
}

TEST_F(LakeTest, RefitsTheBuiltinEmbedderWhenTheCorpusGrows) {
  auto lake = OpenLake();
  ASSERT_NE(lake, nullptr);
  ASSERT_TRUE(lake->IngestDocuments(Corpus()));
  std::string before = lake->Stats()->embedder;
  std::vector<Document> more;
  for (int doc_idx = 0; doc_idx < 40; ++doc_idx) {
    more.push_back(Doc("log-" + std::to_string(doc_idx), "oncall_log", "", "Incident",
                       "incident " + std::to_string(doc_idx) + " broker load timeout on be-" +
                           std::to_string(doc_idx % 7)));
  }
  auto stats = lake->IngestDocuments(more);
  ASSERT_TRUE(stats);
  EXPECT_TRUE(stats->refitted);
  EXPECT_NE(lake->Stats()->embedder, before);
  EXPECT_EQ(lake->Stats()->vectors, lake->Stats()->chunks);
}

TEST_F(LakeTest, SearchesConcurrentlyWhileIngesting) {
  auto lake = OpenLake();
  ASSERT_NE(lake, nullptr);
  ASSERT_TRUE(lake->IngestDocuments(Corpus()));
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::atomic<int> searches{0};
  std::vector<std::thread> readers;
  for (int thread_idx = 0; thread_idx < 4; ++thread_idx) {
    readers.emplace_back([&, thread_idx] {
      const SearchMode modes[] = {SearchMode::kHybrid, SearchMode::kFulltext, SearchMode::kVector};
      while (!stop.load()) {
        SearchRequest request;
        request.query = "disk full loads fail";
        request.mode = modes[thread_idx % 3];
        auto hits = lake->Search(request);
        if (!hits || hits->empty()) ++failures;
        ++searches;
      }
    });
  }
  for (int round = 0; round < 5; ++round) {
    std::vector<Document> batch;
    for (int doc_idx = 0; doc_idx < 20; ++doc_idx) {
      batch.push_back(Doc("r" + std::to_string(round) + "-" + std::to_string(doc_idx), "oncall_log",
                          "", "Incident",
                          "round " + std::to_string(round) + " fe checkpoint slow"));
    }
    ASSERT_TRUE(lake->IngestDocuments(batch));
  }
  ASSERT_TRUE(lake->RemoveSource("r0-1"));
  stop = true;
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(searches.load(), 0);
}

TEST_F(LakeTest, ASecondProcessSeesWritesThroughTheGeneration) {
  auto first = OpenLake();
  auto second = OpenLake();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  ASSERT_TRUE(first->IngestDocuments(Corpus()));
  EXPECT_EQ(Search(*second, "too many versions", SearchMode::kVector)[0].source, "compaction.md");
  ASSERT_TRUE(second->RemoveSource("compaction.md"));
  for (const SearchHit& hit : Search(*first, "too many versions", SearchMode::kHybrid, 10)) {
    EXPECT_NE(hit.source, "compaction.md");
  }
}

// What the long-lived runtime does every cycle: one process ingests, the other refreshes its
// open lake instead of reopening it, and sees the new documents and the refitted model.
TEST_F(LakeTest, RefreshBringsAnOpenLakeUpToDateWithAnotherWriter) {
  auto writer = OpenLake();
  auto reader = OpenLake();
  ASSERT_NE(writer, nullptr);
  ASSERT_NE(reader, nullptr);
  auto nothing_new = reader->Refresh();
  ASSERT_TRUE(nothing_new) << nothing_new.error().ToString();
  EXPECT_FALSE(*nothing_new);

  // The first ingest fits the built-in model; the reader has none until it refreshes.
  ASSERT_TRUE(writer->IngestDocuments(Corpus()));
  EXPECT_FALSE(reader->embedder().has_model());
  auto refreshed = reader->Refresh();
  ASSERT_TRUE(refreshed) << refreshed.error().ToString();
  EXPECT_TRUE(*refreshed);
  EXPECT_TRUE(reader->embedder().has_model());
  EXPECT_EQ(reader->embedder().id(), writer->embedder().id());
  auto again = reader->Refresh();
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again) << "nothing changed since the last refresh";
  EXPECT_EQ(Search(*reader, "too many versions", SearchMode::kVector)[0].source, "compaction.md");

  // Enough new documents to refit: the reader takes the new model and finds the new documents,
  // by every mode, exactly as the writer does.
  const std::string first_model = writer->embedder().id();
  const std::vector<std::string> topics = {"broker load timeout", "routine load paused by kafka",
                                           "tablet clone storm", "fe checkpoint slow"};
  std::vector<Document> more;
  for (int doc_idx = 0; doc_idx < 40; ++doc_idx) {
    more.push_back(Doc("log-" + std::to_string(doc_idx), "oncall_log", "", "Incident",
                       "incident " + std::to_string(doc_idx) + ": " + topics[doc_idx % 4] +
                           " on be-" + std::to_string(doc_idx % 7)));
  }
  auto ingested = writer->IngestDocuments(more);
  ASSERT_TRUE(ingested);
  ASSERT_TRUE(ingested->refitted);
  ASSERT_NE(writer->embedder().id(), first_model);
  EXPECT_EQ(reader->embedder().id(), first_model);
  refreshed = reader->Refresh();
  ASSERT_TRUE(refreshed) << refreshed.error().ToString();
  EXPECT_TRUE(*refreshed);
  EXPECT_EQ(reader->embedder().id(), writer->embedder().id());
  auto stats = reader->Stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->embedder, writer->embedder().id());
  EXPECT_EQ(stats->vectors, stats->chunks);
  for (SearchMode mode : {SearchMode::kFulltext, SearchMode::kVector, SearchMode::kHybrid}) {
    const SearchFilter logs{{"oncall_log"}, ""};
    auto hits = Search(*reader, "routine load paused by kafka", mode, 5, logs);
    ASSERT_FALSE(hits.empty()) << "mode " << static_cast<int>(mode);
    EXPECT_EQ(hits[0].kind, "oncall_log");
    std::vector<std::string> reader_ids, writer_ids;
    for (const SearchHit& hit : hits) reader_ids.push_back(hit.chunk_id);
    for (const SearchHit& hit : Search(*writer, "routine load paused by kafka", mode, 5, logs)) {
      writer_ids.push_back(hit.chunk_id);
    }
    EXPECT_EQ(reader_ids, writer_ids) << "mode " << static_cast<int>(mode);
  }
}

// Refreshing swaps the model while other threads search the same lake: searches never fail
// (under ASan, a model replaced under a running Embed would show as a use after free).
TEST_F(LakeTest, RefreshesWhileOtherThreadsSearch) {
  auto writer = OpenLake();
  auto reader = OpenLake();
  ASSERT_NE(writer, nullptr);
  ASSERT_NE(reader, nullptr);
  ASSERT_TRUE(writer->IngestDocuments(Corpus()));
  ASSERT_TRUE(reader->Refresh());
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::atomic<int> searches{0};
  std::vector<std::thread> searchers;
  for (int thread_idx = 0; thread_idx < 3; ++thread_idx) {
    searchers.emplace_back([&, thread_idx] {
      const SearchMode modes[] = {SearchMode::kHybrid, SearchMode::kVector, SearchMode::kHybrid};
      while (!stop.load()) {
        SearchRequest request;
        request.query = "disk full loads fail";
        request.mode = modes[thread_idx];
        if (!reader->Search(request)) ++failures;
        ++searches;
      }
    });
  }
  for (int round = 0; round < 3; ++round) {
    std::vector<Document> batch;
    // Distinct texts, growing the corpus enough for the writer to refit every round.
    for (int doc_idx = 0; doc_idx < 30 << round; ++doc_idx) {
      batch.push_back(Doc("r" + std::to_string(round) + "-" + std::to_string(doc_idx), "oncall_log",
                          "", "Incident",
                          "round " + std::to_string(round) + " case " + std::to_string(doc_idx) +
                              " fe checkpoint slow on fe-" + std::to_string(doc_idx % 5)));
    }
    // (No ASSERT while the searchers run: their threads must be joined.)
    auto ingested = writer->IngestDocuments(batch);
    if (!ingested) {
      ADD_FAILURE() << ingested.error().ToString();
      break;
    }
    // The searchers may have reloaded first (Search refreshes too): either way it succeeds.
    auto refreshed = reader->Refresh();
    if (!refreshed) {
      ADD_FAILURE() << refreshed.error().ToString();
      break;
    }
  }
  stop = true;
  for (auto& searcher : searchers) searcher.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(searches.load(), 0);
  EXPECT_EQ(reader->embedder().id(), writer->embedder().id());
}

TEST_F(LakeTest, StarterKnowledgeAnswersTheSimulatorsPageCacheBug) {
  auto lake = OpenLake(std::make_unique<BuiltinEmbedder>());
  ASSERT_NE(lake, nullptr);
  auto stats = IngestStarterKnowledge(*lake);
  ASSERT_TRUE(stats) << stats.error().ToString();
  EXPECT_GE(stats->documents_added, 12);
  auto hits = Search(*lake, "BE memory climbs to the limit without workload growth page cache",
                     SearchMode::kHybrid, 3, SearchFilter{{}, "3.2.1"});
  ASSERT_FALSE(hits.empty());
  bool found = false;
  for (const SearchHit& hit : hits) found = found || hit.source.find("37740") != std::string::npos;
  EXPECT_TRUE(found) << hits[0].source;
  // Fixed in 3.2.3: not a bug of 3.2.3 itself.
  for (const SearchHit& hit : Search(*lake, "page cache memory", SearchMode::kHybrid, 10,
                                     SearchFilter{{"known_bug"}, "3.2.3"})) {
    EXPECT_EQ(hit.source.find("37740"), std::string::npos);
  }
  for (const char* topic : {"disk full", "too many versions", "memory exceed limit", "BE down",
                            "slow queries", "load failures", "FE checkpoint"}) {
    auto topic_hits =
        Search(*lake, topic, SearchMode::kHybrid, 3, SearchFilter{{"resolution"}, ""});
    EXPECT_FALSE(topic_hits.empty()) << topic;
  }
  auto again = IngestStarterKnowledge(*lake);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->documents_unchanged, again->documents_seen);
}

}  // namespace
}  // namespace rh::knowledge
