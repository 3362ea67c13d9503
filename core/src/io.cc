#include "linecrew/core/io.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "linecrew/core/error.h"

namespace linecrew {

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_invalid(path, std::string("cannot open: ") + std::strerror(errno));
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) throw_invalid(path, "read failed");
  return out.str();
}

}  // namespace linecrew
