// The outbox's decisions: retry delays and what an SMTP attempt means for
// each recipient. The drain itself runs against the real SMTP server in
// tests/integration/outbox_test.cc.
#include <doctest/doctest.h>

#include <filesystem>

#include "daemon/outbox.h"
#include "daemon/outgoing.h"
#include "parsers/roster.h"
#include "storage/store.h"
#include "tests/support/temp_dir.h"

namespace schoolmail {
namespace {

using State = RecipientOutcome::State;

TEST_CASE("retry delay doubles from first_retry up to max_retry, plus jitter") {
  OutboxSettings s;
  s.first_retry_seconds = 60;
  s.max_retry_seconds = 3600;
  CHECK(RetryDelay(1, s, 0.0) == 60);
  CHECK(RetryDelay(2, s, 0.0) == 120);
  CHECK(RetryDelay(3, s, 0.0) == 240);
  CHECK(RetryDelay(7, s, 0.0) == 3600);   // 3840 capped
  CHECK(RetryDelay(500, s, 0.0) == 3600);  // no overflow
  CHECK(RetryDelay(1, s, 1.0) == 72);      // at most 20% jitter
  CHECK(RetryDelay(1, s, 0.5) == 66);
}

TEST_CASE("an attempt: 250, 550 and 451 per recipient") {
  SendReport report;
  report.recipients = {{"a@x.test", 250, "250 OK"},
                       {"b@x.test", 550, "550 no such user"},
                       {"c@x.test", 451, "451 greylisted"}};
  report.final_code = 250;
  report.final_reply = "250 queued";
  std::vector<std::string> to = {"a@x.test", "b@x.test", "c@x.test"};
  AttemptOutcome o = JudgeAttempt(report, to, false);
  REQUIRE(o.recipients.size() == 3);
  CHECK(o.recipients[0].state == State::kSent);
  CHECK(o.recipients[1].state == State::kFailed);
  CHECK(o.recipients[1].reply == "550 no such user");
  CHECK(o.recipients[2].state == State::kDeferred);
  CHECK(o.recipients[0].reply == "250 queued");
  CHECK_FALSE(o.server_trouble);
  // Past give_up_days a temporary failure is final.
  CHECK(JudgeAttempt(report, to, true).recipients[2].state == State::kFailed);
}

TEST_CASE("an attempt that failed as a whole") {
  std::vector<std::string> to = {"a@x.test", "b@x.test"};
  Result<SendReport> down = Status::Error("SMTP server unreachable: refused",
                                          Scope::kMailbox, Retry::kLater);
  AttemptOutcome o = JudgeAttempt(down, to, false);
  CHECK(o.server_trouble);
  CHECK(o.recipients[0].state == State::kDeferred);
  CHECK(o.recipients[1].state == State::kDeferred);
  // A wrong password is the server's business, not the mail's: deferred.
  Result<SendReport> login = Status::Error("SMTP login refused: 535",
                                           Scope::kAccount, Retry::kNever);
  CHECK(JudgeAttempt(login, to, false).recipients[0].state == State::kDeferred);
  // The message itself refused with 5xx: failed for everyone.
  Result<SendReport> refused = Status::Error("SMTP refused: 554 spam",
                                             Scope::kItem, Retry::kNever);
  AttemptOutcome r = JudgeAttempt(refused, to, false);
  CHECK_FALSE(r.server_trouble);
  CHECK(r.recipients[0].state == State::kFailed);
  CHECK(r.recipients[1].reply == "SMTP refused: 554 spam");
  Result<SendReport> later = Status::Error("SMTP temporary failure: 452",
                                           Scope::kItem, Retry::kLater);
  CHECK(JudgeAttempt(later, to, false).recipients[0].state == State::kDeferred);
}

TEST_CASE("a school's own template folder is used as it is; a gap is named") {
  testing::TempDir dir;
  namespace fs = std::filesystem;
  for (const auto& entry : fs::directory_iterator(BuiltInTemplateDir("ru"))) {
    fs::copy_file(entry.path(), dir.path() + "/" + entry.path().filename().string());
  }
  dir.Write("receipt.subject.mustache", "Школа получила: {{assignment_code}}\n");
  SchoolSettings school;
  school.language = "ru";
  school.templates_dir = dir.path();
  auto set = LoadTemplateSet(school);
  REQUIRE(set.ok());
  ReceiptFacts facts;
  facts.matched = true;
  facts.assignment_code = "ДЗ-7";
  auto receipt = RenderReceipt(*set, SchoolInfo{"Школа", "https://s.test", "1", ""}, facts);
  REQUIRE(receipt.ok());
  CHECK(receipt->subject == "Школа получила: ДЗ-7");

  fs::remove(dir.path() + "/footer.txt.mustache");
  auto broken = LoadTemplateSet(school);
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.status().message().find("footer.txt.mustache") != std::string::npos);
  school.templates_dir = dir.path() + "/missing";
  CHECK_FALSE(LoadTemplateSet(school).ok());
}


// Stores pupil `pupil_id`'s mails from `sender` with UIDs first..last, each
// owed a receipt.
void OweReceipts(Store& store, const std::string& pupil_id,
                 const std::string& sender, int first, int last) {
  for (int uid = first; uid <= last; ++uid) {
    SubmissionRecord work;
    work.pupil_id = pupil_id;
    work.sender = sender;
    work.subject = "Вопрос по домашке";
    work.received_at = 1764514000 + uid;
    work.status = SubmissionStatus::kUnmatched;
    work.archive_path = "archive/aa/aa.eml";
    work.wants_receipt = true;
    IntakeRecord record{"petrova", "INBOX", 77, uid, "k" + std::to_string(uid),
                        "submission", 1764514000 + uid, work};
    REQUIRE(store.RecordIntake(record).ok());
  }
}

// Issue 4: a backlog of old work owed receipts, its pupils over the daily
// cap. A receipt the cap would suppress is dropped before it is rendered
// and written: only the mails that go out draw a Message-ID token.
TEST_CASE("receipts over the per-recipient cap are suppressed unwritten") {
  auto opened = OpenSqliteStore(":memory:");
  REQUIRE(opened.ok());
  Store& store = **opened;
  RosterParse roster = ParseRoster(
      testing::ReadFile(std::string(SCHOOLMAIL_SOURCE_DIR) +
                        "/scripts/sample-school/roster.csv"),
      {});
  REQUIRE(roster.problems.empty());
  REQUIRE(store.ImportRoster(roster.roster).ok());
  OweReceipts(store, "p-001", "ivanov.petya@pupils.test", 1, 5);
  Settings settings;
  settings.school.name = "Школа";
  settings.school.time_zone = "Europe/Moscow";
  settings.smtp.sender = "robot@school.test";
  settings.limits.auto_mails_per_recipient_per_day = 2;
  auto templates = LoadTemplateSet(settings.school);
  REQUIRE(templates.ok());
  int written = 0;
  MailContext context{&settings, *templates, [&] {
                        ++written;
                        return "t" + std::to_string(written);
                      }};
  const std::int64_t now = 1764514800;
  CHECK_FALSE(*store.AutomaticCapReached("ivanov.petya@pupils.test", now, 2));

  auto report = QueueReceipts(store, context, now);
  INFO(report.status().message());
  REQUIRE(report.ok());
  CHECK(report->queued == 2);
  CHECK(report->suppressed == 3);
  CHECK(written == 2);  // the three capped receipts were never written
  CHECK(*store.AutomaticCapReached("ivanov.petya@pupils.test", now, 2));
  CHECK_FALSE(*store.AutomaticCapReached("ivanov.petya@pupils.test", now, 3));
  CHECK_FALSE(*store.AutomaticCapReached("popova.masha@pupils.test", now, 2));
  CHECK(store.ListPendingReceipts(10)->empty());
  CHECK(*store.CountSuppressed(0) == 3);
  CHECK(store.ListOutbox(false)->size() == 2);
  // A day later the window has moved on: the cap is free again.
  CHECK_FALSE(*store.AutomaticCapReached("ivanov.petya@pupils.test",
                                         now + 24 * 60 * 60, 2));
}

// Issue 4: a capped address's whole backlog is suppressed at once, not one
// batch a cycle; another pupil's receipts are untouched.
TEST_CASE("a capped address's receipt backlog goes in one cycle") {
  auto opened = OpenSqliteStore(":memory:");
  REQUIRE(opened.ok());
  Store& store = **opened;
  RosterParse roster = ParseRoster(
      testing::ReadFile(std::string(SCHOOLMAIL_SOURCE_DIR) +
                        "/scripts/sample-school/roster.csv"),
      {});
  REQUIRE(store.ImportRoster(roster.roster).ok());
  OweReceipts(store, "p-001", "ivanov.petya@pupils.test", 1, 12);
  OweReceipts(store, "p-004", "popova.masha@pupils.test", 13, 13);
  Settings settings;
  settings.school.name = "Школа";
  settings.school.time_zone = "Europe/Moscow";
  settings.smtp.sender = "robot@school.test";
  settings.limits.auto_mails_per_recipient_per_day = 2;
  settings.outbox.batch = 4;  // less than the backlog
  auto templates = LoadTemplateSet(settings.school);
  REQUIRE(templates.ok());
  MailContext context{&settings, *templates};
  const std::int64_t now = 1764514800;

  auto report = QueueReceipts(store, context, now);
  REQUIRE(report.ok());
  CHECK(report->queued == 2);
  CHECK(report->suppressed == 10);  // all the rest of Petya's, at once
  auto left = store.ListPendingReceipts(100);
  REQUIRE(left.ok());
  REQUIRE(left->size() == 1);  // Masha's, beyond this cycle's batch
  CHECK(left->front().sender == "popova.masha@pupils.test");
  CHECK(*store.CountSuppressed(0) == 10);
  auto next = QueueReceipts(store, context, now + 60);
  REQUIRE(next.ok());
  CHECK(next->queued == 1);
  CHECK(next->suppressed == 0);
}

}  // namespace
}  // namespace schoolmail
