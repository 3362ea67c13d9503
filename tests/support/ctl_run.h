// linecrewctl as a dispatcher runs it, against a SimServer: the server and
// the admin token from the environment. The test target defines
// LINECREW_CTL_BIN (and depends on linecrewctl).
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include "sim_server.h"

namespace linecrew::testing {

struct CtlRun {
  int rc;
  std::string out;  // stdout and stderr
};

inline CtlRun ctl(const SimServer& server, const std::string& args) {
  const std::string cmd = "LINECREW_SERVER=" + server.address() + " LINECREW_TOKEN=" + server.admin_token() + " " +
                          LINECREW_CTL_BIN + " " + args + " 2>&1";
  CtlRun r{-1, ""};
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  while (const std::size_t n = std::fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace linecrew::testing
