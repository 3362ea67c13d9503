// The operator's files: the service policy, the customer notice templates and
// the delay-call script (JSON), chosen by the first byte.
#include "fuzz_support.h"
#include "linecrew/core/call_script.h"
#include "linecrew/core/notify.h"
#include "linecrew/core/policy.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace linecrew;
  if (size == 0) return 0;
  const std::string_view body = fuzz::text(data + 1, size - 1);
  fuzz::expect_clean([&] {
    switch (data[0] % 3) {
      case 0:
        ServicePolicy::from_json(body, "policy.json");
        break;
      case 1:
        NoticeTemplates::from_json(body, "notify_templates.json");
        break;
      default:
        CallScriptTemplates::from_json(body, "call_script.json");
        break;
    }
  });
  return 0;
}
