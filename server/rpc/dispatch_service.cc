#include "linecrew/server/rpc/dispatch_service.h"

#include <algorithm>

#include "linecrew/core/error.h"
#include "linecrew/core/limits.h"
#include "linecrew/core/text.h"
#include "linecrew/server/rpc/call.h"
#include "linecrew/server/rpc/convert.h"

namespace linecrew::rpc {

namespace {
// A ticket with the plan's view of it (ETA, risk) when the server plans: the
// plan lookup, then the two converters (rpc/convert.cc); no field code here.
void ticket_out(app::Dispatch& d, const Ticket& t, bool timeline, v1::Ticket* out,
                std::optional<app::PlanView> plan = std::nullopt) {
  to_proto(t, d.clock().now(), timeline, out);
  if (t.fault.empty() && is_plannable(t.status))
    if (const auto callers = d.fault_callers({t.id}); !callers.empty()) out->set_fault_callers(callers.begin()->second);
  if (!plan) plan = d.plan_view(t.id);
  if (plan) to_proto(*plan, d.policy().notify, d.clock().now(), out);
}

// Who answers an escalation, as recorded: the token's label and its id.
std::string desk_name(const Principal& who) {
  return (who.label.empty() ? std::string("dispatcher") : who.label) + " (" + who.token_id + ")";
}
}  // namespace

grpc::Status DispatchService::ListEscalations(grpc::ServerContext* ctx, const v1::ListEscalationsRequest* req,
                                              v1::ListEscalationsResponse* resp) {
  return serve(ctx, auth_, "DispatchService.ListEscalations", [&](const Principal&) {
    const auto page = dispatch_.list_escalations(filter_from_proto(*req));
    for (const auto& e : page.escalations) to_proto(e.ticket, e.escalation, resp->add_escalations());
    resp->set_next_page_token(page.next_after);
  });
}

grpc::Status DispatchService::AcknowledgeEscalation(grpc::ServerContext* ctx,
                                                    const v1::AcknowledgeEscalationRequest* req,
                                                    v1::AcknowledgeEscalationResponse* resp) {
  return serve(ctx, auth_, "DispatchService.AcknowledgeEscalation", [&](const Principal& who) {
    const auto e = dispatch_.acknowledge_escalation(req->escalation_id(), desk_name(who));
    to_proto(e.ticket, e.escalation, resp->mutable_escalation());
  });
}

grpc::Status DispatchService::ResolveEscalation(grpc::ServerContext* ctx, const v1::ResolveEscalationRequest* req,
                                                v1::ResolveEscalationResponse* resp) {
  return serve(ctx, auth_, "DispatchService.ResolveEscalation", [&](const Principal& who) {
    const auto e = dispatch_.resolve_escalation(req->escalation_id(), desk_name(who), req->note());
    to_proto(e.ticket, e.escalation, resp->mutable_escalation());
  });
}

grpc::Status DispatchService::ListFollowUps(grpc::ServerContext* ctx, const v1::ListFollowUpsRequest* req,
                                            v1::ListFollowUpsResponse* resp) {
  return serve(ctx, auth_, "DispatchService.ListFollowUps", [&](const Principal&) {
    const TimePoint now = dispatch_.clock().now();
    const auto page = dispatch_.list_follow_ups(filter_from_proto(*req, now));
    const TimePoint next_call = next_follow_up_call(dispatch_.policy(), now);
    for (const auto& f : page.follow_ups) {
      auto* out = resp->add_follow_ups();
      to_proto(f.ticket, f.follow_up, now, out);
      if (f.follow_up.owed()) to_proto(next_call, out->mutable_next_call_time());
    }
    resp->set_next_page_token(page.next_after);
  });
}

grpc::Status DispatchService::AddFollowUp(grpc::ServerContext* ctx, const v1::AddFollowUpRequest* req,
                                          v1::AddFollowUpResponse* resp) {
  return serve(ctx, auth_, "DispatchService.AddFollowUp", [&](const Principal& who) {
    std::optional<TimePoint> due;
    if (req->has_due_time()) due = from_proto(req->due_time(), "due_time");
    const TicketId id(req->ticket_id());
    const auto f = dispatch_.add_promise(id, req->promise(), due, desk_name(who));
    to_proto(f.ticket, f.follow_up, dispatch_.clock().now(), resp->mutable_follow_up());
  });
}

grpc::Status DispatchService::GetFollowUpScript(grpc::ServerContext* ctx, const v1::GetFollowUpScriptRequest* req,
                                                v1::GetFollowUpScriptResponse* resp) {
  return serve(ctx, auth_, "DispatchService.GetFollowUpScript", [&](const Principal&) {
    const auto [input, next_call] =
        dispatch_.follow_up_script_input(req->follow_up_id(), req->team(), req->staff_number());
    const FollowUpScript script = follow_up_scripts_.render(input);
    resp->set_language(script.language);
    for (const auto& s : script.steps) resp->add_steps(s);
    for (const auto& g : script.guardrails) resp->add_guardrails(g);
    for (const auto& a : script.outcomes) resp->add_answers(a);
    to_proto(next_call, resp->mutable_next_call_time());
  });
}

grpc::Status DispatchService::RecordFollowUp(grpc::ServerContext* ctx, const v1::RecordFollowUpRequest* req,
                                             v1::RecordFollowUpResponse* resp) {
  return serve(ctx, auth_, "DispatchService.RecordFollowUp", [&](const Principal& who) {
    const FollowUpResult result = follow_up_result_from_proto(*req);
    const auto [recorded, opened] = dispatch_.record_follow_up(req->follow_up_id(), result, desk_name(who));
    const TimePoint now = dispatch_.clock().now();
    to_proto(recorded.ticket, recorded.follow_up, now, resp->mutable_follow_up());
    if (opened) to_proto(recorded.ticket, *opened, now, resp->mutable_opened());
  });
}

grpc::Status DispatchService::ListComplaints(grpc::ServerContext* ctx, const v1::ListComplaintsRequest* req,
                                             v1::ListComplaintsResponse* resp) {
  return serve(ctx, auth_, "DispatchService.ListComplaints", [&](const Principal&) {
    const auto page = dispatch_.list_complaints(filter_from_proto(*req));
    for (const auto& c : page.complaints) to_proto(c.ticket, c.complaint, resp->add_complaints());
    resp->set_next_page_token(page.next_after);
  });
}

grpc::Status DispatchService::RecordComplaint(grpc::ServerContext* ctx, const v1::RecordComplaintRequest* req,
                                              v1::RecordComplaintResponse* resp) {
  return serve(ctx, auth_, "DispatchService.RecordComplaint", [&](const Principal& who) {
    const TicketId id(req->ticket_id());
    const auto c = dispatch_.record_complaint(id, complaint_from_proto(*req), desk_name(who));
    to_proto(c.ticket, c.complaint, resp->mutable_complaint());
  });
}

grpc::Status DispatchService::CloseComplaint(grpc::ServerContext* ctx, const v1::CloseComplaintRequest* req,
                                             v1::CloseComplaintResponse* resp) {
  return serve(ctx, auth_, "DispatchService.CloseComplaint", [&](const Principal& who) {
    const auto c = dispatch_.close_complaint(req->complaint_id(), req->outcome(),
                                             customer_answer_from_proto(req->customer_answer()), desk_name(who));
    to_proto(c.ticket, c.complaint, resp->mutable_complaint());
  });
}

grpc::Status DispatchService::ListConfirmationCalls(grpc::ServerContext* ctx,
                                                    const v1::ListConfirmationCallsRequest* /*req*/,
                                                    v1::ListConfirmationCallsResponse* resp) {
  return serve(ctx, auth_, "DispatchService.ListConfirmationCalls", [&](const Principal&) {
    const TimePoint now = dispatch_.clock().now();
    for (const Ticket& t : dispatch_.confirmations_due()) {
      auto* call = resp->add_calls();
      ticket_out(dispatch_, t, false, call->mutable_ticket());
      const auto window = confirmation_window(t);
      to_proto(window->opens, call->mutable_window_start_time());
      to_proto(window->due, call->mutable_due_time());
      call->set_overdue(now > window->due);
      call->set_attempts(confirmation_attempts(t));
    }
  });
}

grpc::Status DispatchService::RecordConfirmationCall(grpc::ServerContext* ctx,
                                                     const v1::RecordConfirmationCallRequest* req,
                                                     v1::RecordConfirmationCallResponse* resp) {
  return serve(ctx, auth_, "DispatchService.RecordConfirmationCall", [&](const Principal& who) {
    const TicketId id(req->ticket_id());
    const ConfirmationOutcome outcome = confirmation_outcome_from_proto(req->outcome());
    std::optional<TimePoint> new_time;
    if (req->has_new_time()) new_time = from_proto(req->new_time(), "new_time");
    const Ticket t = dispatch_.record_confirmation(id, outcome, new_time, desk_name(who));
    ticket_out(dispatch_, t, true, resp->mutable_ticket());
  });
}

grpc::Status DispatchService::CreateTicket(grpc::ServerContext* ctx, const v1::CreateTicketRequest* req,
                                           v1::CreateTicketResponse* resp) {
  return serve(ctx, auth_, "DispatchService.CreateTicket", [&](const Principal&) {
    std::optional<app::PlanView> plan;
    const auto result = dispatch_.create_ticket(draft_from_proto(*req), &plan);
    ticket_out(dispatch_, result.ticket, true, resp->mutable_ticket(), std::move(plan));
    resp->set_created(result.created);
  });
}

grpc::Status DispatchService::LinkTicket(grpc::ServerContext* ctx, const v1::LinkTicketRequest* req,
                                         v1::LinkTicketResponse* resp) {
  return serve(ctx, auth_, "DispatchService.LinkTicket", [&](const Principal& who) {
    validate_id(req->ticket_id(), "ticket_id");
    TicketId lead;  // empty: unlink
    if (!req->fault_ticket_id().empty()) {
      validate_id(req->fault_ticket_id(), "fault_ticket_id");
      lead = TicketId(req->fault_ticket_id());
    }
    const Ticket t = dispatch_.link_ticket(TicketId(req->ticket_id()), lead, actor_of(who));
    ticket_out(dispatch_, t, true, resp->mutable_ticket());
  });
}

grpc::Status DispatchService::GetTicket(grpc::ServerContext* ctx, const v1::GetTicketRequest* req,
                                        v1::GetTicketResponse* resp) {
  return serve(ctx, auth_, "DispatchService.GetTicket", [&](const Principal&) {
    const Ticket t = dispatch_.get_ticket(TicketId(req->ticket_id()));
    ticket_out(dispatch_, t, true, resp->mutable_ticket());
  });
}

grpc::Status DispatchService::ListTickets(grpc::ServerContext* ctx, const v1::ListTicketsRequest* req,
                                          v1::ListTicketsResponse* resp) {
  return serve(ctx, auth_, "DispatchService.ListTickets", [&](const Principal&) {
    const auto page = dispatch_.list_tickets(filter_from_proto(*req));
    for (const Ticket& t : page.tickets) {
      if (req->at_risk_only() && !dispatch_.at_risk(t.id)) continue;  // a page may then hold fewer tickets
      ticket_out(dispatch_, t, req->include_timeline(), resp->add_tickets());
    }
    if (page.next_after) resp->set_next_page_token(std::to_string(page.next_after));
  });
}

grpc::Status DispatchService::IssueToken(grpc::ServerContext* ctx, const v1::IssueTokenRequest* req,
                                         v1::IssueTokenResponse* resp) {
  return serve(ctx, auth_, "DispatchService.IssueToken", [&](const Principal&) {
    const auto role = role_from_proto(req->role());
    std::optional<Duration> ttl;
    if (req->has_ttl()) ttl = from_proto(req->ttl(), "ttl");
    const CrewId crew = req->crew_id().empty() ? CrewId() : CrewId(req->crew_id());
    to_proto(auth_.issue(role, crew, req->label(), ttl), resp);
  });
}

grpc::Status DispatchService::RevokeToken(grpc::ServerContext* ctx, const v1::RevokeTokenRequest* req,
                                          v1::RevokeTokenResponse* resp) {
  return serve(ctx, auth_, "DispatchService.RevokeToken",
               [&](const Principal&) { to_proto(auth_.revoke(req->token_id()), resp->mutable_revoke_time()); });
}

grpc::Status DispatchService::CancelTicket(grpc::ServerContext* ctx, const v1::CancelTicketRequest* req,
                                           v1::CancelTicketResponse* resp) {
  return serve(ctx, auth_, "DispatchService.CancelTicket", [&](const Principal& who) {
    check_length(req->reason(), limit::kCancelReason, "reason");
    const Ticket t = dispatch_.cancel_ticket(TicketId(req->ticket_id()), req->reason(), actor_of(who));
    ticket_out(dispatch_, t, true, resp->mutable_ticket());
  });
}

grpc::Status DispatchService::PinTicket(grpc::ServerContext* ctx, const v1::PinTicketRequest* req,
                                        v1::PinTicketResponse* resp) {
  return serve(ctx, auth_, "DispatchService.PinTicket", [&](const Principal& who) {
    if (req->crew_id().empty()) throw_invalid("crew_id", "is required");
    const auto [t, crew] = dispatch_.pin_ticket(TicketId(req->ticket_id()), CrewId(req->crew_id()), actor_of(who));
    ticket_out(dispatch_, t, true, resp->mutable_ticket());
    to_proto(crew, resp->mutable_crew());
  });
}

grpc::Status DispatchService::UnpinTicket(grpc::ServerContext* ctx, const v1::UnpinTicketRequest* req,
                                          v1::UnpinTicketResponse* resp) {
  return serve(ctx, auth_, "DispatchService.UnpinTicket", [&](const Principal& who) {
    const Ticket t = dispatch_.unpin_ticket(TicketId(req->ticket_id()), actor_of(who));
    ticket_out(dispatch_, t, true, resp->mutable_ticket());
  });
}

grpc::Status DispatchService::RegisterCrew(grpc::ServerContext* ctx, const v1::RegisterCrewRequest* req,
                                           v1::RegisterCrewResponse* resp) {
  return serve(ctx, auth_, "DispatchService.RegisterCrew", [&](const Principal&) {
    if (!req->has_crew()) throw_invalid("crew", "is required");
    to_proto(dispatch_.register_crew(crew_from_proto(req->crew())), resp->mutable_crew());
  });
}

grpc::Status DispatchService::UpdateCrew(grpc::ServerContext* ctx, const v1::UpdateCrewRequest* req,
                                         v1::UpdateCrewResponse* resp) {
  return serve(ctx, auth_, "DispatchService.UpdateCrew", [&](const Principal&) {
    if (req->crew().id().empty()) throw_invalid("crew.id", "is required");
    const TimePoint now = dispatch_.clock().now();
    const Crew c = dispatch_.update_crew(
        CrewId(req->crew().id()), [&](Crew& crew) { apply_crew_mask(req->crew(), req->update_mask(), crew, now); });
    to_proto(c, resp->mutable_crew());
  });
}

grpc::Status DispatchService::SetCrewShift(grpc::ServerContext* ctx, const v1::SetCrewShiftRequest* req,
                                           v1::SetCrewShiftResponse* resp) {
  return serve(ctx, auth_, "DispatchService.SetCrewShift", [&](const Principal& who) {
    const auto [crew, released] = dispatch_.set_crew_shift(CrewId(req->crew_id()), req->on_shift(), actor_of(who));
    to_proto(crew, resp->mutable_crew());
    for (const auto& id : released) resp->add_released_ticket_ids(id.str());
  });
}

grpc::Status DispatchService::ListCrews(grpc::ServerContext* ctx, const v1::ListCrewsRequest* req,
                                        v1::ListCrewsResponse* resp) {
  return serve(ctx, auth_, "DispatchService.ListCrews", [&](const Principal&) {
    const storage::CrewFilter f = crew_filter_from_proto(*req);
    const auto crews = dispatch_.list_crews(f);
    for (const Crew& c : crews) to_proto(c, resp->add_crews());
    if (crews.size() == f.limit) resp->set_next_page_token(crews.back().id.str());
  });
}

grpc::Status DispatchService::WatchBoard(grpc::ServerContext* ctx, const v1::WatchBoardRequest* req,
                                         grpc::ServerWriter<v1::WatchBoardResponse>* writer) {
  return serve(ctx, auth_, "DispatchService.WatchBoard", [&](const Principal& who) {
    const std::vector<ZoneClass> zones = zone_classes_from_proto(req->zone_classes());
    const auto shown = [&](const Ticket& t) {
      return zones.empty() || std::find(zones.begin(), zones.end(), t.zone_class) != zones.end();
    };
    v1::WatchBoardResponse out;
    const auto send = [&] {
      to_proto(dispatch_.clock().now(), out.mutable_server_time());
      if (!writer->Write(out)) throw Error(ErrorCode::kUnavailable, "", "the watcher went away");
      out.Clear();
    };
    std::uint64_t cursor = req->from_sequence();
    if (cursor == 0 || cursor > board_.last_sequence()) {
      const app::BoardSnapshot snap = board_.snapshot();
      cursor = snap.sequence;
      constexpr std::size_t kChunk = 500;
      std::size_t ti = 0, ci = 0;
      bool first = true;
      do {
        auto* u = out.add_updates();
        u->set_sequence(snap.sequence);
        auto* chunk = u->mutable_snapshot();
        chunk->set_first(first);
        first = false;
        for (std::size_t n = 0; n < kChunk && ti < snap.tickets.size(); ++ti) {
          if (!shown(snap.tickets[ti])) continue;
          ticket_out(dispatch_, snap.tickets[ti], false, chunk->add_tickets());
          ++n;
        }
        for (std::size_t n = 0; n < kChunk && ci < snap.crews.size(); ++n, ++ci)
          to_proto(snap.crews[ci], chunk->add_crews());
        chunk->set_last(ti == snap.tickets.size() && ci == snap.crews.size());
        send();
      } while (ti < snap.tickets.size() || ci < snap.crews.size());
    }
    auto last_sent = std::chrono::steady_clock::now();
    auto last_auth = last_sent;
    while (!ctx->IsCancelled() && !stopping_) {
      // The contract: a stream ends with UNAUTHENTICATED once its token is
      // revoked or expires. Expiry is checked before every message; the
      // revocation (a store read) at most every 250 ms.
      const auto loop_start = std::chrono::steady_clock::now();
      const bool recheck = loop_start - last_auth >= std::chrono::milliseconds(250);
      if (dispatch_.clock().now() >= who.expires || (recheck && !auth_.still_valid(who)))
        throw Error(ErrorCode::kUnauthenticated, "authorization", "token " + who.token_id + " was revoked or expired");
      if (recheck) last_auth = loop_start;
      const std::uint64_t generation = dispatch_.changes().generation();
      const auto changes = board_.since(cursor, 500);
      for (const app::BoardChange& c : changes) {
        cursor = c.sequence;
        if (c.ticket) {
          if (!shown(*c.ticket)) continue;
          auto* u = out.add_updates();
          u->set_sequence(c.sequence);
          if (is_terminal(c.ticket->status))
            u->set_removed_ticket_id(c.ticket->id.str());
          else
            ticket_out(dispatch_, *c.ticket, false, u->mutable_ticket());
        } else if (c.crew) {
          auto* u = out.add_updates();
          u->set_sequence(c.sequence);
          to_proto(*c.crew, u->mutable_crew());
        }
      }
      const auto now = std::chrono::steady_clock::now();
      if (out.updates_size() > 0 || now - last_sent > std::chrono::seconds(10)) {  // changes, or a heartbeat
        send();
        last_sent = now;
      }
      if (changes.size() < 500) dispatch_.changes().wait_past(generation, std::chrono::milliseconds(500));
    }
  });
}

grpc::Status DispatchService::GetReport(grpc::ServerContext* ctx, const v1::GetReportRequest* req,
                                        v1::GetReportResponse* resp) {
  return serve(ctx, auth_, "DispatchService.GetReport", [&](const Principal&) {
    if (!req->has_from()) throw_invalid("from", "is required");
    if (!req->has_to()) throw_invalid("to", "is required");
    to_proto(dispatch_.report(from_proto(req->from(), "from"), from_proto(req->to(), "to")), resp);
  });
}

}  // namespace linecrew::rpc
