#include "linecrew/server/app/crew_sync.h"

#include <algorithm>
#include <iostream>

#include "linecrew/core/error.h"
#include "linecrew/core/fault.h"

namespace linecrew::app {

CrewSync::CrewSync(const Clock& clock, Dispatch& dispatch, storage::SyncStore& store)
    : clock_(clock), dispatch_(dispatch), store_(store) {}

Crew CrewSync::hello(const CrewId& crew, const DeviceId& /*device_id*/) {
  return dispatch_.get_crew(crew);
}

std::vector<storage::SyncAck> CrewSync::upload(const CrewId& crew, const DeviceId& device_id,
                                               TimePoint device_send_time, std::vector<DeviceAction> actions) {
  const TimePoint received = clock_.now();
  std::vector<storage::SyncOp> ops;
  ops.reserve(actions.size());
  for (const DeviceAction& a : actions) {
    storage::SyncOp op;
    op.op_id = a.op_id;
    op.fingerprint = a.fingerprint;
    op.ticket = a.ticket;
    const TimePoint event = corrected_event_time(a.device_time, device_send_time, received);
    if (a.action) {
      CrewAction act = *a.action;
      act.crew = crew;
      act.event_time = event;
      if (act.contact) act.contact->time = event;
      const ServicePolicy& policy = dispatch_.policy();
      op.on_ticket = [act, received, &policy](Ticket& t) {
        ActionVerdict verdict = act.kind == CrewActionKind::kConfirmationCall
                                    ? apply_confirmation_call(t, act, policy)  // rules §4: with the contact hours
                                    : apply_crew_action(t, act, received);
        owe_follow_ups(t, policy, received);  // rules §7: restoration and "cannot fix" owe the customer a call
        return verdict;
      };
    } else if (a.position) {
      const PositionReport p = *a.position;
      op.on_crew = [p](Crew& c) {
        if (c.position_time && p.fix_time < *c.position_time) return;  // older than the latest: history only
        c.position = p.point;
        c.position_time = p.fix_time;
      };
    } else {
      throw Error(ErrorCode::kInternal, "action", "neither a ticket action nor a position");
    }
    ops.push_back(std::move(op));
  }
  auto acks = store_.apply_ops(device_id, crew, ops, received);
  after_commit(acks);
  for (std::size_t i = 0; i < acks.size(); ++i) {
    // Rules §4: a problem not fixed on site becomes a return-visit ticket at the committed time.
    const auto& a = actions[i];
    if (acks[i].result == storage::SyncResult::kApplied && a.action && a.action->kind == CrewActionKind::kCannotFix &&
        acks[i].ticket) {
      const Ticket& t = *acks[i].ticket;
      TicketDraft d;
      d.client_request_id = "return-visit:" + t.id.str();
      d.customer = t.customer;
      d.location = t.location;
      d.address = t.address;
      d.priority = t.priority;
      d.channel = t.channel;
      d.kind = TicketKind::kReturnVisit;
      d.appointment = a.action->committed_return;
      // Rules §4: planned for the committed time, not hours before it: the
      // window the customer is told ends at the committed return.
      d.earliest_start = std::max(received, *a.action->committed_return - dispatch_.policy().notify.window_before);
      d.required_skills = t.required_skills;
      d.description = "return visit for " + t.id.str() + ": " + a.action->text;
      d.parent = t.id;
      try {
        dispatch_.create_ticket(d);
      } catch (const Error& e) {
        std::cerr << "linecrew-server: return visit for " << t.id.str() << " not created: " << e.what() << "\n";
      }
    }
  }
  for (const auto& ack : acks)
    if (ack.result == storage::SyncResult::kApplied && ack.ticket) dispatch_.settle_parent(*ack.ticket);
  dispatch_.changes().notify();
  return acks;
}

// The planner hears about the whole upload at once, each ticket once (as it was
// before the upload's first change to it and after its last), in commit order.
void CrewSync::after_commit(const std::vector<storage::SyncAck>& acks) {
  Planning* planning = dispatch_.planning();
  if (!planning) return;
  std::map<TicketId, std::pair<const Ticket*, std::size_t>> changed;  // first before, last ack
  for (std::size_t i = 0; i < acks.size(); ++i) {
    const auto& a = acks[i];
    if (!a.ticket || !a.before) continue;
    auto [it, fresh] = changed.try_emplace(a.ticket->id, &*a.before, i);
    if (!fresh) it->second.second = i;
  }
  std::vector<SyncedChange> events;
  for (std::size_t i = 0; i < acks.size(); ++i) {
    const auto& a = acks[i];
    if (a.crew && a.crew->position) {
      events.push_back({SyncedChange::Kind::kCrewMoved, a.crew->id, *a.crew->position, nullptr});
      continue;
    }
    if (!a.ticket || !a.before) continue;
    const auto& [before, last] = changed.at(a.ticket->id);
    if (last != i) continue;
    const Ticket& t = *a.ticket;
    if (!crew_has_arrived(before->status) && crew_has_arrived(t.status))
      events.push_back({SyncedChange::Kind::kTicketReached, {}, t.location, &t});
    else if (t.effective_deadline() != before->effective_deadline())
      events.push_back({SyncedChange::Kind::kDeadlineChanged, {}, t.location, &t});
  }
  if (!events.empty()) planning->crew_synced(events);
}

PullResult CrewSync::pull(const CrewId& crew, const DeviceId& device_id, std::uint64_t cursor,
                          std::size_t max_changes) {
  PullResult r;
  r.server_time = clock_.now();
  auto feed_page = store_.crew_feed(crew, cursor, max_changes + 1);
  if (feed_page.resync) {
    // A full resync: the crew's open tickets as they are now.
    auto snap = store_.crew_snapshot(crew);
    r.reset = true;
    r.next_cursor = snap.head;
    for (auto& t : snap.tickets)
      if (t.fault.empty()) r.items.push_back({0, std::move(t), std::nullopt});  // a linked caller: the lead's stop
  } else {
    // The device holds everything up to its cursor: that much of the feed it no longer needs.
    if (!device_id.empty()) store_.note_cursor(device_id, crew, cursor, r.server_time);
    auto& feed = feed_page.entries;
    r.has_more = feed.size() > max_changes;
    if (r.has_more) feed.resize(max_changes);
    // A ticket changed several times in this page is sent once, at its last change.
    std::map<TicketId, std::size_t> last_row;
    for (std::size_t i = 0; i < feed.size(); ++i)
      if (feed[i].kind == storage::FeedKind::kTicket) last_row[feed[i].ticket] = i;
    for (std::size_t i = 0; i < feed.size(); ++i) {
      auto& e = feed[i];
      if (e.kind == storage::FeedKind::kRemoval) {
        r.items.push_back({e.sequence, std::nullopt, std::move(e)});
        continue;
      }
      if (last_row[e.ticket] != i) continue;
      Ticket t = dispatch_.get_ticket(e.ticket);
      if (t.owner != crew) continue;  // moved on since; its removal row follows
      if (!t.fault.empty()) {
        // Rules §7: a caller linked to a fault is worked at the lead's stop.
        // One linked at intake was never on a handheld; one the desk linked may be.
        if (!linked_at_intake(t)) {
          e.kind = storage::FeedKind::kRemoval;
          e.removal = storage::FeedRemoval::kReassigned;
          e.detail = "same fault as " + t.fault.str() + ": worked there";
          r.items.push_back({e.sequence, std::nullopt, std::move(e)});
        }
        continue;
      }
      r.items.push_back({e.sequence, std::move(t), std::nullopt});
    }
    r.next_cursor = feed.empty() ? cursor : feed.back().sequence;
  }
  if (!r.has_more)
    if (Planning* planning = dispatch_.planning()) r.plan = planning->crew_route(crew);
  note_pull(crew);
  return r;
}

void CrewSync::note_pull(const CrewId& crew) {
  std::lock_guard lock(lag_mu_);
  last_pull_[crew] = clock_.now();
}

std::vector<SyncLag> CrewSync::sync_lag() {
  const TimePoint now = clock_.now();
  std::lock_guard lock(lag_mu_);
  std::vector<SyncLag> out;
  for (const auto& [crew, t] : last_pull_) out.push_back({crew, now - t});
  return out;
}

}  // namespace linecrew::app
