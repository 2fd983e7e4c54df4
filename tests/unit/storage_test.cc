#include <doctest/doctest.h>

#include <sqlite3.h>

#include "parsers/roster.h"
#include "storage/store.h"
#include "tests/support/temp_dir.h"

namespace schoolmail {
namespace {

Roster SampleRoster() {
  RosterParse parse = ParseRoster(
      testing::ReadFile(std::string(SCHOOLMAIL_SOURCE_DIR) +
                        "/scripts/sample-school/roster.csv"),
      {});
  REQUIRE(parse.problems.empty());
  return parse.roster;
}

std::unique_ptr<Store> Open(const std::string& path, StoreOptions o = {}) {
  auto store = OpenSqliteStore(path, o);
  INFO(store.status().message());
  REQUIRE(store.ok());
  return std::move(store).value();
}

TEST_CASE("a new store is migrated to the current schema") {
  auto store = Open(":memory:");
  CHECK(store->SchemaVersion() == CurrentSchemaVersion());
  CHECK(CurrentSchemaVersion() >= 1);
}

TEST_CASE("roster import round-trips and re-import never duplicates") {
  auto store = Open(":memory:");
  Roster roster = SampleRoster();
  auto first = store->ImportRoster(roster);
  REQUIRE(first.ok());
  CHECK(first->people_added == 9);
  CHECK(first->classes_added == 2);
  Roster loaded = *store->LoadRoster();
  CHECK(loaded == roster);

  auto second = store->ImportRoster(roster);
  REQUIRE(second.ok());
  CHECK(second->people_added == 0);
  CHECK(second->people_unchanged == 9);
  CHECK(*store->LoadRoster() == roster);
}

TEST_CASE("re-import updates names, classes, addresses and links") {
  auto store = Open(":memory:");
  Roster roster = SampleRoster();
  REQUIRE(store->ImportRoster(roster).ok());
  // Pupil p-001 moves to 7Б and changes address; the old address goes to
  // p-002; Petrova stops leading 7А; a parent loses a child.
  roster.pupils[0].class_name = "7Б";
  roster.pupils[0].addresses = {"petya.new@pupils.test"};
  roster.pupils[1].addresses = {"ivanov.petya@pupils.test"};
  roster.teachers[0].class_teacher_of.clear();
  roster.teachers[0].subjects = {"Геометрия"};
  roster.parents[2].children = {"p-004"};
  auto summary = store->ImportRoster(roster);
  REQUIRE(summary.ok());
  CHECK(summary->people_updated == 4);
  CHECK(summary->people_unchanged == 5);
  CHECK(*store->LoadRoster() == roster);
}

TEST_CASE("a failed import changes nothing") {
  auto store = Open(":memory:");
  Roster roster = SampleRoster();
  REQUIRE(store->ImportRoster(roster).ok());
  Roster bad = roster;
  bad.pupils.push_back(Pupil{"p-900", {"Новый", "Ученик", ""}, "7А",
                             {"ivanov.petya@pupils.test"}, ""});
  bad.pupils[0].name.first = "Изменён";
  auto result = store->ImportRoster(bad);  // address taken: constraint fails
  CHECK_FALSE(result.ok());
  CHECK(*store->LoadRoster() == roster);
}

TEST_CASE("a database from a newer schoolmail is refused") {
  testing::TempDir dir;
  std::string path = dir.path() + "/schoolmail.db";
  { Open(path); }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  std::string sql =
      "PRAGMA user_version = " + std::to_string(CurrentSchemaVersion() + 1);
  REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) ==
          SQLITE_OK);
  sqlite3_close(db);
  auto store = OpenSqliteStore(path);
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().message().find("newer than this schoolmail knows") !=
        std::string::npos);
}

TEST_CASE("a corrupt or foreign database is refused, a missing one may be") {
  testing::TempDir dir;
  std::string junk = dir.Write("junk.db", std::string(4096, 'x'));
  auto corrupt = OpenSqliteStore(junk);
  REQUIRE_FALSE(corrupt.ok());
  CHECK(corrupt.status().message().find("not a database") != std::string::npos);

  std::string missing = dir.path() + "/missing.db";
  StoreOptions must_exist;
  must_exist.must_exist = true;
  auto refused = OpenSqliteStore(missing, must_exist);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("refusing to start with an empty "
                                        "database") != std::string::npos);
}

TEST_CASE("a file database persists and uses WAL") {
  testing::TempDir dir;
  std::string path = dir.path() + "/schoolmail.db";
  { REQUIRE(Open(path)->ImportRoster(SampleRoster()).ok()); }
  CHECK(*Open(path)->LoadRoster() == SampleRoster());
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &statement, nullptr);
  REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(
            sqlite3_column_text(statement, 0))) == "wal");
  sqlite3_finalize(statement);
  sqlite3_close(db);
}

}  // namespace
}  // namespace schoolmail
