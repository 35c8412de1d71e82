// HttpEmbedder against a real HTTP server on 127.0.0.1 (port 0) that scripts an
// OpenAI-compatible /v1/embeddings service, including its failures.
#include "knowledge/http_embedder.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <cmath>
#include <functional>
#include <mutex>
#include <thread>

#include "core/json.h"
#include "knowledge/knowledge_lake.h"
#include "tests/fakes/scripted_http_transport.h"
#include "tests/fakes/test_env.h"

namespace rh::knowledge {
namespace {

// A deterministic toy embedding: hashed words into `dims` buckets.
std::vector<float> ToyEmbedding(const std::string& text, int dims) {
  std::vector<float> out(dims, 0.0f);
  std::string word;
  auto flush = [&] {
    if (word.empty()) return;
    out[std::hash<std::string>{}(word) % dims] += 1.0f;
    word.clear();
  };
  for (char character : text) {
    if (std::isalnum(static_cast<unsigned char>(character))) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(character)));
    } else {
      flush();
    }
  }
  flush();
  out[0] += 0.01f;
  return out;
}

class ScriptedEmbeddingServer {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&, int call)>;

  explicit ScriptedEmbeddingServer(Handler handler) : handler_(std::move(handler)) {
    server_.Post("/v1/embeddings",
                 [this](const httplib::Request& request, httplib::Response& response) {
                   int call = calls_.fetch_add(1);
                   {
                     std::lock_guard<std::mutex> lock(mutex_);
                     bodies_.push_back(request.body);
                     authorizations_.push_back(request.get_header_value("Authorization"));
                   }
                   handler_(request, response, call);
                 });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~ScriptedEmbeddingServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int calls() const { return calls_.load(); }
  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> lock(mutex_);
    return bodies_;
  }
  std::vector<std::string> authorizations() {
    std::lock_guard<std::mutex> lock(mutex_);
    return authorizations_;
  }

  // Answers like a real service: one toy vector per input, listed in reverse order with
  // their indexes (clients must place by index).
  static void Answer(const httplib::Request& request, httplib::Response& response, int dims) {
    Json body = Json::parse(request.body);
    Json data = Json::array();
    const Json& input = body["input"];
    for (size_t item_idx = input.size(); item_idx-- > 0;) {
      data.push_back({{"object", "embedding"},
                      {"index", item_idx},
                      {"embedding", ToyEmbedding(input[item_idx].get<std::string>(), dims)}});
    }
    response.set_content(Json{{"object", "list"}, {"data", data}, {"model", body["model"]}}.dump(),
                         "application/json");
  }

 private:
  Handler handler_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> calls_{0};
  std::mutex mutex_;
  std::vector<std::string> bodies_;
  std::vector<std::string> authorizations_;
};

class HttpEmbedderTest : public ::testing::Test {
 protected:
  HttpEmbedderTest()
      : clock_(std::chrono::system_clock::time_point(std::chrono::hours(24 * 20000))) {}

  std::unique_ptr<HttpEmbedder> Make(const std::string& url, int batch = 64, int max_retries = 2) {
    HttpEmbedderOptions options;
    options.url = url;
    options.model = "toy-embed";
    options.api_key = "sk-test-secret-4242";
    options.batch = batch;
    options.max_retries = max_retries;
    options.initial_backoff = std::chrono::milliseconds(100);
    options.request_timeout = std::chrono::milliseconds(2000);
    auto embedder = HttpEmbedder::Create(options, clock_);
    EXPECT_TRUE(embedder) << embedder.error().ToString();
    return embedder ? std::move(*embedder) : nullptr;
  }

  ManualClock clock_;
};

TEST_F(HttpEmbedderTest, BatchesOrdersByIndexNormalisesAndAuthenticates) {
  ScriptedEmbeddingServer server([](const auto& request, auto& response, int) {
    ScriptedEmbeddingServer::Answer(request, response, 8);
  });
  auto embedder = Make(server.url() + "/v1", /*batch=*/2);
  ASSERT_NE(embedder, nullptr);
  EXPECT_EQ(embedder->endpoint(), server.url() + "/v1/embeddings");
  std::vector<std::string> texts = {"disk full", "compaction", "memory", "be down", "slow query"};
  auto vectors = embedder->Embed(texts, EmbedPurpose::kDocument);
  ASSERT_TRUE(vectors) << vectors.error().ToString();
  EXPECT_EQ(server.calls(), 3);
  ASSERT_EQ(vectors->size(), 5u);
  EXPECT_EQ(embedder->dims(), 8);
  EXPECT_EQ(embedder->id(), "http:toy-embed:8");
  for (size_t text_idx = 0; text_idx < texts.size(); ++text_idx) {
    std::vector<float> expected = ToyEmbedding(texts[text_idx], 8);
    double norm = 0.0, dot = 0.0, expected_norm = 0.0;
    for (int dim = 0; dim < 8; ++dim) {
      norm += (*vectors)[text_idx][dim] * (*vectors)[text_idx][dim];
      dot += (*vectors)[text_idx][dim] * expected[dim];
      expected_norm += expected[dim] * expected[dim];
    }
    EXPECT_NEAR(norm, 1.0, 1e-5);
    EXPECT_NEAR(dot / std::sqrt(expected_norm), 1.0, 1e-5) << texts[text_idx];
  }
  Json first = Json::parse(server.bodies()[0]);
  EXPECT_EQ(first["model"], "toy-embed");
  EXPECT_EQ(first["input"].size(), 2u);
  EXPECT_EQ(server.authorizations()[0], "Bearer sk-test-secret-4242");
}

TEST_F(HttpEmbedderTest, RetriesServerErrorsWithBackoff) {
  ScriptedEmbeddingServer server([](const auto& request, auto& response, int call) {
    if (call < 2) {
      response.status = 503;
      response.set_content("overloaded", "text/plain");
      return;
    }
    ScriptedEmbeddingServer::Answer(request, response, 4);
  });
  auto embedder = Make(server.url());
  auto started = clock_.Now();
  auto vectors = embedder->Embed({"a b"}, EmbedPurpose::kQuery);
  ASSERT_TRUE(vectors) << vectors.error().ToString();
  EXPECT_EQ(server.calls(), 3);
  EXPECT_EQ(clock_.Now() - started, std::chrono::milliseconds(100 + 200));
}

TEST_F(HttpEmbedderTest, GivesUpOnPersistentErrorsWithoutLeakingTheKey) {
  ScriptedEmbeddingServer server([](const auto&, auto& response, int) {
    response.status = 500;
    response.set_content("{\"error\": \"boom\"}", "application/json");
  });
  auto embedder = Make(server.url());
  auto vectors = embedder->Embed({"x"}, EmbedPurpose::kDocument);
  ASSERT_FALSE(vectors);
  EXPECT_EQ(vectors.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(server.calls(), 3);
  EXPECT_NE(vectors.error().message.find("HTTP 500"), std::string::npos);
  EXPECT_EQ(vectors.error().ToString().find("sk-test-secret"), std::string::npos);
}

TEST_F(HttpEmbedderTest, HonoursRetryAfterOn429) {
  ScriptedEmbeddingServer server([](const auto&, auto& response, int) {
    response.status = 429;
    response.set_header("Retry-After", "3");
  });
  auto embedder = Make(server.url(), 64, /*max_retries=*/1);
  auto started = clock_.Now();
  auto vectors = embedder->Embed({"x"}, EmbedPurpose::kDocument);
  ASSERT_FALSE(vectors);
  EXPECT_EQ(vectors.error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(server.calls(), 2);
  EXPECT_GE(clock_.Now() - started, std::chrono::seconds(3));
}

TEST_F(HttpEmbedderTest, RejectsMalformedAnswersWithoutRetrying) {
  struct Case {
    const char* name;
    std::string body;
  };
  const std::vector<Case> cases = {
      {"bad json", "{\"data\": [ not json"},
      {"no data", "{\"object\": \"list\"}"},
      {"too few", "{\"data\": []}"},
      {"non-number", "{\"data\": [{\"index\": 0, \"embedding\": [\"a\", 1]}]}"},
      {"bad index", "{\"data\": [{\"index\": 7, \"embedding\": [1, 2]}]}"},
  };
  for (const Case& test_case : cases) {
    ScriptedEmbeddingServer server([&](const auto&, auto& response, int) {
      response.set_content(test_case.body, "application/json");
    });
    auto embedder = Make(server.url());
    auto vectors = embedder->Embed({"x"}, EmbedPurpose::kDocument);
    ASSERT_FALSE(vectors) << test_case.name;
    EXPECT_EQ(vectors.error().code, ErrorCode::kInternal) << test_case.name;
    EXPECT_EQ(server.calls(), 1) << test_case.name;
  }
}

TEST_F(HttpEmbedderTest, RejectsAnswersOfTheWrongDimension) {
  std::atomic<int> dims{8};
  ScriptedEmbeddingServer server([&](const auto& request, auto& response, int) {
    ScriptedEmbeddingServer::Answer(request, response, dims.load());
  });
  auto embedder = Make(server.url());
  ASSERT_TRUE(embedder->Embed({"first"}, EmbedPurpose::kDocument));
  dims = 4;  // the service now runs another model
  auto vectors = embedder->Embed({"second"}, EmbedPurpose::kDocument);
  ASSERT_FALSE(vectors);
  EXPECT_EQ(vectors.error().code, ErrorCode::kInternal);
  EXPECT_NE(vectors.error().message.find("expected 8"), std::string::npos);
}

TEST_F(HttpEmbedderTest, TimesOutASlowService) {
  ScriptedEmbeddingServer server([](const auto& request, auto& response, int) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    ScriptedEmbeddingServer::Answer(request, response, 4);
  });
  HttpEmbedderOptions options;
  options.url = server.url();
  options.model = "toy-embed";
  options.max_retries = 0;
  options.request_timeout = std::chrono::milliseconds(200);
  auto embedder = HttpEmbedder::Create(options, clock_);
  ASSERT_TRUE(embedder);
  auto vectors = (*embedder)->Embed({"x"}, EmbedPurpose::kQuery);
  ASSERT_FALSE(vectors);
  EXPECT_EQ(vectors.error().code, ErrorCode::kDeadlineExceeded);
}

TEST_F(HttpEmbedderTest, ReportsClientErrorsAndUnreachableServices) {
  {
    ScriptedEmbeddingServer server([](const auto&, auto& response, int call) {
      response.status = call == 0 ? 400 : 401;
      response.set_content("{\"error\": \"input too long\"}", "application/json");
    });
    auto embedder = Make(server.url());
    auto bad_request = embedder->Embed({"x"}, EmbedPurpose::kDocument);
    ASSERT_FALSE(bad_request);
    EXPECT_EQ(bad_request.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(bad_request.error().message.find("input too long"), std::string::npos);
    auto unauthorized = embedder->Embed({"x"}, EmbedPurpose::kDocument);
    EXPECT_EQ(unauthorized.error().code, ErrorCode::kPermissionDenied);
  }
  // Nothing listens on a port that a server just released.
  std::string url;
  {
    ScriptedEmbeddingServer server([](const auto&, auto&, int) {});
    url = server.url();
  }
  auto embedder = Make(url, 64, /*max_retries=*/1);
  auto vectors = embedder->Embed({"x"}, EmbedPurpose::kDocument);
  ASSERT_FALSE(vectors);
  EXPECT_EQ(vectors.error().code, ErrorCode::kUnavailable);
  HttpEmbedderOptions bad_url;
  bad_url.url = "ftp://x";
  bad_url.model = "m";
  EXPECT_EQ(HttpEmbedder::Create(bad_url, clock_).error().code, ErrorCode::kInvalidArgument);
  HttpEmbedderOptions no_model;
  no_model.url = "http://x";
  EXPECT_EQ(HttpEmbedder::Create(no_model, clock_).error().code, ErrorCode::kInvalidArgument);
}

TEST_F(HttpEmbedderTest, SendsThroughAnInjectedTransportAndHonoursItsRetryAfter) {
  using rh::testing::ScriptedHttpTransport;
  ScriptedHttpTransport transport({
      ScriptedHttpTransport::Failure(net::HttpFailureKind::kConnection, "Connection reset"),
      ScriptedHttpTransport::Answer(429, "slow down", {{"retry-after-ms", "1500"}}),
      ScriptedHttpTransport::Answer(503, "busy",
                                    {{"retry-after", "Sat, 01 Jan 2000 00:00:00 GMT"}}),
      ScriptedHttpTransport::Answer(200, R"({"data": [{"index": 0, "embedding": [3, 4]}]})"),
  });
  HttpEmbedderOptions options;
  options.url = "https://embed.example.test/v1/";
  options.model = "toy-embed";
  options.api_key = "sk-test-secret-4242";
  options.max_retries = 3;
  options.initial_backoff = std::chrono::milliseconds(100);
  options.connect_timeout = std::chrono::milliseconds(700);
  options.request_timeout = std::chrono::milliseconds(9000);
  auto embedder = HttpEmbedder::Create(options, transport, clock_);
  ASSERT_TRUE(embedder) << embedder.error().ToString();
  const auto started = clock_.Now();
  auto vectors = (*embedder)->Embed({"x"}, EmbedPurpose::kQuery);
  ASSERT_TRUE(vectors) << vectors.error().ToString();
  EXPECT_NEAR((*vectors)[0][0], 0.6f, 1e-6);
  EXPECT_NEAR((*vectors)[0][1], 0.8f, 1e-6);
  // Backoff 100 ms after the reset, the 429's retry-after-ms 1.5 s, then backoff 400 ms (a
  // Retry-After date in the past means no server wait).
  EXPECT_EQ(clock_.Now() - started, std::chrono::milliseconds(100 + 1500 + 400));
  const auto sent = transport.requests();
  ASSERT_EQ(sent.size(), 4u);
  for (const net::HttpRequest& request : sent) {
    EXPECT_EQ(request.method, net::HttpMethod::kPost);
    EXPECT_EQ(request.url, "https://embed.example.test/v1/embeddings");
    EXPECT_EQ(request.connect_timeout, std::chrono::milliseconds(700));
    EXPECT_EQ(request.total_timeout, std::chrono::milliseconds(9000));
    EXPECT_EQ(rh::testing::SentHeader(request, "Authorization"), "Bearer sk-test-secret-4242");
    EXPECT_EQ(rh::testing::SentHeader(request, "Content-Type"), "application/json");
    EXPECT_EQ(Json::parse(request.body)["input"], Json::array({"x"}));
  }
}

TEST_F(HttpEmbedderTest, TheLakeUsesItAndReEmbedsWhenSwitchingBack) {
  ScriptedEmbeddingServer server([](const auto& request, auto& response, int) {
    ScriptedEmbeddingServer::Answer(request, response, 64);
  });
  testing::TempDir dir;
  LakeOptions options;
  options.db_path = dir.File("knowledge.db");
  options.index_path = dir.File("knowledge.faiss");
  Document document;
  document.key = "disk.md";
  document.title = "Disk full";
  document.kind = "resolution";
  document.text = "# Disk full\nDrop expired partitions to free disk space.\n";
  Document other = document;
  other.key = "fe.md";
  other.title = "FE checkpoint";
  other.text = "# FE checkpoint\nThe image directory stops advancing.\n";
  {
    auto lake = KnowledgeLake::Open(options, Make(server.url()), clock_);
    ASSERT_TRUE(lake) << lake.error().ToString();
    EXPECT_EQ((*lake)->fusion().method, FusionMethod::kRrf);
    ASSERT_TRUE((*lake)->IngestDocuments({document, other}));
    SearchRequest request;
    request.query = "free disk space";
    request.mode = SearchMode::kVector;
    auto hits = (*lake)->Search(request);
    ASSERT_TRUE(hits) << hits.error().ToString();
    ASSERT_FALSE(hits->empty());
    EXPECT_EQ((*hits)[0].source, "disk.md");
    EXPECT_EQ((*lake)->Stats()->embedder, "http:toy-embed:64");
  }
  // Back to the built-in embedder: every chunk is re-embedded.
  auto embedder = MakeEmbedder(EmbedderConfig{}, clock_);
  ASSERT_TRUE(embedder);
  auto lake = KnowledgeLake::Open(options, std::move(*embedder), clock_);
  ASSERT_TRUE(lake) << lake.error().ToString();
  auto stats = (*lake)->Stats();
  EXPECT_EQ(stats->embedder.rfind("builtin-lsa", 0), 0u);
  EXPECT_EQ(stats->vectors, stats->chunks);
  // An embedder that is down at ingest changes nothing.
  std::string down_url;
  {
    ScriptedEmbeddingServer gone([](const auto&, auto&, int) {});
    down_url = gone.url();
  }
  lake->reset();
  auto down = KnowledgeLake::Open(options, Make(down_url, 64, 0), clock_);
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace rh::knowledge
