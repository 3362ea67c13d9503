// Headless Chromium (Debian's `chromium`) for tests of the customer tracking
// page: runs the real browser on a URL with its own throw-away profile and
// returns what it printed (--dump-dom) and how it exited.
#pragma once

#include <stdlib.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace linecrew::testing {

struct BrowserRun {
  int exit_code = -1;
  std::string out;
  double seconds = 0;
};

class Chromium {
 public:
  // Empty path(): not installed (tests must fail, not skip: CI installs it).
  Chromium() {
    if (const char* env = std::getenv("LINECREW_CHROMIUM"); env && *env) {
      path_ = env;
    } else {
      for (const char* p : {"/usr/bin/chromium", "/usr/local/bin/chromium", "/usr/bin/chromium-browser"})
        if (std::filesystem::exists(p)) {
          path_ = p;
          break;
        }
    }
    char tmpl[] = "/tmp/linecrew-chromium-XXXXXX";
    if (mkdtemp(tmpl)) profile_ = tmpl;
  }
  ~Chromium() {
    std::error_code ec;
    if (!profile_.empty()) std::filesystem::remove_all(profile_, ec);
  }
  Chromium(const Chromium&) = delete;
  Chromium& operator=(const Chromium&) = delete;

  const std::string& path() const { return path_; }
  static constexpr const char* kMissing =
      "chromium is not installed (apt-get install chromium fonts-wqy-zenhei, see scripts/setup.sh); this test needs "
      "it and does not skip";

  // Runs chromium headless on `url` with `args`; stdout back, stderr kept for stderr_tail().
  BrowserRun run(const std::string& url, const std::string& args) const {
    const std::string cmd = "timeout 60 '" + path_ + "' --headless --no-sandbox --disable-gpu --disable-dev-shm-usage" +
                            " --no-first-run --no-default-browser-check --disable-extensions --disable-sync" +
                            " --disable-background-networking --hide-scrollbars --mute-audio --user-data-dir='" +
                            profile_ + "/profile' " + args + " '" + url + "' 2>'" + profile_ + "/stderr.txt'";
    BrowserRun r;
    const auto start = std::chrono::steady_clock::now();
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return r;
    char buf[4096];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    const int status = pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
  }

  std::string stderr_tail() const {
    std::ifstream in(profile_ + "/stderr.txt");
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return all.size() > 2000 ? all.substr(all.size() - 2000) : all;
  }

 private:
  std::string path_, profile_;
};

// The text inside the element with `id` in a dumped DOM (up to its first child tag).
inline std::string text_of(const std::string& html, const std::string& id) {
  const auto at_id = html.find("id=\"" + id + "\"");
  if (at_id == std::string::npos) return "<no #" + id + ">";
  const auto open = html.find('>', at_id);
  return html.substr(open + 1, html.find('<', open) - open - 1);
}

}  // namespace linecrew::testing
