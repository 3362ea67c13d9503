// Bearer tokens with roles (dispatcher, admin, crew device bound to one
// crew). Secrets are 256 random bits shown once; only their SHA-256 is kept.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "linecrew/core/clock.h"
#include "linecrew/core/role.h"
#include "linecrew/server/storage/crew_store.h"
#include "linecrew/server/storage/token_store.h"

namespace linecrew::app {

struct IssuedToken {
  storage::TokenRecord record;
  std::string secret;  // "lc_<base64url>"; never stored, never logged
};

class Auth {
 public:
  Auth(const Clock& clock, storage::TokenStore& store, storage::CrewStore& crews)
      : clock_(clock), store_(store), crews_(crews) {}

  // `authorization` is the metadata value "Bearer <secret>". Throws
  // Error(kUnauthenticated) when missing, malformed, unknown, expired or
  // revoked (the message never echoes the secret).
  Principal authenticate(std::string_view authorization) const;

  // Throws Error(kInvalidArgument) for a crew token without a crew, a crew on
  // another role, a bad label or ttl outside (0, 366 days]; Error(kNotFound,
  // "crew_id") for a crew that is not registered.
  IssuedToken issue(Role role, const CrewId& crew, const std::string& label, std::optional<Duration> ttl);
  TimePoint revoke(const std::string& token_id);

  // Whether `who` (authenticated earlier) still holds: not revoked, not
  // expired. A long-lived stream asks it between messages.
  bool still_valid(const Principal& who) const;

  // On a store with no tokens, issues an admin token and writes its secret
  // to `path` (mode 0600). Returns true when it did.
  bool bootstrap_admin(const std::string& path);

 private:
  const Clock& clock_;
  storage::TokenStore& store_;
  storage::CrewStore& crews_;
};

}  // namespace linecrew::app
