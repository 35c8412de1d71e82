#include "app/app_context.h"

#include "core/time_format.h"

namespace rh::app {

TimePoint PinnableClock::Now() const { return pinned_ ? manual_.Now() : system_.Now(); }

MonoTime PinnableClock::Monotonic() const {
  return pinned_ ? manual_.Monotonic() : system_.Monotonic();
}

void PinnableClock::SleepFor(Duration duration) {
  if (pinned_) {
    manual_.SleepFor(duration);
  } else {
    system_.SleepFor(duration);
  }
}

bool PinnableClock::WaitFor(Duration duration, std::stop_token stop) {
  return pinned_ ? manual_.WaitFor(duration, std::move(stop))
                 : system_.WaitFor(duration, std::move(stop));
}

void PinnableClock::Pin(TimePoint at) {
  manual_.Set(at);
  pinned_ = true;
}

AppContext::AppContext(Config config) : config_(std::move(config)) {}

Config& AppContext::mutable_config() {
  runtime_.reset();
  return config_;
}

service::Runtime& AppContext::runtime() {
  if (!runtime_) {
    runtime_ = std::make_unique<service::Runtime>(config_, clock_);
    runtime_->set_may_create(may_create_);
  }
  return *runtime_;
}

Status PinClockFlag(AppContext& ctx, const std::string& at) {
  if (at.empty()) return {};
  auto time = ParseAnyTime(at);
  if (!time) return Fail(time.error().WithContext("--at"));
  ctx.PinClock(*time);
  return {};
}

CLI::Option* AddFormatOption(CLI::App* command, std::string* format, const std::string& people,
                             const std::string& json_fields) {
  if (format->empty()) *format = people;
  return command
      ->add_option("--format", *format, people + " (default) | json: " + json_fields)
      ->transform(CLI::IsMember({people, std::string("json")}, CLI::ignore_case));
}

}  // namespace rh::app
