// Crews and the board's change feed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "linecrew/core/crew.h"

namespace linecrew::storage {

struct CrewFilter {
  bool on_shift_only = false;
  std::string skill;  // empty: any
  std::uint32_t limit = 100;
  std::string after;  // page cursor: the last crew id of the previous page
};

class CrewStore {
 public:
  virtual ~CrewStore() = default;
  // Stores a new crew (version 1). Throws Error(kAlreadyExists, "crew.id").
  virtual Crew add_crew(Crew crew) = 0;
  virtual std::optional<Crew> get_crew(const CrewId& id) = 0;
  // As TicketStore::mutate, for crews. Throws Error(kNotFound, "crew_id").
  virtual Crew mutate_crew(const CrewId& id, const std::function<void(Crew&)>& change) = 0;
  virtual std::vector<Crew> list_crews(const CrewFilter& filter) = 0;
};

// One row per change to a ticket or crew, in commit order: the board's
// resumable sequence.
struct Change {
  std::uint64_t sequence;
  enum class Kind { kTicket, kCrew } kind;
  std::string id;
};

class ChangeFeed {
 public:
  virtual ~ChangeFeed() = default;
  virtual std::vector<Change> changes_since(std::uint64_t sequence, std::size_t limit) = 0;
  virtual std::uint64_t last_sequence() = 0;
};

}  // namespace linecrew::storage
