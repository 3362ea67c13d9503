#include "linecrew/server/app/auth.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "linecrew/core/error.h"
#include "linecrew/core/limits.h"
#include "linecrew/core/text.h"
#include "linecrew/server/app/secrets.h"

namespace linecrew::app {

namespace {
constexpr Duration kDefaultTtl = hours(24 * 90);
constexpr Duration kMaxTtl = hours(24 * 366);

[[noreturn]] void unauthenticated(const std::string& why) {
  throw Error(ErrorCode::kUnauthenticated, "authorization", why);
}
}  // namespace

Principal Auth::authenticate(std::string_view authorization) const {
  if (authorization.empty()) unauthenticated("missing: send 'authorization: Bearer <token>'");
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.substr(0, kScheme.size()) != kScheme) unauthenticated("expected the Bearer scheme");
  const std::string_view secret = authorization.substr(kScheme.size());
  if (secret.size() < 10 || secret.size() > 200) unauthenticated("malformed token");
  const auto token = store_.find_token(sha256_hex(secret));
  if (!token) unauthenticated("unknown token");
  if (token->revoked) unauthenticated("token " + token->id + " was revoked");
  if (clock_.now() >= token->expires) unauthenticated("token " + token->id + " has expired");
  return {token->id, token->role, token->crew, token->label, token->secret_hash, token->expires};
}

bool Auth::still_valid(const Principal& who) const {
  if (clock_.now() >= who.expires) return false;
  const auto token = store_.find_token(who.secret_hash);
  return token && !token->revoked && clock_.now() < token->expires;
}

IssuedToken Auth::issue(Role role, const CrewId& crew, const std::string& label, std::optional<Duration> ttl) {
  if (role == Role::kCrewDevice && crew.empty()) throw_invalid("crew_id", "is required for a crew device token");
  if (role != Role::kCrewDevice && !crew.empty()) throw_invalid("crew_id", "only crew device tokens name a crew");
  check_length(label, limit::kTokenLabel, "label");
  if (role == Role::kCrewDevice && !crews_.get_crew(crew))
    throw Error(ErrorCode::kNotFound, "crew_id", "no crew " + quote_capped(crew.str()) + ": register it first");
  if (ttl && (*ttl <= Duration{0} || *ttl > kMaxTtl)) throw_invalid("ttl", "must be in (0, 366 days]");
  const TimePoint now = clock_.now();
  IssuedToken out;
  out.secret = "lc_" + random_base64url(32);
  out.record = {"tok_" + random_hex(8),
                sha256_hex(out.secret),
                role,
                crew,
                label,
                now,
                now + ttl.value_or(kDefaultTtl),
                std::nullopt};
  store_.add_token(out.record);
  return out;
}

TimePoint Auth::revoke(const std::string& token_id) {
  if (token_id.empty()) throw_invalid("token_id", "is required");
  if (token_id.size() > 64)
    throw Error(ErrorCode::kNotFound, "token_id",
                "no token " + quote_capped(token_id) + " (ids are at most 64 characters)");
  return store_.revoke_token(token_id, clock_.now());
}

bool Auth::bootstrap_admin(const std::string& path) {
  if (store_.count_tokens() > 0) return false;
  const IssuedToken t = issue(Role::kAdmin, CrewId(), "bootstrap admin", kMaxTtl);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) throw Error(ErrorCode::kUnavailable, path, std::string("cannot write: ") + std::strerror(errno));
  const std::string line = t.secret + "\n";
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) throw Error(ErrorCode::kUnavailable, path, "cannot write the admin token");
  return true;
}

}  // namespace linecrew::app
