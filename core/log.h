// Logging: one named spdlog logger per module ("core", "store", "sentinel", "agent", ...),
// all writing to stderr in one of two formats chosen at start-up:
//   text: "2026-11-21 10:00:00.123 [agent] info: message"
//   json: {"ts":"2026-11-21T10:00:00.123Z","logger":"agent","level":"info","msg":"..."}
// Every message passes through RedactSecrets before it is written, so a secret that slips
// into a log call is masked anyway. Put the task/investigation id in the message
// ("task=tsk_... ") on every line about one.
// Thread-safety: spdlog loggers are thread-safe; ConfigureLogging should be called once at
// start-up before other threads log.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

#include "core/error.h"

namespace rh {

enum class LogFormat { kText, kJson };

Result<LogFormat> ParseLogFormat(std::string_view text);
Result<spdlog::level::level_enum> ParseLogLevel(std::string_view text);

// Sets the level and format for every module logger, present and future.
void ConfigureLogging(spdlog::level::level_enum level, LogFormat format);

// The logger for `module`, created on first use with the configured level and format.
std::shared_ptr<spdlog::logger> Logger(std::string_view module);

// While alive, every log line (formatted and redacted exactly as it would reach stderr) is kept
// here instead of being written to stderr: tests assert on what the log says. One capture at a
// time; thread-safe (lines may come from any thread).
class LogCapture {
 public:
  LogCapture();
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  // Everything captured so far, one line per record.
  std::string Text() const;
};

}  // namespace rh
