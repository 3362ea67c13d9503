#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "linecrew/core/error.h"
#include "linecrew/planner/vrptw.h"

namespace linecrew::planner {

namespace {

[[noreturn]] void fail(std::string_view source, std::size_t line, const std::string& message) {
  throw Error(ErrorCode::kInvalidArgument, std::string(source) + ":" + std::to_string(line), message);
}

std::vector<std::string> tokens(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  std::string t;
  while (in >> t) out.push_back(t);
  return out;
}

bool to_number(const std::string& s, double& out) {
  std::size_t used = 0;
  try {
    out = std::stod(s, &used);
  } catch (...) {
    return false;
  }
  return used == s.size() && std::isfinite(out);
}

}  // namespace

VrptwInstance parse_solomon(std::string_view text, std::string_view source) {
  VrptwInstance inst;
  std::istringstream in{std::string(text)};
  std::string line;
  std::size_t lineno = 0;
  enum class State { kName, kVehicleHeader, kVehicleValues, kCustomerHeader, kCustomers } state = State::kName;
  std::set<int> ids;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto tok = tokens(line);
    if (tok.empty()) continue;
    switch (state) {
      case State::kName:
        inst.name = tok.front();
        state = State::kVehicleHeader;
        break;
      case State::kVehicleHeader:
        if (tok.front() == "VEHICLE") break;
        if (tok.front() == "NUMBER") {
          state = State::kVehicleValues;
          break;
        }
        fail(source, lineno, "expected the VEHICLE / NUMBER CAPACITY header, got '" + line + "'");
      case State::kVehicleValues: {
        double v = 0, cap = 0;
        if (tok.size() != 2 || !to_number(tok[0], v) || !to_number(tok[1], cap) || v < 1 || v > 100000 || cap <= 0 ||
            v != std::floor(v))
          fail(source, lineno, "expected '<vehicle count 1..100000> <capacity > 0>', got '" + line + "'");
        inst.vehicles = static_cast<int>(v);
        inst.capacity = cap;
        state = State::kCustomerHeader;
        break;
      }
      case State::kCustomerHeader:
        if (tok.front() == "CUSTOMER" || tok.front() == "CUST") break;
        state = State::kCustomers;
        [[fallthrough]];
      case State::kCustomers: {
        if (tok.size() != 7)
          fail(source, lineno, "expected 7 numbers per customer row, got " + std::to_string(tok.size()));
        double f[7];
        for (std::size_t i = 0; i < 7; ++i)
          if (!to_number(tok[i], f[i]))
            fail(source, lineno, "column " + std::to_string(i + 1) + ": '" + tok[i] + "' is not a finite number");
        if (f[0] < 0 || f[0] != std::floor(f[0]) || f[0] > 1e9)
          fail(source, lineno, "customer id must be a non-negative integer");
        if (f[3] < 0) fail(source, lineno, "negative demand");
        if (f[4] < 0) fail(source, lineno, "negative ready time");
        if (f[5] < f[4]) fail(source, lineno, "due date before ready time");
        if (f[6] < 0) fail(source, lineno, "negative service time");
        const int id = static_cast<int>(f[0]);
        if (!ids.insert(id).second) fail(source, lineno, "duplicate customer id " + std::to_string(id));
        if (inst.nodes.empty() && f[3] != 0) fail(source, lineno, "the depot (first row) must have zero demand");
        if (!inst.nodes.empty() && f[3] > inst.capacity) fail(source, lineno, "demand exceeds the vehicle capacity");
        inst.nodes.push_back(VrptwNode{id, f[1], f[2], f[3], f[4], f[5], f[6]});
        break;
      }
    }
  }
  if (inst.nodes.size() < 2) fail(source, lineno, "no customers (need a depot row and at least one customer)");
  return inst;
}

VrptwInstance load_solomon(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(ErrorCode::kNotFound, path, "cannot open the instance file");
  std::ostringstream ss;
  ss << f.rdbuf();
  return parse_solomon(ss.str(), path);
}

std::string format_solution(const VrptwInstance& instance, const VrptwSolution& solution, double cost) {
  std::string out;
  int k = 0;
  for (const auto& r : solution.routes) {
    if (r.empty()) continue;
    out += "Route #";
    out += std::to_string(++k);
    out += ':';
    for (const int c : r) {
      out += ' ';
      out += std::to_string(instance.nodes[static_cast<std::size_t>(c)].id);
    }
    out += '\n';
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "Cost %.2f\n", cost);
  return out + buf;
}

}  // namespace linecrew::planner
