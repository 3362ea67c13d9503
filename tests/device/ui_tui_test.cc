// Smoke test of the real `linecrew-device ui` on a pseudo-terminal (40x16,
// TERM=xterm): select the second stop, press the "arrived" key, quit. The
// action must be in the local store and the process must exit 0. In the
// aarch64 build the device runs under qemu-user.
#include <gtest/gtest.h>

#include "device_process.h"
#include "linecrew/device/store/local_store.h"
#include "server_process.h"
#include "test_support.h"

namespace linecrew {
namespace {

using linecrew::testing::at;

device::LocalTicket ticket(const std::string& id, const std::string& name, double lat, const char* deadline) {
  device::LocalTicket t;
  t.id = TicketId(id);
  t.customer_name = name;
  t.customer_phone = "+8613800138000";
  t.language = "zh-CN";
  t.location = GeoPoint(lat, 120.15);
  t.address = "Jiefang Road 1";
  t.deadline = t.effective_deadline = at(deadline);
  t.version = 1;
  return t;
}

TEST(DeviceUi, OnAPseudoTerminalTheArrivedKeyRecordsTheActionAndQuitExitsZero) {
  linecrew::testing::TempDir dir("device-ui-pty");
  const std::string store_path = dir.file("crew.db");
  {
    device::LocalStore store(store_path);
    store.upsert(ticket("T-000001", "Zhang", 30.250, "14:50"));
    store.upsert(ticket("T-000002", "Li", 30.251, "15:30"));
  }
  const auto wait = std::chrono::seconds(linecrew::testing::emulated() ? 30 : 10);
  linecrew::testing::PtyDevice ui(
      linecrew::testing::device_command({"--store", store_path, "--device-id", "dev-pty", "--now",
                                         "2026-11-22T14:06:00+08:00", "ui", "--templates",
                                         linecrew::testing::config_path("call_script.json")}),
      16, 40);
  ASSERT_TRUE(ui.started());
  ASSERT_TRUE(ui.wait_for("Li", wait)) << ui.output();  // the route is on screen
  EXPECT_NE(ui.output().find("LOCAL"), std::string::npos) << ui.output();
  const std::size_t before = ui.output().size();
  ui.send("j3");  // down to the second stop, arrived
  ASSERT_TRUE(ui.wait_for("arrived", wait, before)) << ui.output();
  ui.send("q");
  EXPECT_EQ(ui.wait_exit(wait), 0) << ui.output();

  device::LocalStore store(store_path);
  EXPECT_EQ(store.get(TicketId("T-000002"))->status, TicketStatus::kOnSite);
  EXPECT_EQ(store.get(TicketId("T-000001"))->status, TicketStatus::kAssigned);
  const auto out = store.outbox();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].action, "arrived");
  EXPECT_EQ(out[0].ticket.str(), "T-000002");
  EXPECT_EQ(out[0].device_time, at("14:06"));
}

}  // namespace
}  // namespace linecrew
