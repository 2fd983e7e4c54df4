#include "daemon/cli.h"

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <iostream>

#include "config/settings.h"
#include "config/text.h"
#include "daemon/admin_report.h"
#include "daemon/assignments.h"
#include "daemon/data_dir.h"
#include "daemon/grade_commands.h"
#include "daemon/hotline.h"
#include "daemon/illness_commands.h"
#include "daemon/welcome.h"
#include "daemon/intake_commands.h"
#include "daemon/journal.h"
#include "daemon/outbox.h"
#include "daemon/outgoing.h"
#include "daemon/rules/school_time.h"
#include "daemon/parse_mail_command.h"
#include "daemon/roster_commands.h"

namespace schoolmail {
namespace {

constexpr const char* kDefaultConfig = "/etc/schoolmail/schoolmail.ini";

std::string DefaultConfigPath() {
  const char* env = std::getenv("SCHOOLMAIL_CONFIG");
  return env != nullptr && *env != '\0' ? env : kDefaultConfig;
}

void SetUpLogging(bool verbose) {
  auto logger = spdlog::stderr_color_mt("schoolmail");
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  logger->set_level(verbose ? spdlog::level::debug : spdlog::level::info);
  spdlog::set_default_logger(logger);
}

// Loads the config named by --config, printing every problem on failure.
std::optional<Settings> LoadOrReport(const std::string& path) {
  Result<Settings> settings = LoadValidSettings(path);
  if (!settings) {
    std::cerr << settings.status().message() << "\n";
    return std::nullopt;
  }
  return std::move(settings).value();
}

std::unique_ptr<Store> OpenOrReport(const Settings& settings) {
  auto store = OpenDataStore(settings);
  if (!store) {
    std::cerr << store.status().message() << "\n";
    return nullptr;
  }
  return std::move(store).value();
}

}  // namespace

int RunCli(int argc, char** argv) {
  CLI::App app{
      "schoolmail: runs a school's distance-learning regulation over plain "
      "e-mail",
      "schoolmail"};
  app.set_version_flag("--version", "schoolmail 0.1.0");
  app.require_subcommand(1);
  std::string config_path = DefaultConfigPath();
  bool verbose = false;
  app.add_option("-c,--config", config_path,
                 "Config file (default: $SCHOOLMAIL_CONFIG or " +
                     std::string(kDefaultConfig) + ")");
  app.add_flag("-v,--verbose", verbose, "Log debug details");
  std::string now_override;
  if (const char* env = std::getenv("SCHOOLMAIL_NOW")) now_override = env;
  app.add_option("--now", now_override,
                 "Clock override for tests and demos: \"2026-11-30 17:59:59\" "
                 "in school time or \"@<unix seconds>\" (also $SCHOOLMAIL_NOW)");

  // Each subcommand's action runs after parsing, once logging is set up.
  std::vector<std::pair<CLI::App*, std::function<int()>>> actions;

  // Commands that need the config and the store share this; `lock` also
  // takes the data folder's lock (the daemon's commands).
  struct Opened {
    Settings settings;
    std::unique_ptr<Store> store;
    std::unique_ptr<DataDirLock> lock;
  };
  auto open = [&](bool lock) -> std::optional<Opened> {
    auto settings = LoadOrReport(config_path);
    if (!settings) return std::nullopt;
    std::unique_ptr<DataDirLock> held;
    if (lock) {
      auto acquired = DataDirLock::Acquire(settings->data_dir);
      if (!acquired) {
        std::cerr << acquired.status().message() << "\n";
        return std::nullopt;
      }
      held = std::move(acquired).value();
    }
    auto store = OpenOrReport(*settings);
    if (!store) return std::nullopt;
    return Opened{std::move(*settings), std::move(store), std::move(held)};
  };
  // The current time for a command: --now (or $SCHOOLMAIL_NOW), else the
  // clock; a bad override is printed.
  auto Clock = [&](const Settings& settings) -> std::optional<std::int64_t> {
    auto now = CurrentTime(now_override, settings.school.time_zone);
    if (!now) {
      std::cerr << now.status().message() << "\n";
      return std::nullopt;
    }
    return *now;
  };

  auto* check = app.add_subcommand(
      "check-config", "Check a config file: every problem with file, line and "
                      "key; exit 0 only when it is good");
  std::string check_path;
  check->add_option("FILE", check_path, "The INI file to check")->required();
  actions.emplace_back(check, [&] {
    LoadedSettings loaded = LoadSettings(check_path);
    if (!loaded.problems.empty()) {
      for (const ConfigProblem& p : loaded.problems) {
        std::cerr << p.ToString() << "\n";
      }
      std::cerr << check_path << ": " << loaded.problems.size()
                << " problem(s)\n";
      return 1;
    }
    std::cout << check_path << ": OK\n" << SettingsSummary(loaded.settings);
    return 0;
  });

  auto* import = app.add_subcommand("import", "Import a CSV file");
  import->require_subcommand(1);
  auto* import_roster = import->add_subcommand(
      "roster",
      "Import classes, pupils, parents and teachers from CSV (UTF-8 or "
      "windows-1251, ';' or ','); all rows or none");
  std::string roster_path;
  import_roster->add_option("FILE", roster_path, "The roster CSV file")
      ->required();
  actions.emplace_back(import_roster, [&] {
    auto opened = open(false);
    if (!opened) return 2;
    return ImportRosterFile(*opened->store, roster_path, std::cout, std::cerr);
  });

  auto* import_plan = import->add_subcommand(
      "plan",
      "Import the term's lesson plan from CSV (date, class, subject, topic, "
      "task, links, due_date, due_time); all rows or none. Each row makes an "
      "assignment, mailed to its class on the lesson day");
  std::string plan_path;
  import_plan->add_option("FILE", plan_path, "The lesson plan CSV file")
      ->required();
  actions.emplace_back(import_plan, [&] {
    auto opened = open(false);
    if (!opened) return 2;
    auto now = Clock(opened->settings);
    if (!now) return 2;
    return ImportPlanFile(*opened->store, opened->settings, RandomToken,
                          plan_path, *now, std::cout, std::cerr);
  });

  auto* import_timetable = import->add_subcommand(
      "timetable",
      "Import the online lesson timetable from CSV (day, class, start, end, "
      "subject, link, note); replaces the stored timetable; all rows or none");
  std::string timetable_path;
  import_timetable->add_option("FILE", timetable_path, "The timetable CSV file")
      ->required();
  actions.emplace_back(import_timetable, [&] {
    auto opened = open(false);
    if (!opened) return 2;
    return ImportTimetableFile(*opened->store, timetable_path, std::cout,
                               std::cerr);
  });

  auto* distance = app.add_subcommand(
      "distance", "Distance mode of classes: start, stop, list");
  distance->require_subcommand(1);
  auto* distance_start = distance->add_subcommand(
      "start", "Put classes into distance mode (by the administration's order)");
  std::string start_classes, start_from, start_to, start_order;
  distance_start->add_option("--classes", start_classes, "Classes, e.g. 7А,7Б")
      ->required();
  distance_start->add_option("--from", start_from, "First day, YYYY-MM-DD")
      ->required();
  distance_start->add_option("--to", start_to,
                             "Last day, YYYY-MM-DD (default: until stopped)");
  distance_start->add_option("--order", start_order,
                             "The order, e.g. \"Приказ № 45 от 20.11.2026\"")
      ->required();
  actions.emplace_back(distance_start, [&] {
    auto opened = open(false);
    if (!opened) return 2;
    auto first = ParseDate(start_from);
    std::optional<Date> last;
    if (!start_to.empty()) last = ParseDate(start_to);
    if (!first || (!start_to.empty() && !last)) {
      std::cerr << "--from and --to take a date, YYYY-MM-DD\n";
      return 2;
    }
    const std::string& zone = opened->settings.school.time_zone;
    auto now = Clock(opened->settings);
    if (!now) return 2;
    auto today = LocalDay(*now, zone);
    if (!today) return 2;
    int started = StartDistanceCommand(*opened->store, start_classes, *first,
                                       last, start_order, *today, *now,
                                       std::cout, std::cerr);
    if (started != 0) return started;
    // Welcome mail to pupils and parents, briefings to the teachers.
    return QueueDistanceStartMail(*opened->store, opened->settings,
                                  ClassList(start_classes), *first, *now,
                                  std::cout, std::cerr);
  });
  auto* distance_stop = distance->add_subcommand(
      "stop", "End distance mode of classes: back at school from a day on");
  std::string stop_classes, stop_from;
  distance_stop->add_option("--classes", stop_classes, "Classes, e.g. 7А,7Б")
      ->required();
  distance_stop->add_option(
      "--from", stop_from,
      "First day back at school, YYYY-MM-DD (default: today)");
  actions.emplace_back(distance_stop, [&] {
    auto opened = open(false);
    if (!opened) return 2;
    const std::string& zone = opened->settings.school.time_zone;
    auto now = Clock(opened->settings);
    if (!now) return 2;
    std::optional<Date> from = stop_from.empty()
                                   ? std::optional<Date>(LocalDay(*now, zone).value_or(Date{}))
                                   : ParseDate(stop_from);
    if (!from) {
      std::cerr << "--from takes a date, YYYY-MM-DD\n";
      return 2;
    }
    return StopDistanceCommand(*opened->store, stop_classes, *from, std::cout,
                               std::cerr);
  });
  auto* distance_list = distance->add_subcommand(
      "list", "List distance periods and the classes in distance mode today");
  actions.emplace_back(distance_list, [&] {
    auto opened = open(false);
    if (!opened) return 2;
    const std::string& zone = opened->settings.school.time_zone;
    auto now = Clock(opened->settings);
    if (!now) return 2;
    auto today = LocalDay(*now, zone);
    if (!today) return 2;
    return PrintDistancePeriods(*opened->store, *today, std::cout, std::cerr);
  });

  auto* roster = app.add_subcommand("roster", "List the stored roster");
  actions.emplace_back(roster, [&] {
    auto opened = open(false);
    if (!opened) return 2;
    Result<Roster> stored = opened->store->LoadRoster();
    if (!stored) {
      std::cerr << stored.status().message() << "\n";
      return 1;
    }
    PrintRoster(*stored, std::cout);
    return 0;
  });

  auto* parse_mail = app.add_subcommand(
      "parse-mail",
      "Print how schoolmail reads one message (.eml) as JSON: senders, "
      "subject, text, attachments with SHA-256, kind, or the limit it broke");
  std::string mail_path;
  parse_mail->add_option("FILE", mail_path, "The raw message file")->required();
  actions.emplace_back(parse_mail, [&] {
    // Limits come from the config when one is given or present; else the
    // documented defaults.
    Limits limits;
    const char* env = std::getenv("SCHOOLMAIL_CONFIG");
    bool explicit_config = app.get_option("--config")->count() > 0 ||
                           (env != nullptr && *env != '\0');
    if (explicit_config || ::access(config_path.c_str(), F_OK) == 0) {
      auto settings = LoadOrReport(config_path);
      if (!settings) return 2;
      limits = settings->limits;
    }
    return ParseMailFile(mail_path, limits, std::cout, std::cerr);
  });

  auto* once = app.add_subcommand(
      "once", "One full cycle over every teacher's mailbox, then exit (for "
              "cron and tests)");
  actions.emplace_back(once, [&] {
    auto opened = open(true);
    if (!opened) return 2;
    auto now = Clock(opened->settings);
    if (!now) return 2;
    return RunOnce(opened->settings, *opened->store, *now, std::cout);
  });

  auto* run = app.add_subcommand(
      "run", "The daemon: cycle over the mailboxes every poll_interval until "
             "SIGTERM, which lets the cycle in hand finish");
  actions.emplace_back(run, [&] {
    auto opened = open(true);
    if (!opened) return 2;
    return RunDaemon(opened->settings, *opened->store, now_override);
  });

  auto* submissions = app.add_subcommand(
      "submissions", "List stored submissions, oldest first");
  SubmissionFilter filter;
  std::string filter_date;
  submissions->add_option("--mailbox", filter.mailbox, "Teacher's mailbox name");
  submissions->add_option("--class", filter.class_name, "Class, e.g. 7А");
  submissions->add_option("--status", filter.status,
                          "on_time, late, unmatched, unknown_sender or review");
  submissions->add_option("--date", filter_date,
                          "Received on this day (school time), YYYY-MM-DD");
  actions.emplace_back(submissions, [&] {
    auto opened = open(false);
    if (!opened) return 2;
    if (!filter_date.empty()) {
      auto day = ParseDate(filter_date);
      if (!day) {
        std::cerr << "--date: not a date: " << filter_date << "\n";
        return 2;
      }
      auto from = CurrentTime(FormatDate(*day) + " 00:00",
                              opened->settings.school.time_zone);
      if (!from) return 2;
      filter.from = *from;
      filter.to = *from + 24 * 3600;
    }
    PrintSubmissions(*opened->store, filter, opened->settings.school.time_zone,
                     std::cout);
    return 0;
  });

  auto* status = app.add_subcommand(
      "status", "Per mailbox: last poll, last UID, errors");
  actions.emplace_back(status, [&] {
    auto opened = open(false);
    if (!opened) return 2;
    auto now = Clock(opened->settings);
    if (!now) return 2;
    PrintStatus(*opened->store, opened->settings, *now, std::cout);
    return 0;
  });

  auto* assign = app.add_subcommand(
      "assign",
      "Set an assignment from the command line; its mail to every pupil of "
      "the class (Reply-To the teacher) and the teacher's confirmation go "
      "out with the next cycle");
  Assignment assignment;
  std::string due_text, time_text;
  assign->add_option("--class", assignment.class_name, "Class, e.g. 7А")->required();
  assign->add_option("--subject", assignment.subject, "School subject")->required();
  assign->add_option("--teacher", assignment.teacher_id, "Teacher's roster id")->required();
  assign->add_option("--title", assignment.title, "What to do")->required();
  assign->add_option("--due", due_text, "Due day, YYYY-MM-DD")->required();
  assign->add_option("--time", time_text,
                     "Due time, HH:MM (default: the school's deadline)");
  assign->add_option("--code", assignment.code, "Code (default: the next ДЗ-N)");
  assign->add_option("--instructions", assignment.instructions,
                     "The task text for the pupils");
  assign->add_option("--link", assignment.links,
                     "A resource link (may be given more than once)");
  actions.emplace_back(assign, [&] {
    auto opened = open(false);
    if (!opened) return 2;
    const Settings& settings = opened->settings;
    auto due = ParseDate(due_text);
    auto time = time_text.empty() ? std::optional(settings.school.deadline)
                                  : ParseTimeOfDay(time_text);
    if (!due || !time) {
      std::cerr << "--due YYYY-MM-DD and --time HH:MM are required\n";
      return 2;
    }
    auto now = Clock(settings);
    if (!now) return 2;
    auto templates = LoadTemplateSet(settings.school);
    if (!templates) {
      std::cerr << templates.status().message() << "\n";
      return 1;
    }
    MailContext context{&settings, std::move(*templates)};
    assignment.due_day = *due;
    assignment.due_time = *time;
    assignment.set_day = LocalDay(*now, settings.school.time_zone).value_or(*due);
    if (assignment.set_day > *due) assignment.set_day = *due;
    auto created = CreateAssignment(*opened->store, context, assignment, "cli",
                                    {}, *now);
    if (!created) {
      std::cerr << created.status().message() << "\n";
      return 1;
    }
    auto roster = opened->store->LoadRoster();
    int pupils = 0;
    if (roster) {
      for (const Pupil& p : roster->pupils) {
        if (p.class_name == created->class_name) ++pupils;
      }
    }
    std::cout << created->code << ": " << created->class_name << " "
              << created->subject << ", due " << FormatDate(*due) << " "
              << time->ToString() << "; mail to " << pupils
              << " pupil(s) queued, it goes out with the next cycle\n";
    return 0;
  });

  auto* outbox = app.add_subcommand(
      "outbox", "List mail not yet delivered to everyone (deferred, failed, "
                "queued), with the server's last reply; `outbox retry ID` "
                "requeues one");
  bool outbox_all = false;
  outbox->add_flag("--all", outbox_all, "Also list mail that was delivered");
  auto* retry = outbox->add_subcommand("retry", "Send a deferred or failed mail again now");
  std::int64_t retry_id = 0;
  retry->add_option("ID", retry_id, "The number `schoolmail outbox` shows")->required();
  actions.emplace_back(outbox, [&] {
    auto opened = open(false);
    if (!opened) return 2;
    if (retry->parsed()) {
      auto now = Clock(opened->settings);
      if (!now) return 2;
      auto requeued = opened->store->RetryOutbox(retry_id, *now);
      if (!requeued.ok()) {
        std::cerr << requeued.status().message() << "\n";
        return 1;
      }
      if (!*requeued) {
        std::cerr << "no deferred or failed mail #" << retry_id << "\n";
        return 1;
      }
      std::cout << "#" << retry_id << " queued; it goes out with the next cycle\n";
      return 0;
    }
    auto entries = opened->store->ListOutbox(outbox_all);
    if (!entries.ok()) {
      std::cerr << entries.status().message() << "\n";
      return 1;
    }
    PrintOutbox(*entries, opened->settings.school.time_zone, std::cout);
    return 0;
  });

  // --- Grades and the journal export (issue 6) ---
  auto* grade = app.add_subcommand(
      "grade",
      "Grade a submission as a teacher (only the teacher who set its "
      "assignment may); the pupil's notice goes out with the next cycle");
  std::string grade_submission, grade_value, grade_comment, grade_teacher;
  grade->add_option("SUBMISSION", grade_submission,
                    "The submission's number (`schoolmail submissions`) or "
                    "its Message-ID")
      ->required();
  grade->add_option("VALUE", grade_value,
                    "The grade on the [grades] scale: 5, or зачёт/незачёт")
      ->required();
  grade->add_option("--comment", grade_comment, "The teacher's comment");
  grade->add_option("--teacher", grade_teacher, "Teacher's roster id")
      ->required();
  actions.emplace_back(grade, [&] {
    auto opened = open(false);
    if (!opened) return 2;
    auto now = Clock(opened->settings);
    if (!now) return 2;
    return GradeCommand(*opened->store, opened->settings, grade_submission,
                        grade_value, grade_comment, grade_teacher, *now,
                        std::cout, std::cerr);
  });

  auto* grades = app.add_subcommand(
      "grades", "List grades (current ones; --history also those replaced)");
  GradeFilter grade_filter;
  grades->add_option("--class", grade_filter.class_name, "Class, e.g. 7А");
  grades->add_option("--pupil", grade_filter.pupil_id, "Pupil's roster id");
  grades->add_flag("--history", grade_filter.history,
                   "Also list grades that were replaced");
  actions.emplace_back(grades, [&] {
    auto opened = open(false);
    if (!opened) return 2;
    return PrintGrades(*opened->store, opened->settings, grade_filter,
                       std::cout, std::cerr);
  });

  auto* export_command = app.add_subcommand("export", "Export data for other programs");
  export_command->require_subcommand(1);
  auto* export_journal = export_command->add_subcommand(
      "journal",
      "A class's grades as CSV for the electronic diary or Excel: one row "
      "per pupil, one column per due day and subject, ';'-separated");
  std::string journal_class, journal_from, journal_to,
      journal_encoding = "utf-8", journal_output;
  export_journal->add_option("--class", journal_class, "Class, e.g. 7А")
      ->required();
  export_journal->add_option("--from", journal_from,
                             "First due day, YYYY-MM-DD")
      ->required();
  export_journal->add_option("--to", journal_to, "Last due day, YYYY-MM-DD")
      ->required();
  export_journal->add_option(
      "--encoding", journal_encoding,
      "utf-8 (with a byte order mark, default) or windows-1251");
  export_journal->add_option("--output", journal_output,
                             "File to write (default: standard output)");
  actions.emplace_back(export_journal, [&] {
    auto opened = open(false);
    if (!opened) return 2;
    JournalRequest request;
    request.class_name = journal_class;
    auto from = ParseDate(journal_from);
    auto to = ParseDate(journal_to);
    if (!from || !to) {
      std::cerr << "--from and --to take a date, YYYY-MM-DD\n";
      return 2;
    }
    request.from = *from;
    request.to = *to;
    std::string encoding = LowerAscii(journal_encoding);
    if (encoding == "utf-8" || encoding == "utf8") {
      request.encoding = JournalEncoding::kUtf8Bom;
    } else if (encoding == "windows-1251" || encoding == "cp1251") {
      request.encoding = JournalEncoding::kWindows1251;
    } else {
      std::cerr << "--encoding: utf-8 or windows-1251\n";
      return 2;
    }
    request.output = journal_output;
    return ExportJournalCommand(*opened->store, opened->settings, request,
                                std::cout, std::cerr);
  });

  auto* brief = app.add_subcommand("brief", "Send briefings by mail");
  brief->require_subcommand(1);
  auto* brief_teachers = brief->add_subcommand(
      "teachers",
      "Mail every teacher (or those of --classes) the briefing: their "
      "sorted queue, grading by reply, tagging an assignment, what pupils "
      "and parents receive");
  std::string brief_classes;
  brief_teachers->add_option("--classes", brief_classes,
                             "Only the teachers of these classes, e.g. 7А,7Б");
  actions.emplace_back(brief_teachers, [&] {
    auto opened = open(false);
    if (!opened) return 2;
    auto now = Clock(opened->settings);
    if (!now) return 2;
    return BriefTeachersCommand(*opened->store, opened->settings,
                                ClassList(brief_classes), *now, std::cout,
                                std::cerr);
  });

  auto* hotline = app.add_subcommand(
      "hotline", "List the questions sent to the school mailbox");
  bool hotline_open = false;
  hotline->add_flag("--open", hotline_open, "Only those not answered yet");
  actions.emplace_back(hotline, [&] {
    auto opened = open(false);
    if (!opened) return 2;
    auto now = Clock(opened->settings);
    if (!now) return 2;
    return PrintHotlineQuestions(*opened->store, opened->settings,
                                 hotline_open, *now, std::cout, std::cerr);
  });

  // --- Illness records for the class teacher's list (issue 6) ---
  auto* ill = app.add_subcommand(
      "ill",
      "Record a pupil as ill (excused in the class teacher's list), or list "
      "the records with --list");
  IllRequest ill_request;
  bool ill_list = false;
  ill->add_flag("--list", ill_list,
                "List the records overlapping --from..--to (default today)");
  ill->add_option("--class", ill_request.class_name, "Class, e.g. 7А");
  ill->add_option("--pupil", ill_request.pupil,
                  "The pupil's roster id or \"Фамилия Имя\"");
  ill->add_option("--from", ill_request.from,
                  "First day ill, YYYY-MM-DD or DD.MM.YYYY (default today)");
  ill->add_option("--to", ill_request.to,
                  "Last day ill (default: the first day)");
  actions.emplace_back(ill, [&] {
    if (ill_list == !ill_request.pupil.empty()) {
      std::cerr << "ill: give --pupil to record an illness, or --list\n";
      return 2;
    }
    auto opened = open(false);
    if (!opened) return 2;
    auto now = Clock(opened->settings);
    if (!now) return 2;
    if (ill_list) {
      return PrintIllnesses(*opened->store, opened->settings,
                            ill_request.class_name, ill_request.from,
                            ill_request.to, *now, std::cout, std::cerr);
    }
    return IllCommand(*opened->store, opened->settings, ill_request, *now,
                      std::cout, std::cerr);
  });

  // --- The administration's control report (issue 6) ---
  auto* delivery = app.add_subcommand(
      "delivery",
      "Every mail to one address from the delivery log (was this parent "
      "told, and when?): time, kind, subject, event, server reply");
  std::string delivery_address, delivery_from, delivery_to;
  delivery->add_option("ADDRESS", delivery_address, "The recipient's address")
      ->required();
  delivery->add_option("--from", delivery_from,
                       "First day (school time), YYYY-MM-DD");
  delivery->add_option("--to", delivery_to,
                       "Last day (school time), YYYY-MM-DD");
  actions.emplace_back(delivery, [&] {
    auto opened = open(false);
    if (!opened) return 2;
    return DeliveryCommand(*opened->store, opened->settings, delivery_address,
                           delivery_from, delivery_to, std::cout, std::cerr);
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  SetUpLogging(verbose);
  for (const auto& [command, action] : actions) {
    if (command->parsed()) return action();
  }
  return 0;
}

}  // namespace schoolmail
