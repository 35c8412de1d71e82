// The module order of docs/ARCHITECTURE.md, checked on every source file: a module includes only
// the modules below it (the table in kAllowed), never another module's internal/ headers, and the
// heavy third-party headers (curl, mysql, faiss, sqlite3, httplib) only from the .cc files of the
// adapters that wrap them. A failure names the file, the line and the rule.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

// Which modules each module may include (itself always). Tests, benchmarks and fuzzers are not
// modules: they may include anything except another module's internals through a public path.
const std::map<std::string, std::set<std::string>>& Allowed() {
  static const std::map<std::string, std::set<std::string>> allowed = {
      {"core", {}},
      {"net", {"core"}},
      {"store", {"core"}},
      {"simulator", {"core", "store"}},
      {"knowledge", {"core", "store", "net"}},
      {"prompts", {"core"}},
      {"tools", {"core", "store", "knowledge", "prompts", "alerts"}},
      {"alerts", {"core", "store", "net"}},
      {"sentinel", {"core", "store", "alerts"}},
      {"issues", {"core", "store", "alerts"}},
      {"agent", {"core", "store", "net", "knowledge", "tools", "prompts", "alerts"}},
      {"eval", {"core", "store", "net", "knowledge", "prompts", "tools", "sentinel", "agent"}},
      {"service",
       {"core", "store", "net", "knowledge", "prompts", "tools", "alerts", "issues", "sentinel",
        "agent"}},
      {"server",
       {"core", "store", "net", "knowledge", "prompts", "tools", "alerts", "issues", "sentinel",
        "agent", "service"}},
      {"app",
       {"core", "store", "net", "knowledge", "prompts", "tools", "alerts", "issues", "sentinel",
        "agent", "service", "server", "simulator", "eval"}},
  };
  return allowed;
}

// Third-party headers that only the adapters wrapping them may include (their .cc files and the
// module's internal/ headers), and which modules those adapters live in.
const std::map<std::string, std::set<std::string>>& HeavyHeaders() {
  static const std::map<std::string, std::set<std::string>> heavy = {
      {"curl/", {"net"}},
      {"cppconn/", {"store"}},
      {"mysql_", {"store"}},
      {"faiss/", {"knowledge"}},
      {"sqlite3.h", {"store", "knowledge"}},
      {"httplib.h", {"server"}},
  };
  return heavy;
}

struct Violation {
  std::string file;
  int line = 0;
  std::string rule;
};

std::vector<Violation> Check(const fs::path& root) {
  std::vector<Violation> violations;
  const std::regex include_re(R"(^\s*#\s*include\s*([<"])([^">]+)[">])");
  for (const auto& [module, allowed] : Allowed()) {
    const fs::path dir = root / module;
    if (!fs::exists(dir)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file()) continue;
      const std::string ext = entry.path().extension().string();
      if (ext != ".h" && ext != ".cc") continue;
      const std::string relative = fs::relative(entry.path(), root).string();
      std::ifstream in(entry.path());
      std::string text;
      int line_no = 0;
      while (std::getline(in, text)) {
        ++line_no;
        // Time comes from core/clock.h (Clock, MachineMonotonic, Stopwatch), nowhere else.
        if (text.find("steady_clock") != std::string::npos && relative != "core/clock.cc" &&
            relative != "core/clock.h") {
          violations.push_back({relative, line_no,
                                "reads std::chrono::steady_clock: use Clock::Monotonic, "
                                "MachineMonotonic or Stopwatch (core/clock.h)"});
        }
        std::smatch match;
        if (!std::regex_search(text, match, include_re)) continue;
        const std::string target = match[2].str();
        if (match[1].str() == "<") {
          for (const auto& [prefix, owners] : HeavyHeaders()) {
            if (target.rfind(prefix, 0) != 0) continue;
            // An internal header is private to its module, so it may carry them too.
            const bool public_header =
                ext == ".h" && relative.find("/internal/") == std::string::npos;
            if (public_header || !owners.contains(module)) {
              violations.push_back({relative, line_no,
                                    "<" + target + "> belongs only in the .cc of a " +
                                        "wrapping adapter"});
            }
          }
          continue;
        }
        const size_t slash = target.find('/');
        if (slash == std::string::npos) continue;
        const std::string included = target.substr(0, slash);
        if (!Allowed().contains(included)) continue;  // tests/, generated files, ...
        if (included != module && !allowed.contains(included)) {
          violations.push_back({relative, line_no,
                                module + " may not include " + included + " (\"" + target +
                                    "\"): arrows point down the module table"});
        }
        if (included != module && target.find("/internal/") != std::string::npos) {
          violations.push_back(
              {relative, line_no, "includes another module's internal header \"" + target + "\""});
        }
      }
    }
  }
  return violations;
}

std::string Describe(const std::vector<Violation>& violations) {
  std::string out;
  for (const Violation& violation : violations) {
    out += violation.file + ":" + std::to_string(violation.line) + ": " + violation.rule + "\n";
  }
  return out;
}

TEST(IncludeGraph, EveryModuleIncludesOnlyModulesBelowIt) {
  const std::vector<Violation> violations = Check(RH_SOURCE_DIR);
  EXPECT_TRUE(violations.empty()) << Describe(violations);
}

// The checker itself: a tree with one violation of each kind must report all four.
TEST(IncludeGraph, CheckerFindsUpwardInternalHeavyIncludesAndClockReads) {
  const fs::path root = fs::temp_directory_path() / ("rh_include_graph_" + std::to_string(::getpid()));
  fs::create_directories(root / "store");
  fs::create_directories(root / "tools");
  {
    std::ofstream(root / "store" / "bad.cc") << "#include \"agent/investigator.h\"\n";
    std::ofstream(root / "tools" / "bad.cc") << "#include \"knowledge/internal/text.h\"\n";
    std::ofstream(root / "tools" / "bad.h") << "#include <curl/curl.h>\n";
    std::ofstream(root / "store" / "good.cc") << "#include \"core/error.h\"\n#include <sqlite3.h>\n";
    std::ofstream(root / "tools" / "timer.cc") << "auto t = std::chrono::steady_clock::now();\n";
  }
  const std::vector<Violation> violations = Check(root);
  fs::remove_all(root);
  ASSERT_EQ(violations.size(), 4u) << Describe(violations);
  EXPECT_NE(Describe(violations).find("store may not include agent"), std::string::npos);
  EXPECT_NE(Describe(violations).find("internal header"), std::string::npos);
  EXPECT_NE(Describe(violations).find("<curl/curl.h>"), std::string::npos);
  EXPECT_NE(Describe(violations).find("tools/timer.cc:1: reads std::chrono::steady_clock"),
            std::string::npos);
}

}  // namespace
