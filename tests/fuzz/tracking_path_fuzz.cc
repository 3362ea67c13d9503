// The customer tracking page's request path (/t/<token>[.json]) and the token
// redaction its log lines use.
#include "fuzz_support.h"
#include "linecrew/server/app/rate_limit.h"
#include "linecrew/server/http/tracking_http.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace linecrew;
  const std::string_view path = fuzz::text(data, size);
  if (const auto parsed = http::parse_tracking_path(path)) {
    // A token the page accepts is never logged whole.
    const std::string shown = app::redact_token(parsed->token);
    if (parsed->token.size() >= 8 && shown.find(parsed->token) != std::string::npos) __builtin_trap();
  }
  return 0;
}
