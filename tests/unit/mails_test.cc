#include "templates/mails.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <tuple>

namespace schoolmail {
namespace {

// The test reads the shipped sets itself; templates/ never touches a disk.
TemplateSet LoadSet(const std::string& language) {
  TemplateSet set;
  set.language = language;
  const std::filesystem::path folder =
      std::filesystem::path(SCHOOLMAIL_TEMPLATES_DIR) / language;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    set.files[entry.path().filename().string()] = text.str();
  }
  return set;
}

const TemplateSet& Set(const std::string& language) {
  static const TemplateSet ru = LoadSet("ru");
  static const TemplateSet en = LoadSet("en");
  return language == "ru" ? ru : en;
}

const std::vector<std::string> kLanguages = {"ru", "en"};

// Words the shipped texts use, to check the facts are stated.
struct Words {
  std::string on_time_subject, late_subject, on_time, late, attempt_2_subject,
      attempt_1, attempt_2, not_recognised, no_attachment_warning,
      only_links_warning, empty_text_warning, megabytes, kilobytes, bytes;
};

Words WordsFor(const std::string& language) {
  if (language == "ru") {
    return {"Получено вовремя",
            "Получено после срока",
            "Работа сдана вовремя",
            "после срока",
            "попытка 2",
            "Попытка: 1",
            "Попытка: 2",
            "задание не распознано",
            "В письме нет вложений",
            "только ссылки",
            "без текста",
            "2,4 МБ",
            "812 КБ",
            "15 байт"};
  }
  return {"Received on time",
          "Received late",
          "Handed in on time",
          "after the deadline",
          "attempt 2",
          "Attempt: 1",
          "Attempt: 2",
          "assignment not recognised",
          "has no attachments",
          "has only links",
          "has no text",
          "2.4 MB",
          "812 KB",
          "15 bytes"};
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

SchoolInfo School() {
  return {"Школа № 1", "https://school.test",
          "+7 495 000-00-00, help@school.test", "mail@school.test"};
}

ReceiptFacts OnTimeReceipt() {
  ReceiptFacts facts;
  facts.pupil_name = "Петя Иванов";
  facts.teacher_name = "Анна Сергеевна Петрова";
  facts.mail_subject = "ДЗ-12 алгебра";
  facts.matched = true;
  facts.assignment_code = "ДЗ-12";
  facts.assignment_title = "§12 №1-5";
  facts.school_subject = "Алгебра";
  facts.due_local = "30.11.2026 18:00";
  facts.received_local = "30.11.2026 17:59:59";
  facts.attachments = {
      {"tetrad.jpg", 2516582,
       "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}};
  return facts;
}

ReceiptFacts UnmatchedReceipt() {
  ReceiptFacts facts = OnTimeReceipt();
  facts.matched = false;
  facts.mail_subject = "домашка";
  facts.assignment_code.clear();
  facts.assignment_title.clear();
  facts.school_subject.clear();
  facts.due_local.clear();
  facts.open_codes = {"ДЗ-12 Алгебра: §12", "ДЗ-14 Физика: опыт 3"};
  return facts;
}

AssignmentFacts Assignment() {
  return {"ДЗ-12",
          "7А",
          "Алгебра",
          "§12 №1-5",
          "Решите номера 1-5.\r\nПокажите решение.",
          {"https://resh.edu.ru/subject/lesson/1"},
          {"listok.pdf"},
          "Анна Сергеевна Петрова",
          "petrova@school.test",
          "28.11.2026 09:00",
          "30.11.2026 18:00"};
}

TagErrorFacts Rejection(const TemplateSet& set) {
  TagErrorFacts facts;
  facts.mail_subject = "#задание 7А до 31.13: §12";
  facts.problems = {RenderTagProblem(set, "no_subject", "").value_or("?"),
                    RenderTagProblem(set, "bad_date", "31.13").value_or("?")};
  facts.example = "#задание 7А Алгебра до 30.11: §12 №1-5";
  return facts;
}

MorningFacts Morning() {
  MorningFacts facts;
  facts.pupil_name = "Петя Иванов";
  facts.class_name = "7А";
  facts.day_local = "понедельник, 30.11.2026";
  facts.lessons = {
      {"09:00", "09:40", "Алгебра", "https://meet.test/abc", "Учебник с собой"},
      {"10:00", "10:40", "Физика", "javascript:alert(1)", ""}};
  facts.due_today = {
      {"ДЗ-12", "Алгебра", "§12", "30.11.2026 18:00", "petrova@school.test"}};
  facts.due_next = {
      {"ДЗ-14", "Физика", "Опыт 3", "01.12.2026 18:00", "fizik@school.test"}};
  facts.next_day_local = "вторник, 01.12.2026";
  facts.deadline = "18:00";
  return facts;
}

// Every mail with sample facts, by name.
StatusFacts StatusSample() {
  StatusFacts f;
  f.recipient_name = "Елена Иванова";
  f.now_local = "30.11.2026 19:05";
  StatusChild child;
  child.name = "Пётр Иванов";
  child.class_name = "7А";
  child.assignments = {
      {"ДЗ-12", "Алгебра", "§12 №1-5", "30.11.2026 18:00", true, true, 2, false},
      {"ДЗ-13", "Геометрия", "№100", "27.11.2026 18:00", false, false, 0, true},
      {"ДЗ-14", "Литература", "Бородино", "01.12.2026 18:00", false, false, 0, false}};
  child.grades = {{"ДЗ-9", "Алгебра", "§9", "5", "Молодец", "Анна Петрова",
                   "29.11.2026 10:00"}};
  f.children = {child, StatusChild{"Мария Попова", "7Б", {}, {}}};
  return f;
}

DeliveryFailureFacts DeliveryFailure() {
  DeliveryFailureFacts f;
  f.kind = "receipt";
  f.mail_subject = "Получено вовремя: ДЗ-12 Алгебра";
  f.queued_local = "30.11.2026 17:59";
  f.attempts = 4;
  f.recipients = {{"gone@pupils.test", "550 5.1.1 no such user"}};
  return f;
}

GradeNoticeFacts GradeNotice() {
  GradeNoticeFacts f;
  f.pupil_name = "Петя Иванов";
  f.teacher_name = "Анна Сергеевна Петрова";
  f.teacher_address = "petrova@school.test";
  f.matched = true;
  f.assignment_code = "ДЗ-12";
  f.school_subject = "Алгебра";
  f.assignment_title = "§12 №1-5";
  f.mail_subject = "ДЗ-12";
  f.received_local = "30.11.2026 17:59:59";
  f.value = "5";
  f.comment = "Молодец!\r\nВсё верно.";
  f.graded_local = "30.11.2026 20:15";
  return f;
}

GradingListFacts GradingList() {
  GradingListFacts f;
  f.teacher_name = "Анна Сергеевна";
  f.day_local = "30.11.2026";
  WaitingAssignment dz12{"ДЗ-12", "Алгебра",          "§12 №1-5",
                         "7А",    "27.11.2026 18:00", {}};
  dz12.work = {{"Иванов Пётр", "7А", "27.11.2026 17:59:59", false, 1,
                "Сдано/7А/Алгебра/2026-11-27 ДЗ-12", ""},
               {"Смирнова Алёна", "7А", "27.11.2026 18:00:01", true, 2, "",
                "sidorov@school.test"}};
  WaitingAssignment dz14{"ДЗ-14", "Геометрия",        "Задачи 3-7",
                         "7Б",    "30.11.2026 15:00", {}};
  dz14.work = {{"Попова Мария", "7Б", "30.11.2026 14:10:00", false, 1,
                "Сдано/7Б/Геометрия/2026-11-30 ДЗ-14", ""}};
  f.assignments = {dz12, dz14};
  return f;
}

std::vector<std::pair<std::string, Result<MailText>>> AllMails(
    const TemplateSet& set, const SchoolInfo& school) {
  std::vector<std::pair<std::string, Result<MailText>>> mails;
  mails.emplace_back("receipt", RenderReceipt(set, school, OnTimeReceipt()));
  mails.emplace_back("unmatched receipt",
                     RenderReceipt(set, school, UnmatchedReceipt()));
  mails.emplace_back("assignment", RenderAssignment(set, school, Assignment()));
  mails.emplace_back("confirmation", RenderAssignmentConfirmation(
                                         set, school, Assignment(), 25));
  mails.emplace_back("rejection",
                     RenderAssignmentRejection(set, school, Rejection(set)));
  mails.emplace_back("morning", RenderMorning(set, school, Morning()));
  mails.emplace_back("grading list",
                     RenderGradingList(set, school, GradingList()));
  mails.emplace_back("delivery failure",
                     RenderDeliveryFailure(set, school, DeliveryFailure()));
  mails.emplace_back("status reply", RenderStatusReply(set, school, StatusSample()));
  mails.emplace_back("grade notice",
                     RenderGradeNotice(set, school, GradeNotice()));
  return mails;
}

TEST_CASE("both shipped sets have every required file") {
  for (const std::string& language : kLanguages) {
    CAPTURE(language);
    for (const std::string& file : RequiredTemplateFiles()) {
      CAPTURE(file);
      CHECK(Set(language).files.count(file) == 1);
    }
  }
}

TEST_CASE("every mail renders in both languages") {
  for (const std::string& language : kLanguages) {
    CAPTURE(language);
    for (auto& [name, mail] : AllMails(Set(language), School())) {
      CAPTURE(name);
      REQUIRE_MESSAGE(mail.ok(), mail.status().message());
      CHECK_FALSE(mail->subject.empty());
      CHECK_FALSE(mail->text.empty());
      // Only the morning mail and the grading list have an HTML part.
      CHECK(mail->html.empty() ==
            (name != "morning" && name != "grading list"));
    }
    for (const std::string& code : TagProblemCodes()) {
      CAPTURE(code);
      auto line = RenderTagProblem(Set(language), code, "31.13");
      REQUIRE_MESSAGE(line.ok(), line.status().message());
      CHECK_FALSE(line->empty());
      CHECK_FALSE(Has(*line, "\n"));
    }
  }
}

TEST_CASE("no template syntax leaks into a mail") {
  for (const std::string& language : kLanguages) {
    CAPTURE(language);
    for (auto& [name, mail] : AllMails(Set(language), School())) {
      CAPTURE(name);
      REQUIRE(mail.ok());
      for (const std::string* part :
           {&mail->subject, &mail->text, &mail->html}) {
        CHECK_FALSE(Has(*part, "{{"));
        CHECK_FALSE(Has(*part, "}}"));
      }
    }
  }
}

TEST_CASE("every mail ends with the footer: hotline and school site") {
  const SchoolInfo school = School();
  for (const std::string& language : kLanguages) {
    CAPTURE(language);
    for (auto& [name, mail] : AllMails(Set(language), school)) {
      CAPTURE(name);
      REQUIRE(mail.ok());
      const std::string& text = mail->text;
      CHECK(Has(text, school.hotline));
      // The site is the footer's last line.
      CHECK(text.ends_with(school.site + "\n"));
      const std::size_t footer = text.rfind("\n-- \n");
      REQUIRE(footer != std::string::npos);
      CHECK(text.find(school.hotline, footer) != std::string::npos);
      if (!mail->html.empty()) {
        const std::string& html = mail->html;
        const std::size_t hotline = html.rfind(school.hotline);
        REQUIRE(hotline != std::string::npos);
        CHECK(Has(html, "<a href=\"" + school.site + "\""));
        // After the last lesson and task, before the end of the page.
        CHECK(hotline > html.rfind("ДЗ-14"));
        CHECK(hotline < html.rfind("</body>"));
      }
    }
  }
}

TEST_CASE("receipt on time states the assignment, times and attempt") {
  for (const std::string& language : kLanguages) {
    CAPTURE(language);
    const Words words = WordsFor(language);
    auto mail = RenderReceipt(Set(language), School(), OnTimeReceipt());
    REQUIRE(mail.ok());
    CHECK(Has(mail->subject, words.on_time_subject));
    CHECK(Has(mail->subject, "ДЗ-12"));
    CHECK_FALSE(Has(mail->subject, words.attempt_2_subject));
    const std::string& text = mail->text;
    CHECK(Has(text, "Петя Иванов"));
    CHECK(Has(text, "Анна Сергеевна Петрова"));
    CHECK(Has(text, "ДЗ-12 Алгебра: §12 №1-5"));
    CHECK(Has(text, "30.11.2026 18:00"));
    CHECK(Has(text, "30.11.2026 17:59:59"));
    CHECK(Has(text, words.on_time));
    CHECK_FALSE(Has(text, words.late));
    CHECK(Has(text, words.attempt_1));
    CHECK(mail->html.empty());
  }
}

TEST_CASE("late receipt says late, in the subject and the text") {
  for (const std::string& language : kLanguages) {
    CAPTURE(language);
    const Words words = WordsFor(language);
    ReceiptFacts facts = OnTimeReceipt();
    facts.late = true;
    facts.received_local = "30.11.2026 18:00:01";
    auto mail = RenderReceipt(Set(language), School(), facts);
    REQUIRE(mail.ok());
    CHECK(Has(mail->subject, words.late_subject));
    CHECK_FALSE(Has(mail->subject, words.on_time_subject));
    CHECK(Has(mail->text, words.late));
    CHECK_FALSE(Has(mail->text, words.on_time));
    CHECK(Has(mail->text, "30.11.2026 18:00:01"));
    CHECK(Has(mail->text, "30.11.2026 18:00"));
  }
}

TEST_CASE("second attempt is numbered in the subject and the text") {
  for (const std::string& language : kLanguages) {
    CAPTURE(language);
    const Words words = WordsFor(language);
    ReceiptFacts facts = OnTimeReceipt();
    facts.attempt = 2;
    auto mail = RenderReceipt(Set(language), School(), facts);
    REQUIRE(mail.ok());
    CHECK(Has(mail->subject, words.attempt_2_subject));
    CHECK(Has(mail->text, words.attempt_2));
    CHECK_FALSE(Has(mail->text, words.attempt_1));
  }
}

TEST_CASE("unmatched receipt says so and how to name the work") {
  for (const std::string& language : kLanguages) {
    CAPTURE(language);
    const Words words = WordsFor(language);
    auto mail = RenderReceipt(Set(language), School(), UnmatchedReceipt());
    REQUIRE(mail.ok());
    CHECK(Has(mail->subject, words.not_recognised));
    CHECK(Has(mail->subject, "домашка"));
    const std::string& text = mail->text;
    CHECK(Has(text, "домашка"));
    CHECK(Has(text, "30.11.2026 17:59:59"));
    // The code to put in the subject, and every open assignment.
    CHECK(Has(text, "ДЗ-12."));
    CHECK(Has(text, "- ДЗ-12 Алгебра: §12\n"));
    CHECK(Has(text, "- ДЗ-14 Физика: опыт 3\n"));
    // Neither on time nor late: there is no deadline to compare with.
    CHECK_FALSE(Has(text, words.on_time));
    CHECK_FALSE(Has(text, words.late));
  }
}

TEST_CASE("receipt warnings appear exactly when set") {
  for (const std::string& language : kLanguages) {
    CAPTURE(language);
    const Words words = WordsFor(language);
    const std::vector<std::string> all = {words.no_attachment_warning,
                                          words.only_links_warning,
                                          words.empty_text_warning};
    auto none = RenderReceipt(Set(language), School(), OnTimeReceipt());
    REQUIRE(none.ok());
    for (const std::string& warning : all)
      CHECK_FALSE(Has(none->text, warning));

    for (std::size_t which = 0; which < all.size(); ++which) {
      CAPTURE(which);
      ReceiptFacts facts = OnTimeReceipt();
      facts.warn_no_attachment = which == 0;
      facts.warn_only_links = which == 1;
      facts.warn_empty_text = which == 2;
      if (which == 0) facts.attachments.clear();
      auto mail = RenderReceipt(Set(language), School(), facts);
      REQUIRE(mail.ok());
      for (std::size_t other = 0; other < all.size(); ++other) {
        CHECK(Has(mail->text, all[other]) == (other == which));
      }
    }
    // An unmatched receipt carries warnings too.
    ReceiptFacts unmatched = UnmatchedReceipt();
    unmatched.attachments.clear();
    unmatched.warn_no_attachment = true;
    unmatched.warn_empty_text = true;
    auto mail = RenderReceipt(Set(language), School(), unmatched);
    REQUIRE(mail.ok());
    CHECK(Has(mail->text, words.no_attachment_warning));
    CHECK(Has(mail->text, words.empty_text_warning));
  }
}

TEST_CASE("receipt lists every attachment: name, size for people, hash") {
  for (const std::string& language : kLanguages) {
    CAPTURE(language);
    const Words words = WordsFor(language);
    ReceiptFacts facts = OnTimeReceipt();
    facts.attachments = {
        {"photo.jpg", 2516582, "aaaabbbbccccddddeeee"},
        {"scan.pdf", 831488, "111122223333444455556666"},
        {"note.txt", 15, "ffffeeeeddddcccc"},
    };
    auto mail = RenderReceipt(Set(language), School(), facts);
    REQUIRE(mail.ok());
    const std::string& text = mail->text;
    CHECK(Has(text,
              "photo.jpg — " + words.megabytes + ", SHA-256 aaaabbbbcccc\n"));
    CHECK(Has(text,
              "scan.pdf — " + words.kilobytes + ", SHA-256 111122223333\n"));
    CHECK(Has(text, "note.txt — " + words.bytes + ", SHA-256 ffffeeeedddd\n"));
    // Only the first 12 hex characters.
    CHECK_FALSE(Has(text, "aaaabbbbccccd"));
  }
}

TEST_CASE("sizes are formatted for people in each language") {
  const std::vector<std::tuple<std::uint64_t, std::string, std::string>> cases =
      {
          {0, "0 байт", "0 bytes"},           {1, "1 байт", "1 byte"},
          {2, "2 байта", "2 bytes"},          {5, "5 байт", "5 bytes"},
          {11, "11 байт", "11 bytes"},        {21, "21 байт", "21 bytes"},
          {1023, "1023 байта", "1023 bytes"}, {1024, "1 КБ", "1 KB"},
          {1536, "1,5 КБ", "1.5 KB"},         {831488, "812 КБ", "812 KB"},
          {1048575, "1 МБ", "1 MB"},  // 1023.999 KB rounds up a unit
          {2516582, "2,4 МБ", "2.4 MB"},      {15728640, "15 МБ", "15 MB"},
          {3ull << 30, "3 ГБ", "3 GB"},
      };
  for (const auto& [bytes, ru, en] : cases) {
    CAPTURE(bytes);
    CHECK(FormatSize(Set("ru"), bytes).value_or("?") == ru);
    CHECK(FormatSize(Set("en"), bytes).value_or("?") == en);
  }
}

TEST_CASE("facts are data: printed literally in text, escaped in HTML") {
  const std::string name = "{{x}} <script>alert(1)</script>";
  for (const std::string& language : kLanguages) {
    CAPTURE(language);
    ReceiptFacts receipt = UnmatchedReceipt();
    receipt.pupil_name = name;
    receipt.mail_subject = "{{grade}} <script>";
    receipt.attachments = {{"{{x}}.jpg", 10, "abc"}};
    auto mail = RenderReceipt(Set(language), School(), receipt);
    REQUIRE(mail.ok());
    CHECK(Has(mail->subject, "{{grade}} <script>"));
    CHECK(Has(mail->text, name));
    CHECK(Has(mail->text, "{{grade}} <script>"));
    CHECK(Has(mail->text, "{{x}}.jpg"));

    AssignmentFacts assignment = Assignment();
    assignment.title = "{{code}}";
    assignment.instructions = "<script>{{teacher_name}}</script>";
    auto set_mail = RenderAssignment(Set(language), School(), assignment);
    REQUIRE(set_mail.ok());
    CHECK(Has(set_mail->subject, "ДЗ-12 Алгебра: {{code}}"));
    CHECK(Has(set_mail->text, "<script>{{teacher_name}}</script>"));

    MorningFacts morning = Morning();
    morning.pupil_name = name;
    morning.lessons[0].note = "<script>";
    morning.due_today[0].title = "{{x}} & <b>";
    auto day = RenderMorning(Set(language), School(), morning);
    REQUIRE(day.ok());
    CHECK(Has(day->text, name));
    CHECK(Has(day->text, "{{x}} & <b>"));
    CHECK(Has(day->html, "{{x}} &lt;script&gt;alert(1)&lt;/script&gt;"));
    CHECK(Has(day->html, "{{x}} &amp; &lt;b&gt;"));
    CHECK_FALSE(Has(day->html, "<script"));
    CHECK_FALSE(Has(day->html, "<b>"));
  }
}

TEST_CASE("a subject with CR/LF from input gives a one-line subject") {
  for (const std::string& language : kLanguages) {
    CAPTURE(language);
    ReceiptFacts receipt = UnmatchedReceipt();
    receipt.mail_subject = "Домашка\r\n  по алгебре\n\tчасть 2\r";
    auto mail = RenderReceipt(Set(language), School(), receipt);
    REQUIRE(mail.ok());
    CHECK(Has(mail->subject, "Домашка по алгебре часть 2"));
    CHECK(mail->subject.find_first_of("\r\n\t") == std::string::npos);

    TagErrorFacts rejection = Rejection(Set(language));
    rejection.mail_subject = "#задание 7А\r\nBcc: x@evil.test";
    auto rejected =
        RenderAssignmentRejection(Set(language), School(), rejection);
    REQUIRE(rejected.ok());
    CHECK(rejected->subject.find_first_of("\r\n") == std::string::npos);
    CHECK(Has(rejected->subject, "#задание 7А Bcc: x@evil.test"));

    MorningFacts morning = Morning();
    morning.day_local = "понедельник,\n30.11.2026";
    auto day = RenderMorning(Set(language), School(), morning);
    REQUIRE(day.ok());
    CHECK(day->subject.find_first_of("\r\n") == std::string::npos);
  }
}

TEST_CASE("OneLine joins lines and collapses whitespace") {
  CHECK(OneLine("  a\r\n b \t\tc\x7f d  ") == "a b c d");
  CHECK(OneLine("a\xe2\x80\xa8"
                "b\xc2\x85"
                "c") == "a b c");
  CHECK(OneLine("Тема: «ДЗ-12»") == "Тема: «ДЗ-12»");
  CHECK(OneLine("\r\n\t ") == "");
}

TEST_CASE("assignment mail: code in the subject, the task and how to hand in") {
  for (const std::string& language : kLanguages) {
    CAPTURE(language);
    auto mail = RenderAssignment(Set(language), School(), Assignment());
    REQUIRE(mail.ok());
    CHECK(mail->subject.starts_with("ДЗ-12 "));
    CHECK(Has(mail->subject, "30.11.2026 18:00"));
    const std::string& text = mail->text;
    CHECK(Has(text, "7А"));
    CHECK(Has(text, "Анна Сергеевна Петрова"));
    CHECK(Has(text, "28.11.2026 09:00"));
    CHECK(Has(text, "Решите номера 1-5.\nПокажите решение."));
    CHECK_FALSE(Has(text, "\r"));
    CHECK(Has(text, "- https://resh.edu.ru/subject/lesson/1\n"));
    CHECK(Has(text, "- listok.pdf\n"));
    CHECK(Has(text, "petrova@school.test"));
  }
}

TEST_CASE("confirmation tells the teacher the code and how many were mailed") {
  for (const std::string& language : kLanguages) {
    CAPTURE(language);
    auto mail =
        RenderAssignmentConfirmation(Set(language), School(), Assignment(), 25);
    REQUIRE(mail.ok());
    CHECK(Has(mail->subject, "ДЗ-12"));
    CHECK(Has(mail->text, "ДЗ-12"));
    CHECK(Has(mail->text, ": 25."));
    auto nobody =
        RenderAssignmentConfirmation(Set(language), School(), Assignment(), 0);
    REQUIRE(nobody.ok());
    CHECK_FALSE(Has(nobody->text, ": 0."));
    CHECK(nobody->text != mail->text);
  }
}

TEST_CASE("rejection lists every problem and the example subject") {
  for (const std::string& language : kLanguages) {
    CAPTURE(language);
    const TagErrorFacts facts = Rejection(Set(language));
    auto mail = RenderAssignmentRejection(Set(language), School(), facts);
    REQUIRE(mail.ok());
    CHECK(Has(mail->subject, facts.mail_subject));
    for (const std::string& problem : facts.problems) {
      CHECK(Has(mail->text, "- " + problem + "\n"));
    }
    CHECK(Has(mail->text, facts.example + "\n"));
    CHECK(Has(facts.problems[1], "31.13"));
  }
}

TEST_CASE("tag problems: each code has its own text; unknown codes fail") {
  for (const std::string& language : kLanguages) {
    CAPTURE(language);
    std::set<std::string> lines;
    for (const std::string& code : TagProblemCodes()) {
      lines.insert(RenderTagProblem(Set(language), code, "").value_or(""));
    }
    CHECK(lines.size() == TagProblemCodes().size());
    CHECK_FALSE(lines.count(""));
    CHECK_FALSE(RenderTagProblem(Set(language), "no_such_code", "").ok());
  }
  TemplateSet set = Set("ru");
  set.files["tag_problems.mustache"] = "{{#no_class}}Нет класса.{{/no_class}}";
  auto missing = RenderTagProblem(set, "bad_time", "25:00");
  REQUIRE_FALSE(missing.ok());
  CHECK(Has(missing.status().message(), "tag_problems.mustache"));
  CHECK(Has(missing.status().message(), "bad_time"));
}

TEST_CASE("morning mail: lessons, due work, safe links, phone-sized HTML") {
  for (const std::string& language : kLanguages) {
    CAPTURE(language);
    auto mail = RenderMorning(Set(language), School(), Morning());
    REQUIRE(mail.ok());
    CHECK(Has(mail->subject, "понедельник, 30.11.2026"));
    for (const std::string* part : {&mail->text, &mail->html}) {
      CHECK(Has(*part, "09:00–09:40"));
      CHECK(Has(*part, "Алгебра"));
      CHECK(Has(*part, "Учебник с собой"));
      CHECK(Has(*part, "ДЗ-12"));
      CHECK(Has(*part, "ДЗ-14"));
      CHECK(Has(*part, "Опыт 3"));
      CHECK(Has(*part, "вторник, 01.12.2026"));
      CHECK(Has(*part, "petrova@school.test"));
    }
    const std::string& html = mail->html;
    CHECK(Has(html, "<a href=\"https://meet.test/abc\""));
    CHECK_FALSE(Has(html, "href=\"javascript:"));
    CHECK(Has(html, "max-width:600px"));
    CHECK_FALSE(Has(html, "<link"));
    CHECK_FALSE(Has(html, "<style"));
  }
}

TEST_CASE("status reply: each child, each assignment's state, the grades") {
  auto ru = RenderStatusReply(Set("ru"), School(), StatusSample());
  REQUIRE(ru.ok());
  CHECK(Has(ru->text, "Пётр Иванов, 7А"));
  CHECK(Has(ru->text, "ДЗ-12 Алгебра: §12 №1-5 (срок 30.11.2026 18:00) — сдано после срока, писем: 2"));
  CHECK(Has(ru->text, "ДЗ-13 Геометрия: №100 (срок 27.11.2026 18:00) — не сдано, срок прошёл"));
  CHECK(Has(ru->text, "ДЗ-14 Литература: Бородино (срок 01.12.2026 18:00) — ещё не сдано"));
  CHECK(Has(ru->text, "ДЗ-9 Алгебра: 5 — «Молодец» (Анна Петрова, 29.11.2026 10:00)"));
  CHECK(Has(ru->text, "Мария Попова, 7Б"));
  CHECK(Has(ru->text, "Текущих заданий нет."));
  CHECK(Has(ru->text, "Оценок пока нет."));
  auto en = RenderStatusReply(Set("en"), School(), StatusSample());
  REQUIRE(en.ok());
  CHECK(Has(en->text, "handed in late, mails: 2"));
}

TEST_CASE(
    "grading list: by assignment, every pupil's work with arrival, attempt "
    "and folder, late marked, counts in the subject, escaped HTML") {
  for (const std::string& language : kLanguages) {
    CAPTURE(language);
    const bool ru = language == "ru";
    auto mail = RenderGradingList(Set(language), School(), GradingList());
    REQUIRE_MESSAGE(mail.ok(), mail.status().message());
    CHECK(mail->subject ==
          (ru ? "Ждут оценки: 3 работы, из них после срока: 1 — 30.11.2026"
              : "Waiting for a grade: 3 submissions, 1 late — 30.11.2026"));
    const std::string& text = mail->text;
    CHECK(Has(text,
              ru ? "Здравствуйте, Анна Сергеевна!" : "Hello Анна Сергеевна,"));
    CHECK(Has(text, "ДЗ-12 Алгебра, 7А: §12 №1-5\n"));
    CHECK(Has(text, ru ? "Срок: 27.11.2026 18:00\n"
                       : "Deadline: 27.11.2026 18:00\n"));
    CHECK(Has(text, "- Иванов Пётр, 7А\n"));
    CHECK(Has(text, ru ? "- Смирнова Алёна, 7А — ПОСЛЕ СРОКА\n"
                       : "- Смирнова Алёна, 7А — LATE\n"));
    CHECK(Has(text, ru ? "Получено: 27.11.2026 18:00:01, попытка 2\n"
                       : "Received: 27.11.2026 18:00:01, attempt 2\n"));
    CHECK(Has(text, ru ? "Папка: Сдано/7А/Алгебра/2026-11-27 ДЗ-12\n"
                       : "Folder: Сдано/7А/Алгебра/2026-11-27 ДЗ-12\n"));
    CHECK(Has(text, ru ? "Папка: ещё не разложена (в ящике sidorov@school.test)"
                       : "Folder: not filed yet (in the mailbox "
                         "sidorov@school.test)"));
    // The caller's order is kept: ДЗ-12 (due first) before ДЗ-14.
    CHECK(text.find("ДЗ-12") < text.find("ДЗ-14"));
    CHECK(text.find("Иванов") < text.find("Смирнова"));
    const std::string& html = mail->html;
    CHECK(Has(html, "max-width:600px"));
    CHECK_FALSE(Has(html, "<style"));
    CHECK(Has(html, "<strong>Смирнова Алёна</strong>, 7А <span"));
    CHECK(Has(html, ru ? ">после срока</span>" : ">late</span>"));
    CHECK(Has(html, "Сдано/7Б/Геометрия/2026-11-30 ДЗ-14"));

    // One work, none late: the singular, no late count.
    GradingListFacts one = GradingList();
    one.assignments.resize(1);
    one.assignments[0].work.resize(1);
    auto single = RenderGradingList(Set(language), School(), one);
    REQUIRE(single.ok());
    CHECK(single->subject == (ru ? "Ждут оценки: 1 работа — 30.11.2026"
                                 : "Waiting for a grade: 1 submission — "
                                   "30.11.2026"));
    CHECK_FALSE(Has(single->text, ru ? "после срока" : "late:"));
    CHECK_FALSE(Has(single->html, ru ? ">после срока</span>" : ">late</span>"));
    // Six: the Russian genitive plural.
    GradingListFacts six = GradingList();
    six.assignments[1].work.assign(4, six.assignments[1].work[0]);
    auto many = RenderGradingList(Set(language), School(), six);
    REQUIRE(many.ok());
    CHECK(Has(many->subject, ru ? "6 работ," : "6 submissions,"));

    // Facts are data: escaped in HTML, as they are in text.
    GradingListFacts hostile = GradingList();
    hostile.assignments[0].title = "<script>{{x}}</script>";
    hostile.assignments[0].work[0].pupil_name = "Иванов <b>Пётр</b>";
    auto escaped = RenderGradingList(Set(language), School(), hostile);
    REQUIRE(escaped.ok());
    CHECK(Has(escaped->text, "<script>{{x}}</script>"));
    CHECK(Has(escaped->html, "&lt;script&gt;{{x}}&lt;/script&gt;"));
    CHECK(Has(escaped->html, "Иванов &lt;b&gt;Пётр&lt;/b&gt;"));
    CHECK_FALSE(Has(escaped->html, "<script"));
    CHECK_FALSE(Has(escaped->html, "<b>"));
  }
}

TEST_CASE("delivery failure names the mail, each address and the reply") {
  for (const std::string& language : kLanguages) {
    CAPTURE(language);
    auto mail = RenderDeliveryFailure(Set(language), School(), DeliveryFailure());
    REQUIRE(mail.ok());
    CHECK(Has(mail->subject, "ДЗ-12 Алгебра"));
    CHECK(Has(mail->text, "gone@pupils.test: 550 5.1.1 no such user"));
    CHECK(Has(mail->text, "30.11.2026 17:59"));
    CHECK(Has(mail->text, "4"));
  }
}

TEST_CASE("a missing template file is an error naming it") {
  struct Case {
    std::string file;
    std::function<Status(const TemplateSet&)> render;
  };
  const std::vector<Case> cases = {
      {"receipt.txt.mustache",
       [](const TemplateSet& s) {
         return RenderReceipt(s, School(), OnTimeReceipt()).status();
       }},
      {"receipt.subject.mustache",
       [](const TemplateSet& s) {
         return RenderReceipt(s, School(), OnTimeReceipt()).status();
       }},
      {"size.mustache",
       [](const TemplateSet& s) {
         return RenderReceipt(s, School(), OnTimeReceipt()).status();
       }},
      {"footer.txt.mustache",
       [](const TemplateSet& s) {
         return RenderAssignment(s, School(), Assignment()).status();
       }},
      {"assignment_confirmation.txt.mustache",
       [](const TemplateSet& s) {
         return RenderAssignmentConfirmation(s, School(), Assignment(), 1)
             .status();
       }},
      {"assignment_rejection.subject.mustache",
       [](const TemplateSet& s) {
         return RenderAssignmentRejection(s, School(), TagErrorFacts{})
             .status();
       }},
      {"tag_problems.mustache",
       [](const TemplateSet& s) {
         return RenderTagProblem(s, "no_class", "").status();
       }},
      {"morning.html.mustache",
       [](const TemplateSet& s) {
         return RenderMorning(s, School(), Morning()).status();
       }},
      {"footer.html.mustache",
       [](const TemplateSet& s) {
         return RenderMorning(s, School(), Morning()).status();
       }},
  };
  for (const std::string& language : kLanguages) {
    for (const Case& c : cases) {
      CAPTURE(language);
      CAPTURE(c.file);
      TemplateSet set = Set(language);
      REQUIRE(set.files.erase(c.file) == 1);
      const Status status = c.render(set);
      REQUIRE_FALSE(status.ok());
      CHECK(Has(status.message(), c.file));
    }
  }
}

TEST_CASE("a template syntax error is an error naming the file") {
  for (const std::string& language : kLanguages) {
    CAPTURE(language);
    TemplateSet set = Set(language);
    set.files["receipt.subject.mustache"] = "{{#matched}} never closed";
    auto receipt = RenderReceipt(set, School(), OnTimeReceipt());
    REQUIRE_FALSE(receipt.ok());
    CHECK(Has(receipt.status().message(), "receipt.subject.mustache"));

    set = Set(language);
    set.files["footer.html.mustache"] = "<p>{{#hotline}}</p>";
    auto morning = RenderMorning(set, School(), Morning());
    REQUIRE_FALSE(morning.ok());
    CHECK(Has(morning.status().message(), "footer.html.mustache"));

    set = Set(language);
    set.files["morning.txt.mustache"] = "{{/lessons}}";
    morning = RenderMorning(set, School(), Morning());
    REQUIRE_FALSE(morning.ok());
    CHECK(Has(morning.status().message(), "morning.txt.mustache"));
  }
}

TEST_CASE("grade notice: the work, the grade, the comment, the teacher") {
  for (const std::string& language : kLanguages) {
    CAPTURE(language);
    const bool ru = language == "ru";
    auto mail = RenderGradeNotice(Set(language), School(), GradeNotice());
    REQUIRE_MESSAGE(mail.ok(), mail.status().message());
    CHECK(Has(mail->subject, "ДЗ-12 Алгебра"));
    CHECK(Has(mail->subject, ru ? "Оценка: 5" : "Grade: 5"));
    const std::string& text = mail->text;
    CHECK(Has(text, "Петя Иванов"));
    CHECK(Has(text, "ДЗ-12 Алгебра: §12 №1-5"));
    CHECK(Has(text, ru ? "Оценка: 5\n" : "Grade: 5\n"));
    CHECK(Has(text, "Молодец!\nВсё верно.\n"));
    CHECK(Has(text, "Анна Сергеевна Петрова <petrova@school.test>"));
    CHECK(Has(text, "30.11.2026 20:15"));
    CHECK_FALSE(Has(text, ru ? "изменил" : "changed"));

    // A changed pass-fail grade without a comment, for unmatched work.
    GradeNoticeFacts f = GradeNotice();
    f.value = "pass";
    f.previous_value = "fail";
    f.comment = "  \n ";
    f.matched = false;
    f.mail_subject = "домашка {{value}}";
    mail = RenderGradeNotice(Set(language), School(), f);
    REQUIRE(mail.ok());
    CHECK(Has(mail->subject, ru ? "Оценка изменена: зачёт" : "Grade changed: pass"));
    CHECK(Has(mail->subject, "домашка {{value}}"));
    CHECK(Has(mail->text, ru ? "Оценка: зачёт (вместо незачёта)"
                             : "Grade: pass (was fail)"));
    CHECK_FALSE(Has(mail->text, ru ? "Комментарий" : "comment:"));
    CHECK_FALSE(Has(mail->text, "ДЗ-12 Алгебра"));

    f = GradeNotice();
    f.previous_value = "4";
    f.late = true;
    mail = RenderGradeNotice(Set(language), School(), f);
    REQUIRE(mail.ok());
    CHECK(Has(mail->text, ru ? "Оценка: 5 (вместо 4)" : "Grade: 5 (was 4)"));
    CHECK(Has(mail->text, ru ? "(после срока)" : "(late)"));
  }
}

}  // namespace
}  // namespace schoolmail
