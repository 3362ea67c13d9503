// The customer-message outbox and what each customer was told, behind an
// interface (a networked database can back it later). Every mutating call is
// durable when it returns.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "linecrew/core/ids.h"
#include "linecrew/core/notify.h"
#include "linecrew/core/time.h"

namespace linecrew::storage {

enum class MessageStatus : std::uint8_t {
  kPending,     // queued, waiting for its send time or a retry
  kSent,        // the gateway acknowledged it (2xx)
  kSuperseded,  // an ETA update replaced by a newer one before it went out
  kRejected,    // the gateway refused it for good (4xx other than 408/429)
};
std::string_view to_string(MessageStatus status);

struct NotifyMessage {
  std::int64_t id = 0;
  TicketId ticket;
  std::string key;  // unique per ticket and channel: "acknowledged", "assigned", "eta:2", "assigned:2", ...
  NoticeKind kind = NoticeKind::kAssigned;
  std::string channel = "webhook";
  std::string language;
  std::string recipient;  // the customer's phone
  std::string content;    // the rendered text
  std::optional<EtaWindow> window;
  std::string link;  // the tracking link
  TimePoint created;
  TimePoint due;  // not before (hourly cap, quiet hours)
  MessageStatus status = MessageStatus::kPending;
  std::uint32_t attempts = 0;
  std::string last_error;
  std::optional<TimePoint> sent;
  std::int64_t next_try_ms = 0;  // wall clock (ms since epoch) of the next delivery attempt
};

// One ticket's outcome of a scan: the new told state and the messages to queue.
struct TicketNotices {
  TicketId ticket;
  ToldState told;
  std::vector<NotifyMessage> messages;
};

class NotifyStore {
 public:
  virtual ~NotifyStore() = default;
  // The change-feed sequence the notifier has processed up to.
  virtual std::uint64_t cursor() = 0;
  virtual std::optional<ToldState> told(const TicketId& ticket) = 0;
  // In one transaction: each ticket's told state, its messages (a (ticket,
  // key, channel) already queued is skipped), older pending ETA messages of
  // the ticket superseded by a newer one, and the cursor (when given).
  virtual void record(const std::vector<TicketNotices>& notices, std::optional<std::uint64_t> cursor) = 0;
  // Pending messages with due <= now and next_try_ms <= now_ms, only the
  // oldest pending one of each ticket (messages go out in order), oldest first.
  virtual std::vector<NotifyMessage> due(TimePoint now, std::int64_t now_ms, std::size_t limit) = 0;
  virtual void mark_sent(std::int64_t id, TimePoint at) = 0;
  virtual void mark_failed(std::int64_t id, const std::string& error, std::int64_t next_try_ms, bool rejected) = 0;
  // When this ticket's messages that count toward the hourly cap
  // (counts_toward_cap in core/notify.h) were sent or are due.
  virtual std::vector<TimePoint> send_times(const TicketId& ticket) = 0;
  // Every message of a ticket, oldest first.
  virtual std::vector<NotifyMessage> messages(const TicketId& ticket) = 0;
};

}  // namespace linecrew::storage
