// A storm scenario for the simulator (docs/simulator.md): crews, outage
// tickets, the zones file, traffic slowdowns and handheld connectivity gaps,
// read from JSON and validated with errors that name the file and the field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "linecrew/core/geo.h"
#include "linecrew/core/ids.h"
#include "linecrew/core/ticket.h"
#include "linecrew/core/time.h"

namespace linecrew::sim {

struct ScenarioCrew {
  CrewId id;
  GeoPoint start{0, 0};  // depot and position at the start
  TimePoint shift_start;
  TimePoint shift_end;
  std::vector<std::string> skills;
};

// How the customer answers the crew's delay call (rules §2).
enum class Answer : std::uint8_t {
  kConsent,      // agrees to the proposed time
  kRefuse,       // refuses: logged, escalated
  kUnreachable,  // the call drops, the redial is not answered either: both logged, escalated
};
std::string_view to_string(Answer a);

struct ScenarioTicket {
  std::string key;  // scenario id, used as the client_request_id
  TimePoint reported;
  GeoPoint location{0, 0};
  std::uint32_t priority = 0;
  Duration work{minutes(30)};
  Channel channel = Channel::kHotline;
  std::vector<std::string> skills;
  Answer answer = Answer::kConsent;
  // The true fault this call is about (the generator's ground truth, for the report; the server never sees
  // it): calls with the same index report one fault, e.g. one transformer. nullopt: a fault of its own.
  std::optional<std::uint32_t> fault;
};

// Travel in the circle is `factor` times slower during [from, to).
struct TrafficEvent {
  std::string name;
  GeoPoint center{0, 0};
  double radius_km = 1;
  TimePoint from;
  TimePoint to;
  double factor = 1;
};

// The crew's handheld has no link during [from, to).
struct ConnectivityGap {
  CrewId crew;
  TimePoint from;
  TimePoint to;
};

struct Scenario {
  std::string name = "storm";
  std::uint64_t seed = 0;
  TimePoint start;
  Duration duration{hours(24)};          // tickets are reported in [start, start + duration)
  Duration drain{hours(3)};              // after that, crews keep working (no new tickets) at most this long
  Duration step{seconds(60)};            // simulation step
  Duration sync_interval{seconds(900)};  // keep-alive: an online handheld pulls at least this often
  std::string zones_file;                // absolute, or relative to the scenario file
  std::vector<ScenarioCrew> crews;
  std::vector<ScenarioTicket> tickets;  // by report time
  std::vector<TrafficEvent> traffic;
  std::vector<ConnectivityGap> gaps;

  TimePoint end() const { return start + duration; }
  // The slowdown at `p` at `t`: the largest factor of the events covering it, 1 if none.
  double slowdown_at(const GeoPoint& p, TimePoint t) const;
};

// One fault, many callers: the indices (into s.tickets, ascending) of the calls of each true fault with two
// or more calls, ordered by fault index.
std::vector<std::vector<std::size_t>> multi_caller_faults(const Scenario& s);

// Parses and validates. `source` names the input in errors; a relative
// zones_file is resolved against `base_dir`. Throws Error(kInvalidArgument,
// "<source>: <field path>", message) for malformed or inconsistent input and
// unknown keys.
Scenario parse_scenario(std::string_view json, const std::string& source, const std::string& base_dir);
Scenario load_scenario(const std::string& path);
// The scenario as JSON (what parse_scenario reads).
std::string to_json(const Scenario& s);

}  // namespace linecrew::sim
