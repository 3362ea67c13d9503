// The crew actions the handheld records: the status each leads to, and
// recording one (local status + outbox row with the v1.CrewAction to upload),
// all offline.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "linecrew/core/compliance.h"
#include "linecrew/core/confirmation.h"
#include "linecrew/core/geo.h"
#include "linecrew/core/ids.h"
#include "linecrew/core/ticket_status.h"
#include "linecrew/device/store/local_store.h"

namespace linecrew::device {

// The status after `action` on a ticket now in `current`, or nullopt for an
// unknown action. Actions that record a fact without moving the status
// (cause_found, explained_to_customer, contact_attempt, need_help) keep `current`;
// left_site closes a restored ticket only when `closeout_complete`.
std::optional<TicketStatus> status_after(std::string_view action, TicketStatus current, bool closeout_complete = true);

// What the crew did, as entered on the handheld.
struct ActionInput {
  std::string action;  // accept, en_route, arrived, cause_found, restored, explained_to_customer,
                       // left_site, cannot_fix, contact_attempt, need_help, confirmation_call
  TicketId ticket;
  std::string staff_number;                         // the member acting; empty: the crew
  std::string text;                                 // cause found / note / cannot-fix reason / call note / help
  std::optional<TimePoint> committed_return;        // cannot_fix
  std::optional<GeoPoint> position;                 // arrived
  std::optional<DelayReason> reason;                // contact_attempt
  std::optional<TimePoint> proposed;                // contact_attempt
  std::optional<Consent> consent;                   // contact_attempt
  std::optional<ConfirmationOutcome> confirmation;  // confirmation_call
  std::optional<TimePoint> new_time;                // confirmation_call, new_time_agreed
};

// Validates the input (Error(kInvalidArgument) naming the field), records it
// in `store` with a new op id, and returns the outbox entry. A contact
// attempt is also written to the call log and, when consented in time,
// moves the local effective deadline at once (the server does the same on
// upload).
OutboxEntry record(LocalStore& store, const DeviceId& device_id, const ActionInput& in, TimePoint now);

// A confirmation call is recorded only on a scheduled visit whose call
// window is open (2-3 h before the agreed arrival, rules §4) and that is not
// confirmed yet (Error(kFailedPrecondition, "ticket_id")); one that reached
// the customer confirms it locally, and a new time agreed moves the local
// effective deadline (the server checks the contact hours on upload).
//
// A position fix queued for upload.
OutboxEntry record_position(LocalStore& store, const DeviceId& device_id, const GeoPoint& p, float accuracy_m,
                            TimePoint fix_time, TimePoint now);

}  // namespace linecrew::device
