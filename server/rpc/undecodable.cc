#include "linecrew/server/rpc/undecodable.h"

#include <grpcpp/support/server_interceptor.h>

#include <iostream>

#include "linecrew/server/app/stats.h"

namespace linecrew::rpc {

std::string rpc_method_label(std::string_view grpc_method) {
  if (grpc_method.starts_with("/")) grpc_method.remove_prefix(1);
  const auto slash = grpc_method.find('/');
  std::string_view service = grpc_method.substr(0, slash);
  const auto dot = service.rfind('.');
  if (dot != std::string_view::npos) service.remove_prefix(dot + 1);
  std::string label(service);
  if (slash != std::string_view::npos) label += "." + std::string(grpc_method.substr(slash + 1));
  // Only name characters: the label goes into the metrics text and a JSON log line.
  for (char& c : label)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) c = '_';
  return label.substr(0, 128);
}

namespace {

namespace gx = grpc::experimental;

// gRPC's sync server decodes a unary or server-streaming request before the
// handler runs; when that fails, POST_RECV_MESSAGE carries no message and the
// handler is skipped: gRPC sends INTERNAL itself (message empty for proto3).
class UndecodableRequestCounter : public gx::Interceptor {
 public:
  explicit UndecodableRequestCounter(gx::ServerRpcInfo* info) : info_(info) {}

  void Intercept(gx::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(gx::InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() == nullptr)
      undecodable_ = true;
    if (undecodable_ && methods->QueryInterceptionHookPoint(gx::InterceptionHookPoints::PRE_SEND_STATUS) &&
        methods->GetSendStatus().error_code() == grpc::StatusCode::INTERNAL) {
      const std::string method = rpc_method_label(info_->method());
      app::rpc_stats().record_undecodable(method);
      std::cerr << R"({"event":"rpc","method":")" + method + R"(","code":13,"undecodable_request":true})" + "\n";
    }
    methods->Proceed();
  }

 private:
  gx::ServerRpcInfo* info_;
  bool undecodable_ = false;
};

class UndecodableRequestCounterFactory : public gx::ServerInterceptorFactoryInterface {
 public:
  gx::Interceptor* CreateServerInterceptor(gx::ServerRpcInfo* info) override {
    // Client and bidi streams read their messages inside the handler.
    if (info->type() != gx::ServerRpcInfo::Type::UNARY && info->type() != gx::ServerRpcInfo::Type::SERVER_STREAMING)
      return nullptr;
    return new UndecodableRequestCounter(info);
  }
};

}  // namespace

std::unique_ptr<gx::ServerInterceptorFactoryInterface> undecodable_request_counter() {
  return std::make_unique<UndecodableRequestCounterFactory>();
}

}  // namespace linecrew::rpc
