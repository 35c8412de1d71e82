// A real `rockhound serve` HttpServer on 127.0.0.1 port 0 over the seeded fleet, on SQLite and
// on MariaDB (the fleet and memory schemas share one test database; the fixture seeds it through
// its own connections and the server's service::Runtime opens its own pools, as two processes
// would), with a ManualClock at SeedNow() and a private metrics registry.
// Requests go over real sockets with cpp-httplib's client.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <string>

#include "core/clock.h"
#include "core/config.h"
#include "core/json.h"
#include "core/metrics.h"
#include "core/url.h"
#include "server/http_server.h"
#include "service/runtime.h"
#include "tests/fakes/database_fixture.h"
#include "tests/server/fleet_seed.h"

namespace rh::testing {

struct HttpReply {
  int status = 0;  // 0: no answer (connection failed)
  std::string body;
  Json json;  // parsed body when it is JSON, else null
  httplib::Headers headers;

  std::string Header(const std::string& name) const {
    auto found = headers.find(name);
    return found == headers.end() ? "" : found->second;
  }
};

class ServerTest : public DatabaseBackendTest {
 protected:
  void SetUp() override {
    DatabaseBackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    fleet_ = Open();
    memory_ = Open();
    ASSERT_TRUE(fleet_ && memory_);
    auto seeded = SeedFleet(*fleet_);
    ASSERT_TRUE(seeded) << seeded.error().ToString();
    auto reports = SeedReports(*memory_);
    ASSERT_TRUE(reports) << reports.error().ToString();
    config_.server.port = 0;
    config_.server.bind = "127.0.0.1";
    config_.data_dir = data_dir_.path().string();
    config_.fleet.db = url();
    config_.memory.db = url();
    config_.secrets.fleet_db_password = TestMysqlPassword();
    config_.secrets.memory_db_password = TestMysqlPassword();
  }

  void TearDown() override {
    if (server_) server_->Stop();
    server_.reset();
    runtime_.reset();
  }

  // The service::Runtime over config_ (made on first use, as `rockhound serve` makes it).
  service::Runtime& runtime() {
    if (!runtime_) runtime_ = std::make_unique<service::Runtime>(config_, clock_, metrics_);
    return *runtime_;
  }

  // Starts the server with the current config_ (on a new Runtime, so config changes since the
  // last start apply, as a restart of `rockhound serve` would).
  void StartServer() {
    server_.reset();
    runtime_ = std::make_unique<service::Runtime>(config_, clock_, metrics_);
    server_ = std::make_unique<server::HttpServer>(*runtime_, metrics_, timings_);
    auto port = server_->Start();
    ASSERT_TRUE(port) << port.error().ToString();
    port_ = *port;
  }

  HttpReply Send(const std::string& method, const std::string& path, const std::string& body = "",
                 httplib::Headers headers = {}) {
    httplib::Client client("127.0.0.1", port_);
    client.set_connection_timeout(5);
    client.set_tcp_nodelay(true);
    client.set_read_timeout(30);
    httplib::Result result =
        method == "GET"      ? client.Get(path.c_str(), headers)
        : method == "DELETE" ? client.Delete(path.c_str(), headers)
                             : client.Post(path.c_str(), headers, body, "application/json");
    HttpReply reply;
    if (!result) return reply;
    reply.status = result->status;
    reply.body = result->body;
    reply.headers = result->headers;
    if (result->get_header_value("Content-Type").starts_with("application/json")) {
      auto parsed = ParseJson(result->body);
      if (parsed) reply.json = *parsed;
    }
    return reply;
  }
  HttpReply Get(const std::string& path, httplib::Headers headers = {}) {
    return Send("GET", path, "", std::move(headers));
  }
  HttpReply Post(const std::string& path, const std::string& body, httplib::Headers headers = {}) {
    return Send("POST", path, body, std::move(headers));
  }

  store::Database& fleet() { return *fleet_; }
  store::Database& memory() { return *memory_; }

  TempDir data_dir_;
  Config config_;
  server::HttpServerTimings timings_;  // the defaults unless a test shortens them
  ManualClock clock_{SeedNow()};
  MetricsRegistry metrics_;
  std::unique_ptr<store::Database> fleet_;
  std::unique_ptr<store::Database> memory_;
  std::unique_ptr<service::Runtime> runtime_;
  std::unique_ptr<server::HttpServer> server_;
  int port_ = 0;
};

// Percent-encodes a query parameter value.
inline std::string UrlEncode(std::string_view text) { return PercentEncode(text); }

// The error code of a JSON error reply ("" when the body is not one).
inline std::string ErrorCodeOf(const HttpReply& reply) {
  if (!reply.json.is_object() || !reply.json.contains("error")) return "";
  return JsonString(reply.json["error"], "code");
}
inline std::string ErrorMessageOf(const HttpReply& reply) {
  if (!reply.json.is_object() || !reply.json.contains("error")) return "";
  return JsonString(reply.json["error"], "message");
}

}  // namespace rh::testing
