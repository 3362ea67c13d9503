#include "linecrew/server/rpc/customer_service.h"

#include <chrono>

#include "linecrew/core/error.h"
#include "linecrew/server/app/stats.h"
#include "linecrew/server/rpc/convert_customer.h"
#include "linecrew/server/rpc/status.h"

namespace linecrew::rpc {

namespace {

Error not_found() {
  return Error(ErrorCode::kNotFound, "", "not found");  // the same for unknown, malformed and expired
}

// The frame of a public handler: no authorisation; errors by the error
// table; one log line with at most a redacted token.
template <class F>
grpc::Status serve_public(std::string_view method, const std::string& token, F&& body) {
  const auto start = std::chrono::steady_clock::now();
  grpc::Status status = handle(method, body);
  const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
  log_request(method, status, took.count(),
              app::tracking_token_syntax_ok(token) ? "tracking:" + app::redact_token(token) : std::string());
  app::rpc_stats().record(method, static_cast<int>(status.error_code()), took.count());
  return status;
}

}  // namespace

CustomerService::CustomerService(app::CustomerViews& views, const Clock& clock, CustomerServiceOptions options)
    : views_(views),
      clock_(clock),
      options_(options),
      peer_limit_(options.peer_per_minute, options.peer_burst),
      token_limit_(options.token_per_minute, options.token_burst) {}

void CustomerService::stop_streams() {
  stopping_ = true;
  views_.view_changes().notify();  // wake the streams now rather than at their next poll
}

app::CustomerView CustomerService::lookup(const std::string& token) {
  auto view = views_.by_token(token);
  if (!view) throw not_found();
  return std::move(*view);
}

app::CustomerView CustomerService::admit(const grpc::ServerContext& ctx, const std::string& token) {
  if (!peer_limit_.allow(app::peer_address(ctx.peer())))
    throw Error(ErrorCode::kResourceExhausted, "", "too many requests; try again later");
  if (!app::tracking_token_syntax_ok(token)) throw not_found();
  if (!token_limit_.allow(token)) throw Error(ErrorCode::kResourceExhausted, "", "too many requests; try again later");
  return lookup(token);
}

grpc::Status CustomerService::GetStatus(grpc::ServerContext* ctx, const v1::GetStatusRequest* req,
                                        v1::GetStatusResponse* resp) {
  const std::string& token = req->tracking_token();
  return serve_public("CustomerService.GetStatus", token, [&] {
    const app::CustomerView view = admit(*ctx, token);
    to_proto(view, clock_.now(), resp->mutable_view());
  });
}

grpc::Status CustomerService::WatchStatus(grpc::ServerContext* ctx, const v1::WatchStatusRequest* req,
                                          grpc::ServerWriter<v1::WatchStatusResponse>* writer) {
  const std::string& token = req->tracking_token();
  return serve_public("CustomerService.WatchStatus", token, [&] {
    app::ChangeSignal& changes = views_.view_changes();
    std::uint64_t generation = changes.generation();  // before the first read: no change slips between
    app::CustomerView view = admit(*ctx, token);

    // A place among the open streams, given back however the stream ends.
    {
      std::lock_guard lock(watch_mu_);
      std::size_t& mine = watchers_by_token_[token];
      if (watchers_ >= options_.max_watchers || mine >= options_.max_watchers_per_token) {
        if (mine == 0) watchers_by_token_.erase(token);
        throw Error(ErrorCode::kResourceExhausted, "", "too many open watches; try again later");
      }
      ++mine;
      ++watchers_;
    }
    struct Release {
      CustomerService& s;
      const std::string& token;
      ~Release() {
        std::lock_guard lock(s.watch_mu_);
        --s.watchers_;
        const auto it = s.watchers_by_token_.find(token);
        if (it != s.watchers_by_token_.end() && --it->second == 0) s.watchers_by_token_.erase(it);
      }
    } release{*this, token};

    v1::WatchStatusResponse out;
    const auto send = [&](const app::CustomerView& v) {
      to_proto(v, clock_.now(), out.mutable_view());
      if (!writer->Write(out)) throw Error(ErrorCode::kUnavailable, "", "the watcher went away");
      out.Clear();
    };
    send(view);
    auto last_sent = std::chrono::steady_clock::now();
    auto last_read = last_sent;
    while (!is_terminal(view.status)) {
      if (ctx->IsCancelled()) return;
      if (stopping_) throw Error(ErrorCode::kUnavailable, "", "the server is shutting down");
      changes.wait_past(generation, options_.poll);
      const std::uint64_t now_generation = changes.generation();
      const auto now = std::chrono::steady_clock::now();
      const bool heartbeat_due = now - last_sent >= options_.heartbeat;
      if (now_generation == generation && now - last_read < options_.recheck && !heartbeat_due) continue;
      if (ctx->IsCancelled()) return;
      if (stopping_) throw Error(ErrorCode::kUnavailable, "", "the server is shutting down");
      generation = now_generation;
      last_read = now;
      app::CustomerView next = lookup(token);  // NOT_FOUND once the token expired
      if (next.version != view.version || heartbeat_due) {
        send(next);
        last_sent = now;
      }
      view = std::move(next);
    }
  });
}

}  // namespace linecrew::rpc
