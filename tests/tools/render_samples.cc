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

// The class teacher's daily list (issue 6): every state of a pupil's work.
ClassListFacts ClassList(bool russian) {
  ClassListFacts f;
  f.teacher_name = russian ? "Анна Сергеевна" : "Anna Sergeevna";
  f.class_name = "7А";
  f.day_local = russian ? "30.11.2026" : "2026-11-30";
  f.reply_address = "school@school.example.ru";
  f.example = russian ? "Болеет: Ёлкин Борис до 01.12" : "Болеет: Yolkin Boris до 01.12";
  const std::string algebra = russian ? "Алгебра" : "Algebra";
  const std::string literature = russian ? "Литература" : "Literature";
  f.due = {{"ДЗ-12", algebra, "§12 №1-5", "18:00"},
           {"ДЗ-14", literature,
            russian ? "Выучить стихотворение «Бородино» (отрывок) наизусть"
                    : "Learn the poem by heart",
            "20:00"}};
  auto work = [&](const std::string& code, const std::string& subject,
                  const std::string& status, const std::string& received,
                  const std::string& due) {
    return ClassListWork{code, subject, status, received, due};
  };
  f.pupils = {
      {russian ? "Ёлкин Борис" : "Yolkin Boris", "1", "", false,
       {work("ДЗ-12", algebra, "late", "30.11.2026 18:20:00", ""),
        work("ДЗ-14", literature, "pending", "", "20:00")}},
      {russian ? "Иванов Пётр" : "Ivanov Peter", "", "", false,
       {work("ДЗ-12", algebra, "on_time", "30.11.2026 17:05:12", ""),
        work("ДЗ-14", literature, "on_time", "30.11.2026 17:40:03", "")}},
      {russian ? "Смирнова Алёна" : "Smirnova Alena", "",
       russian ? "02.12.2026" : "2026-12-02", false,
       {work("ДЗ-12", algebra, "ill", "", ""),
        work("ДЗ-14", literature, "ill", "", "")}},
      {russian ? "Константинопольская Александра-Мария" : "Konstantinopolskaya Alexandra-Maria",
       "", "", true,
       {work("ДЗ-12", algebra, "missing", "", ""),
        work("ДЗ-14", literature, "pending", "", "20:00")}}};
  return f;
}

// The parents' evening digest: two children, every status, a grade with a
// long comment, the next day's work and lessons, notices in two paragraphs.
ParentDigestFacts ParentDigest(bool russian) {
  using State = DigestWorkLine::State;
  auto ru = [russian](const char* r, const char* e) {
    return std::string(russian ? r : e);
  };
  ParentDigestFacts f;
  f.parent_name = ru("Ольга Викторовна Кузнецова", "Olga Kuznetsova");
  f.day_local = ru("30.11.2026", "2026-11-30");
  f.next_day_local = ru("вторник, 01.12.2026", "Tuesday, 2026-12-01");
  f.grades_since_local = ru("27.11.2026 19:30", "2026-11-27 19:30");
  DigestChild dima{ru("Дмитрий Кузнецов", "Dmitry Kuznetsov"), "7Б", {}, {}, {}, {}};
  dima.today = {
      {"ДЗ-12", ru("Алгебра", "Algebra"), "§12 №1-5",
       ru("30.11.2026 18:00", "2026-11-30 18:00"), State::kOnTime,
       ru("30.11.2026 17:05:10", "2026-11-30 17:05:10")},
      {"ДЗ-13", ru("Русский язык", "Russian"),
       ru("Упр. 41 (устно), упр. 42 (письменно)", "Ex. 41 (oral), ex. 42 (written)"),
       ru("30.11.2026 15:00", "2026-11-30 15:00"), State::kLate,
       ru("30.11.2026 18:40:12", "2026-11-30 18:40:12")},
      {"ДЗ-15", ru("Геометрия", "Geometry"),
       ru("Задачи 3-7 на признаки равенства треугольников (с чертежами)",
          "Problems 3-7 on congruent triangles (with drawings)"),
       ru("30.11.2026 18:00", "2026-11-30 18:00"), State::kMissing, ""}};
  dima.grades = {{"ДЗ-9", ru("Алгебра", "Algebra"), ru("Линейная функция", "Linear functions"),
                  "5", ru("Аккуратно и без ошибок, молодец! Обрати внимание на оформление "
                          "задачи №4.",
                          "Neat and without mistakes, well done! Mind the layout of "
                          "problem 4."),
                  ru("Петрова Анна Сергеевна", "Anna Petrova"),
                  ru("30.11.2026 16:20", "2026-11-30 16:20")}};
  dima.due_next = {{"ДЗ-16", ru("Литература", "Literature"),
                    ru("Выучить стихотворение «Бородино» (отрывок) наизусть",
                       "Learn the poem by heart"),
                    ru("01.12.2026 18:00", "2026-12-01 18:00"), "sidorov@school.test"}};
  dima.lessons_next = {
      {"09:00", "09:40", ru("Литература", "Literature"),
       "https://meet.school.test/7b-literature", ""},
      {"10:00", "10:40", ru("Алгебра", "Algebra"), "https://meet.school.test/7b-algebra",
       ru("консультация перед контрольной", "consultation before the test")}};
  DigestChild masha{ru("Мария Кузнецова", "Maria Kuznetsova"), "5А", {}, {}, {}, {}};
  masha.today = {{"ДЗ-20", ru("Окружающий мир", "Science"), ru("Рабочая тетрадь, с. 34", "Workbook p. 34"),
                  ru("30.11.2026 18:00", "2026-11-30 18:00"), State::kIll, ""}};
  f.children = {dima, masha};
  f.notices = ru(
      "Родительское собрание 7Б — в четверг, 03.12, в 19:00, онлайн.\n"
      "Ссылку пришлёт классный руководитель.\n\n"
      "С 28.12 по 08.01 — зимние каникулы.",
      "The 7B parents' meeting is on Thursday, 3 December, at 19:00, online.\n"
      "The class teacher will send the link.\n\n"
      "Winter holidays: 28 December to 8 January.");
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
        {"class-list", RenderClassList(set, school, ClassList(russian))},
        {"parent-digest", RenderParentDigest(set, school, ParentDigest(russian))},
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
