// The built-in LSA embedder: fitting, determinism, persistence of its model, and that it
// captures co-occurrence (a query finds a text that shares its topic).
#include "knowledge/builtin_embedder.h"

#include <gtest/gtest.h>

#include <cmath>

namespace rh::knowledge {
namespace {

BuiltinEmbedderOptions Dims(int dims) {
  BuiltinEmbedderOptions options;
  options.dims = dims;
  return options;
}

std::vector<std::string> Corpus() {
  std::vector<std::string> corpus;
  for (int copy = 0; copy < 5; ++copy) {
    corpus.push_back("disk full data disk usage high free space trash partitions " +
                     std::to_string(copy));
    corpus.push_back("compaction score high too many versions tablet compaction threads " +
                     std::to_string(copy));
    corpus.push_back("memory exceed limit query memory mem_limit big query " +
                     std::to_string(copy));
    corpus.push_back("fe checkpoint image journal bdb metadata " + std::to_string(copy));
  }
  return corpus;
}

double Dot(const Vector& left, const Vector& right) {
  double sum = 0.0;
  for (size_t dim = 0; dim < left.size(); ++dim) sum += left[dim] * right[dim];
  return sum;
}

TEST(BuiltinEmbedderTest, FitsEmbedsAndSeparatesTopics) {
  BuiltinEmbedder embedder(Dims(8));
  EXPECT_FALSE(embedder.has_model());
  EXPECT_EQ(embedder.id(), "builtin-lsa8:unfitted");
  ASSERT_TRUE(embedder.Fit(Corpus()));
  EXPECT_TRUE(embedder.has_model());
  EXPECT_EQ(embedder.fitted_corpus_size(), 20u);
  auto vectors = embedder.Embed({"free disk space", "data disk usage", "too many versions", "zzz"},
                                EmbedPurpose::kDocument);
  ASSERT_TRUE(vectors);
  ASSERT_EQ(vectors->size(), 4u);
  EXPECT_NEAR(Dot((*vectors)[0], (*vectors)[0]), 1.0, 1e-4);
  EXPECT_GT(Dot((*vectors)[0], (*vectors)[1]), Dot((*vectors)[0], (*vectors)[2]) + 0.3);
  EXPECT_EQ(Dot((*vectors)[3], (*vectors)[3]), 0.0);  // no known word: the zero vector
}

TEST(BuiltinEmbedderTest, IsDeterministicAndRoundTripsItsModel) {
  BuiltinEmbedder first(Dims(8));
  BuiltinEmbedder second(Dims(8));
  ASSERT_TRUE(first.Fit(Corpus()));
  ASSERT_TRUE(second.Fit(Corpus()));
  EXPECT_EQ(first.id(), second.id());
  BuiltinEmbedder loaded;
  ASSERT_TRUE(loaded.LoadModel(first.SaveModel()));
  EXPECT_EQ(loaded.id(), first.id());
  EXPECT_EQ(loaded.dims(), 8);
  auto left = first.Embed({"compaction threads"}, EmbedPurpose::kQuery);
  auto right = loaded.Embed({"compaction threads"}, EmbedPurpose::kQuery);
  EXPECT_EQ(*left, *right);
  EXPECT_FALSE(loaded.LoadModel("not a model"));
  std::string truncated = first.SaveModel();
  truncated.resize(truncated.size() - 3);
  EXPECT_EQ(loaded.LoadModel(truncated).error().code, ErrorCode::kDataLoss);
  // A different corpus is a different model.
  std::vector<std::string> other = Corpus();
  other.push_back("broker load timeout");
  other.push_back("broker load timeout again");
  ASSERT_TRUE(second.Fit(other));
  EXPECT_NE(second.id(), first.id());
}

TEST(BuiltinEmbedderTest, FitIdfExponentShapesTheModelAndIsStoredWithIt) {
  BuiltinEmbedderOptions squared = Dims(8);
  squared.fit_idf_exponent = 2.0;
  BuiltinEmbedderOptions plain = Dims(8);
  plain.fit_idf_exponent = 1.0;
  BuiltinEmbedder first(squared);
  BuiltinEmbedder second(plain);
  std::vector<std::string> corpus = Corpus();
  corpus.push_back("disk compaction memory checkpoint");  // terms with unequal IDF
  ASSERT_TRUE(first.Fit(corpus));
  ASSERT_TRUE(second.Fit(corpus));
  EXPECT_NE(first.id(), second.id());
  // A model loads with the exponent it was fitted with, whatever the loader's option.
  BuiltinEmbedder loaded(plain);
  ASSERT_TRUE(loaded.LoadModel(first.SaveModel()));
  EXPECT_EQ(loaded.id(), first.id());
  EXPECT_EQ(loaded.SaveModel(), first.SaveModel());
}

TEST(BuiltinEmbedderTest, RefusesAModelFromAnotherFormatVersion) {
  BuiltinEmbedder first(Dims(8));
  ASSERT_TRUE(first.Fit(Corpus()));
  std::string older = first.SaveModel();
  ASSERT_EQ(older.substr(0, 8), "RHLSA002");
  older[7] = '1';
  BuiltinEmbedder loaded;
  Status status = loaded.LoadModel(older);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kDataLoss);
  EXPECT_NE(status.error().ToString().find("another Rockhound version (RHLSA001)"),
            std::string::npos)
      << status.error().ToString();
  EXPECT_FALSE(loaded.has_model());
}

TEST(BuiltinEmbedderTest, NormalisesWords) {
  EXPECT_EQ(BuiltinEmbedder::Terms("The Versions of tablet_max_versions ARE compacting"),
            (std::vector<std::string>{"version", "tablet", "max", "version", "compact"}));
}

}  // namespace
}  // namespace rh::knowledge
