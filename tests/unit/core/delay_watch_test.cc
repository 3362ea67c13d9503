#include "linecrew/core/delay_watch.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "linecrew/core/clock.h"
#include "linecrew/core/compliance.h"
#include "linecrew/core/policy.h"
#include "test_support.h"

namespace linecrew {
namespace {

using testing::at;
using testing::expect_error;

// The map: a grid of cells 0.01° on a side near (30 N, 120 E). A crew drives in
// straight lines at one cell per minute in free flow.
constexpr double kCellDeg = 0.01;
GeoPoint cell(double x, double y) {
  return GeoPoint(30.0 + y * kCellDeg, 120.0 + x * kCellDeg);
}

class GridTravel final : public TravelModel {
 public:
  Duration duration(const GeoPoint& from, const GeoPoint& to) const override {
    const double cells = std::hypot(to.lat() - from.lat(), to.lon() - from.lon()) / kCellDeg;
    return Duration(std::lround(cells * 60.0));
  }
};

RouteStop ahead(const std::string& id, GeoPoint where, TimePoint deadline, Duration service = minutes(30)) {
  return RouteStop{TicketId(id), where,    TicketStatus::kEnRoute, service,
                   deadline,     deadline, std::nullopt,           std::nullopt};
}

RouteStop working(const std::string& id, GeoPoint where, TimePoint arrived, Duration service) {
  RouteStop s = ahead(id, where, arrived, service);
  s.status = TicketStatus::kOnSite;
  s.arrived_at = arrived;
  return s;
}

const DelayDecision* decision_for(const std::vector<DelayDecision>& decisions, const std::string& id) {
  for (const DelayDecision& d : decisions)
    if (d.id.str() == id) return &d;
  return nullptr;
}

// One crew's afternoon, minute by minute on a ManualClock. Each minute the
// handheld evaluates the watcher from its GPS fix (showing every PromptNow card
// once and persisting it), then the crew lives through the minute: it works its
// plan in order, finishing the job on site, then driving straight to the next
// stop at one cell per minute divided by the traffic factor.
class Afternoon {
 public:
  Afternoon(TimePoint start, GeoPoint crew, std::vector<RouteStop> stops, double slowdown = 1.0)
      : clock_(start), lat_(crew.lat()), lon_(crew.lon()), stops_(std::move(stops)), slowdown_(slowdown) {
    contacts_.resize(stops_.size());
  }

  // Runs the minutes [now, until): one evaluation at each whole minute.
  void run_until(TimePoint until) {
    while (clock_.now() < until) tick();
  }

  // The crew calls the customer of stop `i` now.
  void call(std::size_t i, DelayReason reason, TimePoint proposed, Consent consent) {
    const ContactRecord c{clock_.now(), reason, proposed, consent};
    mark_attempt(log_, stops_[i].id, stops_[i].effective_deadline, c);
    contacts_[i].push_back(c);
    stops_[i].effective_deadline = effective_deadline(stops_[i].deadline, contacts_[i]);
  }

  std::vector<DelayDecision> evaluate() const {
    return watcher_.evaluate(clock_.now(), position(), cell(0, 0), stops_, travel_, log_, slowdown_);
  }

  struct Shown {
    TimePoint at;
    DelayDecision decision;
  };
  struct Seen {
    TimePoint at;
    std::vector<DelayDecision> decisions;
  };

  void set_slowdown(double s) { slowdown_ = s; }
  TimePoint now() const { return clock_.now(); }
  GeoPoint position() const { return GeoPoint(lat_, lon_); }
  const RouteStop& stop(std::size_t i) const { return stops_[i]; }
  const std::vector<ContactRecord>& contacts(std::size_t i) const { return contacts_[i]; }
  const std::vector<Shown>& prompts() const { return prompts_; }
  const std::vector<Seen>& history() const { return history_; }
  const DelayPromptLog& log() const { return log_; }
  const DelayWatcher& watcher() const { return watcher_; }

 private:
  void tick() {
    const std::vector<DelayDecision> decisions = evaluate();
    for (const DelayDecision& d : decisions) {
      if (d.state != DelayState::kPromptNow) continue;
      prompts_.push_back({clock_.now(), d});
      mark_prompted(log_, d, clock_.now());
    }
    history_.push_back({clock_.now(), decisions});
    live(minutes(1));
  }

  void live(Duration span) {
    TimePoint t = clock_.now();
    const TimePoint end = t + span;
    while (t < end) {
      RouteStop* next = nullptr;
      for (RouteStop& s : stops_)
        if (s.status == TicketStatus::kOnSite || s.status == TicketStatus::kEnRoute) {
          next = &s;
          break;
        }
      if (next == nullptr) break;
      if (next->status == TicketStatus::kOnSite) {
        const TimePoint done = *next->arrived_at + next->service;
        if (done > t) t = std::min(done, end);
        if (done <= t) next->status = TicketStatus::kRestored;
        continue;
      }
      const double dlat = next->location.lat() - lat_, dlon = next->location.lon() - lon_;
      const double cells = std::hypot(dlat, dlon) / kCellDeg;
      const double needed_s = cells * 60.0 * slowdown_;
      const double left_s = static_cast<double>((end - t).count());
      if (needed_s <= left_s + 1e-6) {
        t += Duration(std::lround(needed_s));
        lat_ = next->location.lat();
        lon_ = next->location.lon();
        next->status = TicketStatus::kOnSite;
        next->arrived_at = t;
      } else {
        const double f = left_s / needed_s;
        lat_ += dlat * f;
        lon_ += dlon * f;
        t = end;
      }
    }
    clock_.advance(span);
  }

  GridTravel travel_;
  DelayWatcher watcher_{ServicePolicy{}.delay_call_lead};
  ManualClock clock_;
  double lat_, lon_;
  std::vector<RouteStop> stops_;
  std::vector<std::vector<ContactRecord>> contacts_;
  DelayPromptLog log_;
  double slowdown_;
  std::vector<Shown> prompts_;
  std::vector<Seen> history_;
};

// The worked case of rules §2. Ticket "B" is reported at 14:05 from an urban
// address, 24 cells east of job "A", where the crew has been on site since 13:50
// with 40 min of work (done 14:30). Traffic runs at 1.25x: the drive A->B takes
// 24 x 1.25 = 30 min, so the crew reaches B at 15:00, 10 min after the 14:50
// deadline. Driving straight there from A (where the crew is) takes 30 min, so
// the breach becomes unavoidable at 14:20 and the call is due by 14:10.
class DelayWatchWorkedCase : public ::testing::Test {
 protected:
  const ServicePolicy policy{};
  const TimePoint reported = at("14:05");
  const TimePoint deadline = policy.deadline(reported, ZoneClass::kUrban);
  const Duration drive = minutes(30);  // 24 cells at 1.25 min per cell
  const TimePoint unavoidable = deadline - drive;
  const TimePoint prompt_due = unavoidable - policy.delay_call_lead;

  Afternoon afternoon() const {
    return Afternoon(reported, cell(0, 0),
                     {working("A", cell(0, 0), at("13:50"), minutes(40)), ahead("B", cell(24, 0), deadline)}, 1.25);
  }
};

TEST_F(DelayWatchWorkedCase, FiguresOfTheRules) {
  EXPECT_EQ(deadline, at("14:50"));
  EXPECT_EQ(prompt_due, at("14:10"));
}

TEST_F(DelayWatchWorkedCase, BreachIsPredictedAtReportTimeButThePromptWaitsForTheLeadTime) {
  const Afternoon a = afternoon();
  const auto decisions = a.evaluate();
  ASSERT_EQ(decisions.size(), 1u);  // A is on site: not watched
  const DelayDecision& b = decisions[0];
  EXPECT_EQ(b.id.str(), "B");
  EXPECT_EQ(b.state, DelayState::kBreachPredicted);
  EXPECT_EQ(b.predicted_arrival, at("15:00"));
  EXPECT_EQ(b.late_by, minutes(10));
  EXPECT_EQ(b.late_minutes, 10);            // the script's [N]
  EXPECT_EQ(b.proposed_time, at("15:00"));  // the script's [HH:MM]
  EXPECT_EQ(format_hhmm(b.proposed_time, policy.utc_offset), "15:00");
  EXPECT_EQ(b.unavoidable_at, unavoidable);
  EXPECT_EQ(b.prompt_at, prompt_due);
  EXPECT_FALSE(b.prompted_at.has_value());
}

TEST_F(DelayWatchWorkedCase, ConsentedCallAt1440For1500PromptsOnceAndEndsCompliant) {
  Afternoon a = afternoon();
  a.run_until(at("14:40"));
  a.call(1, DelayReason::kTraffic, at("15:00"), Consent::kYes);
  a.run_until(at("15:30"));

  ASSERT_EQ(a.prompts().size(), 1u);
  const auto& shown = a.prompts()[0];
  EXPECT_LT(shown.at, deadline);
  EXPECT_LE(shown.at, prompt_due);
  EXPECT_EQ(shown.decision.effective_deadline, deadline);
  EXPECT_EQ(shown.decision.proposed_time, at("15:00"));

  // Between the prompt and the call the card stays up as Prompted; after the
  // call the agreed 15:00 is met, so the crew is on track.
  for (const auto& seen : a.history()) {
    const DelayDecision* b = decision_for(seen.decisions, "B");
    if (b == nullptr) continue;
    if (seen.at > shown.at && seen.at < at("14:40")) {
      EXPECT_EQ(b->state, DelayState::kPrompted) << format_utc(seen.at);
    }
    if (seen.at >= at("14:40")) {
      EXPECT_EQ(b->state, DelayState::kOnTrack) << format_utc(seen.at);
      EXPECT_EQ(b->effective_deadline, at("15:00"));
    }
  }
  // The crew did reach B at 15:00, and the compliance verdict agrees.
  ASSERT_TRUE(a.stop(1).arrived_at.has_value());
  EXPECT_EQ(*a.stop(1).arrived_at, at("15:00"));
  EXPECT_EQ(evaluate_compliance(deadline, a.stop(1).arrived_at, a.contacts(1), a.now()).compliance,
            Compliance::kLateExcused);
}

TEST_F(DelayWatchWorkedCase, MissingTheAgreedTimePromptsExactlyOnceMore) {
  Afternoon a = afternoon();
  a.run_until(at("14:40"));
  a.call(1, DelayReason::kTraffic, at("15:00"), Consent::kYes);
  a.run_until(at("14:45"));
  // Worse traffic: 12 cells are left, at 1.5 min per cell: arrival 15:03.
  a.set_slowdown(1.5);
  a.run_until(at("15:30"));

  ASSERT_EQ(a.prompts().size(), 2u);
  const auto& second = a.prompts()[1];
  EXPECT_EQ(second.at, at("14:45"));  // the breach of 15:00 is already unavoidable
  EXPECT_EQ(second.decision.effective_deadline, at("15:00"));
  EXPECT_EQ(second.decision.predicted_arrival, at("15:03"));
  EXPECT_EQ(second.decision.late_minutes, 3);
  EXPECT_EQ(second.decision.proposed_time, at("15:05"));
  ASSERT_TRUE(a.stop(1).arrived_at.has_value());
  EXPECT_EQ(*a.stop(1).arrived_at, at("15:03"));
}

TEST_F(DelayWatchWorkedCase, NoCallMeansTooLateOnceTheDeadlinePasses) {
  Afternoon a = afternoon();
  a.run_until(at("15:30"));
  ASSERT_EQ(a.prompts().size(), 1u);
  for (const auto& seen : a.history()) {
    const DelayDecision* b = decision_for(seen.decisions, "B");
    if (b == nullptr) continue;
    if (seen.at > deadline) {
      EXPECT_EQ(b->state, DelayState::kTooLate) << format_utc(seen.at);
      ASSERT_TRUE(b->prompted_at.has_value());
      EXPECT_EQ(*b->prompted_at, a.prompts()[0].at);
    } else if (seen.at > a.prompts()[0].at) {
      EXPECT_EQ(b->state, DelayState::kPrompted) << format_utc(seen.at);
    }
  }
  EXPECT_EQ(evaluate_compliance(deadline, a.stop(1).arrived_at, {}, a.now()).compliance, Compliance::kViolation);
}

TEST_F(DelayWatchWorkedCase, DeviceThatWasOffUntilAfterTheDeadlineReportsTooLateNeverAPrompt) {
  Afternoon a(at("14:51"), cell(0, 0), {ahead("B", cell(9, 0), deadline)});
  a.run_until(at("15:10"));
  EXPECT_TRUE(a.prompts().empty());
  const auto first = decision_for(a.history().front().decisions, "B");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->state, DelayState::kTooLate);
  EXPECT_FALSE(first->prompted_at.has_value());
  EXPECT_FALSE(first->escalate);
}

TEST_F(DelayWatchWorkedCase, AtTheDeadlineItselfTheCallStillCounts) {
  Afternoon a(deadline, cell(0, 0), {ahead("B", cell(9, 0), deadline)});
  const auto decisions = a.evaluate();
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0].state, DelayState::kPromptNow);
  // ...because a consented call made at the deadline moves it (rules §2.2).
  const ContactRecord c{deadline, DelayReason::kTraffic, decisions[0].proposed_time, Consent::kYes};
  EXPECT_EQ(effective_deadline(deadline, {c}), decisions[0].proposed_time);
}

TEST_F(DelayWatchWorkedCase, ARestartedDeviceWithItsPersistedLogDoesNotPromptAgain) {
  Afternoon a = afternoon();
  a.run_until(at("14:15"));
  ASSERT_EQ(a.prompts().size(), 1u);
  // A fresh watcher (the device rebooted) given the persisted log.
  const DelayPromptLog persisted = a.log();
  const DelayWatcher rebooted(policy.delay_call_lead);
  const GridTravel travel;
  std::vector<RouteStop> stops = {working("A", cell(0, 0), at("13:50"), minutes(40)),
                                  ahead("B", cell(24, 0), deadline)};
  const auto with_log = rebooted.evaluate(a.now(), cell(0, 0), cell(0, 0), stops, travel, persisted, 1.25);
  ASSERT_EQ(with_log.size(), 1u);
  EXPECT_EQ(with_log[0].state, DelayState::kPrompted);
  EXPECT_EQ(with_log[0].prompted_at, a.prompts()[0].at);
  // Without the log it would have prompted: the log is what prevents it.
  const auto without = rebooted.evaluate(a.now(), cell(0, 0), cell(0, 0), stops, travel, {}, 1.25);
  EXPECT_EQ(without[0].state, DelayState::kPromptNow);
}

TEST_F(DelayWatchWorkedCase, RefusedOrUnreachableEscalatesAndTheCardStaysOpenUntilConsent) {
  for (const Consent refusal : {Consent::kRefused, Consent::kUnreachable}) {
    SCOPED_TRACE(std::string(to_string(refusal)));
    Afternoon a = afternoon();
    a.run_until(at("14:20"));
    a.call(1, DelayReason::kTraffic, at("15:00"), refusal);
    a.run_until(at("14:25"));
    a.call(1, DelayReason::kTraffic, at("15:00"), refusal);  // the redial fails too
    a.run_until(at("14:30"));
    a.call(1, DelayReason::kTraffic, at("15:00"), Consent::kYes);  // third try: consent
    a.run_until(at("15:30"));

    ASSERT_EQ(a.prompts().size(), 1u);
    EXPECT_EQ(a.contacts(1).size(), 3u);  // every attempt is logged
    for (const auto& seen : a.history()) {
      const DelayDecision* b = decision_for(seen.decisions, "B");
      if (b == nullptr) continue;
      if (seen.at >= at("14:20") && seen.at < at("14:30")) {
        EXPECT_EQ(b->state, DelayState::kEscalate) << format_utc(seen.at);
        EXPECT_TRUE(b->escalate);
        EXPECT_EQ(b->effective_deadline, deadline);
      } else if (seen.at >= at("14:30")) {
        EXPECT_EQ(b->state, DelayState::kOnTrack) << format_utc(seen.at);
        EXPECT_FALSE(b->escalate);  // the breach it was about is resolved
      }
    }
  }
}

TEST_F(DelayWatchWorkedCase, ARefusalThatIsNeverResolvedStaysFlaggedPastTheDeadline) {
  Afternoon a = afternoon();
  a.run_until(at("14:20"));
  a.call(1, DelayReason::kTraffic, at("15:00"), Consent::kRefused);
  a.run_until(at("14:55"));
  const DelayDecision* b = decision_for(a.history().back().decisions, "B");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->state, DelayState::kTooLate);
  EXPECT_TRUE(b->escalate);
}

TEST_F(DelayWatchWorkedCase, ACrewThatCallsBeforeBeingPromptedIsNotPromptedForThatDeadline) {
  Afternoon a = afternoon();
  a.run_until(at("14:07"));
  a.call(1, DelayReason::kPreviousJobOverran, at("15:00"), Consent::kUnreachable);
  a.run_until(at("14:20"));
  EXPECT_TRUE(a.prompts().empty());
  const DelayDecision* b = decision_for(a.history().back().decisions, "B");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->state, DelayState::kEscalate);
  EXPECT_EQ(b->prompted_at, at("14:07"));
}

TEST(DelayWatch, AnOnTrackCrewIsNeverPromptedEvenArrivingExactlyAtTheDeadline) {
  // 20 cells from A, free flow: 14:30 + 20 min = 14:50, "not exceeding".
  Afternoon a(at("14:05"), cell(0, 0),
              {working("A", cell(0, 0), at("13:50"), minutes(40)), ahead("B", cell(0, 20), at("14:50"))});
  a.run_until(at("15:30"));
  EXPECT_TRUE(a.prompts().empty());
  std::size_t watched = 0;
  for (const auto& seen : a.history())
    if (const DelayDecision* b = decision_for(seen.decisions, "B")) {
      ++watched;
      EXPECT_EQ(b->state, DelayState::kOnTrack) << format_utc(seen.at);
      EXPECT_EQ(b->late_minutes, 0);
    }
  EXPECT_EQ(watched, 45u);  // 14:05 .. 14:49; arrived at 14:50
  EXPECT_EQ(a.stop(1).arrived_at, at("14:50"));
}

TEST(DelayWatch, OneSecondLateIsABreachOfOneMinuteAndProposesTheNextFiveMinuteMark) {
  const GridTravel travel;
  const DelayWatcher watcher;
  const std::vector<RouteStop> stops = {working("A", cell(0, 0), at("13:50"), minutes(40) + seconds(1)),
                                        ahead("B", cell(0, 20), at("14:50"))};
  const auto d = watcher.evaluate(at("14:05"), std::nullopt, cell(5, 5), stops, travel, {});
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].predicted_arrival, at("14:50") + seconds(1));
  EXPECT_EQ(d[0].late_by, seconds(1));
  EXPECT_EQ(d[0].late_minutes, 1);
  EXPECT_EQ(d[0].proposed_time, at("14:55"));
  // Without a fix the crew is taken to be at the job in progress, not at the
  // fallback: driving straight from A takes 20 min.
  EXPECT_EQ(d[0].unavoidable_at, at("14:30"));
  EXPECT_EQ(d[0].state, DelayState::kBreachPredicted);
}

TEST(DelayWatch, ACrewDrivingStraightToALateStopIsPromptedAtOnce) {
  // 50 cells at free flow from 14:05: arrival 14:55, already unavoidable.
  Afternoon a(at("14:05"), cell(0, 0), {ahead("B", cell(30, 40), at("14:50"))});
  a.run_until(at("14:30"));
  ASSERT_EQ(a.prompts().size(), 1u);
  EXPECT_EQ(a.prompts()[0].at, at("14:05"));
  EXPECT_EQ(a.prompts()[0].decision.unavoidable_at, at("14:00"));
  EXPECT_EQ(a.prompts()[0].decision.proposed_time, at("14:55"));
}

TEST(DelayWatch, TheLeadTimeComesFromThePolicy) {
  const GridTravel travel;
  const std::vector<RouteStop> stops = {working("A", cell(0, 0), at("13:50"), minutes(40)),
                                        ahead("B", cell(24, 0), at("14:50"))};
  // Free flow: 14:30 + 24 = 14:54, late; unavoidable at 14:50 - 24 = 14:26.
  for (const int lead : {5, 10, 15}) {
    const DelayWatcher watcher{minutes(lead)};
    const TimePoint due = at("14:26") - minutes(lead);
    EXPECT_EQ(watcher.evaluate(due - seconds(1), cell(0, 0), cell(0, 0), stops, travel, {})[0].state,
              DelayState::kBreachPredicted)
        << lead;
    EXPECT_EQ(watcher.evaluate(due, cell(0, 0), cell(0, 0), stops, travel, {})[0].state, DelayState::kPromptNow)
        << lead;
  }
}

TEST(PredictRoute, AJobInProgressPushesTheLaterStops) {
  const GridTravel travel;
  const std::vector<RouteStop> stops = {
      working("A", cell(0, 0), at("14:00"), minutes(45)),  // busy until 14:45
      ahead("B", cell(10, 0), at("15:30"), minutes(20)),   // 10 min away
      ahead("C", cell(10, 5), at("16:00"), minutes(30)),   // 5 min further
  };
  const auto r = predict_route(at("14:10"), cell(0, 0), cell(50, 50), stops, travel);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].phase, StopPhase::kOnSite);
  EXPECT_EQ(r[0].arrival, at("14:00"));
  EXPECT_EQ(r[0].departure, at("14:45"));
  EXPECT_EQ(r[1].arrival, at("14:55"));
  EXPECT_EQ(r[1].departure, at("15:15"));
  EXPECT_EQ(r[2].arrival, at("15:20"));
  EXPECT_EQ(r[2].departure, at("15:50"));

  // The same job overrunning its estimate keeps the crew until now.
  std::vector<RouteStop> overran = stops;
  overran[0].arrived_at = at("13:00");
  const auto o = predict_route(at("14:10"), cell(0, 0), cell(50, 50), overran, travel);
  EXPECT_EQ(o[0].departure, at("14:10"));
  EXPECT_EQ(o[1].arrival, at("14:20"));

  // And traffic stretches every leg.
  const auto slow = predict_route(at("14:10"), cell(0, 0), cell(50, 50), stops, travel, 2.0);
  EXPECT_EQ(slow[1].arrival, at("15:05"));
  EXPECT_EQ(slow[2].arrival, at("15:35"));
}

TEST(PredictRoute, DoneStopsAreSkippedAndTheFirstLegStartsFromTheFixOrTheFallback) {
  const GridTravel travel;
  for (const TicketStatus done :
       {TicketStatus::kRestored, TicketStatus::kClosed, TicketStatus::kCancelled, TicketStatus::kReturnVisitOwed}) {
    SCOPED_TRACE(std::string(to_string(done)));
    std::vector<RouteStop> stops = {ahead("D", cell(0, 60), at("15:00")),
                                    ahead("F", cell(0, 40), at("16:00"), minutes(10))};
    stops[0].status = done;
    stops[1].earliest_start = at("15:00");

    const auto from_fix = predict_route(at("14:00"), cell(0, 10), cell(0, 0), stops, travel);
    ASSERT_EQ(from_fix.size(), 1u);
    EXPECT_EQ(from_fix[0].id.str(), "F");
    EXPECT_EQ(from_fix[0].stop_index, 1u);
    EXPECT_EQ(from_fix[0].arrival, at("14:30"));    // 30 cells from the fix, not via D
    EXPECT_EQ(from_fix[0].departure, at("15:10"));  // waits for its earliest start

    const auto from_fallback = predict_route(at("14:00"), std::nullopt, cell(0, 0), stops, travel);
    ASSERT_EQ(from_fallback.size(), 1u);
    EXPECT_EQ(from_fallback[0].arrival, at("14:40"));
  }
}

TEST(DelayWatch, BadInputsNameTheField) {
  const GridTravel travel;
  const std::vector<RouteStop> ok = {ahead("B", cell(1, 0), at("14:50"))};
  expect_error([] { DelayWatcher w(Duration{0}); }, ErrorCode::kInvalidArgument, "lead");
  expect_error([] { DelayWatcher w(minutes(-5)); }, ErrorCode::kInvalidArgument, "lead");
  const DelayWatcher w;
  for (const double bad :
       {0.0, 0.99, -1.0, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    SCOPED_TRACE(bad);
    expect_error([&] { w.evaluate(at("14:00"), std::nullopt, cell(0, 0), ok, travel, {}, bad); },
                 ErrorCode::kInvalidArgument, "slowdown");
    expect_error([&] { predict_route(at("14:00"), std::nullopt, cell(0, 0), ok, travel, bad); },
                 ErrorCode::kInvalidArgument, "slowdown");
  }

  std::vector<RouteStop> stops = {ahead("A", cell(1, 0), at("14:50")), ahead("B", cell(2, 0), at("14:50"))};
  stops[1].service = seconds(-1);
  expect_error([&] { w.evaluate(at("14:00"), std::nullopt, cell(0, 0), stops, travel, {}); },
               ErrorCode::kInvalidArgument, "stops[1].service");

  stops[1].service = minutes(10);
  stops[1].status = TicketStatus::kOnSite;  // without arrived_at
  expect_error([&] { predict_route(at("14:00"), std::nullopt, cell(0, 0), stops, travel); },
               ErrorCode::kInvalidArgument, "stops[1].arrived_at");

  stops[1].status = TicketStatus::kEnRoute;
  stops[0].arrived_at = at("13:00");  // arrived, yet still en route
  expect_error([&] { predict_route(at("14:00"), std::nullopt, cell(0, 0), stops, travel); },
               ErrorCode::kInvalidArgument, "stops[0].arrived_at");

  stops[0].arrived_at.reset();
  stops[1].id = stops[0].id;
  expect_error([&] { predict_route(at("14:00"), std::nullopt, cell(0, 0), stops, travel); },
               ErrorCode::kInvalidArgument, "stops[1].id");
  stops[1].id = TicketId();
  expect_error([&] { predict_route(at("14:00"), std::nullopt, cell(0, 0), stops, travel); },
               ErrorCode::kInvalidArgument, "stops[1].id");

  // A decision that is not PromptNow cannot be marked as shown.
  const auto d = w.evaluate(at("14:00"), std::nullopt, cell(0, 0), ok, travel, {});
  ASSERT_EQ(d[0].state, DelayState::kOnTrack);
  DelayPromptLog log;
  expect_error([&] { mark_prompted(log, d[0], at("14:00")); }, ErrorCode::kFailedPrecondition, "state");
  EXPECT_TRUE(log.empty());
}

TEST(DelayWatch, RoundUpToFiveMinutes) {
  EXPECT_EQ(round_up(at("15:00"), minutes(5)), at("15:00"));
  EXPECT_EQ(round_up(at("15:00") + seconds(1), minutes(5)), at("15:05"));
  EXPECT_EQ(round_up(at("15:04") + seconds(59), minutes(5)), at("15:05"));
  EXPECT_EQ(round_up(TimePoint(seconds(-1)), minutes(5)), TimePoint(seconds(0)));
  expect_error([] { round_up(at("15:00"), Duration{0}); }, ErrorCode::kInvalidArgument, "step");
}

}  // namespace
}  // namespace linecrew
