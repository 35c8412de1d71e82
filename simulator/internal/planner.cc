#include "simulator/internal/planner.h"

#include <algorithm>
#include <set>

#include "core/instance_limits.h"
#include "core/json.h"
#include "simulator/internal/catalog.h"
#include "simulator/internal/random.h"
#include "simulator/internal/scenarios.h"
#include "simulator/internal/scenarios/red_herrings.h"

namespace rh::simulator::internal {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const std::vector<std::string> kNamePrefixes = {
    "Northwind", "Bluepeak",  "Kestrel",  "Orchid",    "Lumen",     "Copperleaf", "Harbor",
    "Sable",     "Tidewater", "Aster",    "Quill",     "Meridian",  "Juniper",    "Falcon",
    "Riverstone", "Cobalt",   "Saffron",  "Pinecrest", "Vantage",   "Marble",     "Ember",
    "Nimbus",    "Halcyon",   "Granite",  "Larkspur",  "Redwood",   "Silverline", "Zephyr",
    "Beacon",    "Crescent",  "Driftwood", "Evergreen", "Foxglove", "Glacier",    "Ironbark",
    "Jadeite",   "Kingfisher", "Lotus",   "Mosaic",    "Oakridge"};

struct Industry {
  std::string name;
  std::vector<std::string> suffixes;
  double weight;
};
const std::vector<Industry>& Industries() {
  static const std::vector<Industry> industries = {
      {"e-commerce", {"Mart", "Retail", "Shop"}, 18},
      {"gaming", {"Games", "Studios", "Play"}, 12},
      {"fintech", {"Pay", "Capital", "Finance"}, 14},
      {"logistics", {"Logistics", "Freight", "Express"}, 9},
      {"adtech", {"Ads", "Media Labs", "Reach"}, 10},
      {"media", {"Media", "Streaming", "News"}, 8},
      {"saas", {"Cloud", "Software", "Systems"}, 12},
      {"education", {"Learning", "Academy"}, 5},
      {"healthcare", {"Health", "Care"}, 5},
      {"manufacturing", {"Industries", "Manufacturing"}, 4},
      {"travel", {"Travel", "Trips"}, 3},
  };
  return industries;
}

const std::vector<std::string> kFirstNames = {
    "wei",  "li",   "mei",   "jun",  "hao",   "yan",  "lin",  "chen", "sara", "tom",
    "anna", "raj",  "kenji", "lucas", "nora", "omar", "ines", "david", "yuki", "paul"};
const std::vector<std::string> kLastNames = {
    "zhang", "wang",  "liu",    "chen",  "huang", "zhao", "wu",  "zhou",  "xu",    "sun",
    "smith", "garcia", "mueller", "tanaka", "patel", "kim", "rossi", "dubois", "silva", "novak"};
const std::vector<std::string> kWorkloads = {
    "ads", "bi", "risk", "logs", "orders", "events", "metrics", "reports", "search", "crm",
    "iot", "billing", "growth", "recsys", "dwh", "realtime"};

std::string Slug(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else if (!out.empty() && out.back() != '-') {
      out.push_back('-');
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::string PickTier(Rng& rng) {
  static const std::vector<double> weights = {5, 15, 30, 50};
  static const std::vector<std::string> tiers = {"S", "A", "B", "C"};
  return tiers[rng.PickWeighted(weights)];
}

int ClustersForTier(Rng& rng, const std::string& tier) {
  if (tier == "S") return rng.UniformInt(3, 6);
  if (tier == "A") return rng.UniformInt(2, 5);
  if (tier == "B") return 1 + static_cast<int>(rng.PickWeighted({0.35, 0.3, 0.2, 0.15}));
  return 1 + static_cast<int>(rng.PickWeighted({0.55, 0.3, 0.15}));
}

std::string PickVersion(Rng& rng, RunMode mode) {
  const auto& versions = Versions();
  std::vector<double> weights;
  for (const VersionInfo& info : versions) {
    const bool allowed = mode == RunMode::kSharedNothing || info.version >= std::string_view("3");
    weights.push_back(allowed ? info.weight : 0.0);
  }
  return std::string(versions[rng.PickWeighted(weights)].version);
}

int PickDiskGb(Rng& rng, bool cache_disk) {
  static const std::vector<int> data_disks = {200,  300,  500,  800,  1000, 1500,
                                              2000, 3000, 4000, 5000, 6000, 8000};
  static const std::vector<int> cache_disks = {200, 300, 500, 800, 1000, 1500, 2000};
  return rng.Pick(cache_disk ? cache_disks : data_disks);
}

// An ESSD performance level the disk size allows (core/instance_limits.h: PL2 needs >= 500 GB,
// PL3 >= 1260 GB; the sizes PickDiskGb draws make that 1500 GB).
std::string PickEssd(Rng& rng, int disk_gb) {
  std::vector<double> weights = {0.15, 0.55, disk_gb >= limits::kMinPl2DiskGb ? 0.2 : 0.0,
                                 disk_gb >= limits::kMinPl3DiskGb ? 0.1 : 0.0};
  static const std::vector<std::string> levels = {"PL0", "PL1", "PL2", "PL3"};
  return levels[rng.PickWeighted(weights)];
}

Account MakeAccount(Rng& rng, const FleetPlan& plan, std::set<std::string>& used_ids,
                    std::set<std::string>& used_names) {
  Account account;
  do {
    account.id = "acct-" + rng.Alnum(6);
  } while (!used_ids.insert(account.id).second);
  std::vector<double> industry_weights;
  for (const Industry& industry : Industries()) industry_weights.push_back(industry.weight);
  const Industry& industry = Industries()[rng.PickWeighted(industry_weights)];
  account.industry = industry.name;
  std::string base = rng.Pick(kNamePrefixes) + " " + rng.Pick(industry.suffixes);
  account.name = base;
  for (int suffix = 2; !used_names.insert(account.name).second; ++suffix) {
    account.name = base + " " + std::to_string(suffix);
  }
  account.tier = PickTier(rng);
  account.owner = rng.Pick(kFirstNames) + "." + rng.Pick(kLastNames) + "@" +
                  Slug(account.name) + ".example.com";
  account.created_at = plan.first_hour - hours(24 * rng.UniformInt(40, 1500)) -
                       minutes(rng.UniformInt(0, 1439));
  return account;
}

Cluster MakeCluster(Rng& rng, const FleetPlan& plan, const Account& account, int account_index,
                    std::set<std::string>& used_ids, std::set<std::string>& used_names) {
  Cluster cluster;
  do {
    cluster.id = "c-" + rng.Alnum(8);
  } while (!used_ids.insert(cluster.id).second);
  cluster.account_index = account_index;
  const std::string base = Slug(account.name).substr(0, 24) + "-" + rng.Pick(kWorkloads) + "-" +
                           rng.Pick(std::vector<std::string>{"prod", "prod", "prod", "staging",
                                                             "dev"});
  cluster.name = base;
  for (int suffix = 2; !used_names.insert(cluster.name).second; ++suffix) {
    cluster.name = base + "-" + std::to_string(suffix);
  }
  std::vector<double> region_weights;
  for (const RegionInfo& region : Regions()) region_weights.push_back(region.weight);
  const RegionInfo& region = Regions()[rng.PickWeighted(region_weights)];
  cluster.region = std::string(region.name);
  cluster.tz_offset_hours = region.tz_offset_hours;
  cluster.package_type = rng.Bernoulli(0.12) ? "trial" : "official";
  cluster.run_mode = rng.Bernoulli(0.3) ? RunMode::kSharedData : RunMode::kSharedNothing;
  cluster.version = PickVersion(rng, cluster.run_mode);
  if (cluster.version < "3") cluster.run_mode = RunMode::kSharedNothing;
  const bool trial = cluster.package_type == "trial";
  cluster.fe = MakeFeGroup(rng, trial);
  cluster.compute = MakeComputeGroup(rng, cluster.run_mode, trial);
  // Created after its account and at least 12 days before the first snapshot (so the history of
  // operations before the snapshot range fits).
  const auto days_before_first =
      std::chrono::duration_cast<hours>(plan.first_hour - account.created_at).count() / 24;
  cluster.created_at = account.created_at +
                       hours(24 * rng.UniformInt(0, static_cast<int>(days_before_first) - 13)) +
                       minutes(rng.UniformInt(0, 1439));
  cluster.updated_at = cluster.created_at;
  return cluster;
}

// ---- background alerts --------------------------------------------------------------------

struct BackgroundAlert {
  std::string name;
  std::string severity;
  int metric;  // MetricIndex whose peak shows the alert, or -1
  double weight;
};

const std::vector<BackgroundAlert>& BackgroundAlerts() {
  static const std::vector<BackgroundAlert> alerts = {
      {"BE CPU Alert", "warning", kCpu, 3},
      {"Query Latency Alert", "warning", kLatency, 3},
      {"Query Overload Alert", "warning", -1, 2},
      {"Disk Load Alert", "warning", -1, 1.5},
      {"High Compaction Pressure Alert", "warning", kCompaction, 1.5},
      {"Routine Load Consumption Delay Alert", "warning", -1, 1},
      {"User Connection Limit Exceeded Alert", "warning", -1, 0.7},
      {"Materialized View Refresh Exception Alert", "warning", -1, 1},
      {"Cumulative Compaction Failure Alert", "warning", -1, 0.5},
  };
  return alerts;
}

void AddBackgroundAlert(FleetPlan& plan, int cluster_index, Rng& rng, int hour_idx) {
  const Cluster& cluster = plan.clusters[static_cast<size_t>(cluster_index)];
  std::vector<double> weights;
  for (const BackgroundAlert& kind : BackgroundAlerts()) weights.push_back(kind.weight);
  const BackgroundAlert& kind = BackgroundAlerts()[rng.PickWeighted(weights)];
  AlertEpisode episode;
  episode.cluster_index = cluster_index;
  episode.alert_name = kind.name;
  episode.severity = kind.severity;
  episode.starts_at = plan.HourTime(hour_idx) + minutes(rng.UniformInt(1, 45));
  episode.ends_at = episode.starts_at + minutes(rng.UniformInt(3, 14));
  const std::string node = (cluster.compute.node_type == "BE" ? "be-" : "cn-") +
                           std::to_string(rng.UniformInt(1, cluster.compute.count));
  double value = 0;
  if (kind.name == "BE CPU Alert") {
    value = rng.Uniform(90.5, 97.0);
    episode.value = FormatNumber(value, 1);
    episode.summary = "BE CPU utilisation " + episode.value + "% > 90% on " + node;
  } else if (kind.name == "Query Latency Alert") {
    value = rng.Uniform(5200, 8200);
    episode.value = FormatNumber(value, 0);
    episode.summary = "query latency p99 " + episode.value + " ms > 5000 ms";
  } else if (kind.name == "Query Overload Alert") {
    episode.value = FormatNumber(rng.Uniform(110, 260), 0);
    episode.summary = "QPS changed by " + episode.value + "% within 1 minute (threshold 100%)";
  } else if (kind.name == "Disk Load Alert") {
    episode.value = FormatNumber(rng.Uniform(90.5, 99.0), 1);
    episode.summary = "disk IO util " + episode.value + "% > 90% on " + node;
  } else if (kind.name == "High Compaction Pressure Alert") {
    value = rng.Uniform(104, 170);
    episode.value = FormatNumber(value, 0);
    episode.summary = "max tablet compaction score " + episode.value + " > 100";
  } else if (kind.name == "Routine Load Consumption Delay Alert") {
    episode.value = FormatNumber(rng.Uniform(310000, 900000), 0);
    episode.summary = "routine load max lag " + episode.value + " messages > 300000";
  } else if (kind.name == "User Connection Limit Exceeded Alert") {
    episode.value = FormatNumber(rng.UniformInt(91, 120), 0);
    episode.summary = "user 'bi_reader' holds " + episode.value + " connections > 90";
  } else if (kind.name == "Materialized View Refresh Exception Alert") {
    episode.value = FormatNumber(rng.UniformInt(1, 3), 0);
    episode.summary = episode.value + " materialized view refresh(es) failed in 5 minutes";
  } else {
    episode.value = FormatNumber(rng.UniformInt(4, 9), 0);
    episode.summary = episode.value + " cumulative compaction failures in 1 minute on " + node;
  }
  if (kind.metric >= 0) {
    plan.spikes[static_cast<size_t>(cluster_index)].push_back(
        Spike{hour_idx, static_cast<MetricIndex>(kind.metric), value});
  }
  plan.alerts.push_back(std::move(episode));
}

// ---- background operations ----------------------------------------------------------------

std::string PickActor(Rng& rng, const Account& account) {
  switch (rng.PickWeighted({0.4, 0.25, 0.15, 0.2})) {
    case 0: return account.owner;
    case 1: return "ops-bot";
    case 2: return "terraform";
    default: return "sre-oncall@rockhound.example.com";
  }
}

void AddBackgroundOperations(FleetPlan& plan, int cluster_index, Rng& rng) {
  const Cluster& cluster = plan.clusters[static_cast<size_t>(cluster_index)];
  const Account& account = plan.accounts[static_cast<size_t>(cluster.account_index)];
  const double days = plan.hours / 24.0;
  const TimePoint lower = plan.first_hour - hours(24 * 10);
  TimePoint upper = plan.end_hour - hours(3);
  if (cluster.incident >= 0) {
    const Incident& incident = plan.incidents[static_cast<size_t>(cluster.incident)];
    upper = std::min(upper, incident.window_start[static_cast<size_t>(cluster.incident_role)] - hours(24));
  }
  if (upper <= lower) return;
  const int64_t span_minutes =
      std::chrono::duration_cast<minutes>(upper - lower).count();
  const int count = rng.Poisson(0.5 * (days + 10.0) / 14.0);
  for (int op_idx = 0; op_idx < count; ++op_idx) {
    Operation op;
    op.cluster_index = cluster_index;
    op.started_at = lower + minutes(static_cast<int64_t>(rng.Uniform() * span_minutes));
    op.actor = PickActor(rng, account);
    static const std::vector<double> kind_weights = {0.35, 0.2, 0.2, 0.12, 0.13};
    const size_t kind = rng.PickWeighted(kind_weights);
    int duration_minutes = 1;
    switch (kind) {
      case 0: op.kind = OperationKind::kUpdate; duration_minutes = rng.UniformInt(1, 5); break;
      case 1: op.kind = OperationKind::kScale; duration_minutes = rng.UniformInt(8, 40); break;
      case 2: op.kind = OperationKind::kRestart; duration_minutes = rng.UniformInt(5, 20); break;
      case 3: op.kind = OperationKind::kUpgrade; duration_minutes = rng.UniformInt(20, 60); break;
      default: op.kind = OperationKind::kStop; duration_minutes = rng.UniformInt(2, 5); break;
    }
    op.result = rng.Bernoulli(0.03) ? "FAILED" : "SUCCESS";
    op.finished_at = op.started_at + minutes(duration_minutes);
    if (op.kind == OperationKind::kStop) {
      op.result = "SUCCESS";
      Operation start = op;
      start.kind = OperationKind::kStart;
      start.started_at = op.started_at + minutes(rng.UniformInt(10, 40));
      start.finished_at = start.started_at + minutes(rng.UniformInt(3, 8));
      plan.operations.push_back(std::move(op));
      plan.operations.push_back(std::move(start));
      continue;
    }
    plan.operations.push_back(std::move(op));
  }
}

// ---- operation chaining -------------------------------------------------------------------

struct ChainState {
  std::string version;
  int count = 0;
  int cu = 0;
};

const std::vector<std::pair<std::string, std::string>>& BeConfigChanges() {
  static const std::vector<std::pair<std::string, std::string>> changes = {
      {"max_compaction_concurrency", "4"}, {"storage_page_cache_limit", "20%"},
      {"write_buffer_size", "209715200"},  {"max_cumulative_compaction_num_singleton_deltas", "500"},
      {"scanner_thread_pool_thread_num", "48"}};
  return changes;
}
const std::vector<std::pair<std::string, std::string>>& FeConfigChanges() {
  static const std::vector<std::pair<std::string, std::string>> changes = {
      {"max_running_txn_num_per_db", "1000"}, {"query_timeout", "600"},
      {"enable_statistic_collect", "true"},   {"qe_max_connection", "4096"},
      {"catalog_trash_expire_second", "86400"}, {"tablet_sched_max_scheduling_tablets", "10000"}};
  return changes;
}

int NeighbourCu(Rng& rng, int cu) {
  static const std::vector<int> sizes = {8, 16, 32, 64};
  auto it = std::find(sizes.begin(), sizes.end(), cu);
  const int pos = it == sizes.end() ? 1 : static_cast<int>(it - sizes.begin());
  if (pos == 0) return 16;
  if (pos == 3) return 32;
  return sizes[static_cast<size_t>(pos + (rng.Bernoulli(0.5) ? 1 : -1))];
}

void FillParameters(Operation& op, ChainState& state, const Cluster& cluster, Rng& rng) {
  OrderedJson params = OrderedJson::object();
  const std::string& node_type = cluster.compute.node_type;
  const int min_count =
      static_cast<int>(node_type == "BE" ? limits::kMinBeNodes : limits::kMinCnNodes);
  switch (op.kind) {
    case OperationKind::kUpgrade: {
      const int rank = VersionRank(state.version);
      std::vector<std::string> candidates;
      for (int back = 1; back <= 4 && rank - back >= 0; ++back) {
        const auto& info = Versions()[static_cast<size_t>(rank - back)];
        if (HasPageCacheBug(info.version)) continue;
        if (cluster.run_mode == RunMode::kSharedData && info.version < std::string_view("3")) {
          continue;
        }
        candidates.emplace_back(info.version);
      }
      if (candidates.empty()) {
        op.kind = OperationKind::kUpdate;
        FillParameters(op, state, cluster, rng);
        return;
      }
      const std::string from = rng.Pick(candidates);
      params["from_version"] = from;
      params["to_version"] = state.version;
      state.version = from;
      break;
    }
    case OperationKind::kScale: {
      params["node_type"] = node_type;
      if (op.scale_out && state.count > min_count) {
        params["from_count"] = state.count - 1;
        params["to_count"] = state.count;
        state.count -= 1;
      } else if (op.scale_out && state.cu > 8) {
        params["from_cu"] = state.cu / 2;
        params["to_cu"] = state.cu;
        state.cu /= 2;
      } else if (rng.Bernoulli(0.5)) {
        int from = state.count + (rng.Bernoulli(0.6) ? -1 : 1) * rng.UniformInt(1, 2);
        if (from < min_count) from = state.count + 1;
        params["from_count"] = from;
        params["to_count"] = state.count;
        state.count = from;
      } else {
        const int from = NeighbourCu(rng, state.cu);
        params["from_cu"] = from;
        params["to_cu"] = state.cu;
        state.cu = from;
      }
      break;
    }
    case OperationKind::kRestart: {
      params["node_type"] = rng.Bernoulli(0.7) ? node_type : "FE";
      params["mode"] = "rolling";
      static const std::vector<std::string> reasons = {"apply static config", "routine maintenance",
                                                       "kernel patch", "clear leaked memory"};
      params["reason"] = rng.Pick(reasons);
      break;
    }
    case OperationKind::kUpdate: {
      const bool be = rng.Bernoulli(0.5);
      const auto& change = rng.Pick(be ? BeConfigChanges() : FeConfigChanges());
      params["scope"] = be ? node_type : "FE";
      params["changes"] = OrderedJson::object({{change.first, change.second}});
      break;
    }
    case OperationKind::kStop:
      params["reason"] = cluster.package_type == "trial" ? "idle trial cluster paused"
                                                         : "scheduled maintenance";
      break;
    case OperationKind::kStart:
      params["reason"] = "resume after stop";
      break;
  }
  op.parameters = DumpJson(params);
}

}  // namespace

NodeGroup MakeFeGroup(Rng& rng, bool trial) {
  NodeGroup fe;
  fe.node_type = "FE";
  fe.count = trial ? 1 : std::vector<int>{1, 3, 5}[rng.PickWeighted({0.15, 0.75, 0.1})];
  fe.cu = std::vector<int>{8, 16, 32}[rng.PickWeighted({0.4, 0.5, 0.1})];
  fe.spec_type = "standard";
  fe.disk_gb = std::vector<int>{200, 300, 500}[rng.PickWeighted({0.5, 0.3, 0.2})];
  fe.essd_level = trial ? "PL0" : "PL1";
  return fe;
}

NodeGroup MakeComputeGroup(Rng& rng, RunMode mode, bool trial) {
  NodeGroup group;
  if (mode == RunMode::kSharedNothing) {
    group.node_type = "BE";
    group.count = trial ? 3 : 3 + static_cast<int>(rng.PickWeighted(
                                      {0.3, 0.2, 0.15, 0.1, 0.07, 0.06, 0.05, 0.03, 0.02, 0.02}));
    group.cu = trial ? 8 : std::vector<int>{8, 16, 32, 64}[rng.PickWeighted({0.2, 0.4, 0.3, 0.1})];
    static const std::vector<std::string> specs = {"standard", "ramEnhanced", "networkEnhanced",
                                                   "localSSD", "bigData"};
    group.spec_type = specs[rng.PickWeighted({0.45, 0.2, 0.1, 0.1, 0.15})];
    group.disk_gb = PickDiskGb(rng, false);
    if (group.spec_type == "localSSD" || group.spec_type == "bigData") {
      group.essd_level.clear();  // local disks: no ESSD level
    } else {
      group.essd_level = PickEssd(rng, group.disk_gb);
    }
  } else {
    group.node_type = "CN";
    group.count = trial ? 1 : rng.UniformInt(1, 16);
    group.cu = trial ? 8 : std::vector<int>{8, 16, 32, 64}[rng.PickWeighted({0.2, 0.4, 0.3, 0.1})];
    static const std::vector<std::string> specs = {"standard", "ramEnhanced", "networkEnhanced"};
    group.spec_type = specs[rng.PickWeighted({0.6, 0.25, 0.15})];
    group.disk_gb = PickDiskGb(rng, true);
    group.essd_level = group.disk_gb >= limits::kMinPl2DiskGb && rng.Bernoulli(0.3) ? "PL2" : "PL1";
  }
  return group;
}

std::string OperationId(uint64_t seed, const std::string& cluster_id, int ordinal) {
  uint64_t cluster_hash = 1469598103934665603ULL;
  for (char c : cluster_id) cluster_hash = (cluster_hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  Rng rng(seed, cluster_hash, static_cast<uint64_t>(ordinal) + 77);
  return "op-" + rng.Hex(16);
}

void ChainOperations(FleetPlan& plan) {
  std::stable_sort(plan.operations.begin(), plan.operations.end(),
                   [](const Operation& a, const Operation& b) {
                     if (a.cluster_index != b.cluster_index) return a.cluster_index < b.cluster_index;
                     return a.started_at < b.started_at;
                   });
  size_t begin = 0;
  while (begin < plan.operations.size()) {
    const int cluster_index = plan.operations[begin].cluster_index;
    size_t end = begin;
    while (end < plan.operations.size() && plan.operations[end].cluster_index == cluster_index) ++end;
    const Cluster& cluster = plan.clusters[static_cast<size_t>(cluster_index)];
    Rng rng(plan.seed, kStreamOperations, static_cast<uint64_t>(cluster_index));
    ChainState state{cluster.version, cluster.compute.count, cluster.compute.cu};
    // Walk back in time from the cluster's current state.
    for (size_t op_idx = end; op_idx-- > begin;) {
      Operation& op = plan.operations[op_idx];
      if (op.preset) {
        if (op.kind == OperationKind::kUpgrade && !op.from_version.empty()) {
          state.version = op.from_version;
        }
        if (op.kind == OperationKind::kScale) {
          if (op.from_count > 0) state.count = op.from_count;
          if (op.from_cu > 0) state.cu = op.from_cu;
        }
        continue;
      }
      FillParameters(op, state, cluster, rng);
    }
    begin = end;
  }
}

FleetPlan PlanFleet(const FleetParams& params, int incident_count) {
  FleetPlan plan;
  plan.seed = params.seed;
  plan.hours = params.days * 24;
  plan.end_hour = params.end_hour;
  plan.first_hour = params.end_hour - hours(plan.hours - 1);

  std::vector<Incident> incidents =
      PlanIncidentShapes(params.seed, incident_count, params.scenarios);

  // Accounts: first one per incident that needs an account of its own (sized for the story),
  // then random ones.
  Rng account_rng(params.seed, kStreamAccounts);
  Rng cluster_rng(params.seed, kStreamClusters);
  std::set<std::string> account_ids, account_names, cluster_ids, cluster_names;
  std::vector<int> reserved_accounts;
  std::vector<int> account_sizes;
  int remaining = params.clusters;
  for (const Incident& incident : incidents) {
    if (!NeedsOwnAccount(incident)) continue;
    Account account = MakeAccount(account_rng, plan, account_ids, account_names);
    reserved_accounts.push_back(static_cast<int>(plan.accounts.size()));
    const int size = std::min(remaining, incident.account_size);
    account_sizes.push_back(size);
    remaining -= size;
    plan.accounts.push_back(std::move(account));
  }
  while (remaining > 0) {
    Account account = MakeAccount(account_rng, plan, account_ids, account_names);
    const int size = std::min(remaining, ClustersForTier(account_rng, account.tier));
    account_sizes.push_back(size);
    remaining -= size;
    plan.accounts.push_back(std::move(account));
  }
  for (size_t account_idx = 0; account_idx < plan.accounts.size(); ++account_idx) {
    for (int member = 0; member < account_sizes[account_idx]; ++member) {
      Account& account = plan.accounts[account_idx];
      account.cluster_indices.push_back(static_cast<int>(plan.clusters.size()));
      plan.clusters.push_back(MakeCluster(cluster_rng, plan, account, static_cast<int>(account_idx),
                                          cluster_ids, cluster_names));
    }
  }
  plan.spikes.assign(plan.clusters.size(), {});
  plan.incidents = std::move(incidents);
  AssignIncidents(plan, reserved_accounts);

  // Background alerts (quick to resolve) and operations, away from incident windows.
  for (size_t cluster_idx = 0; cluster_idx < plan.clusters.size(); ++cluster_idx) {
    const int cluster_index = static_cast<int>(cluster_idx);
    Rng rng(params.seed, kStreamBackgroundEvents, cluster_idx);
    const int alert_count = rng.Poisson(0.25 * params.days / 7.0);
    for (int alert_idx = 0; alert_idx < alert_count; ++alert_idx) {
      const int hour_idx = rng.UniformInt(0, std::max(0, plan.hours - 3));
      if (InIncidentWindow(plan, cluster_index, hour_idx, 24)) continue;
      AddBackgroundAlert(plan, cluster_index, rng, hour_idx);
    }
    AddBackgroundOperations(plan, cluster_index, rng);
  }
  ChainOperations(plan);
  DescribeRedHerringOperations(plan);
  // Operations move the clusters' updated_at.
  for (const Operation& op : plan.operations) {
    Cluster& cluster = plan.clusters[static_cast<size_t>(op.cluster_index)];
    const TimePoint done = op.finished_at.value_or(op.started_at);
    if (done > cluster.updated_at && op.started_at >= cluster.created_at) cluster.updated_at = done;
  }
  return plan;
}

}  // namespace rh::simulator::internal
