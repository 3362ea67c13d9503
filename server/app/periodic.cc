#include "linecrew/server/app/periodic.h"

#include <exception>
#include <iostream>

namespace linecrew::app {

Periodic::Periodic(std::string name, std::chrono::milliseconds interval, std::function<void()> job)
    : name_(std::move(name)), interval_(interval), job_(std::move(job)), thread_([this] { run(); }) {}

Periodic::~Periodic() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Periodic::run() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, interval_, [this] { return stop_; })) {
    lock.unlock();
    try {
      job_();
    } catch (const std::exception& e) {
      std::cerr << "linecrew-server: " << name_ << ": " << e.what() << "\n";
    }
    lock.lock();
  }
}

}  // namespace linecrew::app
