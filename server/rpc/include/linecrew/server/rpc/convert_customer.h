// Protobuf <-> domain conversion for CustomerService (a customer's own ticket
// by tracking token), rpc/convert_customer.cc; the common values are in
// convert.h.
#pragma once

#include "linecrew/core/time.h"
#include "linecrew/server/app/customer_view.h"
#include "linecrew/v1/customer.pb.h"

namespace linecrew::rpc {

// The proto view; `server_time` is when it was built.
void to_proto(const app::CustomerView& view, TimePoint server_time, v1::CustomerTicketView* out);

}  // namespace linecrew::rpc
