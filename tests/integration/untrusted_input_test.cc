// The real linecrew-server process against input from outside the contract
// (issue 17): X-Forwarded-For on the tracking page from peers that are not
// trusted proxies, and gRPC request bodies that do not parse.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "server_process.h"

namespace linecrew {
namespace {

using testing::ServerProcess;
using testing::TempDir;

struct Started {
  TempDir dir;
  std::unique_ptr<ServerProcess> server;
  explicit Started(const std::string& extra) : dir("untrusted") {
    server = std::make_unique<ServerProcess>(testing::make_config(dir, dir.file("data"), extra), dir.file("data"));
  }
};

// GETs an unknown tracking page as `client`; the status: 404, or 429 when
// the rate limit refuses it.
int get_page(httplib::Client& http, const std::string& forwarded_for) {
  httplib::Headers headers;
  if (!forwarded_for.empty()) headers.emplace("X-Forwarded-For", forwarded_for);
  const auto r = http.Get("/t/ZZZZEfGhIjKlMnOpQrStUv_-42", headers);
  return r ? r->status : -1;
}

httplib::Client tracking_client(const ServerProcess& server) {
  httplib::Client http("127.0.0.1", server.tracking_port());
  http.set_connection_timeout(5, 0);
  http.set_read_timeout(5, 0);
  return http;
}

TEST(TrackingPageProxy, XForwardedForFromAnUntrustedPeerIsIgnored) {
  Started s(R"("tracking_listen": "127.0.0.1:0")");  // no trusted_proxies: the default
  ASSERT_TRUE(s.server->start()) << s.server->stderr_text();
  ASSERT_GT(s.server->tracking_port(), 0);
  auto http = tracking_client(*s.server);
  // A client naming a new address every time still has one bucket: its own.
  int limited = 0;
  for (int i = 0; i < 40; ++i) {
    const int status = get_page(http, "203.0.113." + std::to_string(i));
    ASSERT_TRUE(status == 404 || status == 429) << status;
    if (status == 429) ++limited;
  }
  EXPECT_EQ(limited, 10);
}

TEST(TrackingPageProxy, ATrustedProxyNamesTheClient) {
  Started s(R"("tracking_listen": "127.0.0.1:0", "trusted_proxies": ["10.9.8.7", "127.0.0.1"])");
  ASSERT_TRUE(s.server->start()) << s.server->stderr_text();
  auto http = tracking_client(*s.server);
  // Each client behind the proxy has its own bucket.
  for (int i = 0; i < 40; ++i) EXPECT_EQ(get_page(http, "203.0.113." + std::to_string(i)), 404) << i;
  // The proxy appends the address it saw; what the client sent before it
  // (the left part) does not get it a new bucket.
  int limited = 0;
  for (int i = 0; i < 40; ++i)
    if (get_page(http, "198.51.100." + std::to_string(i) + ", 192.0.2.1") == 429) ++limited;
  EXPECT_EQ(limited, 10);
  // Without the header: the proxy's own bucket, still full.
  EXPECT_EQ(get_page(http, ""), 404);
}

TEST(TrackingPageProxy, ABadTrustedProxyStopsTheStartNamingTheKey) {
  for (const char* bad :
       {R"(["127.0.0.1", "10.0.0.300"])", R"(["proxy.lan"])", R"(["10.0.0.1:8080"])", R"("127.0.0.1")", R"([127])"}) {
    Started s(R"("tracking_listen": "127.0.0.1:0", "trusted_proxies": )" + std::string(bad));
    EXPECT_FALSE(s.server->start()) << bad;
    EXPECT_EQ(s.server->wait_exit(), 2) << bad;
    const std::string err = s.server->stderr_text();
    EXPECT_NE(err.find("server.json: trusted_proxies: "), std::string::npos) << err;
    EXPECT_TRUE(err.find("is not an IP address") != std::string::npos ||
                err.find("must be a list of IP addresses") != std::string::npos)
        << err;
  }
}

// Sends `body` as the raw request of `method` (no authorization), reads
// whatever comes back, and returns the final status.
grpc::Status raw_call(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                      const std::string& body) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::CompletionQueue cq;
  void* tag = nullptr;
  bool ok = false;
  const auto call = stub.PrepareCall(&ctx, method, &cq);
  call->StartCall(reinterpret_cast<void*>(1));
  cq.Next(&tag, &ok);
  grpc::Slice slice(body);
  grpc::ByteBuffer request(&slice, 1);
  call->WriteLast(request, grpc::WriteOptions(), reinterpret_cast<void*>(2));
  cq.Next(&tag, &ok);
  for (grpc::ByteBuffer response; ok;) {
    call->Read(&response, reinterpret_cast<void*>(3));
    cq.Next(&tag, &ok);
  }
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(4));
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

TEST(UndecodableRequests, AreInternalFromGrpcAndCountedApartFromBugs) {
  Started s("");
  ASSERT_TRUE(s.server->start()) << s.server->stderr_text();
  const auto channel = grpc::CreateChannel(s.server->address(), grpc::InsecureChannelCredentials());
  // client_request_id (field 1, a string) holding invalid UTF-8.
  const std::string bad_utf8("\x0a\x02\xff\xfe", 4);
  for (int i = 0; i < 2; ++i) {
    const grpc::Status st = raw_call(channel, "/linecrew.v1.DispatchService/CreateTicket", bad_utf8);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INTERNAL) << st.error_message();
    EXPECT_EQ(st.error_message(), "");  // gRPC's own answer: no message for a proto3 parse failure
  }
  // A length past the end of the body (a unary CustomerService call).
  EXPECT_EQ(raw_call(channel, "/linecrew.v1.CustomerService/GetStatus",
                     std::string("\x0a\x05"
                                 "ab",
                                 4))
                .error_code(),
            grpc::StatusCode::INTERNAL);
  // A truncated varint for a server-streaming call.
  EXPECT_EQ(raw_call(channel, "/linecrew.v1.DispatchService/WatchBoard", std::string("\x08\xff", 2)).error_code(),
            grpc::StatusCode::INTERNAL);
  // A body that parses reaches the handler: counted by its status as always.
  EXPECT_EQ(raw_call(channel, "/linecrew.v1.DispatchService/CreateTicket", "").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  ASSERT_GT(s.server->metrics_port(), 0);
  httplib::Client http("127.0.0.1", s.server->metrics_port());
  const auto res = http.Get("/metrics");
  ASSERT_TRUE(res);
  const std::string& m = res->body;
  for (const char* line : {R"(linecrew_rpc_undecodable_requests_total{method="DispatchService.CreateTicket"} 2)",
                           R"(linecrew_rpc_undecodable_requests_total{method="CustomerService.GetStatus"} 1)",
                           R"(linecrew_rpc_undecodable_requests_total{method="DispatchService.WatchBoard"} 1)",
                           R"(linecrew_rpc_requests_total{method="DispatchService.CreateTicket",code="16"} 1)"})
    EXPECT_NE(m.find(line), std::string::npos) << line << "\n" << m;
  EXPECT_EQ(m.find(R"(code="13")"), std::string::npos) << m;  // no server bug counted
  EXPECT_EQ(m.find(R"(linecrew_rpc_undecodable_requests_total{method="DispatchService.CreateTicket"} 3)"),
            std::string::npos);
  // And the request log has a line for each.
  const std::string log = s.server->stderr_text();
  std::size_t lines = 0;
  for (auto at = log.find(R"("undecodable_request":true)"); at != std::string::npos;
       at = log.find(R"("undecodable_request":true)", at + 1))
    ++lines;
  EXPECT_EQ(lines, 4u) << log;
}

}  // namespace
}  // namespace linecrew
