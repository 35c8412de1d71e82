// Documents: chunking, front matter, JSONL metadata and version ranges.
#include "knowledge/document.h"

#include <gtest/gtest.h>

#include <fstream>

#include "knowledge/internal/text.h"
#include "tests/fakes/test_env.h"

namespace rh::knowledge {
namespace {

std::string Words(int count, const std::string& word = "word") {
  std::string out;
  for (int word_idx = 0; word_idx < count; ++word_idx) out += word + std::to_string(word_idx) + " ";
  return out;
}

TEST(ChunkDocumentTest, KeepsTheHeadingPathWithEachSection) {
  Document document;
  document.title = "Disk full";
  document.text =
      "# Disk full\nIntro text.\n## Free space\nDelete old partitions.\n### Trash\nEmpty the "
      "trash.\n## Prevent\nSet alerts.\n";
  std::vector<Chunk> chunks = ChunkDocument(document);
  ASSERT_EQ(chunks.size(), 4u);
  EXPECT_EQ(chunks[0].title, "Disk full");
  EXPECT_EQ(chunks[1].title, "Disk full > Free space");
  EXPECT_EQ(chunks[2].title, "Disk full > Free space > Trash");
  EXPECT_EQ(chunks[3].title, "Disk full > Prevent");
  EXPECT_NE(chunks[2].body.find("Empty the trash."), std::string::npos);
}

TEST(ChunkDocumentTest, IgnoresHashLinesInsideCodeFences) {
  Document document;
  document.title = "Runbook";
  document.text = "## Steps\n```bash\n# not a heading\nls\n```\nafter\n";
  std::vector<Chunk> chunks = ChunkDocument(document);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].title, "Runbook > Steps");
  EXPECT_NE(chunks[0].body.find("# not a heading"), std::string::npos);
}

TEST(ChunkDocumentTest, SplitsLongSectionsWithOverlap) {
  Document document;
  document.title = "Long";
  document.markdown = false;
  document.text = Words(1000);
  std::vector<Chunk> chunks = ChunkDocument(document);
  ASSERT_GE(chunks.size(), 3u);
  for (const Chunk& chunk : chunks) {
    EXPECT_LE(internal::CountWords(chunk.body), static_cast<size_t>(kMaxWords));
    EXPECT_EQ(chunk.title, "Long");
  }
  // The last words of a chunk open the next one.
  EXPECT_NE(chunks[1].body.find("word299 "), std::string::npos);
  EXPECT_EQ(chunks[0].body.rfind("word0 ", 0), 0u);
  EXPECT_NE(chunks.back().body.find("word999"), std::string::npos);
}

TEST(ChunkDocumentTest, ShortSectionsStayWhole) {
  Document document;
  document.title = "Short";
  document.text = Words(kMaxWords);
  EXPECT_EQ(ChunkDocument(document).size(), 1u);
}

TEST(FrontMatterTest, ReadsKindVersionTitleSource) {
  FrontMatter front_matter;
  std::string_view body = SplitFrontMatter(
      "---\nkind: known_bug\nversion: \"3.2.3\"\ntitle: PageCache\nsource: StarRocks #37740\n---\n"
      "# Body\n",
      &front_matter);
  EXPECT_EQ(front_matter.kind, "known_bug");
  EXPECT_EQ(front_matter.version, "3.2.3");
  EXPECT_EQ(front_matter.title, "PageCache");
  EXPECT_EQ(front_matter.source, "StarRocks #37740");
  EXPECT_EQ(body, "# Body\n");
}

TEST(LoadDocumentsTest, MergesReleaseNoteRowsOfTheSameFix) {
  testing::TempDir dir;
  std::ofstream(dir.File("notes.jsonl"))
      << R"({"version": "3.3.6", "section": "Bug Fixes", "text": "BE crashes on X.", "source": "release-3.3.md", "prs": [111]})"
      << "\n"
      << R"({"version": "3.2.12", "section": "Bug Fixes", "text": "BE crashes on X.", "source": "release-3.2.md", "prs": [111]})"
      << "\n"
      << R"({"version": "3.3.6", "section": "Improvements", "text": "Faster Y.", "source": "release-3.3.md", "prs": []})"
      << "\n";
  auto documents = LoadDocuments(dir.File("notes.jsonl"));
  ASSERT_TRUE(documents) << documents.error().ToString();
  ASSERT_EQ(documents->size(), 2u);
  EXPECT_EQ((*documents)[0].kind, "known_bug");
  EXPECT_EQ((*documents)[0].version, "3.3.6,3.2.12");
  EXPECT_NE((*documents)[0].source.find("#111"), std::string::npos);
  EXPECT_EQ((*documents)[0].key, dir.File("notes.jsonl") + "#pr-111");
  EXPECT_EQ((*documents)[1].kind, "doc");
  EXPECT_EQ((*documents)[1].version, "3.3.6");
}

TEST(LoadDocumentsTest, BadInputNamesTheFileAndLine) {
  testing::TempDir dir;
  std::ofstream(dir.File("bad.jsonl")) << R"({"text": "ok"})"
                                       << "\n{not json\n";
  auto documents = LoadDocuments(dir.File("bad.jsonl"));
  ASSERT_FALSE(documents);
  EXPECT_EQ(documents.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(documents.error().ToString().find("bad.jsonl:2"), std::string::npos);

  std::ofstream(dir.File("kind.md")) << "---\nkind: rumour\n---\ntext\n";
  auto unknown_kind = LoadDocuments(dir.File("kind.md"));
  ASSERT_FALSE(unknown_kind);
  EXPECT_NE(unknown_kind.error().message.find("unknown kind"), std::string::npos);

  EXPECT_EQ(LoadDocuments(dir.File("missing.md")).error().code, ErrorCode::kNotFound);
  std::ofstream(dir.File("image.png")) << "x";
  EXPECT_EQ(LoadDocuments(dir.File("image.png")).error().code, ErrorCode::kInvalidArgument);
}

TEST(LoadDocumentsTest, ReadsDirectoriesAndOverridesMetadata) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "sub");
  std::ofstream(dir.File("a.md")) << "# Alpha\ntext a\n";
  std::ofstream(dir.File("sub/b.txt")) << "text b\n";
  std::ofstream(dir.File("skip.bin")) << "binary";
  auto documents = LoadDocuments(dir.path().string(), "resolution", "3.2");
  ASSERT_TRUE(documents) << documents.error().ToString();
  ASSERT_EQ(documents->size(), 2u);
  EXPECT_EQ((*documents)[0].title, "Alpha");
  EXPECT_EQ((*documents)[1].title, "b");
  EXPECT_FALSE((*documents)[1].markdown);
  for (const Document& document : *documents) {
    EXPECT_EQ(document.kind, "resolution");
    EXPECT_EQ(document.version, "3.2");
  }
}

TEST(VersionTest, EncodesAndBuildsRanges) {
  EXPECT_EQ(EncodeVersion("3.3.4"), 3003004);
  EXPECT_EQ(EncodeVersion("v3.2"), 3002000);
  EXPECT_EQ(EncodeVersion("3.0.0-rc01"), 3000000);
  EXPECT_FALSE(EncodeVersion("three"));
  EXPECT_FALSE(EncodeVersion("3"));
  EXPECT_FALSE(EncodeVersion("3.2.x"));

  auto bug = VersionRanges("known_bug", "3.3.6, 3.2.10");
  ASSERT_TRUE(bug);
  ASSERT_EQ(bug->size(), 2u);
  EXPECT_EQ((*bug)[0].low, 3003000);
  EXPECT_EQ((*bug)[0].high, 3003005);
  EXPECT_EQ((*bug)[1].high, 3002009);
  auto line = VersionRanges("guideline", "3.2");
  ASSERT_TRUE(line);
  EXPECT_EQ((*line)[0].low, 3002000);
  EXPECT_EQ((*line)[0].high, 3002999);
  auto range = VersionRanges("resolution", "3.1.0-3.2.2");
  ASSERT_TRUE(range);
  EXPECT_EQ((*range)[0].high, 3002002);
  auto open = VersionRanges("doc", ">=3.2.0");
  ASSERT_TRUE(open);
  EXPECT_GT((*open)[0].high, 99000000);
  EXPECT_TRUE(VersionRanges("doc", "")->empty());
  EXPECT_FALSE(VersionRanges("doc", "latest"));
  EXPECT_FALSE(VersionRanges("known_bug", "3.3.x"));
}

}  // namespace
}  // namespace rh::knowledge
