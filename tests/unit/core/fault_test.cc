#include <gtest/gtest.h>

#include <utility>

#include "linecrew/core/crew_action.h"
#include "linecrew/core/fault.h"
#include "linecrew/core/geo.h"
#include "test_support.h"

namespace linecrew {
namespace {

using testing::at;
using testing::expect_error;

// An urban fault repair reported at `hhmm` at `where`, waiting at the desk.
Ticket report(const std::string& id, const std::string& hhmm, GeoPoint where = GeoPoint(31.2300, 121.4700)) {
  Ticket t;
  t.id = TicketId(id);
  t.kind = TicketKind::kFaultRepair;
  t.location = where;
  t.first_contact = at(hhmm);
  t.deadline = at(hhmm) + minutes(45);
  t.created = at(hhmm);
  t.status = TicketStatus::kReported;
  t.timeline.push_back({at(hhmm), "reported", "system", "hotline"});
  return t;
}

// `metres` north of `p` (a degree of latitude is ~111,195 m on the mean sphere).
GeoPoint north(GeoPoint p, double metres) {
  return {p.lat() + metres / 111195.0, p.lon()};
}

// A lead reported at 10:00 and a caller linked at 10:10, both with crew C-1.
std::pair<Ticket, Ticket> assigned_pair() {
  Ticket lead = report("T-000001", "10:00");
  Ticket m = report("T-000002", "10:10");
  link_to_fault(m, lead, std::string(kIntakeLinker), at("10:10"), 0.9);
  lead.owner = CrewId("C-1");
  lead.status = TicketStatus::kAssigned;
  follow_fault(m, lead, at("10:11"));
  return {lead, m};
}

TEST(Fault, ConfidenceFallsWithDistanceAndTimeAndIsZeroBeyondEither) {
  const FaultLinkPolicy policy;  // 300 m, 2 h
  const Ticket lead = report("T-000001", "10:00");
  EXPECT_DOUBLE_EQ(fault_link_confidence(lead, report("T-000002", "10:00"), policy), 1.0);
  const Ticket half = report("T-000003", "11:00", north(lead.location, 150));
  EXPECT_NEAR(fault_link_confidence(lead, half, policy), 0.5, 0.01);  // half the distance, half the window
  EXPECT_EQ(fault_link_confidence(lead, report("T-000004", "10:05", north(lead.location, 301)), policy), 0.0);
  EXPECT_EQ(fault_link_confidence(lead, report("T-000005", "12:01"), policy), 0.0);
  // Symmetric in time: a report entered late from a paper log still matches.
  EXPECT_NEAR(fault_link_confidence(report("T-000006", "10:30"), lead, policy),
              fault_link_confidence(lead, report("T-000006", "10:30"), policy), 1e-12);
}

TEST(Fault, TheMostConfidentOpenUnreachedFaultRepairLeadsAboveTheAutoConfidence) {
  FaultLinkPolicy policy;
  policy.automatic = true;  // auto at 0.7
  const Ticket near = report("T-000002", "10:00", north(GeoPoint(31.2300, 121.4700), 20));
  const Ticket nearer = report("T-000001", "10:00", north(GeoPoint(31.2300, 121.4700), 5));
  Ticket reached = report("T-000003", "10:00");
  reached.status = TicketStatus::kOnSite;  // its crew has been: a new call is a new question
  Ticket member = report("T-000004", "10:00");
  member.fault = TicketId("T-000009");  // already a caller of another fault: never a lead
  const Ticket r = report("T-000010", "10:10");
  const auto m = best_fault_match(r, {near, nearer, reached, member}, policy);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->lead, TicketId("T-000001"));
  EXPECT_TRUE(m->automatic);
  // Below the auto confidence, only a suggestion for the desk.
  const Ticket far = report("T-000011", "11:10", north(GeoPoint(31.2300, 121.4700), 200));
  const auto weak = best_fault_match(far, {nearer}, policy);
  ASSERT_TRUE(weak);
  EXPECT_FALSE(weak->automatic);
  Ticket suggested = far;
  suggest_fault(suggested, *weak, at("11:10"));
  EXPECT_EQ(suggested.timeline.back().kind, "fault_suggested");
  EXPECT_TRUE(suggested.fault.empty());
  // Automatic links off: intake only suggests, however sure.
  policy.automatic = false;
  EXPECT_FALSE(best_fault_match(r, {nearer}, policy)->automatic);
  // A scheduled visit is never a fault's caller.
  Ticket visit = r;
  visit.kind = TicketKind::kScheduledVisit;
  EXPECT_FALSE(best_fault_match(visit, {nearer}, policy));
}

TEST(Fault, LinkingRefusesWhatCannotBeTheSameFaultAndNamesTheField) {
  const Ticket lead = report("T-000001", "10:00");
  Ticket self = lead;
  expect_error([&] { link_to_fault(self, lead, "desk", at("10:05"), std::nullopt); }, ErrorCode::kFailedPrecondition,
               "itself");
  Ticket done_lead = lead;
  done_lead.status = TicketStatus::kRestored;
  Ticket m = report("T-000002", "10:01");
  expect_error([&] { link_to_fault(m, done_lead, "desk", at("10:05"), std::nullopt); }, ErrorCode::kFailedPrecondition,
               "restored");
  EXPECT_TRUE(m.fault.empty());
  try {
    link_to_fault(m, done_lead, "desk", at("10:05"), std::nullopt);
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "fault_ticket_id");
  }
  link_to_fault(m, lead, std::string(kIntakeLinker), at("10:01"), 0.93);
  EXPECT_EQ(m.fault, lead.id);
  EXPECT_EQ(m.timeline.back().kind, "fault_linked");
  EXPECT_NE(m.timeline.back().detail.find("93%"), std::string::npos);
  EXPECT_TRUE(linked_at_intake(m));
  Ticket by_desk = report("T-000003", "10:02");
  link_to_fault(by_desk, lead, "dispatcher:ops", at("10:06"), std::nullopt);
  EXPECT_FALSE(linked_at_intake(by_desk));
}

TEST(Fault, ACallerFollowsItsLeadForwardAndKeepsItsOwnDeadline) {
  Ticket lead = report("T-000001", "10:00");
  Ticket m = report("T-000002", "10:20");  // deadline 11:05, the lead's 10:45
  link_to_fault(m, lead, std::string(kIntakeLinker), at("10:20"), 0.9);
  EXPECT_FALSE(follow_fault(m, lead, at("10:20")));  // both at the desk: nothing to follow

  lead.owner = CrewId("C-7");
  lead.status = TicketStatus::kAssigned;
  EXPECT_TRUE(follow_fault(m, lead, at("10:21")));
  EXPECT_EQ(m.owner, CrewId("C-7"));
  EXPECT_EQ(m.status, TicketStatus::kAssigned);
  EXPECT_EQ(m.timeline.back().kind, "assigned");

  lead.status = TicketStatus::kEnRoute;
  lead.timeline.push_back({at("10:25"), "en_route", "crew:C-7", ""});
  EXPECT_TRUE(follow_fault(m, lead, at("10:26")));
  EXPECT_EQ(m.status, TicketStatus::kEnRoute);
  EXPECT_EQ(m.timeline.back().time, at("10:25"));  // when it happened at the lead

  lead.status = TicketStatus::kOnSite;
  lead.arrival = at("10:50");  // late for the lead (10:45), on time for this caller (11:05)
  lead.timeline.push_back({at("10:50"), "arrived", "crew:C-7", ""});
  EXPECT_TRUE(follow_fault(m, lead, at("10:51")));
  EXPECT_EQ(m.status, TicketStatus::kOnSite);
  EXPECT_EQ(m.arrival, at("10:50"));
  EXPECT_EQ(m.compliance(at("11:30")).compliance, Compliance::kOnTime);
  EXPECT_EQ(lead.compliance(at("11:30")).compliance, Compliance::kViolation);
  EXPECT_FALSE(follow_fault(m, lead, at("10:52")));  // nothing new

  lead.status = TicketStatus::kRestored;
  lead.timeline.push_back({at("11:20"), "restored", "crew:C-7", ""});
  EXPECT_TRUE(follow_fault(m, lead, at("11:21")));
  EXPECT_EQ(m.status, TicketStatus::kRestored);
  lead.status = TicketStatus::kClosed;
  lead.timeline.push_back({at("11:40"), "closed", "system", "close-out complete"});
  EXPECT_TRUE(follow_fault(m, lead, at("11:41")));
  EXPECT_EQ(m.status, TicketStatus::kClosed);
  EXPECT_FALSE(follow_fault(m, lead, at("11:42")));  // closed: left alone
  EXPECT_EQ(m.deadline, at("11:05"));                // its own deadline, untouched
}

TEST(Fault, ACannotFixCarriesTheReturnTimeAndTheLeadsCrewChangesFollow) {
  auto pair = assigned_pair();  // named, not a structured binding: lambdas below capture them
  Ticket& lead = pair.first;
  Ticket& m = pair.second;
  lead.owner = CrewId("C-2");  // re-planned to another crew
  follow_fault(m, lead, at("10:12"));
  EXPECT_EQ(m.owner, CrewId("C-2"));
  lead.owner = CrewId();  // back to the desk
  lead.status = TicketStatus::kReported;
  follow_fault(m, lead, at("10:13"));
  EXPECT_TRUE(m.owner.empty());
  EXPECT_EQ(m.status, TicketStatus::kReported);
  // A crew jumps straight to on site at the lead (another crew got there first).
  lead.owner = CrewId("C-3");
  lead.status = TicketStatus::kReturnVisitOwed;
  lead.arrival = at("10:30");
  const std::string detail = cannot_fix_detail(at("16:00"), "needs a new pole");
  lead.timeline.push_back({at("10:40"), "cannot_fix", "crew:C-3", detail});
  EXPECT_TRUE(follow_fault(m, lead, at("10:41")));
  EXPECT_EQ(m.owner, CrewId("C-3"));
  EXPECT_EQ(m.status, TicketStatus::kReturnVisitOwed);
  EXPECT_EQ(m.arrival, at("10:30"));
  EXPECT_EQ(m.timeline.back().detail, detail);  // the return time reaches this customer too
  EXPECT_EQ(parse_cannot_fix_detail(m.timeline.back().detail).committed_return, at("16:00"));
}

TEST(Fault, ACancelledLeadUnlinksItsCallersToBePlannedOnTheirOwn) {
  auto pair = assigned_pair();  // named, not a structured binding: lambdas below capture them
  Ticket& lead = pair.first;
  Ticket& m = pair.second;
  lead.status = TicketStatus::kCancelled;  // a duplicate the desk withdrew
  EXPECT_TRUE(follow_fault(m, lead, at("10:20")));
  EXPECT_TRUE(m.fault.empty());
  EXPECT_EQ(m.status, TicketStatus::kReported);
  EXPECT_TRUE(m.owner.empty());
  bool unlinked = false;
  for (const auto& e : m.timeline) unlinked = unlinked || e.kind == "fault_unlinked";
  EXPECT_TRUE(unlinked);
  // The desk unlinks only a linked ticket no crew has reached.
  expect_error(
      [&] {
        unlink_from_fault(m, {Actor::kDispatcher, "dispatcher:ops"}, at("10:30"), "not the same");
      },
      ErrorCode::kFailedPrecondition, "not linked");
}

TEST(Fault, ALeadRestoredAndClosedBetweenTwoLooksStillGivesEachCallerItsRestoration) {
  auto pair = assigned_pair();  // named, not a structured binding: lambdas below capture them
  Ticket& lead = pair.first;
  Ticket& m = pair.second;
  lead.status = TicketStatus::kClosed;
  lead.arrival = at("10:30");
  lead.timeline.push_back({at("10:30"), "arrived", "crew:C-1", ""});
  lead.timeline.push_back({at("11:00"), "restored", "crew:C-1", ""});
  lead.timeline.push_back({at("11:10"), "closed", "system", "close-out complete"});
  EXPECT_TRUE(follow_fault(m, lead, at("11:11")));
  EXPECT_EQ(m.status, TicketStatus::kClosed);
  std::vector<std::string> kinds;
  for (std::size_t i = m.timeline.size() - 3; i < m.timeline.size(); ++i) kinds.push_back(m.timeline[i].kind);
  EXPECT_EQ(kinds, (std::vector<std::string>{"arrived", "restored", "closed"}));
  EXPECT_EQ(m.timeline[m.timeline.size() - 2].time, at("11:00"));
  EXPECT_EQ(m.arrival, at("10:30"));
  const ServicePolicy policy;
  owe_follow_ups(m, policy, at("11:11"));
  EXPECT_EQ(m.follow_ups.size(), 1u);  // the restoration owes this customer a call
}

TEST(Fault, TheLeadIsPlannedAgainstTheEarliestCallersDeadline) {
  const Ticket lead = report("T-000001", "10:00");  // 10:45
  EXPECT_EQ(planning_deadline(lead, {}), at("10:45"));
  EXPECT_EQ(planning_deadline(lead, {at("11:00"), at("10:30")}), at("10:30"));
}

}  // namespace
}  // namespace linecrew
