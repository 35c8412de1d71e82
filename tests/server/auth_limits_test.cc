// Bearer-token auth (on and off), the per-client rate limit on the ManualClock, the body-size
// limit, and the RateLimiter itself.
#include <gtest/gtest.h>

#include "core/time_format.h"
#include "server/rate_limiter.h"
#include "tests/server/server_fixture.h"

namespace rh::testing {
namespace {

class AuthLimitsTest : public ServerTest {};

TEST_P(AuthLimitsTest, NoTokenConfiguredMeansOpenOnLoopback) {
  StartServer();
  EXPECT_EQ(Get("/api/v1/reports").status, 200);
  EXPECT_EQ(Get("/metrics").status, 200);
  // A token sent to a server without one is ignored.
  EXPECT_EQ(Get("/api/v1/reports", {{"Authorization", "Bearer anything"}}).status, 200);
}

TEST_P(AuthLimitsTest, TokenRequiredOnApiAndMetrics) {
  config_.secrets.server_token = "s3cret-token-value-1234";
  StartServer();
  const httplib::Headers good = {{"Authorization", "Bearer s3cret-token-value-1234"}};
  for (const char* path : {"/api/v1/reports", "/api/v1/clusters", "/metrics",
                           "/api/v1/investigations", "/api/v1/clusters/c-alpha-prod"}) {
    HttpReply missing = Get(path);
    EXPECT_EQ(missing.status, 401) << path;
    EXPECT_EQ(missing.Header("WWW-Authenticate"), "Bearer realm=\"rockhound\"") << path;
    EXPECT_EQ(ErrorCodeOf(missing), "permission_denied") << path;
    EXPECT_NE(ErrorMessageOf(missing).find("Authorization: Bearer"), std::string::npos);
    HttpReply wrong = Get(path, {{"Authorization", "Bearer s3cret-token-value-1235"}});
    EXPECT_EQ(wrong.status, 401) << path;
    EXPECT_NE(wrong.Header("WWW-Authenticate").find("error=\"invalid_token\""), std::string::npos);
    EXPECT_EQ(Get(path, {{"Authorization", "Basic czNjcmV0"}}).status, 401) << path;
    EXPECT_EQ(Get(path, good).status, 200) << path;
  }
  // Writes too, and nothing is written without the token.
  const std::string body = std::string(R"({"cluster_id":")") + kCriticalCluster + "\"}";
  EXPECT_EQ(Post("/api/v1/investigations", body).status, 401);
  EXPECT_EQ(*memory().QueryInt("SELECT COUNT(*) FROM investigation_tasks"), 0);
  EXPECT_EQ(Post("/api/v1/investigations", body, good).status, 202);
  EXPECT_EQ(Post("/api/v1/alerts/alertmanager", "{}").status, 401);
  // Liveness and the page's static files need no token (the page asks for it).
  EXPECT_EQ(Get("/healthz").status, 200);
  EXPECT_EQ(Get("/").status, 200);
  EXPECT_EQ(Get("/assets/app.js").status, 200);
  // The token never reaches the metrics labels or an error body.
  HttpReply metrics = Get("/metrics", good);
  EXPECT_EQ(metrics.body.find("s3cret"), std::string::npos);
}

TEST_P(AuthLimitsTest, RateLimitPerClientOnTheServerClock) {
  config_.server.rate_limit_per_minute = 5;
  StartServer();
  for (int request_idx = 0; request_idx < 5; ++request_idx) {
    EXPECT_EQ(Get("/api/v1/reports").status, 200) << request_idx;
  }
  HttpReply limited = Get("/api/v1/reports");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(ErrorCodeOf(limited), "resource_exhausted");
  EXPECT_EQ(limited.Header("Retry-After"), "60");
  EXPECT_NE(ErrorMessageOf(limited).find("server.rate_limit_per_minute"), std::string::npos);
  EXPECT_EQ(Get("/").status, 429);
  EXPECT_EQ(Get("/healthz").status, 200);  // never limited
  clock_.Advance(std::chrono::seconds(45));
  EXPECT_EQ(Get("/api/v1/reports").Header("Retry-After"), "15");
  clock_.Advance(std::chrono::seconds(15));
  EXPECT_EQ(Get("/api/v1/reports").status, 200);
}

TEST_P(AuthLimitsTest, BodyOverTheLimitIs413AndWritesNothing) {
  config_.server.max_body_bytes = 1024;
  StartServer();
  std::string big = std::string(R"({"cluster_id":")") + kCriticalCluster + R"(","question":")" +
                    std::string(1500, 'x') + "\"}";
  HttpReply reply = Post("/api/v1/investigations", big);
  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(ErrorCodeOf(reply), "resource_exhausted");
  EXPECT_NE(ErrorMessageOf(reply).find("server.max_body_bytes"), std::string::npos);
  EXPECT_EQ(*memory().QueryInt("SELECT COUNT(*) FROM investigation_tasks"), 0);
  HttpReply webhook = Post("/api/v1/alerts/alertmanager", big);
  EXPECT_EQ(webhook.status, 413);
  // Under the limit is fine.
  EXPECT_EQ(
      Post("/api/v1/investigations", std::string(R"({"cluster_id":")") + kCriticalCluster + "\"}")
          .status,
      202);
}

TEST_P(AuthLimitsTest, SecondServerOnABusyPortFailsClearly) {
  StartServer();
  Config busy = config_;
  busy.server.port = port_;
  service::Runtime busy_runtime(busy, clock_, metrics_);
  server::HttpServer second(busy_runtime, metrics_);
  auto started = second.Start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(started.error().ToString().find(std::to_string(port_)), std::string::npos);
  EXPECT_EQ(Get("/healthz").status, 200);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuthLimitsTest, RH_DATABASE_BACKENDS());

TEST(RateLimiterTest, FixedWindowPerClient) {
  ManualClock clock(MakeUtcTime(2026, 1, 1));
  server::RateLimiter limiter(clock, 2);
  EXPECT_TRUE(limiter.Admit("a").admitted);
  EXPECT_TRUE(limiter.Admit("a").admitted);
  auto refused = limiter.Admit("a");
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.retry_after, std::chrono::seconds(60));
  EXPECT_TRUE(limiter.Admit("b").admitted);  // another client has its own budget
  clock.Advance(std::chrono::seconds(59) + std::chrono::milliseconds(500));
  EXPECT_EQ(limiter.Admit("a").retry_after, std::chrono::seconds(1));
  clock.Advance(std::chrono::seconds(1));
  EXPECT_TRUE(limiter.Admit("a").admitted);
}

TEST(RateLimiterTest, ZeroMeansUnlimited) {
  ManualClock clock(MakeUtcTime(2026, 1, 1));
  server::RateLimiter limiter(clock, 0);
  for (int request_idx = 0; request_idx < 10000; ++request_idx) {
    ASSERT_TRUE(limiter.Admit("a").admitted);
  }
}

}  // namespace
}  // namespace rh::testing
