// Lark message ids of simulated alert episodes (internal::AlertMessages): unique per message.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/time_format.h"
#include "simulator/internal/catalog.h"

namespace rh::simulator::internal {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const TimePoint kEnd = MakeUtcTime(2026, 11, 21, 10, 0, 0);

FleetPlan OneClusterPlan() {
  FleetPlan plan;
  plan.seed = 42;
  plan.end_hour = kEnd;
  Cluster cluster;
  cluster.id = "c-y4tk9gf4";
  plan.clusters.push_back(cluster);
  return plan;
}

AlertEpisode Episode(const std::string& name, TimePoint starts_at,
                     std::optional<TimePoint> ends_at,
                     int repeat_hours = 0) {
  AlertEpisode episode;
  episode.alert_name = name;
  episode.severity = "warning";
  episode.starts_at = starts_at;
  episode.ends_at = ends_at;
  episode.repeat_hours = repeat_hours;
  return episode;
}

// The replay fleet of issue 14 (--scenarios tuning --incidents 300) had a flapping "BE CPU
// Alert" and a second episode of it starting in the same minute on one cluster: both Firing
// messages got one id and the insert failed with UNIQUE constraint failed:
// lark_alerts.message_id.
TEST(AlertMessagesTest, TwoEpisodesOfOneAlertStartingTogetherGetDistinctIds) {
  const FleetPlan plan = OneClusterPlan();
  const TimePoint start = kEnd - hours(6) + minutes(1);
  const std::vector<AlertEpisode> episodes = {
      Episode("BE CPU Alert", start, start + minutes(7)),
      Episode("BE CPU Alert", start, start + minutes(8)),
      Episode("BE CPU Alert", start, std::nullopt, 4),  // still firing, re-notified at +4h
      Episode("Memory Alert", start, start + minutes(8)),
  };
  const std::vector<AlertMessage> messages = AlertMessages(plan, episodes);
  ASSERT_EQ(messages.size(), 2u + 2u + 2u + 2u);
  std::set<std::string> ids;
  for (const AlertMessage& message : messages) {
    EXPECT_EQ(message.message_id.size(), 35u);
    EXPECT_EQ(message.message_id.rfind("om_", 0), 0u);
    EXPECT_TRUE(ids.insert(message.message_id).second) << "duplicate " << message.message_id;
  }
  // Same alert, same start, same status and repeat: only the occurrence tells them apart.
  EXPECT_EQ(messages[0].status, "Firing");
  EXPECT_EQ(messages[2].status, "Firing");
  EXPECT_EQ(messages[0].alert_time, messages[2].alert_time);
  EXPECT_NE(messages[0].message_id, messages[2].message_id);
  // The re-notification of the third episode is at start + 4h.
  EXPECT_EQ(messages[5].alert_time, start + hours(4));
}

TEST(AlertMessagesTest, IdsAreStableAndTheFirstOccurrenceKeepsItsId) {
  const FleetPlan plan = OneClusterPlan();
  const TimePoint start = kEnd - hours(3) + minutes(12);
  const std::vector<AlertEpisode> alone = {Episode("BE CPU Alert", start, start + minutes(5))};
  const std::vector<AlertEpisode> twice = {Episode("BE CPU Alert", start, start + minutes(5)),
                                           Episode("BE CPU Alert", start, start + minutes(9))};
  const auto first = AlertMessages(plan, alone);
  const auto again = AlertMessages(plan, alone);
  const auto both = AlertMessages(plan, twice);
  ASSERT_EQ(first.size(), 2u);
  ASSERT_EQ(both.size(), 4u);
  EXPECT_EQ(first[0].message_id, again[0].message_id);
  EXPECT_EQ(first[0].message_id, both[0].message_id);
  EXPECT_EQ(first[1].message_id, both[1].message_id);
  EXPECT_NE(both[0].message_id, both[2].message_id);
  EXPECT_NE(both[1].message_id, both[3].message_id);
  // Another seed, other ids.
  FleetPlan other = OneClusterPlan();
  other.seed = 43;
  EXPECT_NE(AlertMessages(other, alone)[0].message_id, first[0].message_id);
  // Nothing after the fleet's end: an episode starting later has no message at all.
  EXPECT_TRUE(AlertMessages(plan, {Episode("BE CPU Alert", kEnd + minutes(1), std::nullopt)})
                  .empty());
}

}  // namespace
}  // namespace rh::simulator::internal
