// Customer ETA updates (issue 6, docs/notifications.md): a background worker
// that follows the ticket change feed and the plan's ETAs, decides with the
// core rules (core/notify.h) what each customer must be told, queues the
// messages in a durable outbox (storage/notify_store.h) in the same
// transaction as the told state and the feed cursor, and delivers them to the
// SMS/voice gateway webhook, signed, with retries and backoff. A restart or a
// gateway outage loses nothing; a (ticket, event) is queued once.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>

#include "linecrew/core/clock.h"
#include "linecrew/core/notify.h"
#include "linecrew/server/app/customer_view.h"
#include "linecrew/server/app/planning.h"
#include "linecrew/server/app/signal.h"
#include "linecrew/server/storage/crew_store.h"
#include "linecrew/server/storage/notify_store.h"
#include "linecrew/server/storage/ticket_store.h"

namespace linecrew::app {

struct NotifierConfig {
  std::string webhook_url;     // http://host:port/path; empty: messages are recorded, not sent
  std::string webhook_secret;  // HMAC-SHA256 key
  std::string tracking_base_url;
  std::chrono::milliseconds retry_base{500};
  std::chrono::milliseconds retry_max{60000};
  std::chrono::milliseconds eta_sweep{5000};  // how often every open ticket's ETA is re-checked
};

// The X-Linecrew-Signature value for `body`: "sha256=" + hex HMAC-SHA256.
std::string webhook_signature(const std::string& secret, const std::string& body);

class Notifier final : public CustomerViews {
 public:
  Notifier(const Clock& clock, const ServicePolicy& policy, const NoticeTemplates& templates,
           storage::TicketStore& tickets, storage::CrewStore& crews, storage::ChangeFeed& feed, Planning* planning,
           storage::NotifyStore& store, ChangeSignal& changes, NotifierConfig config);
  ~Notifier() override;

  // Starts the background worker (scan + deliver, woken by `changes`).
  void start();
  void stop();

  // One scan: the tickets changed since the stored cursor (and, with
  // `sweep_etas`, every open ticket's ETA) → notices queued. Returns how many.
  std::size_t scan(bool sweep_etas);
  // Sends the due messages (one in flight per ticket, in order). Returns how many were delivered.
  std::size_t deliver();

  std::optional<CustomerView> by_token(std::string_view token) override;
  ChangeSignal& view_changes() override { return view_changes_; }
  const NoticeTemplates& templates() const override { return templates_; }
  const ServicePolicy& policy() const override { return policy_; }
  std::string tracking_link(const Ticket& t) const;
  void set_tracking_base_url(std::string url) { config_.tracking_base_url = std::move(url); }

 private:
  std::size_t evaluate(const std::vector<Ticket>& tickets, std::uint64_t cursor);
  bool post(const storage::NotifyMessage& m, std::string& error);
  void run();

  const Clock& clock_;
  const ServicePolicy& policy_;
  const NoticeTemplates& templates_;
  storage::TicketStore& tickets_;
  storage::CrewStore& crews_;
  storage::ChangeFeed& feed_;
  Planning* planning_;
  storage::NotifyStore& store_;
  ChangeSignal& changes_;
  NotifierConfig config_;
  ChangeSignal view_changes_;
  // The ETA sweep's view of each travelling ticket as last evaluated: a sweep
  // reads again only the tickets whose planned ETA may call for a notice
  // (eta_may_need_notice). Filled by the first sweep, which reads them all,
  // and kept by every evaluation.
  struct Travelling {
    CrewId owner;
    TicketStatus status = TicketStatus::kReported;
    ToldState told;
  };
  std::unordered_map<TicketId, Travelling> travelling_;
  bool travelling_loaded_ = false;
  std::chrono::steady_clock::time_point last_sweep_{};
  std::uint64_t swept_generation_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace linecrew::app
