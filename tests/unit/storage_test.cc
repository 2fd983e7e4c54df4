#include <doctest/doctest.h>

#include <sqlite3.h>

#include "config/calendar.h"
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


Assignment Algebra() {
  Assignment a;
  a.code = "ДЗ-1";
  a.class_name = "7А";
  a.subject = "Алгебра";
  a.teacher_id = "t-petrova";
  a.title = "§12 №1-5";
  a.set_day = *ParseDate("2026-11-27");
  a.due_day = *ParseDate("2026-11-30");
  a.mail_message_id = "assign-1@school.test";
  return a;
}

IntakeRecord Intake(std::int64_t uid, const std::string& key,
                    std::optional<SubmissionRecord> submission) {
  IntakeRecord r;
  r.mailbox = "petrova";
  r.folder = "INBOX";
  r.uidvalidity = 77;
  r.uid = uid;
  r.message_key = key;
  r.outcome = submission ? "submission" : "auto_reply";
  r.processed_at = 1000 + uid;
  r.submission = std::move(submission);
  return r;
}

SubmissionRecord Work(SubmissionStatus status) {
  SubmissionRecord s;
  s.pupil_id = "p-001";
  s.assignment_code = "ДЗ-1";
  s.sender = "ivanov.petya@pupils.test";
  s.subject = "ДЗ-1";
  s.received_at = 1764514799;
  s.status = status;
  s.archive_path = "archive/aa/aa.eml";
  s.attachments = {{"Стр 1.jpg", "image/jpeg", 1500000, "ab"},
                   {"../../x", "image/png", 10, "cd"}};
  return s;
}

TEST_CASE("assignments are stored and loaded; bad ones are refused") {
  auto store = Open(":memory:");
  REQUIRE(store->ImportRoster(SampleRoster()).ok());
  REQUIRE(store->AddAssignment(Algebra(), "cli", 1).ok());
  auto loaded = store->LoadAssignments();
  REQUIRE(loaded.ok());
  REQUIRE(loaded->size() == 1);
  CHECK(loaded->front() == Algebra());
  CHECK_FALSE(store->AddAssignment(Algebra(), "cli", 1).ok());  // same code
  Assignment unknown = Algebra();
  unknown.code = "ДЗ-2";
  unknown.class_name = "9Я";
  auto refused = store->AddAssignment(unknown, "cli", 1);
  CHECK(refused.message() == "unknown class \"9Я\"");
}

TEST_CASE("intake: one transaction with the cursor; attempts count up") {
  auto store = Open(":memory:");
  REQUIRE(store->ImportRoster(SampleRoster()).ok());
  REQUIRE(store->AddAssignment(Algebra(), "cli", 1).ok());
  CHECK(store->GetCursor("petrova", "INBOX")->last_uid == 0);

  auto first = store->RecordIntake(Intake(5, "k1", Work(SubmissionStatus::kOnTime)));
  REQUIRE(first.ok());
  CHECK(first->attempt == 1);
  auto second = store->RecordIntake(Intake(9, "k2", Work(SubmissionStatus::kLate)));
  CHECK(second->attempt == 2);
  auto bounce = store->RecordIntake(Intake(12, "k3", std::nullopt));
  CHECK(bounce->submission_id == 0);
  MailboxCursor cursor = *store->GetCursor("petrova", "INBOX");
  CHECK(cursor.uidvalidity == 77);
  CHECK(cursor.last_uid == 12);

  // The same message again (a restart, or a new UIDVALIDITY): no second
  // submission, the cursor still moves.
  auto again = store->RecordIntake(Intake(13, "k1", Work(SubmissionStatus::kOnTime)));
  CHECK(again->submission_id == 0);
  CHECK(*store->IsProcessed("k1"));
  CHECK_FALSE(*store->IsProcessed("k9"));
  CHECK(store->GetCursor("petrova", "INBOX")->last_uid == 13);

  auto rows = store->ListSubmissions({});
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 2);
  CHECK(rows->at(0).pupil_name == "Иванов Пётр");
  CHECK(rows->at(0).class_name == "7А");
  CHECK(rows->at(0).assignment_code == "ДЗ-1");
  CHECK(rows->at(0).subject == "Алгебра");
  CHECK(rows->at(0).attachments == 2);
  CHECK(rows->at(1).status == "late");
  SubmissionFilter late;
  late.status = "late";
  CHECK(store->ListSubmissions(late)->size() == 1);

  REQUIRE(store->MarkFiled(first->submission_id, "Сдано/7А", 2000).ok());
  CHECK(store->ListSubmissions({})->at(0).filed_folder == "Сдано/7А");
  REQUIRE(store->ResetCursor("petrova", "INBOX", 78).ok());
  CHECK(store->GetCursor("petrova", "INBOX")->last_uid == 0);
  CHECK(store->GetCursor("petrova", "INBOX")->uidvalidity == 78);
}

TEST_CASE("case 32: data with SQL in it is stored as data") {
  auto store = Open(":memory:");
  REQUIRE(store->ImportRoster(SampleRoster()).ok());
  SubmissionRecord evil = Work(SubmissionStatus::kUnmatched);
  evil.assignment_code.clear();
  evil.subject = "'; DROP TABLE submissions; --";
  REQUIRE(store->RecordIntake(Intake(1, "evil", evil)).ok());
  auto rows = store->ListSubmissions({});
  REQUIRE(rows->size() == 1);
  CHECK(rows->at(0).mail_subject == "'; DROP TABLE submissions; --");
}

TEST_CASE("polls are recorded with their errors") {
  auto store = Open(":memory:");
  REQUIRE(store->RecordPoll("petrova", "INBOX", 10, "login refused").ok());
  REQUIRE(store->RecordPoll("petrova", "INBOX", 20, "login refused").ok());
  auto states = store->LoadMailboxStates();
  REQUIRE(states->size() == 1);
  CHECK(states->at(0).last_poll_at == 20);
  CHECK(states->at(0).last_error == "login refused");
  CHECK(states->at(0).error_count == 2);
  REQUIRE(store->RecordPoll("petrova", "INBOX", 30, "").ok());
  states = store->LoadMailboxStates();
  CHECK(states->at(0).error_count == 0);
  CHECK(states->at(0).last_error.empty());
}

}  // namespace
}  // namespace schoolmail
