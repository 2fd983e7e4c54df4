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
  a.instructions = "Решить в тетради.\nСфотографировать.";
  a.links = {"https://school.test/a.pdf", "https://yandex.ru/video/x"};
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

OutboxMail Mail(const std::string& key, std::vector<std::string> to,
                bool automatic = false) {
  OutboxMail m;
  m.kind = "receipt";
  m.dedup_key = key;
  m.envelope_from = "schoolmail@school.test";
  m.recipients = std::move(to);
  m.message_id = key + "@school.test";
  m.summary = "Принято: ДЗ-1";
  m.body = "Subject: x\r\n\r\nbody\r\n";
  m.automatic = automatic;
  return m;
}

using State = RecipientOutcome::State;

TEST_CASE("outbox: a dedup key queues a mail once, ever") {
  auto store = Open(":memory:");
  auto first = store->Enqueue(Mail("digest:r-001:2026-11-30", {"a@x.test"}), 100, 20);
  REQUIRE(first.ok());
  CHECK(first->outcome == EnqueueOutcome::kQueued);
  auto again = store->Enqueue(Mail("digest:r-001:2026-11-30", {"a@x.test"}), 200, 20);
  CHECK(again->outcome == EnqueueOutcome::kDuplicate);
  CHECK(again->id == first->id);
  CHECK(store->ListOutbox(true)->size() == 1);
}

TEST_CASE("outbox: claim, partial failure, deferral and success") {
  auto store = Open(":memory:");
  REQUIRE(store->Enqueue(Mail("m1", {"a@x.test", "b@x.test", "c@x.test"}), 100, 20).ok());
  REQUIRE(store->Enqueue(Mail("m2", {"d@x.test"}), 100, 20).ok());
  CHECK(store->ClaimDue(99, 10)->empty());  // not due before it was queued
  auto due = store->ClaimDue(100, 10);
  REQUIRE(due.ok());
  REQUIRE(due->size() == 2);
  CHECK(due->at(0).body == "Subject: x\r\n\r\nbody\r\n");  // oldest first
  CHECK(due->at(0).attempts == 1);
  CHECK(due->at(0).recipients.size() == 3);
  std::int64_t id = due->at(0).id;
  REQUIRE(store->RecordAttempt(id,
                               {{"a@x.test", State::kSent, "250 ok"},
                                {"b@x.test", State::kFailed, "550 no such user"},
                                {"c@x.test", State::kDeferred, "451 later"}},
                               "451 later", 110, 170)
              .ok());
  // Only the deferred recipient is tried again, and only when due.
  CHECK(store->ClaimDue(169, 10)->size() == 1);  // m2, left "sending"
  auto retry = store->ClaimDue(170, 10);
  REQUIRE(retry->size() == 2);
  CHECK(retry->at(0).id == id);
  CHECK(retry->at(0).attempts == 2);
  REQUIRE(retry->at(0).recipients.size() == 1);
  CHECK(retry->at(0).recipients[0].address == "c@x.test");
  REQUIRE(store->RecordAttempt(id, {{"c@x.test", State::kSent, "250 ok"}}, "250 ok", 171, 0).ok());
  auto listed = store->ListOutbox(false);
  REQUIRE(listed.ok());
  // m1 stays listed (sent, but one recipient failed); m2 is still sending.
  REQUIRE(listed->size() == 2);
  CHECK(listed->at(0).state == "sent");
  CHECK(listed->at(0).sent_at == 171);
  CHECK(listed->at(0).recipients[1].state == "failed");
  CHECK(listed->at(0).recipients[1].last_reply == "550 no such user");
  auto failures = store->TakeUnreportedFailures();
  REQUIRE(failures->size() == 1);
  CHECK(failures->at(0).id == id);
  CHECK(store->TakeUnreportedFailures()->empty());  // told once
  // Requeue: the failed recipient only.
  CHECK(*store->RetryOutbox(id, 300));
  auto third = store->ClaimDue(300, 10);
  REQUIRE(third->size() == 2);
  REQUIRE(third->at(0).recipients.size() == 1);
  CHECK(third->at(0).recipients[0].address == "b@x.test");
}

TEST_CASE("outbox: nobody got it means failed; retry of unknown id is false") {
  auto store = Open(":memory:");
  auto q = store->Enqueue(Mail("m1", {"a@x.test"}), 100, 20);
  auto due = store->ClaimDue(100, 10);
  REQUIRE(store->RecordAttempt(q->id, {{"a@x.test", State::kFailed, "550 no"}}, "550 no", 101, 0).ok());
  CHECK(store->ListOutbox(false)->at(0).state == "failed");
  CHECK(store->ClaimDue(10000, 10)->empty());
  CHECK_FALSE(*store->RetryOutbox(999, 200));
  CHECK(*store->RetryOutbox(q->id, 200));
  CHECK(store->ListOutbox(false)->at(0).state == "queued");
}

TEST_CASE("outbox: automatic mail is capped per recipient per 24 hours") {
  auto store = Open(":memory:");
  for (int i = 0; i < 3; ++i) {
    auto r = store->Enqueue(Mail("r" + std::to_string(i), {"bot@x.test", "p@x.test"}, true),
                            1000 + i, 3);
    CHECK(r->outcome == EnqueueOutcome::kQueued);
  }
  auto capped = store->Enqueue(Mail("r3", {"bot@x.test"}, true), 1010, 3);
  CHECK(capped->outcome == EnqueueOutcome::kSuppressed);
  CHECK(capped->capped == std::vector<std::string>{"bot@x.test"});
  // Scheduled (non-automatic) mail is not capped.
  CHECK(store->Enqueue(Mail("morning", {"bot@x.test"}), 1011, 3)->outcome ==
        EnqueueOutcome::kQueued);
  CHECK(*store->CountSuppressed(0) == 1);
  // A day later the window has moved on.
  CHECK(store->Enqueue(Mail("r4", {"bot@x.test"}, true), 1002 + 86400, 3)->outcome ==
        EnqueueOutcome::kQueued);
}

TEST_CASE("receipts: owed in the intake transaction, queued once") {
  auto store = Open(":memory:");
  REQUIRE(store->ImportRoster(SampleRoster()).ok());
  REQUIRE(store->AddAssignment(Algebra(), "cli", 1).ok());
  SubmissionRecord owed = Work(SubmissionStatus::kOnTime);
  owed.wants_receipt = true;
  owed.warnings = "only_links";
  owed.message_id = "pupil-1@pupils.test";
  auto recorded = store->RecordIntake(Intake(5, "k1", owed));
  REQUIRE(store->RecordIntake(Intake(6, "k2", Work(SubmissionStatus::kOnTime))).ok());
  auto pending = store->ListPendingReceipts(10);
  REQUIRE(pending.ok());
  REQUIRE(pending->size() == 1);
  const PendingReceipt& r = pending->front();
  CHECK(r.submission_id == recorded->submission_id);
  CHECK(r.pupil_id == "p-001");
  CHECK(r.assignment_code == "ДЗ-1");
  CHECK(r.message_id == "pupil-1@pupils.test");
  CHECK(r.warnings == "only_links");
  CHECK(r.status == "on_time");
  REQUIRE(r.attachments.size() == 2);
  CHECK(r.attachments[0].name == "Стр 1.jpg");
  OutboxMail receipt = Mail("receipt:1", {r.sender}, true);
  receipt.receipt_for = r.submission_id;
  REQUIRE(store->Enqueue(receipt, 2000, 20).ok());
  CHECK(store->ListPendingReceipts(10)->empty());
  // A dropped receipt is gone from the list too.
  SubmissionRecord other = owed;
  other.message_id = "pupil-2@pupils.test";
  auto second = store->RecordIntake(Intake(7, "k3", other));
  REQUIRE(store->ListPendingReceipts(10)->size() == 1);
  REQUIRE(store->DropReceipt(second->submission_id, "no template", 2001).ok());
  CHECK(store->ListPendingReceipts(10)->empty());
  CHECK(*store->CountSuppressed(0) == 1);
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
