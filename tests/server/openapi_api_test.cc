// The API's contract over real sockets on SQLite and MariaDB: GET /api/v1/openapi.json describes
// exactly the routes of the server's route table (server/internal/routes.h) with exactly their
// query parameters; real answers of every route validate against the document's schemas (every
// time RFC 3339 with Z); every list pages with limit + cursor -> next_cursor; an unknown query
// parameter is a 400 naming it and the accepted ones on every route; enum filters take any case;
// a body that is not JSON gets a message without the JSON library's text; refused webhook posts
// are counted by source and reason. With RH_OPENAPI_DUMP set, the served document is written
// there for the OpenAPI validator of scripts/test.sh.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "core/risk_level.h"
#include "core/root_cause.h"
#include "core/severity.h"
#include "server/internal/routes.h"
#include "store/task_queue.h"
#include "tests/fakes/json_schema_validator.h"
#include "tests/server/server_fixture.h"

namespace rh::testing {
namespace {

using server::internal::ApiRoutes;
using server::internal::Route;

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// A JSON pointer token ("/" -> "~1", "~" -> "~0").
std::string PointerToken(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

// A path of `pattern` with each "{...}" replaced by `id`.
std::string Concrete(const std::string& pattern, const std::string& id) {
  return std::regex_replace(pattern, std::regex("\\{[a-z_]+\\}"), id);
}

Json AlertmanagerBody(const std::string& name, const std::string& cluster,
                      const std::string& severity, const std::string& starts) {
  return Json{
      {"version", "4"},
      {"status", "firing"},
      {"alerts",
       Json::array(
           {{{"status", "firing"},
             {"labels", {{"alertname", name}, {"cluster_id", cluster}, {"severity", severity}}},
             {"annotations", {{"summary", name}}},
             {"startsAt", starts},
             {"endsAt", "0001-01-01T00:00:00Z"}}})}};
}

class OpenApiTest : public ServerTest {
 protected:
  Json FetchDocument() {
    HttpReply reply = Get("/api/v1/openapi.json");
    EXPECT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(reply.json["openapi"], "3.1.0");
    return reply.json;
  }

  // Fills the stores through the API: alerts (so issues), an investigation task.
  void SeedThroughApi() {
    for (const auto& [name, cluster, starts] : std::vector<std::array<std::string, 3>>{
             {"HeapUsageTooHigh", kQuietCluster, "2026-11-21T08:00:00Z"},
             {"BeAliveAbnormal", kQuietCluster, "2026-11-21T08:30:00Z"},
             {"OperationAbnormal", kHealthyCluster, "2026-11-21T07:00:00Z"}}) {
      HttpReply posted = Post("/api/v1/alerts/alertmanager",
                              DumpJson(AlertmanagerBody(name, cluster, "warning", starts)));
      ASSERT_EQ(posted.status, 200) << posted.body;
    }
    for (const char* cluster : {kCriticalCluster, kWarningCluster}) {
      HttpReply created = Post("/api/v1/investigations",
                               DumpJson(Json{{"cluster_id", cluster}, {"question", "why?"}}));
      ASSERT_EQ(created.status, 202) << created.body;
    }
  }

  // The validator of the response schema of `method path` for `status` (application/json).
  std::optional<JsonSchemaValidator> ResponseValidator(const std::shared_ptr<const Json>& doc,
                                                       const std::string& pattern,
                                                       const std::string& method, int status) {
    const std::string pointer = "/paths/" + PointerToken(pattern) + "/" + Lower(method) +
                                "/responses/" + std::to_string(status) +
                                "/content/application~1json/schema";
    auto validator = JsonSchemaValidator::Create(doc, pointer);
    EXPECT_TRUE(validator) << pointer << ": " << validator.error().ToString();
    if (!validator) return std::nullopt;
    return std::move(*validator);
  }
};

TEST_P(OpenApiTest, DescribesExactlyTheRegisteredRoutesAndTheirQueryParameters) {
  StartServer();
  const Json doc = FetchDocument();
  if (const char* dump = std::getenv("RH_OPENAPI_DUMP"); dump && *dump) {
    // Written whole, then renamed: the backends' runs may finish at the same time.
    const std::string partial = std::string(dump) + ".part-" + GetParam();
    std::ofstream(partial) << DumpJson(doc, 2) << "\n";
    std::filesystem::rename(partial, dump);
  }
  std::set<std::pair<std::string, std::string>> registered;
  for (const Route& route : ApiRoutes()) {
    registered.emplace(route.pattern, Lower(route.method));
    SCOPED_TRACE(std::string(route.method) + " " + route.pattern);
    const Json* operation = nullptr;
    if (doc["paths"].contains(route.pattern) &&
        doc["paths"][route.pattern].contains(Lower(route.method))) {
      operation = &doc["paths"][route.pattern][Lower(route.method)];
    }
    ASSERT_NE(operation, nullptr) << "the route is not described in server/openapi.json";
    std::set<std::string> described;
    for (const Json& parameter : (*operation)["parameters"]) {
      if (parameter["in"] == "query") described.insert(parameter["name"].get<std::string>());
    }
    const std::set<std::string> accepted(route.query.begin(), route.query.end());
    EXPECT_EQ(described, accepted) << "query parameters differ from the route table";
    EXPECT_TRUE((*operation)["responses"].contains("400"));
  }
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, operation] : item.items()) documented.emplace(path, method);
  }
  EXPECT_EQ(documented, registered) << "every described route must exist, and only those";
  EXPECT_EQ(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
}

TEST_P(OpenApiTest, EnumsOfTheDocumentAreTheVocabularies) {
  StartServer();
  const Json doc = FetchDocument();
  const Json& schemas = doc["components"]["schemas"];
  Json severities = Json::array();
  for (Severity severity : kAllSeverities) severities.push_back(SeverityName(severity));
  EXPECT_EQ(schemas["Severity"]["enum"], severities);
  Json categories = Json::array();
  for (RootCause cause : kAllRootCauses) categories.push_back(RootCauseName(cause));
  EXPECT_EQ(schemas["RootCauseCategory"]["enum"], categories);
  Json levels = Json::array();
  for (RiskLevel level : kAllRiskLevels) levels.push_back(RiskLevelName(level));
  EXPECT_EQ(schemas["RiskLevel"]["enum"], levels);
  Json statuses = Json::array();
  for (store::TaskStatus status :
       {store::TaskStatus::kQueued, store::TaskStatus::kRunning, store::TaskStatus::kDone,
        store::TaskStatus::kFailed, store::TaskStatus::kCancelled}) {
    statuses.push_back(store::TaskStatusName(status));
  }
  EXPECT_EQ(schemas["Task"]["properties"]["status"]["enum"], statuses);
}

TEST_P(OpenApiTest, RealAnswersMatchTheDocumentAndEveryTimeIsRfc3339) {
  StartServer();
  SeedThroughApi();
  auto doc = std::make_shared<const Json>(FetchDocument());
  const std::string report_id = Get("/api/v1/reports").json["reports"][0]["report_id"];
  const std::string task_id = Get("/api/v1/investigations").json["investigations"][0]["task_id"];
  const std::string issue_id = Get("/api/v1/issues").json["issues"][0]["issue_id"];
  const std::vector<std::pair<std::string, std::string>> gets = {
      {"/healthz", "/healthz"},
      {"/api/v1/investigations", "/api/v1/investigations"},
      {"/api/v1/investigations/{id}", "/api/v1/investigations/" + task_id},
      {"/api/v1/reports", "/api/v1/reports"},
      {"/api/v1/reports/{id}", "/api/v1/reports/" + report_id},
      {"/api/v1/clusters", "/api/v1/clusters?history_hours=24"},
      {"/api/v1/clusters", "/api/v1/clusters?sort=name"},
      {"/api/v1/clusters/{id}", "/api/v1/clusters/" + std::string(kCriticalCluster)},
      {"/api/v1/clusters/{id}", "/api/v1/clusters/" + std::string(kUnscoredCluster)},
      {"/api/v1/clusters/{id}/metrics",
       "/api/v1/clusters/" + std::string(kCriticalCluster) + "/metrics?days=2&score_days=3"},
      {"/api/v1/alerts", "/api/v1/alerts"},
      {"/api/v1/alerts", "/api/v1/alerts?status=orphan"},
      {"/api/v1/issues", "/api/v1/issues"},
      {"/api/v1/issues/{id}", "/api/v1/issues/" + issue_id},
  };
  // Anything that looks like a time must be RFC 3339 in UTC with Z.
  const std::regex looks_like_time("^\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}.*");
  const std::regex rfc3339("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$");
  int times = 0;
  std::function<void(const Json&, const std::string&)> check_times = [&](const Json& value,
                                                                         const std::string& where) {
    if (value.is_string()) {
      const std::string text = value.get<std::string>();
      if (std::regex_match(text, looks_like_time)) {
        ++times;
        EXPECT_TRUE(std::regex_match(text, rfc3339)) << where << " = '" << text << "'";
      }
    } else if (value.is_structured()) {
      for (const auto& [key, child] : value.items()) check_times(child, where + "." + key);
    }
  };
  for (const auto& [pattern, path] : gets) {
    SCOPED_TRACE(path);
    HttpReply reply = Get(path);
    ASSERT_EQ(reply.status, 200) << reply.body;
    auto validator = ResponseValidator(doc, pattern, "GET", 200);
    ASSERT_TRUE(validator);
    for (const std::string& violation : validator->Validate(reply.json)) {
      ADD_FAILURE() << violation;
    }
    if (pattern != "/api/v1/reports/{id}")
      check_times(reply.json, path);  // not inside reports' text
  }
  EXPECT_GT(times, 50);

  // A webhook answer, a created task and an error, too.
  HttpReply posted = Post(
      "/api/v1/alerts/grafana",
      DumpJson(AlertmanagerBody("DiskFull", kHealthyCluster, "critical", "2026-11-21T09:00:00Z")));
  ASSERT_EQ(posted.status, 200) << posted.body;
  EXPECT_TRUE(
      ResponseValidator(doc, "/api/v1/alerts/grafana", "POST", 200)->Validate(posted.json).empty());
  HttpReply created = Post("/api/v1/investigations",
                           DumpJson(Json{{"cluster_id", kQuietCluster}, {"priority", 1}}));
  ASSERT_EQ(created.status, 202);
  for (const std::string& violation :
       ResponseValidator(doc, "/api/v1/investigations", "POST", 202)->Validate(created.json)) {
    ADD_FAILURE() << violation;
  }
  // A follow-up question and the conversation it joins.
  const std::string messages = "/api/v1/reports/" + report_id + "/messages";
  HttpReply asked = Post(messages, DumpJson(Json{{"question", "list the tool calls"},
                                                 {"engine", "playbook"}}));
  ASSERT_EQ(asked.status, 201) << asked.body;
  for (const std::string& violation :
       ResponseValidator(doc, "/api/v1/reports/{id}/messages", "POST", 201)->Validate(asked.json)) {
    ADD_FAILURE() << violation;
  }
  HttpReply conversation = Get(messages);
  ASSERT_EQ(conversation.status, 200) << conversation.body;
  ASSERT_EQ(conversation.json["messages"].size(), 1u);
  for (const std::string& violation :
       ResponseValidator(doc, "/api/v1/reports/{id}/messages", "GET", 200)
           ->Validate(conversation.json)) {
    ADD_FAILURE() << violation;
  }
  check_times(conversation.json["messages"][0]["created_at"], "message created_at");
  HttpReply missing = Get("/api/v1/reports/rpt_nope");
  ASSERT_EQ(missing.status, 404);
  EXPECT_TRUE(
      ResponseValidator(doc, "/api/v1/reports/{id}", "GET", 404)->Validate(missing.json).empty());
  // The validator is not a rubber stamp: a report summary without its time fails.
  Json broken = Get("/api/v1/reports").json;
  broken["reports"][0]["created_at"] = "2026-11-21 10:00:00";
  EXPECT_FALSE(ResponseValidator(doc, "/api/v1/reports", "GET", 200)->Validate(broken).empty());
}

TEST_P(OpenApiTest, EveryListPagesWithLimitAndCursor) {
  StartServer();
  SeedThroughApi();
  int lists = 0;
  for (const Route& route : ApiRoutes()) {
    if (std::find(route.query.begin(), route.query.end(), "cursor") == route.query.end()) continue;
    ++lists;
    SCOPED_TRACE(route.pattern);
    // The items key: the one array of the first page that is not next_cursor.
    HttpReply all = Get(std::string(route.pattern) + "?limit=200");  // every list allows 200
    ASSERT_EQ(all.status, 200) << all.body;
    ASSERT_TRUE(all.json.contains("next_cursor"));
    EXPECT_TRUE(all.json["next_cursor"].is_null());
    std::string key;
    for (const auto& [name, value] : all.json.items()) {
      if (value.is_array()) key = name;
    }
    ASSERT_FALSE(key.empty());
    const size_t total = all.json[key].size();
    ASSERT_GE(total, 2u) << "the seed should give every list at least two items";
    std::vector<Json> walked;
    std::string cursor;
    for (int page_idx = 0; page_idx < 50; ++page_idx) {
      HttpReply page = Get(std::string(route.pattern) + "?limit=1" +
                           (cursor.empty() ? "" : "&cursor=" + UrlEncode(cursor)));
      ASSERT_EQ(page.status, 200) << page.body;
      ASSERT_LE(page.json[key].size(), 1u) << "limit is not honoured";
      for (const Json& item : page.json[key]) walked.push_back(item);
      if (page.json["next_cursor"].is_null()) break;
      cursor = page.json["next_cursor"].get<std::string>();
    }
    ASSERT_EQ(walked.size(), total);
    for (size_t item_idx = 0; item_idx < total; ++item_idx) {
      EXPECT_EQ(DumpJson(walked[item_idx]), DumpJson(all.json[key][item_idx]));
    }
    HttpReply bad = Get(std::string(route.pattern) + "?cursor=zz%7Cnot-a-cursor");
    EXPECT_EQ(bad.status, 400) << bad.body;
    HttpReply over = Get(std::string(route.pattern) + "?limit=100000");
    EXPECT_EQ(over.status, 400);
    EXPECT_NE(ErrorMessageOf(over).find("limit"), std::string::npos) << over.body;
  }
  EXPECT_EQ(lists, 5);  // investigations, reports, clusters, alerts, issues
}

TEST_P(OpenApiTest, UnknownQueryParametersAreRefusedOnEveryRoute) {
  StartServer();
  for (const Route& route : ApiRoutes()) {
    SCOPED_TRACE(std::string(route.method) + " " + route.pattern);
    const std::string path = Concrete(route.pattern, "x1") + "?limt=5";
    HttpReply reply = Send(route.method, path, "{}");
    ASSERT_EQ(reply.status, 400) << reply.body;
    EXPECT_EQ(ErrorCodeOf(reply), "invalid_argument");
    const std::string message = ErrorMessageOf(reply);
    EXPECT_NE(message.find("'limt'"), std::string::npos) << message;
    for (std::string_view accepted : route.query) {
      EXPECT_NE(message.find(accepted), std::string::npos) << message;
    }
  }
  HttpReply reports = Get("/api/v1/reports?cluster=c-alpha-prod&severty=high");
  EXPECT_EQ(ErrorMessageOf(reports),
            "query parameter 'severty': is not a parameter of GET /api/v1/reports; it accepts "
            "cluster, account, severity, category, since, limit, cursor (see GET "
            "/api/v1/openapi.json)");
  EXPECT_EQ(Get("/api/v1/reports?cluster=c-alpha-prod&severity=high").status, 200);
}

TEST_P(OpenApiTest, EnumFiltersTakeAnyCase) {
  StartServer();
  SeedThroughApi();
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"/api/v1/reports?severity=medium", "/api/v1/reports?severity=MEDIUM"},
      {"/api/v1/reports?category=disk_capacity", "/api/v1/reports?category=Disk_Capacity"},
      {"/api/v1/clusters?risk=Critical", "/api/v1/clusters?risk=critical"},
      {"/api/v1/clusters?sort=name", "/api/v1/clusters?sort=NAME"},
      {"/api/v1/investigations?status=queued", "/api/v1/investigations?status=Queued"},
      {"/api/v1/alerts?status=firing", "/api/v1/alerts?status=FIRING"},
      {"/api/v1/alerts?source=alertmanager", "/api/v1/alerts?source=AlertManager"},
      {"/api/v1/issues?status=open", "/api/v1/issues?status=Open"},
      {"/api/v1/issues?kind=anomaly", "/api/v1/issues?kind=ANOMALY"},
      {"/api/v1/issues?triage=new", "/api/v1/issues?triage=NEW"},
      {"/api/v1/issues?escalated=true", "/api/v1/issues?escalated=TRUE"},
  };
  for (const auto& [lower, other] : pairs) {
    SCOPED_TRACE(other);
    HttpReply expected = Get(lower);
    HttpReply reply = Get(other);
    ASSERT_EQ(expected.status, 200) << expected.body;
    ASSERT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(reply.body, expected.body);
  }
  const std::string report_id = Get("/api/v1/reports").json["reports"][0]["report_id"];
  HttpReply markdown = Get("/api/v1/reports/" + report_id + "?format=Markdown");
  EXPECT_TRUE(markdown.Header("Content-Type").starts_with("text/markdown"));
  HttpReply wrong = Get("/api/v1/reports?severity=severe");
  EXPECT_EQ(wrong.status, 400);
  EXPECT_NE(ErrorMessageOf(wrong).find("critical, high"), std::string::npos) << wrong.body;
}

TEST_P(OpenApiTest, BadJsonBodiesGetAClearMessageWithoutLibraryText) {
  StartServer();
  for (const char* path :
       {"/api/v1/investigations", "/api/v1/alerts/alertmanager", "/api/v1/issues/iss_1/triage"}) {
    for (const char* body : {"{\"cluster_id\": ", "{bad json}", "[1, 2,]", "\"\\uZZZZ\""}) {
      SCOPED_TRACE(std::string(path) + " " + body);
      HttpReply reply = Post(path, body);
      ASSERT_EQ(reply.status, 400) << reply.body;
      const std::string message = ErrorMessageOf(reply);
      EXPECT_TRUE(message.starts_with("body: not valid JSON at byte ")) << message;
      EXPECT_TRUE(message.ends_with("; send valid JSON (RFC 8259)")) << message;
      for (const char* library :
           {"json.exception", "parse_error", "syntax error", "last read", "line 1, column"}) {
        EXPECT_EQ(message.find(library), std::string::npos) << message;
      }
    }
  }
}

TEST_P(OpenApiTest, RefusedWebhookPostsAreCountedBySourceAndReason) {
  config_.secrets.server_token = "s3cret-token";
  config_.server.max_body_bytes = 64 * 1024;
  StartServer();
  const httplib::Headers auth = {{"Authorization", "Bearer s3cret-token"}};
  EXPECT_EQ(Post("/api/v1/alerts/alertmanager", "{nope", auth).status, 400);
  EXPECT_EQ(Post("/api/v1/alerts/alertmanager", "{nope", auth).status, 400);
  EXPECT_EQ(Post("/api/v1/alerts/alertmanager", R"({"version": "4", "alerts": []})", auth).status,
            400);
  Json no_name = AlertmanagerBody("X", kQuietCluster, "warning", "2026-11-21T08:00:00Z");
  no_name["alerts"][0]["labels"].erase("alertname");
  EXPECT_EQ(Post("/api/v1/alerts/grafana", DumpJson(no_name), auth).status, 400);
  Json bad_start = AlertmanagerBody("X", kQuietCluster, "warning", "yesterday");
  EXPECT_EQ(Post("/api/v1/alerts/grafana", DumpJson(bad_start), auth).status, 400);
  EXPECT_EQ(Post("/api/v1/alerts/grafana", "{}").status, 401);  // no token
  EXPECT_EQ(Post("/api/v1/alerts/grafana?x=1", "{}", auth).status, 400);
  EXPECT_EQ(Post("/api/v1/alerts/grafana", std::string(100 * 1024, ' '), auth).status, 413);
  // Accepted posts are not rejections.
  EXPECT_EQ(
      Post("/api/v1/alerts/alertmanager",
           DumpJson(AlertmanagerBody("Y", kQuietCluster, "warning", "2026-11-21T08:00:00Z")), auth)
          .status,
      200);
  const std::string scrape = Get("/metrics", auth).body;
  for (const char* line :
       {"rockhound_webhook_rejections_total{reason=\"invalid_json\",source=\"alertmanager\"} 2",
        "rockhound_webhook_rejections_total{reason=\"no_alerts\",source=\"alertmanager\"} 1",
        "rockhound_webhook_rejections_total{reason=\"no_alertname\",source=\"grafana\"} 1",
        "rockhound_webhook_rejections_total{reason=\"bad_starts_at\",source=\"grafana\"} 1",
        "rockhound_webhook_rejections_total{reason=\"unauthorized\",source=\"grafana\"} 1",
        "rockhound_webhook_rejections_total{reason=\"unknown_parameter\",source=\"grafana\"} 1",
        "rockhound_webhook_rejections_total{reason=\"too_large\",source=\"grafana\"} 1"}) {
    EXPECT_NE(scrape.find(line), std::string::npos) << line << "\n" << scrape;
  }
  size_t count = 0;
  for (size_t at = scrape.find("\nrockhound_webhook_rejections_total{"); at != std::string::npos;
       at = scrape.find("\nrockhound_webhook_rejections_total{", at + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 7u);
}

INSTANTIATE_TEST_SUITE_P(Backends, OpenApiTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::testing
