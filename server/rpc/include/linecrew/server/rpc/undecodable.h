// gRPC-level request accounting that happens before any handler runs.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace grpc::experimental {
class ServerInterceptorFactoryInterface;
}

namespace linecrew::rpc {

// A gRPC server interceptor that counts (record_undecodable) and logs the
// unary and server-streaming calls gRPC itself ends with INTERNAL because
// their request did not deserialize, e.g. invalid UTF-8 in a string field.
// For ServerBuilder::experimental().SetInterceptorCreators().
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> undecodable_request_counter();

// "/linecrew.v1.DispatchService/CreateTicket" -> "DispatchService.CreateTicket",
// the method label of the metrics and the request log.
std::string rpc_method_label(std::string_view grpc_method);

}  // namespace linecrew::rpc
