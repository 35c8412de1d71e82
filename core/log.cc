#include "core/log.h"

#include <mutex>

#include <nlohmann/json.hpp>
#include <spdlog/sinks/base_sink.h>

#include "core/redact.h"

namespace rh {
namespace {

// Formats one record in the configured format, redacting the message, and writes it to stderr.
class RedactingStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  void set_json(bool json) {
    std::lock_guard<std::mutex> lock(mutex_);
    json_ = json;
  }
  void set_capture(bool on) {
    std::lock_guard<std::mutex> lock(mutex_);
    capturing_ = on;
    captured_.clear();
  }
  std::string captured() {
    std::lock_guard<std::mutex> lock(mutex_);
    return captured_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string text = RedactSecrets(std::string_view(msg.payload.data(), msg.payload.size()));
    auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                      msg.time.time_since_epoch()).count() % 1000;
    std::time_t secs = std::chrono::system_clock::to_time_t(msg.time);
    std::tm tm_utc{};
    gmtime_r(&secs, &tm_utc);
    char stamp[40];
    std::string line;
    auto level_sv = spdlog::level::to_string_view(msg.level);
    std::string_view level_name(level_sv.data(), level_sv.size());
    std::string_view logger_name(msg.logger_name.data(), msg.logger_name.size());
    if (json_) {
      std::strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm_utc);
      nlohmann::json record = {{"ts", fmt::format("{}.{:03d}Z", stamp, millis)},
                               {"logger", logger_name},
                               {"level", level_name},
                               {"msg", text}};
      line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    } else {
      std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm_utc);
      line = fmt::format("{}.{:03d} [{}] {}: {}", stamp, millis, logger_name, level_name, text);
    }
    line.push_back('\n');
    if (capturing_) {
      captured_ += line;
      return;
    }
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }

 private:
  bool json_ = false;
  bool capturing_ = false;
  std::string captured_;
};

struct LoggingState {
  std::mutex mutex;
  std::shared_ptr<RedactingStderrSink> sink = std::make_shared<RedactingStderrSink>();
  spdlog::level::level_enum level = spdlog::level::info;
};

LoggingState& State() {
  static LoggingState* state = new LoggingState();  // never destroyed: loggers outlive main()
  return *state;
}

}  // namespace

LogCapture::LogCapture() { State().sink->set_capture(true); }
LogCapture::~LogCapture() { State().sink->set_capture(false); }
std::string LogCapture::Text() const { return State().sink->captured(); }

Result<LogFormat> ParseLogFormat(std::string_view text) {
  if (text == "text") return LogFormat::kText;
  if (text == "json") return LogFormat::kJson;
  return InvalidArgument("log_format", "must be 'text' or 'json', got '" + std::string(text) + "'");
}

Result<spdlog::level::level_enum> ParseLogLevel(std::string_view text) {
  for (auto level : {spdlog::level::trace, spdlog::level::debug, spdlog::level::info,
                     spdlog::level::warn, spdlog::level::err, spdlog::level::critical,
                     spdlog::level::off}) {
    auto name = spdlog::level::to_string_view(level);
    if (std::string_view(name.data(), name.size()) == text) return level;
  }
  // spdlog spells it "warning"; the help and the docs say "warn": both are accepted.
  if (text == "warn" || text == "warning") return spdlog::level::warn;
  if (text == "error") return spdlog::level::err;
  return InvalidArgument("log_level", "must be one of trace, debug, info, warn, error, critical, "
                                      "off; got '" + std::string(text) + "'");
}

void ConfigureLogging(spdlog::level::level_enum level, LogFormat format) {
  LoggingState& state = State();
  std::lock_guard<std::mutex> lock(state.mutex);
  state.level = level;
  state.sink->set_json(format == LogFormat::kJson);
  spdlog::apply_all([level](const std::shared_ptr<spdlog::logger>& logger) {
    logger->set_level(level);
  });
}

std::shared_ptr<spdlog::logger> Logger(std::string_view module) {
  LoggingState& state = State();
  std::lock_guard<std::mutex> lock(state.mutex);
  std::string name(module);
  if (auto existing = spdlog::get(name)) return existing;
  auto logger = std::make_shared<spdlog::logger>(name, state.sink);
  logger->set_level(state.level);
  logger->flush_on(spdlog::level::warn);
  spdlog::register_logger(logger);
  return logger;
}

}  // namespace rh
