// Crews in the SQLite store: the searchable columns plus the crew as JSON.
#include <nlohmann/json.hpp>

#include "linecrew/core/error.h"
#include "linecrew/core/text.h"
#include "linecrew/server/storage/sqlite_store.h"
#include "linecrew/storage/time_columns.h"

namespace linecrew::storage {

namespace {

nlohmann::json to_json(const Crew& c) {
  nlohmann::json j;
  j["name"] = c.name;
  j["members"] = nlohmann::json::array();
  for (const auto& m : c.members) j["members"].push_back({m.first_name, m.full_name, m.staff_number});
  j["skills"] = c.skills;
  j["home"] = {c.home.lat(), c.home.lon()};
  if (c.position) j["position"] = {c.position->lat(), c.position->lon()};
  if (c.position_time) j["position_time"] = secs(*c.position_time);
  j["shift"] = {secs(c.shift_start), secs(c.shift_end)};
  j["capacity"] = c.capacity;
  j["callback_phone"] = c.callback_phone;
  return j;
}

Crew from_row(const std::string& id, const std::string& body, bool on_shift, std::int64_t version) {
  try {
    const auto j = nlohmann::json::parse(body);
    Crew c;
    c.id = CrewId(id);
    c.name = j.at("name").get<std::string>();
    for (const auto& m : j.at("members")) c.members.push_back({m.at(0), m.at(1), m.at(2)});
    c.skills = j.at("skills").get<std::vector<std::string>>();
    c.home = GeoPoint(j.at("home").at(0).get<double>(), j.at("home").at(1).get<double>());
    if (j.contains("position")) c.position = GeoPoint(j["position"][0].get<double>(), j["position"][1].get<double>());
    if (j.contains("position_time")) c.position_time = at(j["position_time"].get<std::int64_t>());
    c.shift_start = at(j.at("shift").at(0).get<std::int64_t>());
    c.shift_end = at(j.at("shift").at(1).get<std::int64_t>());
    c.capacity = j.at("capacity").get<std::uint32_t>();
    c.callback_phone = j.at("callback_phone").get<std::string>();
    c.on_shift = on_shift;
    c.version = static_cast<std::uint64_t>(version);
    return c;
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::kInternal, "storage", "corrupt crew '" + id + "': " + e.what());
  }
}

}  // namespace

void SqliteStore::write_crew_locked(const Crew& c, bool insert) {
  const char* sql = insert ? "INSERT INTO crews(body, on_shift, version, id) VALUES(?,?,?,?)"
                           : "UPDATE crews SET body = ?, on_shift = ?, version = ? WHERE id = ?";
  db_.cached(sql)
      ->bind_all(to_json(c).dump(), static_cast<std::int64_t>(c.on_shift), static_cast<std::int64_t>(c.version),
                 c.id.str())
      .run();
  record_change_locked(Change::Kind::kCrew, c.id.str());
}

void SqliteStore::require_unique_staff_locked(const Crew& c) {
  auto s = db_.cached(
      "SELECT c.id FROM crews c, json_each(c.body, '$.members') m "
      "WHERE c.id <> ? AND json_extract(m.value, '$[2]') = ? LIMIT 1");
  for (std::size_t i = 0; i < c.members.size(); ++i) {
    s->reset();
    s->bind_all(c.id.str(), c.members[i].staff_number);
    if (s->step())
      throw Error(
          ErrorCode::kAlreadyExists, "crew.members[" + std::to_string(i) + "].staff_number",
          "staff number " + quote_capped(c.members[i].staff_number) + " belongs to a member of crew " + s->text(0));
  }
}

Crew SqliteStore::add_crew(Crew c) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  if (get_crew_in(db_, c.id))
    throw Error(ErrorCode::kAlreadyExists, "crew.id", "crew '" + c.id.str() + "' is already registered");
  require_unique_staff_locked(c);
  c.version = 1;
  write_crew_locked(c, true);
  tx.commit();
  return c;
}

std::optional<Crew> SqliteStore::get_crew(const CrewId& id) {
  return read([&](Database& db) { return get_crew_in(db, id); });
}

std::optional<Crew> SqliteStore::get_crew_in(Database& db, const CrewId& id) {
  auto s = db.cached("SELECT id, body, on_shift, version FROM crews WHERE id = ?");
  s->bind(1, id.str());
  if (!s->step()) return std::nullopt;
  return from_row(s->text(0), s->text(1), s->int64(2) != 0, s->int64(3));
}

Crew SqliteStore::mutate_crew(const CrewId& id, const std::function<void(Crew&)>& change) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  auto c = get_crew_in(db_, id);
  if (!c) throw Error(ErrorCode::kNotFound, "crew_id", "no crew '" + id.str() + "'");
  const std::uint64_t version = c->version;
  const std::vector<CrewMember> members = c->members;
  change(*c);
  c->id = id;
  if (c->members != members) require_unique_staff_locked(*c);
  c->version = version + 1;
  write_crew_locked(*c, false);
  tx.commit();
  return *c;
}

std::vector<Crew> SqliteStore::list_crews(const CrewFilter& f) {
  return read([&](Database& db) {
    Statement s = db.prepare(
        "SELECT id, body, on_shift, version FROM crews WHERE id > ? AND (? = 0 OR on_shift = 1) ORDER BY id");
    s.bind_all(f.after, static_cast<std::int64_t>(f.on_shift_only));
    std::vector<Crew> out;
    while (s.step() && out.size() < f.limit) {
      Crew c = from_row(s.text(0), s.text(1), s.int64(2) != 0, s.int64(3));
      if (!f.skill.empty() && std::find(c.skills.begin(), c.skills.end(), f.skill) == c.skills.end()) continue;
      out.push_back(std::move(c));
    }
    return out;
  });
}

}  // namespace linecrew::storage
