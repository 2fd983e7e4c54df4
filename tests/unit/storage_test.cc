#include <doctest/doctest.h>

#include <sqlite3.h>

#include "config/calendar.h"
#include "parsers/roster.h"
#include "storage/migrations.h"
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
  // A receipt already in the outbox under its key settles a submission
  // that still looks owed, instead of being listed forever.
  SubmissionRecord again = owed;
  again.message_id = "pupil-3@pupils.test";
  auto third = store->RecordIntake(Intake(8, "k4", again));
  OutboxMail same_key = receipt;
  same_key.receipt_for = third->submission_id;
  CHECK(store->Enqueue(same_key, 2001, 20)->outcome == EnqueueOutcome::kDuplicate);
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

// --- Lesson plan, timetable, distance mode, announcements, jobs ---

Date Day(const char* text) { return *ParseDate(text); }

PlanItem PlanAlgebra(int line, const char* day, const char* topic) {
  PlanItem item;
  item.line = line;
  item.day = Day(day);
  item.class_name = "7А";
  item.subject = "Алгебра";
  item.topic = topic;
  item.task = "§12, № 1-5";
  item.links = {"https://resh.edu.ru/"};
  item.due_day = Day(day);
  item.due_time = TimeOfDay{18 * 60};
  item.teacher_id = "t-petrova";
  item.message_id = std::string("plan-") + std::to_string(line) + "@school.test";
  return item;
}

TEST_CASE("plan import: rows make assignments; a re-import updates and never "
          "duplicates") {
  auto store = Open(":memory:");
  REQUIRE(store->ImportRoster(SampleRoster()).ok());
  REQUIRE(store->AddAssignment(Algebra(), "cli", 1).ok());  // holds ДЗ-1
  std::vector<PlanItem> plan = {PlanAlgebra(2, "2026-11-30", "Функции"),
                                PlanAlgebra(3, "2026-12-01", "Графики")};
  auto first = store->ImportPlan(plan, 100);
  INFO(first.status().message());
  REQUIRE(first.ok());
  CHECK(first->rows_added == 2);
  CHECK(first->assignments_added == std::vector<std::string>{"ДЗ-2", "ДЗ-3"});
  auto loaded = store->LoadAssignments();
  REQUIRE(loaded->size() == 3);
  const Assignment& made = loaded->at(1);
  CHECK(made.code == "ДЗ-2");
  CHECK(made.title == "Функции");
  CHECK(made.instructions == "§12, № 1-5");
  CHECK(made.links == std::vector<std::string>{"https://resh.edu.ru/"});
  CHECK(made.teacher_id == "t-petrova");
  CHECK(made.set_day == Day("2026-11-30"));
  CHECK(made.mail_message_id == "plan-2@school.test");

  // The same file again: nothing new.
  auto again = store->ImportPlan(plan, 200);
  REQUIRE(again.ok());
  CHECK(again->rows_added == 0);
  CHECK(again->rows_unchanged == 2);
  CHECK(again->assignments_added.empty());
  CHECK(store->LoadAssignments()->size() == 3);

  // A changed task updates the row and its assignment while unmailed...
  plan[0].task = "§13";
  plan[0].message_id = "other@school.test";  // unused: no new assignment
  auto changed = store->ImportPlan(plan, 300);
  REQUIRE(changed.ok());
  CHECK(changed->rows_updated == 1);
  CHECK(changed->assignments_updated == std::vector<std::string>{"ДЗ-2"});
  CHECK(store->LoadAssignments()->at(1).instructions == "§13");
  CHECK(store->LoadAssignments()->at(1).mail_message_id == "plan-2@school.test");

  // ...and once it was mailed, the assignment keeps what pupils were told.
  REQUIRE(store->MarkAnnounced("ДЗ-2", true, 2, 400).ok());
  plan[0].task = "§14";
  auto late = store->ImportPlan(plan, 500);
  REQUIRE(late.ok());
  CHECK(late->assignments_kept == std::vector<std::string>{"ДЗ-2"});
  CHECK(store->LoadAssignments()->at(1).instructions == "§13");
}

TEST_CASE("plan import: an unknown class rejects the whole plan") {
  auto store = Open(":memory:");
  REQUIRE(store->ImportRoster(SampleRoster()).ok());
  std::vector<PlanItem> plan = {PlanAlgebra(2, "2026-11-30", "Функции"),
                                PlanAlgebra(3, "2026-12-01", "Графики")};
  plan[1].class_name = "9Я";
  auto refused = store->ImportPlan(plan, 100);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message() == "line 3: unknown class \"9Я\"");
  CHECK(store->LoadAssignments()->empty());
}

TEST_CASE("timetable: stored in file order and replaced as a whole") {
  auto store = Open(":memory:");
  REQUIRE(store->ImportRoster(SampleRoster()).ok());
  TimetableEntry monday{std::nullopt, date::Monday, "7А", "Алгебра",
                        "https://meet.school.test/a", "", TimeOfDay{9 * 60},
                        TimeOfDay{9 * 60 + 40}};
  TimetableEntry dated{Day("2026-11-25"), std::nullopt, "7Б", "Литература",
                       "", "Перенесено", TimeOfDay{11 * 60}, std::nullopt};
  REQUIRE(store->ReplaceTimetable({monday, dated}).ok());
  CHECK(*store->LoadTimetable() == std::vector<TimetableEntry>{monday, dated});
  REQUIRE(store->ReplaceTimetable({dated}).ok());
  CHECK(*store->LoadTimetable() == std::vector<TimetableEntry>{dated});
  TimetableEntry unknown = monday;
  unknown.class_name = "9Я";
  CHECK_FALSE(store->ReplaceTimetable({monday, unknown}).ok());
  CHECK(*store->LoadTimetable() == std::vector<TimetableEntry>{dated});
}

TEST_CASE("distance mode: which classes on which day; overlap refused; stop") {
  auto store = Open(":memory:");
  REQUIRE(store->ImportRoster(SampleRoster()).ok());
  REQUIRE(store->StartDistance({"7А", "7Б"}, Day("2026-11-23"), std::nullopt,
                               "Приказ 1", 1).ok());
  CHECK(store->ClassesInDistance(Day("2026-11-22"))->empty());
  CHECK(*store->ClassesInDistance(Day("2026-11-23")) ==
        std::vector<std::string>{"7А", "7Б"});
  CHECK(*store->ClassesInDistance(Day("2027-05-01")) ==
        std::vector<std::string>{"7А", "7Б"});

  // Overlapping an open period, or an unknown class: nothing changes.
  auto overlap = store->StartDistance({"7А"}, Day("2026-12-01"),
                                      Day("2026-12-05"), "Приказ 2", 2);
  CHECK_FALSE(overlap.ok());
  CHECK(overlap.message().find("7А is already in distance mode from "
                               "2026-11-23") != std::string::npos);
  CHECK_FALSE(store->StartDistance({"9Я"}, Day("2027-01-01"), std::nullopt,
                                   "x", 2).ok());
  CHECK(store->ListDistancePeriods()->size() == 2);

  // 7Б is back at school from 30.11: its last distance day is 29.11.
  auto stopped = store->StopDistance({"7Б"}, Day("2026-11-30"));
  REQUIRE(stopped.ok());
  CHECK(*stopped == 1);
  CHECK(*store->ClassesInDistance(Day("2026-11-29")) ==
        std::vector<std::string>{"7А", "7Б"});
  CHECK(*store->ClassesInDistance(Day("2026-11-30")) ==
        std::vector<std::string>{"7А"});
  // A period that has not begun is removed by a stop before it.
  REQUIRE(store->StartDistance({"7Б"}, Day("2026-12-10"), Day("2026-12-20"),
                               "Приказ 3", 3).ok());
  CHECK(*store->StopDistance({"7Б"}, Day("2026-12-01")) == 1);
  CHECK(*store->ClassesInDistance(Day("2026-12-15")) ==
        std::vector<std::string>{"7А"});
  auto periods = store->ListDistancePeriods();
  REQUIRE(periods->size() == 2);
  CHECK(periods->at(1).class_name == "7Б");
  CHECK(periods->at(1).last_day == Day("2026-11-29"));
  CHECK(periods->at(1).order_text == "Приказ 1");
}

TEST_CASE("announcements: owed from storing until marked, due by set day, "
          "with their files") {
  auto store = Open(":memory:");
  REQUIRE(store->ImportRoster(SampleRoster()).ok());
  Assignment a = Algebra();
  a.code.clear();  // the next free code
  a.mail_message_id = "dz@school.test";
  a.set_day = Day("2026-11-27");
  std::string binary("\0\1\2PDF", 6);
  auto code = store->AddAssignmentToAnnounce(
      a, "mail", {{"Лист.pdf", "application/pdf", binary}}, 10);
  REQUIRE(code.ok());
  CHECK(*code == "ДЗ-1");
  a.mail_message_id.clear();
  CHECK_FALSE(store->AddAssignmentToAnnounce(a, "cli", {}, 10).ok());

  CHECK(store->ListPendingAnnouncements(Day("2026-11-26"))->empty());
  auto pending = store->ListPendingAnnouncements(Day("2026-11-27"));
  REQUIRE(pending->size() == 1);
  CHECK(pending->at(0).assignment.code == "ДЗ-1");
  CHECK(pending->at(0).assignment.mail_message_id == "dz@school.test");
  CHECK(pending->at(0).source == "mail");
  REQUIRE(pending->at(0).files.size() == 1);
  CHECK(pending->at(0).files[0].name == "Лист.pdf");
  CHECK(pending->at(0).files[0].data == binary);

  REQUIRE(store->MarkAnnounced("ДЗ-1", true, 2, 20).ok());
  CHECK(store->ListPendingAnnouncements(Day("2026-12-31"))->empty());
  CHECK(store->MarkAnnounced("ДЗ-1", true, 2, 30).ok());  // no-op
  // An assignment added the old way is never announced.
  Assignment old_way = Algebra();
  old_way.code = "ДЗ-7";
  REQUIRE(store->AddAssignment(old_way, "cli", 1).ok());
  CHECK(store->ListPendingAnnouncements(Day("2026-12-31"))->empty());
  // The next free code is one past the highest, gaps are not reused.
  Assignment b = Algebra();
  b.code.clear();
  b.mail_message_id = "b@school.test";
  CHECK(*store->AddAssignmentToAnnounce(b, "cli", {}, 10) == "ДЗ-8");
}

TEST_CASE("jobs: a done marker per job and day, forgettable") {
  auto store = Open(":memory:");
  CHECK_FALSE(*store->IsJobDone("morning", Day("2026-11-30")));
  REQUIRE(store->MarkJobDone("morning", Day("2026-11-30"), 1).ok());
  REQUIRE(store->MarkJobDone("morning", Day("2026-11-30"), 2).ok());  // again
  CHECK(*store->IsJobDone("morning", Day("2026-11-30")));
  CHECK_FALSE(*store->IsJobDone("morning", Day("2026-12-01")));
  CHECK_FALSE(*store->IsJobDone("digest", Day("2026-11-30")));
  REQUIRE(store->ForgetJob("morning", Day("2026-11-30")).ok());
  CHECK_FALSE(*store->IsJobDone("morning", Day("2026-11-30")));
}

TEST_CASE("migration 3 keeps assignments stored before it unannounced") {
  testing::TempDir dir;
  std::string path = dir.path() + "/old.db";
  {
    // A schema-2 database with one assignment, as schoolmail left it.
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    for (int i = 0; i < 2; ++i) {
      std::string sql(Migrations()[i]);
      REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    }
    const char* fill =
        "PRAGMA user_version = 2;"
        "INSERT INTO classes(name) VALUES ('7А');"
        "INSERT INTO subjects(name) VALUES ('Алгебра');"
        "INSERT INTO assignments(code, class_id, subject_id, title, set_day, "
        "due_day, due_time, source, created_at) VALUES ('ДЗ-1', 1, 1, 'x', "
        "'2026-11-20', '2026-11-21', '18:00', 'cli', 1);";
    REQUIRE(sqlite3_exec(db, fill, nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  auto store = Open(path);
  CHECK(store->SchemaVersion() == CurrentSchemaVersion());
  CHECK(store->LoadAssignments()->size() == 1);
  CHECK(store->ListPendingAnnouncements(Day("2026-12-31"))->empty());
}

// --- Grades (issue 6) ---

// A store with the sample roster, ДЗ-1 (Petrova) and Petya's work on it
// (Message-ID work-1@pupils.test) plus an unknown sender's mail.
struct GradedSchool {
  std::unique_ptr<Store> store = Open(":memory:");
  std::int64_t work = 0;
  std::int64_t stranger = 0;
  GradedSchool() {
    REQUIRE(store->ImportRoster(SampleRoster()).ok());
    REQUIRE(store->AddAssignment(Algebra(), "cli", 1).ok());
    SubmissionRecord sub = Work(SubmissionStatus::kOnTime);
    sub.message_id = "work-1@pupils.test";
    work = store->RecordIntake(Intake(1, "k1", sub))->submission_id;
    SubmissionRecord unknown = Work(SubmissionStatus::kUnknownSender);
    unknown.pupil_id.clear();
    unknown.sender = "stranger@x.test";
    stranger = store->RecordIntake(Intake(2, "k2", unknown))->submission_id;
    REQUIRE(work > 0);
    REQUIRE(stranger > 0);
  }
  NewGrade Grade(const std::string& value, const std::string& comment = "",
                 std::int64_t at = 5000) {
    NewGrade g;
    g.submission_id = work;
    g.value = value;
    g.comment = comment;
    g.teacher_id = "t-petrova";
    g.source = "cli";
    g.graded_at = at;
    return g;
  }
};

TEST_CASE("grades: submissions found by id and Message-ID, with their "
          "assignment's teacher") {
  GradedSchool school;
  auto found = school.store->FindSubmission(school.work);
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  const GradeTarget& t = **found;
  CHECK(t.pupil_id == "p-001");
  CHECK(t.pupil_name == "Иванов Пётр");
  CHECK(t.class_name == "7А");
  CHECK(t.mailbox == "petrova");
  CHECK(t.sender == "ivanov.petya@pupils.test");
  CHECK(t.message_id == "work-1@pupils.test");
  CHECK(t.assignment_code == "ДЗ-1");
  CHECK(t.assignment_teacher_id == "t-petrova");
  CHECK(t.school_subject == "Алгебра");
  CHECK(t.due_day == Day("2026-11-30"));
  CHECK(t.status == "on_time");
  CHECK_FALSE(school.store->FindSubmission(999)->has_value());

  auto by_id = school.store->FindSubmissionByMessageId("work-1@pupils.test", "");
  REQUIRE(by_id->has_value());
  CHECK((*by_id)->submission_id == school.work);
  CHECK_FALSE(school.store->FindSubmissionByMessageId("work-1@pupils.test",
                                                      "sidorov")->has_value());
  auto replied = school.store->FindRepliedSubmission(
      "petrova", {"nothing@x", "work-1@pupils.test"});
  REQUIRE(replied->has_value());
  CHECK((*replied)->submission_id == school.work);
  CHECK_FALSE(school.store->FindRepliedSubmission("sidorov",
                                                  {"work-1@pupils.test"})
                  ->has_value());
}

TEST_CASE("grades: a new grade replaces the current one, history kept, "
          "each owes a notice") {
  GradedSchool school;
  auto first = school.store->RecordGrade(school.Grade("5", "Молодец", 5000));
  REQUIRE(first.ok());
  CHECK(first->grade_id > 0);
  CHECK(first->replaced == 0);
  // The same grade again changes nothing and owes nothing.
  auto same = school.store->RecordGrade(school.Grade("5", "Молодец", 5100));
  REQUIRE(same.ok());
  CHECK(same->unchanged);
  CHECK(same->grade_id == 0);
  auto pending = school.store->ListPendingGradeNotices(10);
  REQUIRE(pending->size() == 1);
  CHECK(pending->at(0).value == "5");
  CHECK(pending->at(0).comment == "Молодец");
  CHECK(pending->at(0).teacher_id == "t-petrova");
  CHECK(pending->at(0).teacher_name == "Петрова Анна Сергеевна");
  CHECK(pending->at(0).submission.pupil_id == "p-001");
  REQUIRE(school.store->MarkGradeNotice(first->grade_id, true, 5001).ok());
  CHECK(school.store->ListPendingGradeNotices(10)->empty());

  auto second = school.store->RecordGrade(school.Grade("4", "", 6000));
  REQUIRE(second.ok());
  CHECK(second->replaced == first->grade_id);
  auto current = *school.store->ListGrades({});
  REQUIRE(current.size() == 1);
  CHECK(current[0].value == "4");
  CHECK(current[0].previous_value == "5");
  CHECK(current[0].replaced_by == 0);
  GradeFilter history;
  history.history = true;
  auto all = *school.store->ListGrades(history);
  REQUIRE(all.size() == 2);
  CHECK(all[0].value == "5");
  CHECK(all[0].replaced_by == second->grade_id);
  CHECK(all[0].notice == "queued");
  CHECK(all[1].notice == "pending");

  // Replaced before its notice went: that notice is skipped, only the
  // newest is owed.
  auto third = school.store->RecordGrade(school.Grade("3", "", 7000));
  REQUIRE(third.ok());
  pending = school.store->ListPendingGradeNotices(10);
  REQUIRE(pending->size() == 1);
  CHECK(pending->at(0).id == third->grade_id);
  CHECK(pending->at(0).previous_value == "4");
  all = *school.store->ListGrades(history);
  CHECK(all[1].notice == "skipped");
}

TEST_CASE("grades: refused for unknown submissions, senders and teachers") {
  GradedSchool school;
  NewGrade g = school.Grade("5");
  g.submission_id = 999;
  CHECK(school.store->RecordGrade(g).status().message() == "no submission 999");
  g.submission_id = school.stranger;
  CHECK(school.store->RecordGrade(g).status().message().find("unknown sender") !=
        std::string::npos);
  g = school.Grade("5");
  g.teacher_id = "p-001";  // a pupil is not a teacher
  CHECK(school.store->RecordGrade(g).status().message().find("no teacher") !=
        std::string::npos);
  g = school.Grade("5");
  g.source = "web";
  CHECK_FALSE(school.store->RecordGrade(g).ok());
  CHECK(school.store->ListGrades({})->empty());
}

TEST_CASE("grades: filtered by class, pupil, time graded and due day") {
  GradedSchool school;
  REQUIRE(school.store->RecordGrade(school.Grade("5", "", 5000)).ok());
  GradeFilter f;
  f.class_name = "7А";
  CHECK(school.store->ListGrades(f)->size() == 1);
  f.class_name = "7Б";
  CHECK(school.store->ListGrades(f)->empty());
  f = {};
  f.pupil_id = "p-002";
  CHECK(school.store->ListGrades(f)->empty());
  f.pupil_id = "p-001";
  CHECK(school.store->ListGrades(f)->size() == 1);
  f = {};
  f.graded_from = 5001;
  CHECK(school.store->ListGrades(f)->empty());
  f.graded_from = 5000;
  f.graded_to = 5001;
  CHECK(school.store->ListGrades(f)->size() == 1);
  f = {};
  f.due_from = Day("2026-11-30");
  f.due_to = Day("2026-11-30");
  CHECK(school.store->ListGrades(f)->size() == 1);
  f.due_from = Day("2026-12-01");
  f.due_to = Day("2026-12-31");
  CHECK(school.store->ListGrades(f)->empty());
}

TEST_CASE("grades: a reply in Sent links and grades in one transaction, "
          "once") {
  GradedSchool school;
  SentRecord sent;
  sent.mailbox = "petrova";
  sent.folder = "Sent";
  sent.uidvalidity = 5;
  sent.uid = 1;
  sent.message_key = "sent-1";
  sent.message_id = "reply-1@school.test";
  sent.refers_to = {"work-1@pupils.test"};
  sent.sent_at = 8000;
  sent.archive_path = "archive/bb/bb.eml";
  NewGrade g = school.Grade("5", "Молодец", 8000);
  g.source = "reply";
  g.source_message_id = "reply-1@school.test";
  auto recorded = school.store->RecordSentWithGrade(sent, g);
  REQUIRE(recorded.ok());
  CHECK(recorded->submission_id == school.work);
  CHECK(recorded->grade.grade_id > 0);
  CHECK(school.store->ListSubmissions({})->at(0).replies == 1);
  auto grades = *school.store->ListGrades({});
  REQUIRE(grades.size() == 1);
  CHECK(grades[0].source == "reply");
  CHECK(grades[0].source_message_id == "reply-1@school.test");
  CHECK(school.store->GetCursor("petrova", "Sent")->last_uid == 1);

  // The same message again (a restart): nothing new.
  sent.uid = 2;
  auto again = school.store->RecordSentWithGrade(sent, g);
  REQUIRE(again.ok());
  CHECK(again->submission_id == 0);
  CHECK(again->grade.grade_id == 0);
  CHECK(school.store->ListGrades({})->size() == 1);
  CHECK(school.store->GetCursor("petrova", "Sent")->last_uid == 2);

  // A grade meant for another submission than the message links to is not
  // recorded; a message that links nothing records no grade.
  sent.message_key = "sent-3";
  sent.uid = 3;
  g.submission_id = school.stranger;
  auto other = school.store->RecordSentWithGrade(sent, g);
  REQUIRE(other.ok());
  CHECK(other->submission_id == school.work);
  CHECK(other->grade.grade_id == 0);
  sent.message_key = "sent-4";
  sent.uid = 4;
  sent.refers_to = {"unknown@x"};
  g.submission_id = school.work;
  auto none = school.store->RecordSentWithGrade(sent, g);
  CHECK(none->submission_id == 0);
  CHECK(school.store->ListGrades({})->size() == 1);

  // A grade the store refuses leaves the link recorded.
  sent.message_key = "sent-5";
  sent.uid = 5;
  sent.refers_to = {"work-1@pupils.test"};
  g.teacher_id = "t-nobody";
  auto refused = school.store->RecordSentWithGrade(sent, g);
  CHECK_FALSE(refused.ok());
  CHECK(*school.store->IsProcessed("sent-5"));
  CHECK(school.store->GetCursor("petrova", "Sent")->last_uid == 5);
}

TEST_CASE("migration 5 keeps grades stored before it without a notice") {
  testing::TempDir dir;
  std::string path = dir.path() + "/old.db";
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    for (int i = 0; i < 4; ++i) {
      std::string sql(Migrations()[i]);
      REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    }
    const char* fill =
        "PRAGMA user_version = 4;"
        "INSERT INTO classes(name) VALUES ('7А');"
        "INSERT INTO people(external_id, role, last_name, first_name) "
        "VALUES ('p-1', 'pupil', 'Иванов', 'Пётр');"
        "INSERT INTO pupils(person_id, class_id) VALUES (1, 1);"
        "INSERT INTO processed_messages(key, mailbox, folder, uidvalidity, "
        "uid, outcome, processed_at) VALUES ('k', 'm', 'INBOX', 1, 1, "
        "'submission', 1);"
        "INSERT INTO submissions(message_key, pupil_id, mailbox, sender, "
        "received_at, status, archive_path) VALUES ('k', 1, 'm', 'a@b.c', 1, "
        "'unmatched', 'x');"
        "INSERT INTO grades(submission_id, value, source, graded_at) "
        "VALUES (1, '5', 'cli', 2);";
    REQUIRE(sqlite3_exec(db, fill, nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  auto store = Open(path);
  CHECK(store->SchemaVersion() == CurrentSchemaVersion());
  auto grades = store->ListGrades({});
  REQUIRE(grades->size() == 1);
  CHECK(grades->at(0).notice == "none");
  CHECK(store->ListPendingGradeNotices(10)->empty());
}

}  // namespace
}  // namespace schoolmail
