// A CustomerViews for tests of the customer channels (tracking page,
// CustomerService): views set by hand per token, the shipped templates and
// the default policy.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include "linecrew/server/app/customer_view.h"
#include "test_support.h"

namespace linecrew::testing {

class FakeCustomerViews final : public app::CustomerViews {
 public:
  FakeCustomerViews() : templates_(NoticeTemplates::load_file(config_path("notify_templates.json"))) {}

  // `view` for `token` from now on (nullopt: unknown or expired); signals a change.
  void set(const std::string& token, std::optional<app::CustomerView> view) {
    {
      std::lock_guard lock(mu_);
      if (view)
        views_[token] = *view;
      else
        views_.erase(token);
    }
    changes_.notify();
  }
  // After the next lookup of `token`, it shows `view` (a change the page's
  // refresh should pick up).
  void then(const std::string& token, app::CustomerView view) {
    std::lock_guard lock(mu_);
    pending_[token] = std::move(view);
  }
  // by_token throws (a storage failure).
  void fail(bool on) { fail_ = on; }
  int lookups() const { return lookups_; }

  std::optional<app::CustomerView> by_token(std::string_view token) override {
    ++lookups_;
    if (fail_) throw std::runtime_error("storage is on fire");
    std::optional<app::CustomerView> out;
    bool changed = false;
    {
      std::lock_guard lock(mu_);
      const auto it = views_.find(token);
      if (it != views_.end()) out = it->second;
      const auto next = pending_.find(token);
      if (next != pending_.end()) {
        views_[std::string(token)] = std::move(next->second);
        pending_.erase(next);
        changed = true;
      }
    }
    if (changed) changes_.notify();
    return out;
  }
  app::ChangeSignal& view_changes() override { return changes_; }
  const NoticeTemplates& templates() const override { return templates_; }
  const ServicePolicy& policy() const override { return policy_; }

 private:
  NoticeTemplates templates_;
  ServicePolicy policy_;
  app::ChangeSignal changes_;
  std::mutex mu_;
  std::map<std::string, app::CustomerView, std::less<>> views_;
  std::map<std::string, app::CustomerView, std::less<>> pending_;
  std::atomic<bool> fail_{false};
  std::atomic<int> lookups_{0};
};

// A ticket being driven to: reported 14:05, assigned 14:08, en route 14:15,
// window 14:20–14:50, promised 14:50 (local, UTC+8, on the demo day).
inline app::CustomerView sample_view(const std::string& language = "zh-CN") {
  app::CustomerView v;
  v.ticket = TicketId("T-000123");
  v.status = TicketStatus::kEnRoute;
  v.eta_window = EtaWindow{at("14:20"), at("14:50")};
  v.crew_first_name = "Wei";
  v.effective_deadline = at("14:50");
  v.timeline = {{at("14:05"), "reported", ""}, {at("14:08"), "assigned", ""}, {at("14:15"), "en_route", ""}};
  v.language = language;
  v.version = 7;
  return v;
}

// A syntactically valid tracking token (22+ chars base64url).
inline constexpr const char* kGoodToken = "AbCdEfGhIjKlMnOpQrStUv_-42";

}  // namespace linecrew::testing
