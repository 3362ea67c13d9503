#include "app/dispatch.h"

#include <array>
#include <random>

#include "linecrew/core/error.h"

namespace linecrew::app {

Dispatch::Dispatch(const Clock& clock, const ZoneMap& zones, const ServicePolicy& policy, storage::TicketStore& store)
    : clock_(clock), zones_(zones), policy_(policy), store_(store) {}

storage::CreateResult Dispatch::create_ticket(const TicketDraft& draft) {
  Ticket t = intake(draft, zones_, policy_, clock_.now());
  t.tracking_token = new_tracking_token();
  return store_.create(std::move(t));
}

Ticket Dispatch::get_ticket(const TicketId& id) {
  auto t = store_.get(id);
  if (!t) throw Error(ErrorCode::kNotFound, "ticket_id", "no ticket '" + id.str() + "'");
  return std::move(*t);
}

storage::TicketPage Dispatch::list_tickets(const storage::TicketFilter& filter) {
  return store_.list(filter);
}

std::string new_tracking_token() {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::random_device rd;  // the OS entropy source on Linux
  std::array<unsigned char, 16> bytes;
  for (std::size_t i = 0; i < bytes.size(); i += 4) {
    const unsigned v = rd();
    for (std::size_t k = 0; k < 4; ++k) bytes[i + k] = static_cast<unsigned char>(v >> (8 * k));
  }
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (const unsigned char b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      out += kAlphabet[(acc >> (bits - 6)) & 63];
      bits -= 6;
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 63];
  return out;
}

}  // namespace linecrew::app
