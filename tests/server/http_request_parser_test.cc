// HttpRequestParser on its own: requests arriving one byte at a time, pipelined requests, the
// framing rules (Content-Length, chunked, both), the limits (head, headers, body) and
// percent-decoding.
#include "server/internal/http_request_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace rh::testing {
namespace {

using server::internal::HttpRequest;
using server::internal::HttpRequestParser;
using server::internal::PercentDecode;
using Step = HttpRequestParser::Step;

HttpRequestParser::Limits SmallLimits() {
  HttpRequestParser::Limits limits;
  limits.max_head_bytes = 1024;
  limits.max_body_bytes = 100;
  return limits;
}

// Feeds `bytes` one at a time, as a slow client would send them; returns the last step.
Step FeedByteByByte(HttpRequestParser& parser, std::string& input, const std::string& bytes) {
  Step step = Step::kNeedMore;
  for (char byte : bytes) {
    input.push_back(byte);
    do {
      step = parser.Parse(input);
    } while (step == Step::kHeadComplete);
    if (step == Step::kComplete || step == Step::kError) break;
  }
  return step;
}

TEST(HttpRequestParserTest, ParsesARequestArrivingOneByteAtATime) {
  HttpRequestParser parser(SmallLimits());
  std::string input;
  const std::string request =
      "POST /api/v1/x%2Fy?a=1&b=two+words HTTP/1.1\r\nHost: Example.com:8080\r\n"
      "Content-Type: application/json\r\nX-Empty:\r\nContent-Length: 7\r\n\r\n{\"a\":1}";
  ASSERT_EQ(FeedByteByByte(parser, input, request), Step::kComplete);
  HttpRequest parsed = parser.TakeRequest();
  EXPECT_EQ(parsed.method, "POST");
  EXPECT_EQ(parsed.target, "/api/v1/x%2Fy?a=1&b=two+words");
  EXPECT_EQ(parsed.path, "/api/v1/x/y");
  ASSERT_EQ(parsed.query.size(), 2u);
  EXPECT_EQ(parsed.query[1].second, "two words");
  EXPECT_EQ(parsed.host, "Example.com:8080");
  EXPECT_EQ(parsed.Header("content-type"), "application/json");
  EXPECT_TRUE(parsed.HasHeader("x-empty"));
  EXPECT_EQ(parsed.body, "{\"a\":1}");
  EXPECT_TRUE(parsed.keep_alive);
  EXPECT_TRUE(input.empty());
}

TEST(HttpRequestParserTest, LeavesPipelinedBytesForTheNextRequest) {
  HttpRequestParser parser(SmallLimits());
  std::string input =
      "GET /one HTTP/1.1\r\nHost: x\r\n\r\nPOST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
      "\r\nhiGET /th";
  ASSERT_EQ(parser.Parse(input), Step::kComplete);
  EXPECT_EQ(parser.TakeRequest().path, "/one");
  ASSERT_EQ(parser.Parse(input), Step::kHeadComplete);
  ASSERT_EQ(parser.Parse(input), Step::kComplete);
  HttpRequest second = parser.TakeRequest();
  EXPECT_EQ(second.path, "/two");
  EXPECT_EQ(second.body, "hi");
  EXPECT_EQ(input, "GET /th");
  EXPECT_EQ(parser.Parse(input), Step::kNeedMore);
}

TEST(HttpRequestParserTest, DecodesChunkedBodies) {
  HttpRequestParser parser(SmallLimits());
  std::string input;
  const std::string request =
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n"
      "4\r\nWiki\r\nA;ext=1\r\n pedia in \r\n0\r\nX-Trailer: t\r\n\r\nnext";
  ASSERT_EQ(FeedByteByByte(parser, input, request), Step::kComplete);
  EXPECT_EQ(parser.TakeRequest().body, "Wiki pedia in ");
  EXPECT_EQ(input, "");  // the byte loop stops at the end of the request
}

TEST(HttpRequestParserTest, ConnectionSemanticsFollowTheVersion) {
  auto keep_alive = [](const std::string& request) {
    HttpRequestParser parser(SmallLimits());
    std::string input = request;
    EXPECT_EQ(parser.Parse(input), Step::kComplete) << request;
    return parser.TakeRequest().keep_alive;
  };
  EXPECT_TRUE(keep_alive("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_FALSE(keep_alive("GET / HTTP/1.1\r\nHost: x\r\nConnection: Close\r\n\r\n"));
  EXPECT_FALSE(keep_alive("GET / HTTP/1.1\r\nHost: x\r\nConnection: te, close\r\n\r\n"));
  EXPECT_FALSE(keep_alive("GET / HTTP/1.0\r\n\r\n"));
  EXPECT_TRUE(keep_alive("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
}

TEST(HttpRequestParserTest, EnforcesTheLimitsBeforeKeepingTheBytes) {
  {
    HttpRequestParser parser(SmallLimits());
    std::string input = "GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(1100, 'a');
    EXPECT_EQ(parser.Parse(input), Step::kError);
    EXPECT_EQ(parser.error_status(), 431);
  }
  {
    HttpRequestParser parser(SmallLimits());
    std::string input = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n";
    EXPECT_EQ(parser.Parse(input), Step::kError);
    EXPECT_EQ(parser.error_status(), 413);
    EXPECT_NE(parser.error_message().find("server.max_body_bytes"), std::string::npos);
  }
  {
    HttpRequestParser parser(SmallLimits());
    std::string input =
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        "40\r\n" +
        std::string(64, 'a') + "\r\n40\r\n";
    ASSERT_EQ(parser.Parse(input), Step::kHeadComplete);
    EXPECT_EQ(parser.Parse(input), Step::kError);
    EXPECT_EQ(parser.error_status(), 413);
  }
  {
    HttpRequestParser parser(SmallLimits());
    std::string input =
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        "fffffffffffffffffff\r\n";
    ASSERT_EQ(parser.Parse(input), Step::kHeadComplete);
    EXPECT_EQ(parser.Parse(input), Step::kError);
    EXPECT_EQ(parser.error_status(), 413);
  }
  {
    HttpRequestParser parser(SmallLimits());
    std::string headers;
    for (int header_idx = 0; header_idx <= 100; ++header_idx) headers += "A:b\r\n";
    std::string input = "GET / HTTP/1.1\r\nHost: x\r\n" + headers;
    HttpRequestParser::Limits roomy = SmallLimits();
    roomy.max_head_bytes = 4096;
    HttpRequestParser many(roomy);
    EXPECT_EQ(many.Parse(input), Step::kError);
    EXPECT_EQ(many.error_status(), 431);
  }
}

TEST(HttpRequestParserTest, ExpectContinueOnlyWithABodyAndHttp11) {
  HttpRequestParser parser(SmallLimits());
  std::string input =
      "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n";
  ASSERT_EQ(parser.Parse(input), Step::kHeadComplete);
  EXPECT_TRUE(parser.expects_continue());
  HttpRequestParser old(SmallLimits());
  std::string old_input = "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
  ASSERT_EQ(old.Parse(old_input), Step::kHeadComplete);
  EXPECT_FALSE(old.expects_continue());
}

TEST(HttpRequestParserTest, AbsoluteFormCarriesTheHost) {
  HttpRequestParser parser(SmallLimits());
  std::string input = "GET HTTP://rh.example:8080/p?q=1 HTTP/1.1\r\nHost: other\r\n\r\n";
  ASSERT_EQ(parser.Parse(input), Step::kComplete);
  HttpRequest parsed = parser.TakeRequest();
  EXPECT_EQ(parsed.host, "rh.example:8080");
  EXPECT_EQ(parsed.path, "/p");
}

TEST(HttpRequestParserTest, PercentDecodeKeepsMalformedEscapes) {
  EXPECT_EQ(PercentDecode("a%20b%2fc", false), "a b/c");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("100%", true), "100%");
  EXPECT_EQ(PercentDecode("%g0%4", true), "%g0%4");
  EXPECT_EQ(PercentDecode("%E2%9C%93", false), "\xE2\x9C\x93");
}

}  // namespace
}  // namespace rh::testing
