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

}  // namespace
}  // namespace schoolmail
