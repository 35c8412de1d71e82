// The vocabulary incident stories are written in, shared by the scenario families: the
// thresholds of the simulated alerting, timing (StartIdx), shapes over time (Ramp, Step), moves
// on one sample that keep max and p99 consistent (LevelTo, Multiply; Shift and ScaleTo are in
// metric_model.h), reading a series (MeanAvg, SameHoursBefore, LastPresent), the wording of
// numbers (Pct, PctChange) and the alert rules several stories fire.
// Internal to rh::simulator. Thread-safety: pure functions, except those taking a context.
#pragma once

#include <string>
#include <vector>

#include "simulator/internal/fleet_model.h"
#include "simulator/internal/random.h"
#include "simulator/internal/scenarios/scenario.h"

namespace rh::simulator::internal {

// Alert thresholds of the simulated alerting (the platform's critical thresholds from
// store/metric_catalog.h where the StarRocks rule would fire later than the platform cares).
inline constexpr double kDiskAlertPct = 85;
inline constexpr double kMemoryAlertPct = 85;
inline constexpr double kCpuAlertPct = 70;
inline constexpr double kLatencyAlertMs = 5000;
inline constexpr double kErrorAlertPct = 2;
inline constexpr double kCompactionPressure = 100;
inline constexpr double kVersionCountScore = 500;
inline constexpr double kLoadFailureTxn = 50;
inline constexpr int kRepeatHours = 4;  // Lark re-notifies a firing alert every 4 hours

// ---- timing ----

// The earliest hour a story may start: a day of baseline (a third of a short fleet) before it.
int MinStartIdx(const FleetPlan& plan);
// The hour index `hours_before_end` hours before the last one, kept inside the data with a
// baseline before it and a few hours of story after it.
int StartIdx(const FleetPlan& plan, int hours_before_end);

// ---- shapes over time ----

// 0 before `start`, rising to 1 at `last` (shape `gamma`).
double Ramp(int hour_idx, int start, int last, double gamma);
// 0 before `start`, reaching 1 after `rise_hours`.
double Step(int hour_idx, int start, int rise_hours);

// ---- moves on a sample ----

// Moves a sample towards `target` (keeping `keep` of its own deviation from `baseline_mean`)
// by `shape` in [0, 1]; max and p99 scale with it.
void LevelTo(MetricSample& sample, double baseline_mean, double target, double shape,
             double keep = 0.3);
void Multiply(MetricSample& sample, double factor);

// ---- reading a series ----

// The mean of the present hours in [from, to] (0 when none is).
double MeanAvg(const std::vector<HourValues>& series, MetricIndex metric, int from, int to);
// The median, over up to six days before the incident, of the mean of the same three hours of
// the day as the last three hours: a baseline that daily seasonality and one-hour blips do not
// move.
double SameHoursBefore(const std::vector<HourValues>& series, MetricIndex metric, int start,
                       int last);
// The last hour with data (0 when none has).
int LastPresent(const std::vector<HourValues>& series);

// ---- the cluster ----

Cluster& ClusterAt(FleetPlan& plan, int cluster_index);
const Account& AccountOf(const FleetPlan& plan, const Cluster& cluster);
// "be-3" or "cn-3".
std::string NodeName(const Cluster& cluster, int node);
bool IsSharedNothing(const Cluster& cluster);
// Turns a shared-data cluster into a shared-nothing one (new BE group); no-op otherwise.
void MakeSharedNothing(Cluster& cluster, Rng& rng);

// ---- words ----

std::string Pct(double value);                       // "91.2%"
std::string PctChange(double before, double after);  // "+38%", "-72%"

// ---- alert rules several stories fire (each where the data first crosses its threshold) ----

void FireBeCpuAlert(StoryEvents& story);           // BE CPU Alert on the story's node
void FireQueryLatencyAlert(StoryEvents& story);    // Query Latency Alert
void FireMemoryAlert(StoryEvents& story);          // Memory Alert on the story's node
void FireLoadingFailureAlert(StoryEvents& story);  // Loading Failure Alert

}  // namespace rh::simulator::internal
