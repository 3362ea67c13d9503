#pragma once

#include <string>

namespace linecrew {

// The whole file as text; throws Error(kInvalidArgument, path) when it cannot
// be read (configuration files are inputs like any other).
std::string read_text_file(const std::string& path);

}  // namespace linecrew
