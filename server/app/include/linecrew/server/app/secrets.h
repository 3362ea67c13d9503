// Random secrets and their digests.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace linecrew::app {

// `bytes` random bytes from the OS (std::random_device), base64url, no padding.
std::string random_base64url(std::size_t bytes);
// `bytes` random bytes as lower-case hex.
std::string random_hex(std::size_t bytes);
// Lower-case hex SHA-256 of `data` (OpenSSL).
std::string sha256_hex(std::string_view data);

}  // namespace linecrew::app
