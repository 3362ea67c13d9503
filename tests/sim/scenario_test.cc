// Scenario parsing and validation: every error names the file and the field.
#include <gtest/gtest.h>

#include <string>

#include "linecrew/core/error.h"
#include "scenario.h"

namespace linecrew::sim {
namespace {

const char* kValid = R"({
  "name": "t", "start": "2026-11-22T14:00:00+08:00", "duration_minutes": 60, "zones_file": "zones.geojson",
  "crews": [{"id": "C-1", "lat": 30.25, "lon": 120.15, "shift_start": "2026-11-22T13:00:00+08:00",
             "shift_end": "2026-11-22T20:00:00+08:00", "skills": ["lv_cable"]}],
  "tickets": [{"id": "k-2", "report_time": "2026-11-22T14:30:00+08:00", "lat": 30.05, "lon": 120.3,
               "work_minutes": 30, "channel": "app", "answer": "refuse"},
              {"id": "k-1", "report_time": "2026-11-22T14:05:00+08:00", "lat": 30.25, "lon": 120.15,
               "priority": 5, "work_minutes": 20, "skills": ["hv_switching"]}],
  "traffic": [{"name": "jam", "lat": 30.25, "lon": 120.15, "radius_km": 5, "from": "2026-11-22T14:00:00+08:00",
               "to": "2026-11-22T15:00:00+08:00", "factor": 2.5}],
  "connectivity_gaps": [{"crew": "C-1", "from": "2026-11-22T14:10:00+08:00", "to": "2026-11-22T14:20:00+08:00"}]
})";

std::string error_of(const std::string& json) {
  try {
    parse_scenario(json, "storm.json", "/base");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    return e.what();
  }
  return "no error";
}

// kValid with `from` replaced by `to` (once).
std::string with(std::string from, std::string to) {
  std::string s = kValid;
  const auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

TEST(Scenario, ParsesAValidScenario) {
  const Scenario s = parse_scenario(kValid, "storm.json", "/base");
  EXPECT_EQ(s.name, "t");
  EXPECT_EQ(s.zones_file, "/base/zones.geojson");
  EXPECT_EQ(s.duration, minutes(60));
  EXPECT_EQ(s.step, seconds(60));  // default
  ASSERT_EQ(s.crews.size(), 1u);
  EXPECT_EQ(s.crews[0].id.str(), "C-1");
  ASSERT_EQ(s.tickets.size(), 2u);
  EXPECT_EQ(s.tickets[0].key, "k-1");  // sorted by report time
  EXPECT_EQ(s.tickets[0].priority, 5u);
  EXPECT_EQ(s.tickets[0].channel, Channel::kHotline);  // default
  EXPECT_EQ(s.tickets[0].answer, Answer::kConsent);    // default
  EXPECT_EQ(s.tickets[1].channel, Channel::kApp);
  EXPECT_EQ(s.tickets[1].answer, Answer::kRefuse);
  EXPECT_EQ(s.tickets[1].work, minutes(30));
  ASSERT_EQ(s.gaps.size(), 1u);
  EXPECT_EQ(s.gaps[0].crew.str(), "C-1");
}

TEST(Scenario, SlowdownIsTheStrongestEventCoveringThePointAndTime) {
  const Scenario s = parse_scenario(kValid, "storm.json", "/base");
  const TimePoint in = parse_utc("2026-11-22T14:30:00+08:00");
  EXPECT_DOUBLE_EQ(s.slowdown_at(GeoPoint(30.25, 120.15), in), 2.5);
  EXPECT_DOUBLE_EQ(s.slowdown_at(GeoPoint(30.25, 120.15), parse_utc("2026-11-22T15:00:00+08:00")), 1.0);  // [from, to)
  EXPECT_DOUBLE_EQ(s.slowdown_at(GeoPoint(30.05, 120.30), in), 1.0);  // outside the circle
}

TEST(Scenario, RoundTripsThroughJson) {
  const Scenario s = parse_scenario(kValid, "storm.json", "/base");
  const Scenario again = parse_scenario(to_json(s), "again.json", "/other");
  EXPECT_EQ(to_json(again), to_json(s));
}

TEST(Scenario, ErrorsNameTheFileAndTheField) {
  EXPECT_NE(error_of("{").find("storm.json: not valid JSON"), std::string::npos);
  EXPECT_EQ(error_of(with(R"("start": "2026-11-22T14:00:00+08:00", )", "")), "storm.json: start: is required");
  EXPECT_EQ(error_of(with(R"("name": "t")", R"("name": "t", "colour": 1)")), "storm.json: colour: unknown key");
  EXPECT_EQ(error_of(with(R"("channel": "app")", R"("channel": "fax")")),
            "storm.json: tickets[0].channel: 'fax': hotline, service_counter, app or web");
  EXPECT_EQ(error_of(with(R"("answer": "refuse")", R"("answer": "maybe")")),
            "storm.json: tickets[0].answer: 'maybe': consent, refuse or unreachable");
  EXPECT_NE(error_of(with("2026-11-22T14:30:00+08:00", "2026-11-22T16:30:00+08:00"))
                .find("storm.json: tickets[0].report_time: 2026-11-22T08:30:00Z is outside the scenario"),
            std::string::npos);
  EXPECT_NE(error_of(with(R"("lat": 30.05)", R"("lat": 91)")).find("storm.json: tickets[0].lat: 91"),
            std::string::npos);
  EXPECT_EQ(error_of(with(R"("work_minutes": 30)", R"("work_minutes": 0)")),
            "storm.json: tickets[0].work_minutes: 0 is outside [1, 1440]");
  EXPECT_EQ(error_of(with(R"("id": "k-1")", R"("id": "k-2")")), "storm.json: tickets[1].id: 'k-2' is used twice");
  EXPECT_EQ(error_of(with(R"("crew": "C-1")", R"("crew": "C-9")")),
            "storm.json: connectivity_gaps[0].crew: no crew 'C-9' in crews");
  EXPECT_NE(error_of(with(R"("factor": 2.5)", R"("factor": 0.5)")).find("storm.json: traffic[0].factor: "),
            std::string::npos);
  EXPECT_EQ(
      error_of(with(R"("shift_end": "2026-11-22T20:00:00+08:00")", R"("shift_end": "2026-11-22T12:00:00+08:00")")),
      "storm.json: crews[0].shift_end: must be after shift_start");
  EXPECT_NE(error_of(with(R"("report_time": "2026-11-22T14:05:00+08:00")", R"("report_time": "yesterday")"))
                .find("storm.json: tickets[1].report_time: 'yesterday' is not an ISO 8601 time"),
            std::string::npos);
  EXPECT_EQ(error_of(with(R"("duration_minutes": 60)", R"("duration_minutes": "60")")),
            "storm.json: duration_minutes: must be an integer");
}

TEST(Scenario, FaultIsOptionalAndGroupsTheCallersOfOneFault) {
  // Older files have no "fault": each call is a fault of its own.
  const Scenario old = parse_scenario(kValid, "storm.json", "/base");
  EXPECT_FALSE(old.tickets[0].fault.has_value());
  EXPECT_TRUE(multi_caller_faults(old).empty());
  EXPECT_EQ(to_json(old).find("\"fault\""), std::string::npos);

  // k-2 and k-1 call about fault 4 (the generator's ground truth).
  std::string two = with(R"("answer": "refuse")", R"("answer": "refuse", "fault": 4)");
  two.insert(two.find(R"("priority": 5,)"), R"("fault": 4, )");
  const Scenario s = parse_scenario(two, "storm.json", "/base");
  EXPECT_EQ(s.tickets[0].fault, 4u);
  const auto groups = multi_caller_faults(s);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0], (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(to_json(parse_scenario(to_json(s), "again.json", "/")), to_json(s));

  EXPECT_EQ(error_of(with(R"("answer": "refuse")", R"("answer": "refuse", "fault": -1)")),
            "storm.json: tickets[0].fault: -1 is outside [0, 4294967295]");
}

TEST(Scenario, NeedsACrew) {
  const std::string s = R"({"start": "2026-11-22T14:00:00+08:00", "duration_minutes": 60, "zones_file": "z"})";
  EXPECT_EQ(error_of(s), "storm.json: crews: at least one crew is required");
}

}  // namespace
}  // namespace linecrew::sim
