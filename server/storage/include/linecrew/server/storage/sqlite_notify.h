// NotifyStore in its own SQLite file (data/notify.db; WAL, synchronous=FULL):
// the notifier is a downstream consumer of the ticket change feed, so its
// outbox, told states and feed cursor commit together, apart from the tickets.
#pragma once

#include <mutex>
#include <string>

#include "linecrew/server/storage/notify_store.h"
#include "linecrew/storage/sqlite.h"

namespace linecrew::storage {

class SqliteNotifyStore final : public NotifyStore {
 public:
  explicit SqliteNotifyStore(const std::string& path);

  std::uint64_t cursor() override;
  std::optional<ToldState> told(const TicketId& ticket) override;
  void record(const std::vector<TicketNotices>& notices, std::optional<std::uint64_t> cursor) override;
  std::vector<NotifyMessage> due(TimePoint now, std::int64_t now_ms, std::size_t limit) override;
  void mark_sent(std::int64_t id, TimePoint at) override;
  void mark_failed(std::int64_t id, const std::string& error, std::int64_t next_try_ms, bool rejected) override;
  std::vector<TimePoint> send_times(const TicketId& ticket) override;
  std::vector<NotifyMessage> messages(const TicketId& ticket) override;

 private:
  std::mutex mu_;
  Database db_;
};

}  // namespace linecrew::storage
