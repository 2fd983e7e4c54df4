// Intake against the real Dovecot: mail placed with chosen receipt times
// (in the past: Dovecot replaces an APPEND date in the future with now),
// one cycle, then the stored statuses, the folder each message lands in,
// flags, untouched \Seen, and a second cycle that changes nothing.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "daemon/imap/imap_session.h"
#include "daemon/intake.h"
#include "parsers/roster.h"
#include "parsers/sha256.h"
#include "storage/store.h"
#include "tests/support/fault_proxy.h"
#include "tests/support/mail_stack.h"
#include "tests/support/temp_dir.h"

namespace schoolmail {
namespace {

using testing::MailStack;

std::string Mail(const std::string& from, const std::string& subject,
                 const std::string& extra_headers = "",
                 const std::string& body = "Решение во вложении.\r\n") {
  static int counter = 0;
  return "From: " + from + "\r\nTo: petrova@school.test\r\nSubject: " +
         subject + "\r\nMessage-ID: <m" + std::to_string(++counter) +
         "@pupils.test>\r\nDate: Mon, 30 Nov 2026 17:00:00 +0300\r\n" +
         extra_headers + "MIME-Version: 1.0\r\n"
         "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body;
}

std::string Photo(const std::string& from, const std::string& subject,
                  size_t bytes) {
  std::string data;
  data.reserve(bytes / 3 * 4 + bytes / 57 * 2);
  for (size_t i = 0; i < bytes / 57; ++i) {
    data += std::string(76, 'A' + static_cast<char>(i % 26)) + "\r\n";
  }
  return "From: " + from + "\r\nTo: petrova@school.test\r\nSubject: " +
         subject +
         "\r\nMessage-ID: <photo@pupils.test>\r\nMIME-Version: 1.0\r\n"
         "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
         "Content-Type: text/plain; charset=utf-8\r\n\r\nФото\r\n--b\r\n"
         "Content-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n"
         "Content-Disposition: attachment; filename*=UTF-8''%D0%A4.jpg\r\n"
         "\r\n" + data + "--b--\r\n";
}

struct School {
  testing::TempDir dir;
  MailStack stack{{.users = {{"petrova", "p-secret"}}}};
  Settings settings;
  std::unique_ptr<Store> store;

  explicit School(const std::string& zone = "Europe/Moscow") {
    settings.school.name = "Школа";
    settings.school.time_zone = zone;
    settings.data_dir = dir.path() + "/data";
    settings.ca_file = stack.ca_file();
    settings.smtp.sender = "robot@school.test";
    settings.school_mailbox.address = "robot@school.test";
    settings.intake.authserv_id = "mx.school.test";
    MailboxSettings petrova;
    petrova.name = "petrova";
    petrova.url = "imaps://127.0.0.1:" + std::to_string(stack.imaps_port());
    petrova.user = "petrova";
    petrova.password = "p-secret";
    petrova.address = "petrova@school.test";
    settings.teacher_mailboxes = {petrova};
    store = std::move(OpenSqliteStore(":memory:").value());
    RosterParse roster = ParseRoster(
        testing::ReadFile(std::string(SCHOOLMAIL_SOURCE_DIR) +
                          "/scripts/sample-school/roster.csv"),
        {});
    REQUIRE(store->ImportRoster(roster.roster).ok());
  }

  void Assign(const std::string& code, const std::string& subject,
              const std::string& due, const std::string& mail_id = "") {
    Assignment a;
    a.code = code;
    a.class_name = "7А";
    a.subject = subject;
    a.teacher_id = "t-petrova";
    a.title = "задание";
    a.set_day = *ParseDate("2026-03-01");
    a.due_day = *ParseDate(due);
    a.mail_message_id = mail_id;
    REQUIRE(store->AddAssignment(a, "cli", 0).ok());
  }

  IntakeReport Run() {
    auto report = RunIntake(settings, settings.teacher_mailboxes[0], *store,
                            1764514800);
    INFO(report.status().message());
    REQUIRE(report.ok());
    return *report;
  }

  // Folder -> the flags of each message in it.
  std::map<std::string, std::vector<std::vector<std::string>>> Folders(
      const std::vector<std::string>& names) {
    auto imap = ImapSession::Open({settings.teacher_mailboxes[0].url, "petrova",
                                   "p-secret", stack.ca_file()});
    REQUIRE(imap.ok());
    std::map<std::string, std::vector<std::vector<std::string>>> out;
    for (const std::string& name : names) {
      auto info = (*imap)->Examine(name);
      if (!info) continue;
      auto uids = (*imap)->UidsAfter(0);
      REQUIRE(uids.ok());
      auto items = (*imap)->UidFetch(*uids, "(UID FLAGS)");
      REQUIRE(items.ok());
      for (const FetchItem& item : *items) {
        out[name].push_back(item.flags.value_or(std::vector<std::string>{}));
      }
    }
    return out;
  }
};

TEST_CASE("one cycle sorts a teacher's mailbox; a second changes nothing") {
  School school;
  school.Assign("ДЗ-1", "Алгебра", "2026-11-26", "assign-1@school.test");
  school.Assign("ДЗ-2", "Геометрия", "2026-11-27");
  MailStack& stack = school.stack;
  auto append = [&](const std::string& mail, const std::string& date,
                    const std::string& flags = "") {
    return stack.Append("petrova", "INBOX", mail, date, flags);
  };
  append(Mail("Пётр <Ivanov.Petya@pupils.test>", "ДЗ-1 решение"),
         "26-Nov-2026 17:59:59 +0300", "\\Seen");
  append(Mail("alena.smirnova@pupils.test", "ДЗ-1"), "26-Nov-2026 18:00:01 +0300");
  append(Mail("ivanov.petya@pupils.test", "Re: задание",
              "In-Reply-To: <assign-1@school.test>\r\n"),
         "26-Nov-2026 18:00:00 +0300");
  append(Mail("Иванов Пётр <stranger@evil.test>", "ДЗ-1"),
         "26-Nov-2026 15:00:00 +0300");
  append(Mail("alena.smirnova@pupils.test", "ДЗ-1",
              "Authentication-Results: mx.school.test; spf=fail "
              "smtp.mailfrom=pupils.test; dmarc=fail\r\n"),
         "26-Nov-2026 16:00:00 +0300");
  append(Mail("ivanov.petya@pupils.test", "Автоответ: я в отпуске",
              "Auto-Submitted: auto-replied\r\n"),
         "26-Nov-2026 16:30:00 +0300");
  append(Mail("MAILER-DAEMON@pupils.test", "Undelivered Mail",
              "Content-Type: multipart/report; report-type=delivery-status; "
              "boundary=x\r\n"),
         "26-Nov-2026 16:40:00 +0300");
  append(Photo("ivanov.petya@pupils.test", "Геометрия фото", 10 << 20),
         "27-Nov-2026 12:00:00 +0300");
  append(Mail("alena.smirnova@pupils.test", "вопрос"), "27-Nov-2026 12:00:00 +0300");

  IntakeReport report = school.Run();
  CHECK(report.new_messages == 9);
  CHECK(report.submissions == 4);
  CHECK(report.late == 1);
  CHECK(report.unknown_sender == 1);
  CHECK(report.review == 1);
  CHECK(report.not_submissions == 2);
  CHECK(report.unmatched == 1);
  CHECK(report.filed == 7);

  auto rows = *school.store->ListSubmissions({});
  REQUIRE(rows.size() == 7);
  std::map<std::string, int> statuses;
  for (const SubmissionRow& r : rows) ++statuses[r.status];
  CHECK(statuses["on_time"] == 3);
  CHECK(statuses["late"] == 1);
  CHECK(statuses["unknown_sender"] == 1);
  CHECK(statuses["review"] == 1);
  CHECK(statuses["unmatched"] == 1);
  CHECK(rows[0].attempt == 1);
  for (const SubmissionRow& r : rows) {
    if (r.status == "on_time" && r.assignment_code == "ДЗ-1" &&
        r.pupil_id == "p-001") {
      CHECK((r.attempt == 1 || r.attempt == 2));
    }
  }

  const std::string algebra = "Сдано/7А/Алгебра/2026-11-26 ДЗ-1";
  const std::string geometry = "Сдано/7А/Геометрия/2026-11-27 ДЗ-2";
  const std::string unrecognised = "Сдано/Не распознано";
  auto folders = school.Folders({"INBOX", algebra, geometry, unrecognised});
  CHECK(folders["INBOX"].size() == 2);  // the auto-reply and the bounce
  REQUIRE(folders[algebra].size() == 3);
  CHECK(folders[geometry].size() == 1);
  CHECK(folders[unrecognised].size() == 3);
  int late = 0, seen = 0;
  for (const auto& [name, messages] : folders) {
    for (const auto& flags : messages) {
      if (HasFlag(flags, "$Late")) {
        ++late;
        CHECK(HasFlag(flags, "\\Flagged"));
        CHECK(name == algebra);
      }
      if (HasFlag(flags, "\\Seen")) ++seen;
    }
  }
  CHECK(late == 1);
  CHECK(seen == 1);  // only the one appended as read; the daemon reads unseen

  IntakeReport again = school.Run();
  CHECK(again.new_messages == 0);
  CHECK(again.filed == 0);
  CHECK(school.store->ListSubmissions({})->size() == 7);
  CHECK(school.Folders({"INBOX"})["INBOX"].size() == 2);
}

TEST_CASE("the deadline holds on a daylight-saving day") {
  School school("Europe/Berlin");  // CET -> CEST on 2026-03-29
  school.Assign("ДЗ-1", "Алгебра", "2026-03-29");
  school.stack.Append("petrova", "INBOX",
                      Mail("ivanov.petya@pupils.test", "ДЗ-1"),
                      "29-Mar-2026 17:59:59 +0200");
  school.stack.Append("petrova", "INBOX",
                      Mail("alena.smirnova@pupils.test", "ДЗ-1"),
                      "29-Mar-2026 16:00:01 +0000");
  IntakeReport report = school.Run();
  CHECK(report.submissions == 2);
  CHECK(report.late == 1);
  auto rows = *school.store->ListSubmissions({});
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].status == "on_time");
  CHECK(rows[1].status == "late");
}

TEST_CASE("a wrong password is reported for that mailbox") {
  School school;
  school.settings.teacher_mailboxes[0].password = "wrong";
  auto report = RunIntake(school.settings, school.settings.teacher_mailboxes[0],
                          *school.store, 1764514800);
  REQUIRE_FALSE(report.ok());
  CHECK(report.status().scope() == Scope::kAccount);
  auto states = *school.store->LoadMailboxStates();
  REQUIRE(states.size() == 1);
  CHECK(states[0].last_error.find("login refused") != std::string::npos);
}

TEST_CASE("case 6: a new UIDVALIDITY brings no second submission") {
  School school;
  school.Assign("ДЗ-1", "Алгебра", "2026-11-26");
  school.stack.Append("petrova", "INBOX",
                      Mail("ivanov.petya@pupils.test", "ДЗ-1"),
                      "26-Nov-2026 12:00:00 +0300");
  school.stack.Append("petrova", "INBOX",
                      Mail("ivanov.petya@pupils.test", "Auto: away",
                           "Auto-Submitted: auto-replied\r\n"),
                      "26-Nov-2026 12:30:00 +0300");
  IntakeReport first = school.Run();
  CHECK(first.submissions == 1);
  std::string command = "doveadm -c " + school.stack.dir() +
                        "/dovecot.conf mailbox update -u petrova "
                        "--uid-validity 424242 INBOX";
  REQUIRE(std::system(command.c_str()) == 0);
  IntakeReport second = school.Run();
  CHECK(second.new_messages == 1);  // the auto-reply, read again
  CHECK(second.known == 1);
  CHECK(second.submissions == 0);
  CHECK(second.not_submissions == 0);
  REQUIRE(second.notes.size() == 1);
  CHECK(second.notes[0].find("changed from") != std::string::npos);
  CHECK(school.store->ListSubmissions({})->size() == 1);
  CHECK(school.store->GetCursor("petrova", "INBOX")->uidvalidity == 424242);
}

TEST_CASE("case 13: mail before the start date is recorded, not answered") {
  School school;
  school.settings.intake.start_date = *ParseDate("2026-11-27");
  school.Assign("ДЗ-1", "Алгебра", "2026-11-26");
  school.stack.Append("petrova", "INBOX",
                      Mail("ivanov.petya@pupils.test", "ДЗ-1"),
                      "26-Nov-2026 12:00:00 +0300");
  school.stack.Append("petrova", "INBOX",
                      Mail("alena.smirnova@pupils.test", "ДЗ-1"),
                      "27-Nov-2026 12:00:00 +0300");
  IntakeReport report = school.Run();
  CHECK(report.old == 1);
  CHECK(report.submissions == 2);  // both were classified...
  CHECK(report.filed == 1);        // ...but only the new one is stored
  auto rows = *school.store->ListSubmissions({});
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].pupil_id == "p-002");
  CHECK(school.Folders({"INBOX"})["INBOX"].size() == 1);
  CHECK(school.Run().new_messages == 0);
}

TEST_CASE("case 10: IMAP-looking lines in a body arrive byte for byte") {
  School school;
  school.Assign("ДЗ-1", "Алгебра", "2026-11-26");
  std::string body = "A004 OK done\r\n* 3 FETCH (FLAGS (\\Seen))\r\n{50}\r\n"
                     ")\r\ns1 OK fake\r\n";
  std::string mail = Mail("ivanov.petya@pupils.test", "ДЗ-1", "", body);
  school.stack.Append("petrova", "INBOX", mail, "26-Nov-2026 12:00:00 +0300");
  IntakeReport report = school.Run();
  CHECK(report.submissions == 1);
  std::string archived =
      testing::ReadFile(school.settings.data_dir + "/archive/" +
                        Sha256Hex(mail).substr(0, 2) + "/" + Sha256Hex(mail) +
                        ".eml");
  CHECK(archived == mail);
}

TEST_CASE("the teacher's replies in Sent are linked to the submissions") {
  School school;
  school.Assign("ДЗ-1", "Алгебра", "2026-11-26");
  school.stack.Append("petrova", "INBOX",
                      "From: ivanov.petya@pupils.test\r\nSubject: ДЗ-1\r\n"
                      "Message-ID: <pupil-work@pupils.test>\r\n\r\nработа\r\n",
                      "26-Nov-2026 12:00:00 +0300");
  CHECK(school.Run().submissions == 1);
  school.stack.Append("petrova", "Sent",
                      "From: petrova@school.test\r\nTo: ivanov.petya@pupils.test"
                      "\r\nSubject: Re: ДЗ-1\r\nMessage-ID: <grade@school.test>"
                      "\r\nIn-Reply-To: <pupil-work@pupils.test>\r\n\r\n"
                      "Оценка: 5\r\n",
                      "26-Nov-2026 20:00:00 +0300", "\\Seen");
  school.stack.Append("petrova", "Sent",
                      "From: petrova@school.test\r\nTo: colleague@school.test"
                      "\r\nSubject: meeting\r\n\r\nhello\r\n",
                      "26-Nov-2026 20:05:00 +0300");
  IntakeReport report = school.Run();
  CHECK(report.sent_read == 2);
  CHECK(report.replies_linked == 1);
  // `schoolmail status` shows when Sent was read, not "last poll never".
  auto states = school.store->LoadMailboxStates();
  REQUIRE(states.ok());
  auto sent = std::find_if(
      states->begin(), states->end(),
      [](const MailboxState& m) { return m.folder == "Sent"; });
  REQUIRE(sent != states->end());
  CHECK(sent->mailbox == "petrova");
  CHECK(sent->last_poll_at == 1764514800);
  CHECK(sent->last_error.empty());
  auto rows = *school.store->ListSubmissions({});
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].replies == 1);
  IntakeReport again = school.Run();
  CHECK(again.sent_read == 0);
  CHECK(school.store->ListSubmissions({})->at(0).replies == 1);
}

TEST_CASE("a message over message_bytes stays unread; the others flow") {
  School school;
  school.settings.limits.message_bytes = 1 << 20;
  school.Assign("ДЗ-1", "Алгебра", "2026-11-26");
  school.stack.Append("petrova", "INBOX",
                      Mail("ivanov.petya@pupils.test", "ДЗ-1"),
                      "26-Nov-2026 12:00:00 +0300");
  school.stack.Append("petrova", "INBOX",
                      Photo("alena.smirnova@pupils.test", "ДЗ-1", 2 << 20),
                      "26-Nov-2026 12:10:00 +0300");
  school.stack.Append("petrova", "INBOX",
                      Mail("alena.smirnova@pupils.test", "ДЗ-1"),
                      "26-Nov-2026 12:20:00 +0300");
  IntakeReport report = school.Run();
  CHECK(report.too_large == 1);
  CHECK(report.submissions == 2);
  CHECK(school.store->GetCursor("petrova", "INBOX")->last_uid == 3);
  auto inbox = school.Folders({"INBOX"})["INBOX"];
  REQUIRE(inbox.size() == 1);
  CHECK_FALSE(HasFlag(inbox[0], "\\Seen"));  // not even read
  IntakeReport again = school.Run();
  CHECK(again.too_large == 0);
  CHECK(again.new_messages == 0);
}

// Dovecot's "Login: user=<petrova>" lines so far (its log process writes
// them a little later than the login).
size_t Logins(MailStack& stack) {
  std::string log = testing::ReadFile(stack.dir() + "/dovecot.log");
  size_t count = 0;
  for (size_t at = 0; (at = log.find("Login: user=<petrova>", at)) !=
                      std::string::npos;
       ++at) {
    ++count;
  }
  return count;
}

TEST_CASE("a backlog over 60 MB comes over two connections, each message "
          "once") {
  for (int connections : {2, 1}) {
    CAPTURE(connections);
    School school;
    school.settings.intake.fetch_connections = connections;
    school.Assign("ДЗ-1", "Алгебра", "2026-11-26");
    // 24 photos of 2.8 MB: 67 MB, five groups (4, 8, 16, 32 and 48 MB).
    for (int i = 0; i < 24; ++i) {
      school.stack.Append(
          "petrova", "INBOX",
          Photo(i % 2 ? "ivanov.petya@pupils.test" : "alena.smirnova@pupils.test",
                "ДЗ-1 фото " + std::to_string(i), 2100000),
          "26-Nov-2026 12:00:00 +0300");
    }
    ::usleep(300 * 1000);
    const size_t before = Logins(school.stack);
    IntakeReport report = school.Run();
    CHECK(report.new_messages == 24);
    CHECK(report.submissions == 24);
    CHECK(report.filed == 24);
    CHECK(school.store->GetCursor("petrova", "INBOX")->last_uid == 24);
    size_t logins = 0;
    for (int i = 0; i < 30 && logins < before + connections; ++i) {
      ::usleep(100 * 1000);
      logins = Logins(school.stack);
    }
    ::usleep(300 * 1000);
    CHECK(Logins(school.stack) - before == static_cast<size_t>(connections));
    auto folders = school.Folders({"INBOX", "Сдано/7А/Алгебра/2026-11-26 ДЗ-1"});
    CHECK(folders["INBOX"].empty());
    CHECK(folders["Сдано/7А/Алгебра/2026-11-26 ДЗ-1"].size() == 24);
    IntakeReport again = school.Run();
    CHECK(again.new_messages == 0);
  }
}

TEST_CASE("case 9: a connection dropped mid-fetch loses nothing") {
  School school;
  school.Assign("ДЗ-1", "Алгебра", "2026-11-26");
  school.stack.Append("petrova", "INBOX",
                      Photo("ivanov.petya@pupils.test", "ДЗ-1", 2 << 20),
                      "26-Nov-2026 12:00:00 +0300");
  testing::FaultProxy proxy(school.dir.path(), "imaps-proxy", "127.0.0.1",
                            school.stack.imaps_port());
  school.settings.teacher_mailboxes[0].url =
      "imaps://127.0.0.1:" + std::to_string(proxy.port());
  // The first connection dies inside the 2 MB body; later ones work.
  proxy.SetRules(R"({"drop_after_server_bytes": 200000, "connections": 1})");
  auto broken = RunIntake(school.settings, school.settings.teacher_mailboxes[0],
                          *school.store, 1764514800);
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.status().retry() == Retry::kNow);
  CHECK(proxy.FaultsFired() == 1);
  CHECK(school.store->ListSubmissions({})->empty());
  CHECK(school.store->GetCursor("petrova", "INBOX")->last_uid == 0);

  IntakeReport report = school.Run();
  CHECK(report.submissions == 1);
  CHECK(report.filed == 1);
  REQUIRE(school.store->ListSubmissions({})->size() == 1);
  CHECK(school.store->ListSubmissions({})->at(0).attachments == 1);
}

TEST_CASE("case 11: a folder the server refuses leaves the mail in INBOX") {
  School school;
  school.Assign("ДЗ-1", "Алгебра", "2026-11-26");
  school.stack.Append("petrova", "INBOX",
                      Mail("ivanov.petya@pupils.test", "ДЗ-1"),
                      "26-Nov-2026 12:00:00 +0300");
  // Dovecot (running as user mail) can no longer make folders: Maildir++
  // keeps them as directories right under ~/Maildir.
  std::string maildir = school.stack.dir() + "/home/petrova/Maildir";
  REQUIRE(::chmod(maildir.c_str(), 0555) == 0);
  IntakeReport report = school.Run();
  REQUIRE(::chmod(maildir.c_str(), 0755) == 0);
  CHECK(report.submissions == 1);
  CHECK(report.filed == 0);
  CHECK(report.left_in_inbox == 1);
  bool noted = false;
  for (const std::string& note : report.notes) {
    noted = noted || note.find("UID 1 stays in INBOX: CREATE") != std::string::npos;
  }
  CHECK(noted);
  CHECK(school.Folders({"INBOX"})["INBOX"].size() == 1);
  CHECK(school.store->ListSubmissions({})->at(0).filed_folder == "INBOX");
  // Not retried in a loop: the next cycle leaves it alone.
  CHECK(school.Run().left_in_inbox == 0);
}

}  // namespace
}  // namespace schoolmail
