// `rockhound serve` as an engineer runs it: the real binary on a demo data directory, port 0, with
// its own investigation workers. An investigation requested over the HTTP API is worked by those
// workers (offline playbook) and its report is served; SIGTERM stops the process cleanly and
// leaves no task claimed. With --no-workers the request stays queued.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "core/json.h"
#include "store/database.h"
#include "tests/fakes/test_env.h"

namespace rh::server {
namespace {

class ServeCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    binary_ = std::string(RH_BINARY_DIR) + "/app/rockhound";
    if (!std::filesystem::exists(binary_)) GTEST_SKIP() << "rockhound is not built: " << binary_;
    data_ = dir_.File("data");
    // A small simulated fleet with its scores, through the demo (no investigations yet).
    const std::string demo = "env -u ROCKHOUND_FLEET_DB -u ROCKHOUND_MEMORY_DB -u ROCKHOUND_CONFIG "
                             "-u ROCKHOUND_DATA_DIR -u ANTHROPIC_API_KEY '" +
                             binary_ + "' --data-dir '" + data_ +
                             "' demo --clusters 20 --seed 5 --watch-hours 0 > '" +
                             dir_.File("demo.txt") + "' 2>&1";
    ASSERT_EQ(std::system(demo.c_str()), 0) << "demo failed; see " << dir_.File("demo.txt");
  }

  void TearDown() override { Stop(); }

  // Starts `rockhound serve --port 0 [extra]` and reads the port from its first line.
  void Start(const std::string& extra) {
    int out[2];
    ASSERT_EQ(pipe(out), 0);
    pid_ = fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      const int null_fd = open("/dev/null", O_WRONLY);
      dup2(null_fd, STDERR_FILENO);
      close(out[0]);
      unsetenv("ANTHROPIC_API_KEY");
      unsetenv("ROCKHOUND_FLEET_DB");
      unsetenv("ROCKHOUND_MEMORY_DB");
      unsetenv("ROCKHOUND_CONFIG");
      unsetenv("ROCKHOUND_DATA_DIR");
      if (extra.empty()) {
        execl(binary_.c_str(), "rockhound", "--data-dir", data_.c_str(), "serve", "--port", "0",
              static_cast<char*>(nullptr));
      } else {
        execl(binary_.c_str(), "rockhound", "--data-dir", data_.c_str(), "serve", "--port", "0",
              extra.c_str(), static_cast<char*>(nullptr));
      }
      _exit(127);
    }
    close(out[1]);
    std::string line;
    char c = 0;
    while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
    close(out[0]);
    const auto at = line.find("http://127.0.0.1:");
    ASSERT_NE(at, std::string::npos) << "serve printed: " << line;
    port_ = std::stoi(line.substr(at + 17));
  }

  // SIGTERM, then the exit status.
  int Stop() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::string AnyCluster() {
    auto fleet = store::OpenDatabase(data_ + "/fleet.db");
    EXPECT_TRUE(fleet) << fleet.error().ToString();
    auto id = (*fleet)->Query("SELECT cluster_id FROM cluster_info ORDER BY cluster_id LIMIT 1");
    EXPECT_TRUE(id && !id->empty());
    return (*id)[0].GetString(0);
  }

  // POSTs an investigation request and returns the task id.
  std::string Request(const std::string& cluster) {
    httplib::Client client("127.0.0.1", port_);
    Json body = {{"cluster_id", cluster}, {"question", "why is the health score what it is?"}};
    auto response = client.Post("/api/v1/investigations", body.dump(), "application/json");
    EXPECT_TRUE(response);
    if (!response) return "";
    EXPECT_EQ(response->status, 202) << response->body;
    return Json::parse(response->body).value("task_id", "");
  }

  Json Task(const std::string& task_id) {
    httplib::Client client("127.0.0.1", port_);
    auto response = client.Get("/api/v1/investigations/" + task_id);
    EXPECT_TRUE(response && response->status == 200);
    return response ? Json::parse(response->body) : Json::object();
  }

  rh::testing::TempDir dir_;
  std::string binary_;
  std::string data_;
  pid_t pid_ = -1;
  int port_ = 0;
};

TEST_F(ServeCliTest, WorkersInServeCompleteARequestedInvestigation) {
  Start("");
  const std::string task_id = Request(AnyCluster());
  ASSERT_FALSE(task_id.empty());
  Json task;
  for (int attempt = 0; attempt < 300; ++attempt) {  // at most 30 s; a playbook run takes ~10 ms
    task = Task(task_id);
    if (task.value("status", "") == "done" || task.value("status", "") == "failed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(task.value("status", ""), "done") << task.dump();
  ASSERT_TRUE(task.contains("report")) << task.dump();
  EXPECT_EQ(task["report"].value("engine", ""), "playbook") << task.dump();
  EXPECT_FALSE(task["report"].value("report_id", "").empty()) << task.dump();
  EXPECT_EQ(Stop(), 0);

  auto memory = store::OpenDatabase(data_ + "/memory.db");
  ASSERT_TRUE(memory) << memory.error().ToString();
  EXPECT_EQ(*(*memory)->QueryInt("SELECT COUNT(*) FROM investigation_tasks WHERE status = "
                                 "'running'"),
            0);
}

TEST_F(ServeCliTest, NoWorkersLeavesTheRequestQueued) {
  Start("--no-workers");
  const std::string task_id = Request(AnyCluster());
  ASSERT_FALSE(task_id.empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // > the workers' 1 s poll
  EXPECT_EQ(Task(task_id).value("status", ""), "queued");
  EXPECT_EQ(Stop(), 0);
}

}  // namespace
}  // namespace rh::server
