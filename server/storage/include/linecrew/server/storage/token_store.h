// Bearer tokens: the server keeps only a SHA-256 of each secret.
#pragma once

#include <optional>
#include <string>

#include "linecrew/core/ids.h"
#include "linecrew/core/role.h"
#include "linecrew/core/time.h"

namespace linecrew::storage {

struct TokenRecord {
  std::string id;           // "tok_<16 hex>", public
  std::string secret_hash;  // hex SHA-256 of the secret
  Role role = Role::kDispatcher;
  CrewId crew;  // kCrewDevice only
  std::string label;
  TimePoint created;
  TimePoint expires;
  std::optional<TimePoint> revoked;
};

class TokenStore {
 public:
  virtual ~TokenStore() = default;
  virtual void add_token(const TokenRecord& token) = 0;
  virtual std::optional<TokenRecord> find_token(const std::string& secret_hash) = 0;
  // Marks the token revoked at `now` unless it already is; returns the
  // revocation time. Throws Error(kNotFound, "token_id").
  virtual TimePoint revoke_token(const std::string& token_id, TimePoint now) = 0;
  virtual std::int64_t count_tokens() = 0;
};

}  // namespace linecrew::storage
