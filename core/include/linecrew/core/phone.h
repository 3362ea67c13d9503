// Phone numbers (customers, crews' callback numbers): normalised to E.164 and
// validated with libphonenumber. A number without "+" is read as a number of
// the policy's region (ServicePolicy::phone_region).
#pragma once

#include <string>
#include <string_view>

namespace linecrew {

// "138 0013 8000" in region "CN" -> "+8613800138000"; "(010) 1234-5678" ->
// "+861012345678"; "+1 650 253 0000" stays a US number in any region. The
// text may hold only digits, spaces, - ( ) and a leading +. Throws
// Error(kInvalidArgument, field) unless it is a valid number: not too short or
// too long, and in a range in use for its country.
std::string normalise_phone(std::string_view raw, std::string_view region, const std::string& field);

// Whether libphonenumber knows `region` as given: an ISO 3166-1 alpha-2 code
// in upper case ("CN", "US").
bool known_phone_region(std::string_view region);

}  // namespace linecrew
