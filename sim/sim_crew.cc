#include "sim_crew.h"

#include <algorithm>
#include <chrono>

#include "linecrew/core/error.h"
#include "linecrew/device/app/actions.h"

namespace linecrew::sim {

namespace {

GeoPoint toward(const GeoPoint& from, const GeoPoint& to, double fraction) {
  const double f = std::clamp(fraction, 0.0, 1.0);
  return GeoPoint(from.lat() + (to.lat() - from.lat()) * f, from.lon() + (to.lon() - from.lon()) * f);
}

Duration scaled(Duration d, double factor) {
  return Duration(static_cast<Duration::rep>(std::ceil(static_cast<double>(d.count()) * factor)));
}

}  // namespace

SimCrew::SimCrew(const ScenarioCrew& spec, const std::string& store_path, const std::shared_ptr<grpc::Channel>& channel,
                 const std::string& token, TimePoint start, std::vector<ConnectivityGap> gaps)
    : spec_(spec),
      device_id_(DeviceId("dev-" + spec.id.str())),
      staff_("S" + spec.id.str()),
      store_(store_path),
      clock_(start),
      gaps_(std::move(gaps)),
      pos_(spec.start),
      last_sync_(start) {
  device::SyncOptions o;
  o.device_id = device_id_;
  o.token = token;
  o.call_timeout = std::chrono::milliseconds(20000);
  agent_ = std::make_unique<device::SyncAgent>(store_, clock_, channel, o);
}

bool SimCrew::online(TimePoint t) const {
  return std::none_of(gaps_.begin(), gaps_.end(), [&](const ConnectivityGap& g) { return t >= g.from && t < g.to; });
}

void SimCrew::error(const std::string& what) {
  if (log_.errors.size() < 5) log_.errors.push_back(spec_.id.str() + ": " + what);
}

void SimCrew::sync(TimePoint t) {
  clock_.set(t);
  if (moved_) {
    device::record_position(store_, device_id_, pos_, 10.0f, t, t);
    moved_ = false;
  }
  const auto started = std::chrono::steady_clock::now();
  const auto r = agent_->sync_once();
  log_.sync_ms.add(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
  ++log_.syncs;
  if (r.rejected + r.superseded > 0) {
    // An arrival the server did not apply (another crew's was committed first) is not an arrival of the
    // ticket: drop it from the log, as the server's report does.
    for (const auto& n : store_.notices(r.rejected + r.superseded + r.pulled + 16)) {
      if (n.time != t || (n.text.rfind("arrived superseded", 0) != 0 && n.text.rfind("arrived rejected", 0) != 0))
        continue;
      const auto it = std::find_if(log_.arrivals.rbegin(), log_.arrivals.rend(),
                                   [&](const auto& a) { return a.first == n.ticket; });
      if (it != log_.arrivals.rend()) {
        log_.arrivals.erase(std::next(it).base());
        ++log_.arrivals_not_applied;
      }
    }
  }
  queued_ = store_.outbox_size() > 0;
  if (!r.ok) {
    ++log_.sync_failures;
    error("sync: " + r.error);
    return;
  }
  last_sync_ = t;
  synced_once_ = true;
  pushed_ = false;
  if (r.pulled > 0 || r.reset) quiet_ = false;
  if (was_offline_) {
    log_.uploaded_after_gap += static_cast<std::uint32_t>(r.uploaded);
    was_offline_ = false;
  }
  if (!queued_) {
    for (const auto& id : closed_local_) closed_on_server_.insert(id);
    closed_local_.clear();
  }
}

void SimCrew::step(TimePoint t, Duration dt, const World& w, Duration keepalive) {
  clock_.set(t);
  if (!online(t)) {
    was_offline_ = true;
  } else if (!synced_once_ || pushed_ || queued_ || t - last_sync_ >= keepalive) {
    sync(t);
  }
  try {
    advance(t, t + dt, w);
  } catch (const std::exception& e) {
    error(e.what());
    phase_ = Phase::kIdle;
  }
  if (!online(t)) log_.max_offline_outbox = std::max(log_.max_offline_outbox, store_.outbox_size());
}

bool SimCrew::holds_older(const std::string& ticket_id, std::uint64_t version) {
  const auto local = store_.get(TicketId(ticket_id));
  return !local || local->version < version;
}

bool SimCrew::holds_open(const std::string& ticket_id) {
  const auto local = store_.get(TicketId(ticket_id));
  return local && local->removed.empty() && !is_terminal(local->status);
}

void SimCrew::final_sync(TimePoint t) {
  for (int i = 0; i < 3; ++i) {
    sync(t);
    if (store_.outbox_size() == 0) break;
  }
}

void SimCrew::act(const std::string& action, const TicketId& id, TimePoint t, const std::string& text) {
  device::ActionInput in;
  in.action = action;
  in.ticket = id;
  in.staff_number = staff_;
  in.text = text;
  if (action == "arrived") in.position = pos_;
  device::record(store_, device_id_, in, t);
  queued_ = true;
}

void SimCrew::call_customer(const DelayDecision& d, TimePoint t, double slowdown, const World& w) {
  ++log_.prompts;
  const auto local = store_.get(d.id);
  if (!local) return;
  const auto it = w.specs.find(d.id.str());
  const Answer answer = it == w.specs.end() ? Answer::kConsent : it->second->answer;
  const DelayReason reason = slowdown > 1.01 ? DelayReason::kTraffic : DelayReason::kPreviousJobOverran;
  const TimePoint proposed = std::max(d.proposed_time, t + minutes(5));
  const auto attempt = [&](Consent consent, const std::string& note) {
    device::ActionInput in;
    in.action = "contact_attempt";
    in.ticket = d.id;
    in.staff_number = staff_;
    in.reason = reason;
    in.consent = consent;
    in.proposed = proposed;
    in.text = note;
    device::record(store_, device_id_, in, t);
    queued_ = true;
    log_.calls.emplace_back(d.id.str(), ContactRecord{t, reason, proposed, consent});
  };
  switch (answer) {
    case Answer::kConsent:
      attempt(Consent::kYes, "customer agreed");
      ++log_.yes;
      break;
    case Answer::kRefuse:
      attempt(Consent::kRefused, "customer refused the new time");
      ++log_.refused;
      break;
    case Answer::kUnreachable:
      attempt(Consent::kUnreachable, "call dropped");  // the dropped call, then the redial (rules §2.4)
      store_.log_call({t, d.id, "dropped", ""});
      attempt(Consent::kUnreachable, "redial: no answer");
      ++log_.unreachable;
      break;
  }
  const Consent logged = answer == Answer::kConsent  ? Consent::kYes
                         : answer == Answer::kRefuse ? Consent::kRefused
                                                     : Consent::kUnreachable;
  DelayPromptLog plog = store_.prompt_log();
  mark_attempt(plog, d.id, local->effective_deadline, ContactRecord{t, reason, proposed, logged});
  store_.save_prompt_log(plog);
}

std::optional<RouteStop> SimCrew::choose_target(TimePoint t, const World& w) {
  // The handheld's last fix, for the watcher (written only when it changed).
  std::string lat = std::to_string(pos_.lat()), lon = std::to_string(pos_.lon());
  if (lat != stored_lat_) store_.set_meta("position_lat", stored_lat_ = std::move(lat));
  if (lon != stored_lon_) store_.set_meta("position_lon", stored_lon_ = std::move(lon));
  const double slowdown = w.scenario.slowdown_at(pos_, t);
  const auto result = device::watch(store_, t, w.handheld, slowdown);
  for (const auto& d : result.new_prompts) {
    try {
      call_customer(d, t, slowdown, w);
    } catch (const Error& e) {
      error(std::string("call: ") + e.what());
    }
  }
  for (const auto& s : result.stops)  // the watcher's stops come from the store's tickets
    if (s.status != TicketStatus::kOnSite) return s;
  return std::nullopt;
}

void SimCrew::advance(TimePoint from, TimePoint to, const World& w) {
  TimePoint t = from;
  for (int guard = 0; guard < 32 && t < to; ++guard) {
    if (phase_ == Phase::kWorking) {
      if (work_until_ > to) return;
      t = work_until_;
      const auto local = store_.get(target_);
      phase_ = Phase::kIdle;
      if (!local || !local->removed.empty() || local->status != TicketStatus::kOnSite) continue;
      act("cause_found", target_, t, "storm damage: line down, fuse replaced");
      act("restored", target_, t);
      act("explained_to_customer", target_, t, "explained the cause and the repair");
      act("left_site", target_, t);
      closed_local_.push_back(target_.str());
      continue;
    }
    // A crew whose shift is over takes no new stop (work already started is finished above).
    if (t >= spec_.shift_end) return;
    // Idle with no ticket to go to: nothing changes until a sync brings news (skips the watcher's queries).
    if (phase_ == Phase::kIdle && quiet_) return;
    const auto next = choose_target(t, w);
    if (!next) {
      phase_ = Phase::kIdle;
      quiet_ = true;
      return;
    }
    if (phase_ != Phase::kDriving || next->id != target_) {
      target_ = next->id;
      target_loc_ = next->location;
      phase_ = Phase::kDriving;
    }
    if (next->status == TicketStatus::kAssigned || next->status == TicketStatus::kAccepted) {
      if (next->status == TicketStatus::kAssigned) act("accept", target_, t);
      act("en_route", target_, t);
    }
    const double slowdown = w.scenario.slowdown_at(pos_, t);
    const Duration need = scaled(w.road.duration(pos_, target_loc_), slowdown);
    if (t + need > to) {
      const double f = static_cast<double>((to - t).count()) / static_cast<double>(need.count());
      pos_ = toward(pos_, target_loc_, f);
      moved_ = true;
      return;
    }
    t += need;
    pos_ = target_loc_;
    moved_ = true;
    act("arrived", target_, t);
    log_.arrivals.emplace_back(target_.str(), t);
    const auto it = w.specs.find(target_.str());
    work_until_ = t + (it != w.specs.end() ? it->second->work : next->service);
    phase_ = Phase::kWorking;
  }
}

}  // namespace linecrew::sim
