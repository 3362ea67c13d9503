// The handheld's screen model (device/ui/screen.h) on a real local store: the
// route in plan order, countdowns, breach highlighting, the delay-call card
// with its script, the narrow 40x16 layout, and keys that record actions into
// the outbox. No terminal involved. Also built for aarch64 (qemu-user).
#include <gtest/gtest.h>

#include "linecrew/core/call_script.h"
#include "linecrew/device/app/watch.h"
#include "linecrew/device/store/local_store.h"
#include "linecrew/device/ui/screen.h"
#include "linecrew/device/ui/text_width.h"
#include "linecrew/v1/crew_sync.pb.h"
#include "server_process.h"
#include "test_support.h"

namespace linecrew::device::ui {
namespace {

using linecrew::testing::at;

LocalTicket ticket(const std::string& id, const std::string& name, double lat, double lon, const char* deadline) {
  LocalTicket t;
  t.id = TicketId(id);
  t.customer_name = name;
  t.customer_phone = "+86138001380" + id.substr(id.size() - 2);
  t.language = "zh-CN";
  t.location = GeoPoint(lat, lon);
  t.address = "解放路 " + id.substr(id.size() - 1) + " 号";
  t.deadline = t.effective_deadline = at(deadline);
  t.status = TicketStatus::kAssigned;
  t.version = 1;
  return t;
}

std::string joined(const std::vector<Line>& lines) {
  std::string s;
  for (const auto& l : lines) s += l.text + "\n";
  return s;
}

const Line* line_with(const std::vector<Line>& lines, const std::string& needle) {
  for (const auto& l : lines)
    if (l.text.find(needle) != std::string::npos) return &l;
  return nullptr;
}

class Screen : public ::testing::Test {
 protected:
  void SetUp() override {
    store.set_meta("position_lat", "30.25");
    store.set_meta("position_lon", "120.15");
    store.set_meta("member_name", "王伟");
    store.set_meta("staff_number", "S001");
    store.set_meta("crew_name", "城南抢修一班");
    store.set_meta("company_name", "国网杭州供电公司");
    store.set_meta("callback_phone", "+8657188886666");
    // Close by, on track; deadlines in the opposite order of the plan.
    store.upsert(ticket("T-000001", "张先生", 30.251, 120.151, "15:30"));
    store.upsert(ticket("T-000002", "李女士", 30.252, 120.152, "14:50"));
    PulledPage page;
    page.plan = std::vector<PlanStop>{{TicketId("T-000001"), at("14:15"), at("14:45")},
                                      {TicketId("T-000002"), at("14:50"), at("15:20")}};
    page.next_cursor = 1;
    store.apply_pull(page);
  }

  Snapshot snap(TimePoint now, double slowdown = 1.0) {
    SyncStatus sync;
    sync.enabled = true;
    sync.online = false;
    return take_snapshot(store, now, travel, templates, sync, slowdown, view.reason);
  }

  // Like the tui: snapshot, update the view, then the key.
  void press(int key, TimePoint now) {
    const Snapshot s = snap(now);
    update_view(view, s);
    execute(command_for_key(key, view), s, view, store, DeviceId("dev-ui"), now);
  }

  linecrew::testing::TempDir dir{"device-ui"};
  LocalStore store{dir.file("crew.db")};
  StraightLineTravel travel;
  CallScriptTemplates templates = CallScriptTemplates::load_file(linecrew::testing::config_path("call_script.json"));
  ViewState view;
};

TEST(Countdown, MinutesAndSecondsUnderAnHourElseHoursAndMinutes) {
  EXPECT_EQ(countdown(seconds(44 * 60 + 59)), "44:59");
  EXPECT_EQ(countdown(seconds(5)), "00:05");
  EXPECT_EQ(countdown(seconds(0)), "00:00");
  EXPECT_EQ(countdown(seconds(3600)), "1:00");
  EXPECT_EQ(countdown(seconds(3600 + 5 * 60 + 59)), "1:05");
  EXPECT_EQ(countdown(seconds(-192)), "-03:12");
  EXPECT_EQ(countdown(seconds(-2 * 3600 - 60)), "-2:01");
}

TEST(Text, WidthFitAndWrapCountChineseAsTwoColumns) {
  EXPECT_EQ(display_width("abc"), 3);
  EXPECT_EQ(display_width("李女士"), 6);
  EXPECT_EQ(fit("李女士 abc", 5), "李女");
  EXPECT_EQ(fit("abcdef", 4), "abcd");
  const auto lines = wrap("您好,我是国网杭州供电公司城南抢修一班王伟", 10);
  for (const auto& l : lines) EXPECT_LE(display_width(l), 10) << l;
  std::string back;
  for (const auto& l : lines) back += l;
  EXPECT_EQ(back, "您好,我是国网杭州供电公司城南抢修一班王伟");
  EXPECT_EQ(wrap("agree on the new time", 10), (std::vector<std::string>{"agree on", "the new", "time"}));
  // A numbered Chinese step is not split at the space after its number.
  EXPECT_EQ(wrap("3. 非常抱歉,因交通拥堵", 10)[0], "3. 非常抱");
}

// True when `s` is whole UTF-8 sequences: no lead byte without all its
// continuation bytes, no continuation byte without its lead.
bool whole_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const std::size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    i += len;
  }
  return true;
}

TEST(Text, WrapAndFitNeverSplitAUtf8Sequence) {
  EXPECT_EQ(display_width("抢修"), 4);
  EXPECT_EQ(display_width("\xF0\x9F\x98\x80"), 2);  // U+1F600, four bytes, wide
  EXPECT_EQ(display_width("é"), 1);                 // two bytes, narrow
  const std::vector<std::string> texts = {"您好,我是国网杭州供电公司城南抢修一班王伟", "Café 李女士 über straße",
                                          "a\xF0\x9F\x98\x80"
                                          "b\xF0\x9F\x98\x80\xF0\x9F\x98\x80 c",
                                          "城区 解放路 12 号 (duplicate call)"};
  for (const auto& text : texts) {
    for (int cols = 1; cols <= 12; ++cols) {
      const std::string cut = fit(text, cols);
      EXPECT_TRUE(whole_utf8(cut)) << text << " fit " << cols;
      EXPECT_LE(display_width(cut), cols) << text << " fit " << cols;
      std::string back;
      for (const auto& l : wrap(text, cols)) {
        EXPECT_TRUE(whole_utf8(l)) << text << " wrap " << cols << ": " << l;
        if (cols >= 2) {  // a wide character alone is wider than one column
          EXPECT_LE(display_width(l), cols) << text << " wrap " << cols << ": " << l;
        }
        back += l;
      }
      EXPECT_TRUE(whole_utf8(back)) << text << " wrap " << cols;
    }
  }
}

TEST_F(Screen, ShowsTheRouteInPlanOrderWithCountdowns) {
  const Snapshot s = snap(at("14:06"));
  ASSERT_EQ(s.route.size(), 2u);
  EXPECT_EQ(s.route[0].ticket.id.str(), "T-000001");  // the plan's order, not the deadline's
  EXPECT_EQ(s.route[1].ticket.id.str(), "T-000002");
  update_view(view, s);
  EXPECT_EQ(view.mode, Mode::kRoute);
  EXPECT_EQ(view.selected.str(), "T-000001");
  const auto lines = render(s, view, 16, 40);
  const std::string text = joined(lines);
  const auto first = text.find("张先生"), second = text.find("李女士");
  ASSERT_NE(first, std::string::npos) << text;
  ASSERT_NE(second, std::string::npos) << text;
  EXPECT_LT(first, second) << text;
  const Line* l1 = line_with(lines, "张先生");
  EXPECT_NE(l1->text.find("1:24"), std::string::npos) << l1->text;  // 14:06 -> 15:30: h:mm
  EXPECT_EQ(l1->text.rfind(">", 0), 0u) << "selected";
  const Line* l2 = line_with(lines, "李女士");
  EXPECT_NE(l2->text.find("44:00"), std::string::npos) << l2->text;  // 14:06 -> 14:50: mm:ss
  EXPECT_EQ(l2->attr & kRed, 0u);                                    // on track
  EXPECT_NE(lines[0].text.find("OFFLINE"), std::string::npos) << lines[0].text;
  EXPECT_NE(lines[0].text.find("out:0"), std::string::npos) << lines[0].text;
}

TEST_F(Screen, APredictedBreachIsRedAndBoldAndItsCallCardOpensWithTheScript) {
  store.upsert(ticket("T-000003", "赵女士", 30.35, 120.15, "14:30"));  // 11 km away, due in 24 min
  const Snapshot s = snap(at("14:06"), 2.0);
  ASSERT_EQ(s.new_prompts.size(), 1u);
  EXPECT_EQ(s.new_prompts[0].str(), "T-000003");
  const RouteRow* late = nullptr;
  for (const auto& r : s.route)
    if (r.ticket.id.str() == "T-000003") late = &r;
  ASSERT_NE(late, nullptr);
  EXPECT_TRUE(late->breach);
  ViewState route_view;
  const auto route_lines = render(s, route_view, 16, 40);
  const Line* red = line_with(route_lines, "赵女士");
  ASSERT_NE(red, nullptr) << joined(route_lines);
  EXPECT_EQ(red->attr & (kRed | kBold), kRed | kBold);
  EXPECT_EQ(line_with(route_lines, "张先生")->attr & kRed, 0u);

  update_view(view, s);
  ASSERT_EQ(view.mode, Mode::kCall);
  EXPECT_EQ(view.call.str(), "T-000003");
  const auto lines = render(s, view, 24, 80);
  const std::string text = joined(lines);
  EXPECT_NE(lines[0].text.find("赵女士"), std::string::npos) << text;
  EXPECT_NE(lines[0].text.find(s.calls.back().ticket.customer_phone), std::string::npos) << text;
  EXPECT_TRUE(lines[0].attr & kRed);
  // The rendered script, as prompt_script() fills it.
  const auto& card =
      *std::find_if(s.calls.begin(), s.calls.end(), [](const CallCard& c) { return c.ticket.id.str() == "T-000003"; });
  const auto script =
      prompt_script(store, *store.get(TicketId("T-000003")), card.decision, templates, DelayReason::kTraffic);
  ASSERT_FALSE(script.steps.empty());
  EXPECT_NE(text.find(fit(script.steps[0], 60)), std::string::npos) << text;
  EXPECT_NE(text.find("王伟"), std::string::npos) << text;
  EXPECT_NE(text.find(format_hhmm(card.decision.proposed_time, hours(8))), std::string::npos) << text;
  EXPECT_NE(text.find("y agreed"), std::string::npos) << text;
}

TEST_F(Screen, EveryScreenFitsFortyBySixteen) {
  store.upsert(ticket("T-000003", "欧阳娜娜女士和她的家人们", 30.35, 120.15, "14:30"));
  for (int k = 4; k < 9; ++k)
    store.upsert(ticket("T-00000" + std::to_string(k), "客户" + std::to_string(k), 30.25, 120.15, "16:00"));
  for (const auto& [rows, cols] : std::vector<std::pair<int, int>>{{16, 40}, {24, 80}, {5, 20}}) {
    ViewState v;
    const Snapshot s = snap(at("14:06"), 2.0);
    update_view(v, s);
    ASSERT_EQ(v.mode, Mode::kCall);
    for (int screen = 0; screen < 3; ++screen) {
      const auto lines = render(s, v, rows, cols);
      ASSERT_EQ(lines.size(), static_cast<std::size_t>(rows));
      for (const auto& l : lines) EXPECT_LE(display_width(l.text), cols) << rows << "x" << cols << ": " << l.text;
      if (screen == 0) execute(command_for_key(kKeyEscape, v), s, v, store, DeviceId("dev-ui"), at("14:06"));  // route
      if (screen == 1) execute(command_for_key('4', v), s, v, store, DeviceId("dev-ui"), at("14:06"));  // text entry
    }
  }
  // The route list scrolls to keep the selection visible.
  ViewState v;
  const Snapshot s = snap(at("14:06"), 2.0);
  update_view(v, s);
  execute(command_for_key(kKeyEscape, v), s, v, store, DeviceId("dev-ui"), at("14:06"));
  for (int i = 0; i < 20; ++i) execute(command_for_key(kKeyDown, v), s, v, store, DeviceId("dev-ui"), at("14:06"));
  EXPECT_EQ(v.selected, s.route.back().ticket.id);
  const auto lines = render(s, v, 8, 40);
  EXPECT_NE(line_with(lines, ">"), nullptr) << joined(lines);
}

TEST_F(Screen, KeysMapToCommands) {
  EXPECT_EQ(command_for_key('3', view), (Command{CommandKind::kAction, "arrived"}));
  EXPECT_EQ(command_for_key('1', view), (Command{CommandKind::kAction, "accept"}));
  EXPECT_EQ(command_for_key('7', view), (Command{CommandKind::kAction, "left_site"}));
  EXPECT_EQ(command_for_key('h', view), (Command{CommandKind::kAction, "need_help"}));
  EXPECT_EQ(command_for_key('q', view).kind, CommandKind::kQuit);
  EXPECT_EQ(command_for_key(kKeyDown, view).kind, CommandKind::kDown);
  EXPECT_EQ(command_for_key('x', view).kind, CommandKind::kNone);
  view.mode = Mode::kCall;
  EXPECT_EQ(command_for_key('n', view), (Command{CommandKind::kCallOutcome, "refused"}));
  EXPECT_EQ(command_for_key('d', view), (Command{CommandKind::kCallOutcome, "dropped"}));
  EXPECT_EQ(command_for_key('q', view).kind, CommandKind::kBack);  // q leaves the card, never quits from it
  view.mode = Mode::kText;
  EXPECT_EQ(command_for_key('q', view), (Command{CommandKind::kChar, "q"}));
}

TEST_F(Screen, ActionKeysRecordOnTheSelectedTicketIntoTheOutbox) {
  press(kKeyDown, at("14:06"));  // T-000002
  EXPECT_EQ(view.selected.str(), "T-000002");
  press('1', at("14:07"));
  press('2', at("14:08"));
  press('3', at("14:20"));
  EXPECT_EQ(store.get(TicketId("T-000002"))->status, TicketStatus::kOnSite);
  EXPECT_EQ(store.get(TicketId("T-000001"))->status, TicketStatus::kAssigned);
  const auto out = store.outbox();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2].action, "arrived");
  EXPECT_EQ(out[2].ticket.str(), "T-000002");
  EXPECT_EQ(out[2].device_time, at("14:20"));
  EXPECT_NE(view.message.find("arrived"), std::string::npos) << view.message;
  const auto lines = render(snap(at("14:21")), view, 16, 40);
  EXPECT_NE(lines[0].text.find("out:3"), std::string::npos) << lines[0].text;

  // An illegal step is refused on the message line; nothing is written.
  press(kKeyUp, at("14:23"));
  EXPECT_EQ(view.selected.str(), "T-000001");
  press('5', at("14:23"));  // restored on a ticket never reached
  EXPECT_EQ(store.outbox_size(), 3u);
  EXPECT_EQ(store.get(TicketId("T-000001"))->status, TicketStatus::kAssigned);
  EXPECT_TRUE(view.message_attr & kRed) << view.message;

  // Cause found asks for its text first.
  press(kKeyDown, at("14:30"));
  press('4', at("14:30"));
  ASSERT_EQ(view.mode, Mode::kText);
  for (char c : std::string("fuse")) press(c, at("14:30"));
  press(kKeyBackspace, at("14:30"));
  press('e', at("14:30"));
  press(kKeyEnter, at("14:31"));
  EXPECT_EQ(view.mode, Mode::kRoute);
  EXPECT_EQ(store.outbox().back().action, "cause_found");
  EXPECT_TRUE(store.get(TicketId("T-000002"))->cause_found);
}

// Issue 19 item 1: 'h' asks the desk for help on the selected ticket: the
// screen asks what help, then queues it (offline) without changing the status.
TEST_F(Screen, HelpKeyAsksWhatHelpAndQueuesANeedHelpAction) {
  EXPECT_EQ(command_for_key('h', view), (Command{CommandKind::kAction, "need_help"}));
  const auto hint = render(snap(at("14:06")), view, 16, 40).back();
  EXPECT_NE(hint.text.find("h help"), std::string::npos) << hint.text;  // on the handheld's 40 columns
  for (char k = '1'; k <= '7'; ++k) EXPECT_NE(hint.text.find(k), std::string::npos) << hint.text;
  EXPECT_NE(render(snap(at("14:06")), view, 24, 80).back().text.find("h help c call q"), std::string::npos);

  press(kKeyDown, at("14:06"));  // T-000002
  press('1', at("14:07"));
  press('h', at("14:10"));
  ASSERT_EQ(view.mode, Mode::kText);
  EXPECT_EQ(view.pending_action, "need_help");
  press('h', at("14:10"));  // typed, not another key
  EXPECT_EQ(view.input, "h");
  press(kKeyBackspace, at("14:10"));
  const auto asking = render(snap(at("14:10")), view, 16, 40);
  EXPECT_NE(line_with(asking, "help: _"), nullptr) << joined(asking);
  // Enter with no text: refused on the message line, nothing queued.
  press(kKeyEnter, at("14:10"));
  EXPECT_EQ(view.mode, Mode::kRoute);
  EXPECT_EQ(store.outbox_size(), 1u);
  EXPECT_NE(view.message.find("need_help.text"), std::string::npos) << view.message;
  EXPECT_TRUE(view.message_attr & kRed);

  press('h', at("14:11"));
  for (char c : std::string("need a ladder")) press(c, at("14:11"));
  press(kKeyEnter, at("14:12"));
  EXPECT_EQ(view.mode, Mode::kRoute);
  ASSERT_EQ(store.outbox_size(), 2u);
  const auto out = store.outbox().back();
  EXPECT_EQ(out.action, "need_help");
  EXPECT_EQ(out.ticket.str(), "T-000002");
  EXPECT_EQ(out.device_time, at("14:12"));
  v1::CrewAction body;
  ASSERT_TRUE(body.ParseFromString(out.body));
  EXPECT_EQ(body.need_help().text(), "need a ladder");
  EXPECT_EQ(store.get(TicketId("T-000002"))->status, TicketStatus::kAccepted);  // status unchanged
  EXPECT_FALSE(view.message_attr & kRed) << view.message;
}

TEST_F(Screen, CallOutcomesFromTheCardLandInTheOutboxAndMoveTheDeadline) {
  store.upsert(ticket("T-000003", "赵女士", 30.35, 120.15, "14:30"));
  const auto s0 = snap(at("14:06"), 2.0);
  update_view(view, s0);
  ASSERT_EQ(view.mode, Mode::kCall);
  const auto card_of = [](const Snapshot& s) {
    return *std::find_if(s.calls.begin(), s.calls.end(),
                         [](const CallCard& c) { return c.ticket.id.str() == "T-000003"; });
  };

  // Refused: escalated, the card stays open for a redial.
  execute(command_for_key('n', view), s0, view, store, DeviceId("dev-ui"), at("14:07"));
  ASSERT_EQ(store.outbox_size(), 1u);
  EXPECT_EQ(store.outbox().back().action, "contact_attempt");
  EXPECT_TRUE(store.prompt_log().at(TicketId("T-000003")).escalate);
  auto s1 = snap(at("14:08"), 2.0);
  update_view(view, s1);
  EXPECT_EQ(view.mode, Mode::kCall);
  EXPECT_NE(joined(render(s1, view, 16, 40)).find("ESCALATED"), std::string::npos);

  // Agreed, five minutes later than proposed now.
  const TimePoint proposed = card_of(s1).decision.proposed_time;
  EXPECT_EQ(card_of(s1).decision.state, DelayState::kEscalate);
  execute(command_for_key('y', view), s1, view, store, DeviceId("dev-ui"), at("14:09"));
  ASSERT_EQ(view.mode, Mode::kAgreeTime);
  EXPECT_EQ(view.agreed, proposed);
  execute(command_for_key('+', view), s1, view, store, DeviceId("dev-ui"), at("14:09"));
  execute(command_for_key(kKeyEnter, view), s1, view, store, DeviceId("dev-ui"), at("14:09"));
  EXPECT_EQ(store.outbox_size(), 2u);
  EXPECT_EQ(store.get(TicketId("T-000003"))->effective_deadline, proposed + minutes(5));
  const auto calls = store.calls(TicketId("T-000003"));
  ASSERT_GE(calls.size(), 2u);
  EXPECT_EQ(calls.back().outcome, "yes");
  // The card closes: the deadline moved.
  update_view(view, snap(at("14:10"), 2.0));
  EXPECT_EQ(view.mode, Mode::kRoute);
}

// Issue 19 item 8: a scheduled visit in its confirmation window (2-3 h before
// the agreed arrival) shows the call on the selected stop; 'u' records a call
// that did not reach the customer (still due), 'v' the customer's confirmation.
TEST_F(Screen, AVisitToConfirmShowsTheCallAndItsKeysRecordTheOutcome) {
  LocalTicket v = ticket("T-000003", "赵女士", 30.253, 120.153, "19:00");
  v.kind = TicketKind::kScheduledVisit;
  v.appointment = at("19:00");  // window 16:00-17:00 (the other stops are past their deadlines: no call card)
  store.upsert(v);
  const auto select_visit = [&](TimePoint now) {
    for (int i = 0; i < 3; ++i) press(kKeyDown, now);
    ASSERT_EQ(view.selected, TicketId("T-000003"));
  };
  select_visit(at("15:50"));
  EXPECT_EQ(line_with(render(snap(at("15:50")), view, 16, 40), "CONFIRM"), nullptr);  // not yet
  const auto due = render(snap(at("16:10")), view, 24, 80);
  const Line* l = line_with(due, "CONFIRM");
  ASSERT_NE(l, nullptr) << joined(due);
  EXPECT_NE(l->text.find("by 17:00"), std::string::npos) << l->text;
  EXPECT_FALSE(l->attr & kRed);
  press('u', at("16:11"));
  ASSERT_EQ(store.outbox_size(), 1u);
  v1::CrewAction body;
  ASSERT_TRUE(body.ParseFromString(store.outbox().back().body));
  EXPECT_EQ(body.confirmation_call().outcome(), v1::CONFIRMATION_OUTCOME_UNREACHABLE);
  EXPECT_FALSE(store.get(TicketId("T-000003"))->confirmed);
  const auto late = render(snap(at("17:01")), view, 24, 80);  // kept: line_with points into it
  const Line* overdue = line_with(late, "CONFIRM");
  ASSERT_NE(overdue, nullptr);
  EXPECT_TRUE(overdue->attr & kRed);  // past its due time: still to make, in red
  press('v', at("17:02"));
  EXPECT_TRUE(store.get(TicketId("T-000003"))->confirmed);
  EXPECT_EQ(line_with(render(snap(at("17:03")), view, 24, 80), "CONFIRM"), nullptr);
  press('v', at("17:04"));  // again: refused on the message line
  EXPECT_EQ(store.outbox_size(), 2u);
  EXPECT_NE(view.message.find("already confirmed"), std::string::npos) << view.message;
}

}  // namespace
}  // namespace linecrew::device::ui
