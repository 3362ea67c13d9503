// linecrew-server: the dispatch server.
//   linecrew-server --config config/server.json [--listen HOST:PORT] [--data-dir DIR] [--port-file F]
#include <CLI/CLI.hpp>
#include <csignal>
#include <fstream>
#include <iostream>
#include <thread>

#include "linecrew/core/error.h"
#include "linecrew/core/host_port.h"
#include "linecrew/server/app/file_clock.h"
#include "linecrew/server/server.h"

int main(int argc, char** argv) {
  CLI::App cli{"linecrew-server: outage dispatch server (gRPC, SQLite)"};
  std::string config_path, listen, data_dir, port_file;
  cli.add_option("--config", config_path, "server configuration file (JSON)")->required();
  cli.add_option("--listen", listen, "override the listen address, HOST:PORT (port 0: any free port)");
  cli.add_option("--data-dir", data_dir, "override the data directory");
  cli.add_option("--port-file", port_file,
                 "once serving, write the gRPC port (line 1), metrics port (line 2), tracking page port (line 3)");
  std::string metrics_listen;
  cli.add_option("--metrics-listen", metrics_listen, "override metrics_listen, HOST:PORT (port 0: any free port)");
  std::string tracking_listen;
  cli.add_option("--tracking-listen", tracking_listen,
                 "override tracking_listen (customer tracking pages), HOST:PORT (port 0: any free port)");
  CLI11_PARSE(cli, argc, argv);

  // SIGINT/SIGTERM are taken by a waiting thread: a graceful drain, not a kill.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  try {
    linecrew::app::ServerConfig config = linecrew::app::ServerConfig::load_file(config_path);
    if (!listen.empty()) config.listen = listen;
    if (!data_dir.empty()) config.data_dir = data_dir;
    if (!metrics_listen.empty()) config.metrics_listen = metrics_listen;
    if (!tracking_listen.empty()) config.tracking_listen = tracking_listen;
    linecrew::SystemClock system_clock;
    std::unique_ptr<linecrew::app::FileClock> file_clock;
    if (!config.clock_file.empty()) {
      file_clock = std::make_unique<linecrew::app::FileClock>(config.clock_file);
      std::cerr << "linecrew-server: SIMULATION MODE: time is read from " << config.clock_file << "\n";
    }
    const linecrew::Clock& clock = file_clock ? static_cast<const linecrew::Clock&>(*file_clock)
                                              : static_cast<const linecrew::Clock&>(system_clock);
    linecrew::Server server(config, clock);
    if (server.recovered_from_unclean_shutdown())
      std::cerr << "linecrew-server: the last run did not shut down cleanly; integrity_check ok\n";
    if (!server.bootstrap_token_file().empty())
      std::cout << "linecrew-server: first start: admin token written to " << server.bootstrap_token_file()
                << " (use it with linecrewctl --token-file)" << std::endl;
    const std::string host = linecrew::parse_host_port(config.listen, "listen").host;
    std::cout << "linecrew-server: serving on " << host << ":" << server.port() << " (data " << config.data_dir << ")"
              << std::endl;
    if (server.tracking_port() != 0)
      std::cout << "linecrew-server: customer tracking pages on port " << server.tracking_port() << std::endl;
    if (!port_file.empty()) {
      const std::string tmp = port_file + ".tmp";
      std::ofstream(tmp) << server.port() << "\n" << server.metrics_port() << "\n" << server.tracking_port() << "\n";
      std::rename(tmp.c_str(), port_file.c_str());
    }
    std::thread stopper([&] {
      int sig = 0;
      sigwait(&signals, &sig);
      std::cout << "linecrew-server: signal " << sig << ", draining" << std::endl;
      server.shutdown();
    });
    stopper.detach();
    server.wait();
    std::cout << "linecrew-server: stopped" << std::endl;
    return 0;
  } catch (const linecrew::Error& e) {
    std::cerr << "linecrew-server: cannot start: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "linecrew-server: cannot start: " << e.what() << "\n";
    return 2;
  }
}
