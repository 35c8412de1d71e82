#include "simulator/internal/scenarios/mode.h"

#include <algorithm>
#include <cmath>

#include "core/json.h"
#include "core/time_format.h"
#include "simulator/internal/catalog.h"
#include "simulator/internal/metric_model.h"
#include "simulator/internal/planner.h"
#include "simulator/internal/scenarios/story.h"
#include "store/metric_catalog.h"

namespace rh::simulator::internal {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

constexpr uint32_t kAlertBit = 16;

bool SignalDropped(const Incident& incident, size_t index) {
  return (incident.dropped >> index) & 1u;
}
bool AlertDropped(const Incident& incident, size_t index) {
  return (incident.dropped >> (kAlertBit + index)) & 1u;
}

void Fill(std::string& text, std::string_view key, const std::string& value) {
  for (size_t at = text.find(key); at != std::string::npos;
       at = text.find(key, at + value.size())) {
    text.replace(at, key.size(), value);
  }
}

// Whether a flapping story is in an episode at `hour_idx`.
bool FlapOn(const Incident& incident, int hour_idx, int start) {
  if (hour_idx < start) return false;
  return (hour_idx - start) % std::max(1, incident.flap_period) < incident.flap_on;
}

// How much of the story's effect is present at `hour_idx` (0..1).
double Intensity(const ModeSpec& spec, const Incident& incident, int hour_idx, int start,
                 int last) {
  if (hour_idx < start) return 0;
  switch (static_cast<Shape>(incident.shape)) {
    case Shape::kAbrupt:
      return Step(hour_idx, start, 1);
    case Shape::kRamp:
      return Ramp(hour_idx, start, last, 1.0);
    case Shape::kFlapping:
      return (FlapOn(incident, hour_idx, start) ? 1.0 : spec.off_residual) *
             (0.6 + 0.4 * Ramp(hour_idx, start, last, 1.0));
    case Shape::kBlip:
      return hour_idx < start + incident.flap_on ? 1.0 : 0.0;
  }
  return 0;
}

std::string ShortName(MetricIndex metric) {
  return std::string(store::MetricCatalog()[static_cast<size_t>(metric)].short_name);
}

std::string Number(MetricIndex metric, double value) {
  if (metric == kQueryErr) return FormatNumber(value, 2) + "%";
  if (metric == kCpu || metric == kDisk || metric == kBeMem || metric == kFeHeap ||
      metric == kBeJvmHeap || metric == kAliveRatio) {
    return Pct(value);
  }
  return FormatNumber(value, value < 100 ? 1 : 0);
}

// A version 1-3 releases below `version` that a cluster of this architecture could have run.
std::string PreviousVersion(Rng& rng, const Cluster& cluster) {
  const int rank = VersionRank(cluster.version);
  std::vector<std::string> candidates;
  for (int back = 1; back <= 3 && rank - back >= 0; ++back) {
    const auto& info = Versions()[static_cast<size_t>(rank - back)];
    if (HasPageCacheBug(info.version)) continue;
    if (cluster.run_mode == RunMode::kSharedData && info.version < std::string_view("3")) continue;
    candidates.emplace_back(info.version);
  }
  return candidates.empty() ? std::string() : rng.Pick(candidates);
}

void MakeSharedData(Cluster& cluster, Rng& rng) {
  if (cluster.run_mode == RunMode::kSharedData) return;
  cluster.run_mode = RunMode::kSharedData;
  cluster.compute = MakeComputeGroup(rng, RunMode::kSharedData, cluster.package_type == "trial");
  if (cluster.version < std::string_view("3.1")) cluster.version = "3.3.4";
}

void PlanOperation(const ModeSpec& spec, StoryPlan& story, int start) {
  const OperationSpec& os = *spec.operation;
  Incident& incident = story.incident;
  Cluster& cluster = story.cluster();
  Rng& rng = story.rng;
  Operation op;
  op.cluster_index = incident.clusters.front();
  op.preset = true;
  op.kind = os.kind;
  op.actor = os.actor.empty() ? story.account().owner : os.actor;
  incident.op_minutes_before = rng.UniformInt(os.minutes_lo, os.minutes_hi);
  op.started_at = story.plan.HourTime(start) - minutes(incident.op_minutes_before);
  const int duration = rng.UniformInt(os.duration_lo, os.duration_hi);
  op.result = os.result;
  if (os.result != "RUNNING") {
    const TimePoint done = op.started_at + minutes(duration);
    if (done <= story.plan.end_hour) {
      op.finished_at = done;
    } else {
      op.result = "RUNNING";
    }
  }
  OrderedJson params = OrderedJson::object();
  if (os.kind == OperationKind::kUpgrade) {
    std::string from = PreviousVersion(rng, cluster);
    if (from.empty()) {
      cluster.version = cluster.run_mode == RunMode::kSharedData ? "3.3.4" : "3.2.8";
      from = PreviousVersion(rng, cluster);
    }
    op.from_version = from;
    params["from_version"] = from;
    params["to_version"] = cluster.version;
    op.parameters = DumpJson(params);
  } else if (os.kind == OperationKind::kScale) {
    const int removed = -os.scale_nodes;
    if (os.scale_nodes > 0 && cluster.compute.count - os.scale_nodes < 3) {
      cluster.compute.count = 3 + os.scale_nodes;
    }
    op.from_count = cluster.compute.count + removed;
    params["node_type"] = cluster.compute.node_type;
    params["from_count"] = op.from_count;
    params["to_count"] = cluster.compute.count;
    op.parameters = DumpJson(params);
  } else {
    op.parameters = os.parameters;
  }
  story.plan.operations.push_back(std::move(op));
}

}  // namespace

std::string_view ShapeName(Shape shape) {
  switch (shape) {
    case Shape::kAbrupt:
      return "abrupt";
    case Shape::kRamp:
      return "ramp";
    case Shape::kFlapping:
      return "flapping";
    case Shape::kBlip:
      return "blip";
  }
  return "abrupt";
}

AlertSpec Rule(std::string official, std::string custom, std::string chinese) {
  AlertSpec alert;
  alert.official = std::move(official);
  alert.custom = std::move(custom);
  alert.chinese = std::move(chinese);
  return alert;
}

Footprint ModeFamily::footprint() const {
  return spec_.siblings ? Footprint::kAccountSiblings : Footprint::kOneCluster;
}

void ModeFamily::PlanFootprint(Incident& incident, Rng& rng) const {
  if (!spec_.siblings) return;
  incident.count = 2 + static_cast<int>(rng.PickWeighted({0.5, 0.35, 0.15}));
  incident.account_size = std::min(4, incident.count + rng.UniformInt(0, 1));
}

bool ModeFamily::Prefers(const Cluster& cluster) const {
  switch (spec_.architecture) {
    case Architecture::kAny:
      return true;
    case Architecture::kSharedNothing:
      return IsSharedNothing(cluster);
    case Architecture::kSharedData:
      return !IsSharedNothing(cluster);
  }
  return true;
}

void ModeFamily::Plan(StoryPlan& story) const {
  Incident& incident = story.incident;
  Rng& rng = story.rng;
  const Shape shape = spec_.shapes[static_cast<size_t>(
      rng.UniformInt(0, static_cast<int>(spec_.shapes.size()) - 1))];
  incident.shape = static_cast<int>(shape);
  incident.variant = incident.shape;
  incident.alert_style = static_cast<int>(rng.PickWeighted({0.5, 0.25, 0.25}));
  for (size_t index = 0; index < spec_.signals.size(); ++index) {
    if (spec_.signals[index].optional && rng.Bernoulli(0.35)) incident.dropped |= 1u << index;
  }
  for (size_t index = 0; index < spec_.alerts.size(); ++index) {
    if (spec_.alerts[index].optional && rng.Bernoulli(0.35)) {
      incident.dropped |= 1u << (kAlertBit + index);
    }
  }
  int onset = rng.UniformInt(spec_.onset_lo, spec_.onset_hi);
  if (shape == Shape::kRamp) onset = rng.UniformInt(spec_.ramp_lo, spec_.ramp_hi);
  incident.flap_period = rng.UniformInt(spec_.flap_period_lo, spec_.flap_period_hi);
  incident.flap_on = std::min(incident.flap_period - 1 > 0 ? incident.flap_period - 1 : 1,
                              rng.UniformInt(spec_.flap_on_lo, spec_.flap_on_hi));
  if (shape == Shape::kBlip) incident.flap_on = rng.UniformInt(1, 2);
  incident.flaps_per_hour = rng.UniformInt(spec_.flaps_per_hour_lo, spec_.flaps_per_hour_hi);
  incident.node = 1;
  if (spec_.gaps && spec_.telemetry_gap <= 0 && rng.Bernoulli(0.3)) {
    const int gaps = rng.UniformInt(1, 3);
    for (int gap = 0; gap < gaps; ++gap) {
      const int before_end = rng.UniformInt(3, std::max(3, onset - 1));
      if (std::find(incident.gap_hours.begin(), incident.gap_hours.end(), before_end) ==
          incident.gap_hours.end()) {
        incident.gap_hours.push_back(before_end);
      }
    }
  }
  incident.scenario =
      spec_.name + "/" + std::string(ShapeName(shape)) + (incident.dropped != 0 ? "_partial" : "");

  if (spec_.siblings) {
    std::vector<int> members = story.account().cluster_indices;
    rng.Shuffle(members);
    const int affected = std::min<int>(incident.count, static_cast<int>(members.size()));
    const int base_start = StartIdx(story.plan, onset);
    for (int member_idx = 0; member_idx < std::max(2, affected); ++member_idx) {
      if (member_idx >= static_cast<int>(members.size())) break;
      const int start = std::clamp(base_start + rng.UniformInt(0, 2), MinStartIdx(story.plan),
                                   story.plan.hours - 3);
      story.AddCluster(members[static_cast<size_t>(member_idx)], start);
    }
    return;
  }
  Cluster& cluster = story.cluster();
  if (spec_.architecture == Architecture::kSharedNothing) MakeSharedNothing(cluster, rng);
  if (spec_.architecture == Architecture::kSharedData) MakeSharedData(cluster, rng);
  if (!spec_.versions.empty()) cluster.version = rng.Pick(spec_.versions);
  if (cluster.fe.count < spec_.min_fe_nodes) cluster.fe.count = spec_.min_fe_nodes;
  incident.node = rng.UniformInt(1, std::max(1, cluster.compute.count));
  const int start = StartIdx(story.plan, onset);
  if (spec_.operation) PlanOperation(spec_, story, start);
  const bool opens = spec_.operation && spec_.operation->opens_window;
  story.Open(start, opens ? -minutes(incident.op_minutes_before) : minutes(0));
}

Severity ModeFamily::ExpectedSeverity(const Incident&, std::string_view tier) const {
  return tier == "S" || tier == "A" ? spec_.severity_top_tier : spec_.severity;
}

std::vector<std::string> ModeFamily::AlertNames(const Incident&) const {
  std::vector<std::string> names;
  for (const AlertSpec& alert : spec_.alerts) {
    for (const std::string* name : {&alert.official, &alert.custom, &alert.chinese}) {
      if (!name->empty()) names.push_back(*name);
    }
  }
  return names;
}

void ModeFamily::Apply(StorySeries& story) const {
  const Incident& incident = story.incident;
  const int start = story.start;
  const int last = story.last;
  const int nodes = std::max(1, story.cluster.compute.count);
  std::vector<double> magnitude;
  for (const Signal& signal : spec_.signals) {
    magnitude.push_back(story.rng.Uniform(signal.lo, signal.hi));
  }
  for (int hour_idx = start; hour_idx <= last; ++hour_idx) {
    const double shape = Intensity(spec_, incident, hour_idx, start, last);
    if (shape <= 0) continue;
    auto& m = story.Hour(hour_idx);
    for (size_t index = 0; index < spec_.signals.size(); ++index) {
      if (SignalDropped(incident, index)) continue;
      const Signal& signal = spec_.signals[index];
      MetricSample& sample = m[signal.metric];
      const double baseline = story.baseline[signal.metric];
      switch (signal.move) {
        case Move::kLevel:
          LevelTo(sample, baseline, magnitude[index], shape);
          break;
        case Move::kFactor:
          Multiply(sample, 1.0 + (magnitude[index] - 1.0) * shape);
          break;
        case Move::kShift:
          Shift(sample, magnitude[index] * shape);
          break;
        case Move::kCount: {
          const double target = magnitude[index] * story.rng.Uniform(0.8, 1.2);
          sample.avg = sample.max =
              std::max(0.0, std::round(sample.avg + shape * (target - baseline)));
          break;
        }
        case Move::kNodesDown: {
          const int down = std::clamp(static_cast<int>(std::lround(magnitude[index])), 1,
                                      std::max(1, nodes - 1));
          // A flapping node is down for part of each episode hour.
          const bool flapping = incident.shape == static_cast<int>(Shape::kFlapping);
          if (flapping && shape < 0.5) break;  // between episodes every node is up
          const double share = flapping ? story.rng.Uniform(0.3, 0.7) : shape;
          const double ratio = 100.0 * (nodes - down * share) / nodes;
          sample = MetricSample{ratio, share < 1 ? 100.0 : ratio, share < 1 ? 100.0 : ratio, true};
          break;
        }
      }
    }
  }
  for (int before_end : incident.gap_hours) {
    const int hour_idx = last - before_end;
    if (hour_idx > 0) story.series[static_cast<size_t>(hour_idx)].present = false;
  }
  if (spec_.telemetry_gap > 0) {
    for (int hour_idx = start; hour_idx <= last; ++hour_idx) {
      if (hour_idx == last || story.rng.Bernoulli(spec_.telemetry_gap)) {
        story.series[static_cast<size_t>(hour_idx)].present = false;
      }
    }
  }
}

std::string ModeFamily::Derive(StoryEvents& story) const {
  const Incident& incident = story.incident;
  const FleetPlan& plan = story.plan;
  const Shape shape = static_cast<Shape>(incident.shape);
  Rng& rng = story.rng;
  std::vector<std::string> fired;
  const std::string fe_node =
      "fe-" + std::to_string((incident.node - 1) % std::max(1, story.cluster.fe.count) + 1);
  for (size_t index = 0; index < spec_.alerts.size(); ++index) {
    if (AlertDropped(incident, index)) continue;
    const AlertSpec& alert = spec_.alerts[index];
    std::string name = incident.alert_style == 1   ? alert.custom
                       : incident.alert_style == 2 ? alert.chinese
                                                   : alert.official;
    if (name.empty()) name = alert.official;
    std::string text =
        incident.alert_style == 2 && !alert.text_zh.empty() ? alert.text_zh : alert.text_en;
    auto active = [&](int hour_idx) {
      const HourValues& hour = story.series[static_cast<size_t>(hour_idx)];
      if (alert.metric >= 0) {
        if (!hour.present) return false;
        const double value = hour.metrics[static_cast<size_t>(alert.metric)].avg;
        return alert.below ? value < alert.threshold : value > alert.threshold;
      }
      return Intensity(spec_, incident, hour_idx, story.start, story.last) >= 0.5;
    };
    auto value_at = [&](int hour_idx) {
      if (alert.metric < 0)
        return FormatNumber(rng.Uniform(alert.value_lo, alert.value_hi), alert.decimals);
      return FormatNumber(story.At(hour_idx, static_cast<MetricIndex>(alert.metric)).avg,
                          alert.decimals);
    };
    auto episode_at = [&](int hour_idx, TimePoint starts_at) {
      AlertEpisode episode;
      episode.cluster_index = story.cluster_index;
      episode.alert_name = name;
      episode.severity = alert.severity;
      episode.value = value_at(hour_idx);
      std::string summary = text;
      Fill(summary, "{node}", story.node);
      Fill(summary, "{value}", episode.value);
      Fill(summary, "{version}", story.cluster.version);
      Fill(summary, "{fe}", fe_node);
      episode.summary = summary;
      episode.starts_at = std::min(plan.end_hour, starts_at);
      return episode;
    };
    bool any = false;
    if (shape == Shape::kFlapping || shape == Shape::kBlip) {
      for (int hour_idx = story.start; hour_idx <= story.last; ++hour_idx) {
        if (!active(hour_idx)) continue;
        const int flaps = shape == Shape::kBlip ? 1 : std::max(1, incident.flaps_per_hour);
        TimePoint at = plan.HourTime(hour_idx) + minutes(rng.UniformInt(1, 12));
        for (int flap = 0; flap < flaps; ++flap) {
          if (at > plan.end_hour) break;
          AlertEpisode episode = episode_at(hour_idx, at);
          const TimePoint resolved = at + minutes(rng.UniformInt(3, 50 / flaps));
          if (resolved <= plan.end_hour) episode.ends_at = resolved;
          story.alerts.push_back(std::move(episode));
          at = resolved + minutes(rng.UniformInt(2, 8));
          any = true;
        }
      }
    } else {
      int first = -1;
      for (int hour_idx = story.start; hour_idx <= story.last; ++hour_idx) {
        if (active(hour_idx)) {
          first = hour_idx;
          break;
        }
      }
      if (first >= 0) {
        AlertEpisode episode =
            episode_at(first, plan.HourTime(first) + minutes(rng.UniformInt(3, 40)));
        episode.repeat_hours = kRepeatHours;
        story.alerts.push_back(std::move(episode));
        any = true;
      }
    }
    if (any) fired.push_back(name);
  }

  // The description: the story, its shape, the numbers of every signal and what fired.
  std::string text = spec_.story;
  Fill(text, "{cluster}", story.cluster.name);
  Fill(text, "{node}", story.node);
  Fill(text, "{version}", story.cluster.version);
  Fill(text, "{since}", story.since);
  Fill(text, "{fe}", fe_node);
  Fill(text, "{account}", AccountOf(plan, story.cluster).id);
  std::string shape_text;
  switch (shape) {
    case Shape::kAbrupt:
      shape_text = "Abruptly from " + story.since;
      break;
    case Shape::kRamp:
      shape_text = "Ramping up since " + story.since;
      break;
    case Shape::kFlapping:
      shape_text = "Intermittently since " + story.since + " (an episode every " +
                   std::to_string(incident.flap_period) + " h)";
      break;
    case Shape::kBlip:
      shape_text = "For " + std::to_string(incident.flap_on) + " h from " + story.since +
                   ", long over by the last hour";
      break;
  }
  std::string numbers;
  for (size_t index = 0; index < spec_.signals.size(); ++index) {
    if (SignalDropped(incident, index)) continue;
    const MetricIndex metric = spec_.signals[index].metric;
    if (std::find_if(spec_.signals.begin(), spec_.signals.begin() + static_cast<long>(index),
                     [&](const Signal& s) { return s.metric == metric; }) !=
        spec_.signals.begin() + static_cast<long>(index)) {
      continue;
    }
    double after = story.End(metric);
    std::string label = "now";
    if (shape == Shape::kFlapping || shape == Shape::kBlip) {
      const bool lower =
          spec_.signals[index].move == Move::kNodesDown ||
          (spec_.signals[index].move == Move::kFactor && spec_.signals[index].hi < 1);
      after = story.At(story.start, metric).avg;
      for (int hour_idx = story.start; hour_idx <= story.last; ++hour_idx) {
        if (!story.series[static_cast<size_t>(hour_idx)].present) continue;
        const double value = story.At(hour_idx, metric).avg;
        after = lower ? std::min(after, value) : std::max(after, value);
      }
      label = lower ? "lowest" : "peak";
    }
    numbers += (numbers.empty() ? "" : ", ") + ShortName(metric) + " " +
               Number(metric, story.Before(metric)) + " before, " + label + " " +
               Number(metric, after);
  }
  std::string out = text + " " + shape_text + (numbers.empty() ? "." : ": " + numbers + ".");
  if (spec_.operation) {
    for (const Operation& op : plan.operations) {
      if (op.cluster_index != story.cluster_index || !op.preset ||
          op.kind != spec_.operation->kind) {
        continue;
      }
      out += " The operation " + op.parameters + " started at " + FormatSqlTime(op.started_at) +
             " (" + op.result + "), " +
             (incident.op_minutes_before >= 48 * 60
                  ? FormatNumber(incident.op_minutes_before / 1440.0, 1) + " days"
                  : std::to_string(incident.op_minutes_before) + " min") +
             " before the onset.";
    }
  }
  if (fired.empty()) {
    out += " No alert fired.";
  } else {
    out += " Alerts: ";
    for (size_t index = 0; index < fired.size(); ++index) {
      out += (index ? ", '" : "'") + fired[index] + "'";
    }
    out += ".";
  }
  if (!incident.gap_hours.empty()) {
    out += " " + std::to_string(incident.gap_hours.size()) + " snapshot hour(s) are missing.";
  }
  return out;
}

}  // namespace rh::simulator::internal
