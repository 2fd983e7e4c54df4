#include "daemon/intake_commands.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <iomanip>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "daemon/admin_report.h"
#include "daemon/assignments.h"
#include "daemon/class_list.h"
#include "daemon/grades.h"
#include "daemon/grading_list.h"
#include "daemon/imap/idle_watchers.h"
#include "daemon/intake.h"
#include "daemon/morning.h"
#include "daemon/outbox.h"
#include "daemon/outgoing.h"
#include "daemon/parent_digest.h"
#include "daemon/rules/school_time.h"
#include "daemon/school_mailbox.h"

namespace schoolmail {
namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop = true; }

}  // namespace

Result<std::int64_t> CurrentTime(const std::string& override_text,
                                 const std::string& zone) {
  if (override_text.empty()) {
    return static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count());
  }
  if (override_text.front() == '@') {
    try {
      return static_cast<std::int64_t>(std::stoll(override_text.substr(1)));
    } catch (const std::exception&) {
      return Status::Error("bad clock override \"" + override_text + "\"");
    }
  }
  // "YYYY-MM-DD HH:MM[:SS]" in school time.
  auto day = ParseDate(override_text.substr(0, 10));
  auto time = ParseTimeOfDay(override_text.size() >= 16 ? override_text.substr(11, 5) : "");
  int seconds = 0;
  if (override_text.size() == 19) {
    seconds = std::atoi(override_text.substr(17, 2).c_str());
  }
  if (!day || !time || (override_text.size() != 16 && override_text.size() != 19)) {
    return Status::Error("bad clock override \"" + override_text +
                         "\": write \"2026-11-30 17:59:59\" (school time) or "
                         "\"@<unix seconds>\"");
  }
  auto instant = DeadlineFor(*day, *time, zone);
  if (!instant) return instant.status();
  return *instant + seconds;
}

// One mailbox's cycle with its summary line; false when it failed.
bool RunMailbox(const Settings& settings, const MailboxSettings& mailbox,
                Store& store, std::int64_t now, std::ostream& out) {
  auto report = RunIntake(settings, mailbox, store, now, &g_stop);
  if (!report) {
    spdlog::error("{}", report.status().message());
    out << mailbox.name << ": FAILED: " << report.status().message() << "\n";
    return false;
  }
  const IntakeReport& r = *report;
  out << mailbox.name << ": " << r.new_messages << " new; " << r.submissions
      << " submissions (" << r.late << " late), " << r.unmatched
      << " unmatched, " << r.unknown_sender << " unknown sender, " << r.review
      << " review, " << r.not_submissions << " not submissions, " << r.old
      << " before start date, " << r.known << " known, " << r.too_large
      << " too large; " << r.filed << " filed, " << r.left_in_inbox
      << " left in INBOX; " << r.sent_read << " sent, " << r.replies_linked
      << " replies linked\n";
  for (const std::string& note : r.notes) out << "  " << note << "\n";
  return true;
}

bool SendMail(const Settings& settings, Store& store, std::int64_t now,
              SmtpTransport& transport, std::ostream& out) {
  auto templates = LoadTemplateSet(settings.school);
  if (!templates) {
    spdlog::error("{}", templates.status().message());
    out << "outbox: FAILED: " << templates.status().message() << "\n";
    return false;
  }
  MailContext context{&settings, std::move(*templates)};
  // Assignments' mail and the morning mail are queued first; a failure of
  // either is reported and the rest of the mail still goes.
  bool queued_all = true;
  auto announced = AnnouncePendingAssignments(store, context, now);
  if (!announced) {
    spdlog::error("{}", announced.status().message());
    out << "assignments: FAILED: " << announced.status().message() << "\n";
    queued_all = false;
  } else if (announced->mailed + announced->skipped + announced->confirmations >
             0) {
    out << "assignments: " << announced->mailed << " mailed to "
        << announced->pupils << " pupils, " << announced->confirmations
        << " confirmations, " << announced->skipped << " skipped\n";
  }
  auto morning = RunMorningMail(store, context, now);
  if (!morning) {
    spdlog::error("{}", morning.status().message());
    out << "morning: FAILED: " << morning.status().message() << "\n";
    queued_all = false;
  } else if (morning->ran) {
    out << "morning: " << morning->queued << " queued for "
        << morning->classes << " class(es) in distance mode, "
        << morning->already << " sent before, " << morning->failed
        << " failed\n";
  }
  auto receipts = QueueReceipts(store, context, now);
  if (!receipts) {
    spdlog::error("{}", receipts.status().message());
    out << "outbox: FAILED: " << receipts.status().message() << "\n";
    return false;
  }
  // Grade notices to pupils (daemon/grades.h); a failure is reported and
  // the rest of the mail still goes.
  auto grade_notices = QueueGradeNotices(store, context, now);
  if (!grade_notices) {
    spdlog::error("{}", grade_notices.status().message());
    out << "grades: FAILED: " << grade_notices.status().message() << "\n";
    queued_all = false;
  } else if (grade_notices->queued + grade_notices->skipped > 0) {
    out << "grades: " << grade_notices->queued << " notice(s) queued, "
        << grade_notices->skipped << " skipped\n";
  }
  // Each teacher's "waiting for a grade" list (daemon/grading_list.h),
  // after the answers to pupils, so that they leave first.
  auto grading = RunGradingList(store, context, now);
  if (!grading) {
    spdlog::error("{}", grading.status().message());
    out << "grading lists: FAILED: " << grading.status().message() << "\n";
    queued_all = false;
  } else if (grading->ran) {
    out << "grading lists: " << grading->queued << " queued for "
        << grading->teachers << " teacher(s) with " << grading->works
        << " work(s) waiting, " << grading->already << " sent before, "
        << grading->failed << " failed\n";
  }
  // Each class teacher's daily list (daemon/class_list.h), after the
  // grading lists.
  auto class_lists = RunClassList(store, context, now);
  if (!class_lists) {
    spdlog::error("{}", class_lists.status().message());
    out << "class lists: FAILED: " << class_lists.status().message() << "\n";
    queued_all = false;
  } else if (class_lists->ran) {
    out << "class lists: " << class_lists->queued << " queued for "
        << class_lists->classes << " class(es) in distance mode, "
        << class_lists->no_teacher << " without a class teacher, "
        << class_lists->already << " sent before, " << class_lists->failed
        << " failed\n";
  }
  // The parents' evening digest (daemon/parent_digest.h), after the grading
  // list; a failure is reported and the rest of the mail still goes.
  auto digest = RunParentDigest(store, context, now);
  if (!digest) {
    spdlog::error("{}", digest.status().message());
    out << "digests: FAILED: " << digest.status().message() << "\n";
    queued_all = false;
  } else if (digest->ran) {
    out << "digests: " << digest->queued << " queued for " << digest->parents
        << " parent(s), " << digest->empty << " with nothing to say, "
        << digest->already << " sent before, " << digest->failed
        << " failed\n";
    if (!digest->notices_error.empty()) {
      out << "  notices: " << digest->notices_error << "\n";
    }
  }
  // The administration's control report (daemon/admin_report.h), after
  // the teachers' lists.
  auto report = RunAdminReport(store, context, now);
  if (!report) {
    spdlog::error("{}", report.status().message());
    out << "control report: FAILED: " << report.status().message() << "\n";
    queued_all = false;
  } else if (report->ran) {
    out << "control report " << report->period << ": "
        << (report->queued ? "queued" : report->already ? "sent before"
                                                        : "not written")
        << "; " << report->subjects << " class/subject row(s), "
        << report->ungraded << " work(s) ungraded too long, "
        << report->inactive << " pupil(s) inactive, " << report->failed
        << " failed mail(s), " << report->parents << " parent(s)\n";
  }
  static thread_local std::mt19937_64 random{std::random_device{}()};
  DrainOptions options;
  options.now = [now] { return now; };
  options.random01 = [] {
    return std::uniform_real_distribution<double>(0.0, 1.0)(random);
  };
  options.stop = &g_stop;
  auto drained = DrainOutbox(store, transport, settings, options);
  if (!drained) {
    spdlog::error("{}", drained.status().message());
    out << "outbox: FAILED: " << drained.status().message() << "\n";
    return false;
  }
  // Undeliverable mail is reported to the administration, and the notices
  // go out in the same cycle.
  auto notices = QueueFailureNotices(store, context, now);
  if (!notices) {
    spdlog::error("{}", notices.status().message());
  } else if (*notices > 0 && drained->server_error.empty()) {
    auto again = DrainOutbox(store, transport, settings, options);
    if (again) drained->sent += again->sent;
  }
  out << "outbox: " << receipts->queued << " receipts queued, "
      << receipts->suppressed << " suppressed; " << drained->sent << " sent, "
      << drained->deferred << " deferred, " << drained->failed << " failed\n";
  if (!drained->server_error.empty()) {
    out << "  SMTP: " << drained->server_error << "\n";
  }
  return queued_all && drained->server_error.empty();
}

int RunOnce(const Settings& settings, Store& store, std::int64_t now,
            std::ostream& out, SmtpTransport* transport) {
  int status = 0;
  for (const MailboxSettings& mailbox : settings.teacher_mailboxes) {
    if (g_stop) break;  // SIGTERM: the mailbox in hand is finished first
    if (!RunMailbox(settings, mailbox, store, now, out)) status = 1;
  }
  if (!g_stop) {
    auto school = RunSchoolMailbox(settings, store, now);
    if (!school) {
      spdlog::error("{}", school.status().message());
      out << "school mailbox: FAILED: " << school.status().message() << "\n";
      status = 1;
    } else {
      out << "school mailbox: " << school->new_messages << " new; "
          << school->assignments << " assignments set, " << school->rejected
          << " tags not understood, " << school->refused << " refused, "
          << school->status_replies << " status replies, "
          << school->hotline_questions << " hotline questions, "
          << school->hotline_answers << " hotline answers, "
          << school->grades << " grades, "
          << school->ignored << " ignored, " << school->other << " unreadable\n";
      if (school->illness_mails + school->illness_refused > 0) {
        out << "  illness: " << school->illnesses << " recorded from "
            << school->illness_mails << " mail(s), " << school->illness_problems
            << " line(s) not understood, " << school->illness_refused
            << " refused\n";
      }
    }
  }
  std::optional<SmtpTransport> own;
  if (!transport) transport = &own.emplace(SmtpEndpointFor(settings));
  if (!g_stop && !SendMail(settings, store, now, *transport, out)) status = 1;
  return status;
}

int RunDaemon(const Settings& settings, Store& store,
              const std::string& now_override) {
  g_stop = false;
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  spdlog::info("schoolmail running: {} teacher mailbox(es), IDLE push, poll "
               "every {} s",
               settings.teacher_mailboxes.size(),
               settings.intake.poll_interval_seconds);
  IdleWatchers watchers(settings, &g_stop);
  SmtpTransport transport(SmtpEndpointFor(settings));  // kept between cycles
  auto interval = std::chrono::seconds(settings.intake.poll_interval_seconds);
  auto next_poll = std::chrono::steady_clock::now();
  while (!g_stop) {
    auto now = CurrentTime(now_override, settings.school.time_zone);
    if (!now) {
      spdlog::error("{}", now.status().message());
      g_stop = true;
      return 2;
    }
    std::ostringstream summary;
    if (std::chrono::steady_clock::now() >= next_poll) {
      RunOnce(settings, store, *now, summary, &transport);
      next_poll = std::chrono::steady_clock::now() + interval;
      spdlog::info("poll done:\n{}", summary.str());
      continue;
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
        next_poll - std::chrono::steady_clock::now());
    for (const std::string& name :
         watchers.WaitForNews(std::min(wait, std::chrono::milliseconds(1000)))) {
      for (const MailboxSettings& mailbox : settings.teacher_mailboxes) {
        if (mailbox.name == name && !g_stop) {
          RunMailbox(settings, mailbox, store, *now, summary);
          SendMail(settings, store, *now, transport, summary);
          spdlog::info("new mail:\n{}", summary.str());
        }
      }
    }
  }
  spdlog::info("schoolmail stopping: signal received, the cycle in hand is "
               "finished");
  return 0;
}

void PrintSubmissions(Store& store, const SubmissionFilter& filter,
                      const std::string& zone, std::ostream& out) {
  auto rows = store.ListSubmissions(filter);
  if (!rows) {
    out << rows.status().message() << "\n";
    return;
  }
  for (const SubmissionRow& r : *rows) {
    out << std::left << std::setw(5) << r.id << " "
        << FormatLocal(r.received_at, zone).value_or("?") << "  "
        << std::setw(14) << r.status << " " << r.mailbox << "  "
        << (r.pupil_name.empty() ? r.sender : r.pupil_name + " (" + r.class_name + ")")
        << "  " << (r.assignment_code.empty() ? "-" : r.assignment_code)
        << " attempt " << r.attempt << ", " << r.attachments
        << " attachment(s)  -> "
        << (r.filed_folder.empty() ? "(not filed yet)" : r.filed_folder) << "\n";
  }
  out << rows->size() << " submission(s)\n";
}

void PrintStatus(Store& store, const Settings& settings, std::int64_t now,
                 std::ostream& out) {
  auto states = store.LoadMailboxStates();
  if (!states) {
    out << states.status().message() << "\n";
    return;
  }
  for (const MailboxSettings& m : settings.teacher_mailboxes) {
    bool seen = false;
    for (const MailboxState& s : *states) {
      if (s.mailbox != m.name) continue;
      seen = true;
      out << m.name << "/" << s.folder << ": last poll "
          << (s.last_poll_at ? FormatLocal(s.last_poll_at, settings.school.time_zone)
                                   .value_or("?")
                             : std::string("never"))
          << ", UIDVALIDITY " << s.cursor.uidvalidity << ", last UID "
          << s.cursor.last_uid
          << (s.last_error.empty() ? ", OK"
                                   : ", ERROR (" + std::to_string(s.error_count) +
                                         " in a row): " + s.last_error)
          << "\n";
    }
    if (!seen) out << m.name << ": never polled\n";
  }
  auto outbox = store.ListOutbox(false);
  auto suppressed = store.CountSuppressed(now - 24 * 60 * 60);
  if (!outbox || !suppressed) {
    out << "outbox: unreadable\n";
    return;
  }
  std::map<std::string, int> states_count;
  for (const OutboxEntry& e : *outbox) ++states_count[e.state];
  out << "outbox: " << states_count["queued"] + states_count["sending"]
      << " queued, " << states_count["deferred"] << " deferred, "
      << states_count["failed"] << " failed, " << states_count["sent"]
      << " sent with some recipient failed; automatic mail suppressed by "
         "caps in 24 hours: "
      << *suppressed << "\n";
}

}  // namespace schoolmail
