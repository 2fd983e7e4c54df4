// Writes every HTML mail schoolmail sends, rendered from the shipped
// templates with sample data, as OUTDIR/<language>-<mail>.html, so a person
// can look at them in a browser (scripts/screenshot-mails.sh).
// Usage: render_samples TEMPLATES_DIR OUTDIR
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <utility>

#include "templates/mails.h"

namespace {

using namespace schoolmail;

TemplateSet Load(const std::string& dir, const std::string& language) {
  TemplateSet set;
  set.language = language;
  for (const auto& entry : std::filesystem::directory_iterator(dir + "/" + language)) {
    std::ifstream in(entry.path());
    std::ostringstream text;
    text << in.rdbuf();
    set.files[entry.path().filename().string()] = text.str();
  }
  return set;
}

MorningFacts Morning(bool russian) {
  MorningFacts f;
  f.pupil_name = russian ? "Пётр Иванов" : "Peter Ivanov";
  f.class_name = "7А";
  f.day_local = russian ? "понедельник, 30.11.2026" : "Monday, 2026-11-30";
  f.next_day_local = russian ? "вторник, 01.12.2026" : "Tuesday, 2026-12-01";
  f.deadline = "18:00";
  f.lessons = {
      {"09:00", "09:40", russian ? "Алгебра" : "Algebra",
       "https://meet.school.test/7a-algebra", ""},
      {"10:00", "10:40", russian ? "Русский язык" : "Russian",
       "https://meet.school.test/7a-russian",
       russian ? "возьмите тетрадь для диктантов" : "bring the dictation notebook"},
      {"11:00", "", russian ? "Литература" : "Literature", "",
       russian ? "урок по записи, ссылка придёт позже" : "recorded lesson, link later"}};
  f.due_today = {{"ДЗ-12", russian ? "Алгебра" : "Algebra", "§12 №1-5",
                  "30.11.2026 18:00", "petrova@school.test"}};
  f.due_next = {{"ДЗ-14", russian ? "Литература" : "Literature",
                 russian ? "Выучить стихотворение «Бородино» (отрывок) наизусть"
                         : "Learn the poem by heart",
                 "01.12.2026 18:00", "sidorov@school.test"}};
  return f;
}

GradingListFacts GradingList(bool russian) {
  GradingListFacts f;
  f.teacher_name = russian ? "Анна Сергеевна" : "Anna Sergeevna";
  f.day_local = russian ? "30.11.2026" : "2026-11-30";
  const std::string queue = russian ? "Сдано" : "Handed in";
  WaitingAssignment algebra{"ДЗ-12",
                            russian ? "Алгебра" : "Algebra",
                            "§12 №1-5",
                            "7А",
                            russian ? "27.11.2026 18:00" : "2026-11-27 18:00",
                            {}};
  algebra.work = {
      {russian ? "Иванов Пётр" : "Ivanov Peter", "7А",
       russian ? "27.11.2026 17:59:59" : "2026-11-27 17:59:59", false, 1,
       queue + "/7А/" + (russian ? "Алгебра" : "Algebra") + "/2026-11-27 ДЗ-12",
       ""},
      {russian ? "Смирнова Алёна" : "Smirnova Alyona", "7А",
       russian ? "27.11.2026 18:40:12" : "2026-11-27 18:40:12", true, 2,
       queue + "/7А/" + (russian ? "Алгебра" : "Algebra") + "/2026-11-27 ДЗ-12",
       ""}};
  WaitingAssignment geometry{
      "ДЗ-15",
      russian ? "Геометрия" : "Geometry",
      russian ? "Задачи 3-7 на признаки равенства треугольников (с чертежами)"
              : "Problems 3-7 on congruent triangles (with drawings)",
      "7Б",
      russian ? "30.11.2026 15:00" : "2026-11-30 15:00",
      {}};
  geometry.work = {
      {russian ? "Кузнецов Дмитрий" : "Kuznetsov Dmitry", "7Б",
       russian ? "30.11.2026 14:10:03" : "2026-11-30 14:10:03", false, 1,
       queue + "/7Б/" + (russian ? "Геометрия" : "Geometry") +
           "/2026-11-30 ДЗ-15",
       ""},
      {russian ? "Попова Мария" : "Popova Maria", "7Б",
       russian ? "30.11.2026 15:20:45" : "2026-11-30 15:20:45", true, 1, "",
       "sidorov@school.example.ru"}};
  f.assignments = {algebra, geometry};
  return f;
}

// The administration's weekly control report, with long names and a long
// server reply (they must wrap on a phone).
AdminReportFacts AdminReport(bool russian) {
  auto t = [&](const char* ru, const char* en) {
    return std::string(russian ? ru : en);
  };
  AdminReportFacts f;
  f.weekly = true;
  f.first_day_local = t("30.11.2026", "2026-11-30");
  f.last_day_local = t("04.12.2026", "2026-12-04");
  f.now_local = t("04.12.2026 20:00", "2026-12-04 20:00");
  f.ungraded_days = 3;
  f.subjects = {
      {"7А", t("Алгебра", "Algebra"), 3, 3, 6, 5, 4},
      {"7А", t("Основы безопасности жизнедеятельности",
               "Basics of life safety"), 0, 1, 0, 0, 0},
      {"7А", t("Русский язык", "Russian"), 2, 3, 4, 3, 3},
      {"7Б", t("Литература", "Literature"), 2, 2, 50, 37, 29},
  };
  f.ungraded = {
      {t("Петрова Анна Сергеевна", "Petrova Anna Sergeevna"), 7,
       t("25.11.2026 12:00", "2026-11-25 12:00"), 9,
       t("ДЗ-8 Геометрия, Смирнова Алёна, 7А",
         "ДЗ-8 Geometry, Smirnova Alyona, 7А")},
      {"", 1, t("30.11.2026 09:12", "2026-11-30 09:12"), 4,
       t("ДЗ-11 Литература, Попова Мария, 7Б",
         "ДЗ-11 Literature, Popova Maria, 7Б")}};
  f.inactive = {
      {t("Кузнецов Дмитрий Олегович", "Kuznetsov Dmitry Olegovich"), "7Б", 4,
       t("30.11.2026 09:00", "2026-11-30 09:00")},
      {t("Попова Мария", "Popova Maria"), "7Б", 2, ""}};
  f.failed = {{"receipt", "ivanov.petya@pupils.example.ru",
               t("Получено вовремя: ДЗ-1 Алгебра", "Received on time: ДЗ-1 Algebra"),
               "SMTP refused: Failed sending data to the peer (RCPT failed: "
               "550 (last error); ivanov.petya@pupils.example.ru: 550 5.2.1 "
               "mailbox disabled)",
               t("02.12.2026 19:00", "2026-12-02 19:00")}};
  using State = ReportDigestDay::State;
  auto day = [&](const char* ru, const char* en, State state,
                 const char* at = "", const char* reply = "") {
    return ReportDigestDay{t(ru, en), state, at, reply};
  };
  f.parents = {
      {t("Иванова Елена Викторовна", "Ivanova Elena Viktorovna"),
       t("Пётр Иванов, 7А", "Peter Ivanov, 7А"),
       {day("30.11.2026", "2026-11-30", State::kSent, "19:31"),
        day("01.12.2026", "2026-12-01", State::kSent, "19:30"),
        day("02.12.2026", "2026-12-02", State::kFailed, "19:30",
            "550 5.1.1 mailbox unavailable"),
        day("03.12.2026", "2026-12-03", State::kPending, "", "451 4.7.1 try later"),
        day("04.12.2026", "2026-12-04", State::kNotSent)}},
      {t("Кузнецова Ольга", "Kuznetsova Olga"),
       t("Дмитрий Кузнецов, 7Б; Мария Попова, 7Б",
         "Dmitry Kuznetsov, 7Б; Maria Popova, 7Б"),
       {day("30.11.2026", "2026-11-30", State::kSent, "19:30"),
        day("01.12.2026", "2026-12-01", State::kSent, "19:30"),
        day("02.12.2026", "2026-12-02", State::kSent, "19:30"),
        day("03.12.2026", "2026-12-03", State::kSent, "19:30"),
        day("04.12.2026", "2026-12-04", State::kSent, "19:30")}}};
  f.questions = {{t("Смирнов Андрей (Алёна Смирнова, 7А)",
                    "Smirnov Andrey (Alyona Smirnova, 7А)"),
                  "smirnov.a@parents.example.ru",
                  t("Когда будет расписание консультаций?",
                    "When is the consultation timetable?"),
                  t("03.12.2026 09:14", "2026-12-03 09:14")}};
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: render_samples TEMPLATES_DIR OUTDIR\n";
    return 2;
  }
  std::filesystem::create_directories(argv[2]);
  SchoolInfo school{"МБОУ «Средняя школа № 1»", "https://school.example.ru",
                    "+7 (495) 000-00-00, hotline@school.example.ru",
                    "schoolmail@school.example.ru"};
  int status = 0;
  for (const std::string language : {"ru", "en"}) {
    TemplateSet set = Load(argv[1], language);
    const bool russian = language == "ru";
    const std::pair<std::string, Result<MailText>> mails[] = {
        {"morning", RenderMorning(set, school, Morning(russian))},
        {"grading-list", RenderGradingList(set, school, GradingList(russian))},
        {"admin-report", RenderAdminReport(set, school, AdminReport(russian))},
    };
    for (const auto& [name, mail] : mails) {
      if (!mail.ok()) {
        std::cerr << language << " " << name << ": " << mail.status().message()
                  << "\n";
        status = 1;
        continue;
      }
      std::string path =
          std::string(argv[2]) + "/" + language + "-" + name + ".html";
      std::ofstream(path) << mail->html;
      std::cout << path << "\n";
    }
  }
  return status;
}
