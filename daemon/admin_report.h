// The administration's control report: at schedule.admin_report school
// time, one mail to school.admin_address (text and HTML) for the period:
//  - daily (schedule.admin_report_period): every school day, for that day;
//  - weekly: on the last school day of the ISO week (no school day after it
//    up to Sunday), for Monday..that day.
// It says, for the period:
//  1. per class and subject: assignments set (by set day) against the
//     lesson plan rows, and of the pupil-assignment pairs owed (assignments
//     due in the period whose deadline has passed, the class's pupils, a
//     pupil ill on the due day left out) how many were handed in (on time
//     or late) and how many on time;
//  2. per teacher, the work waiting for a grade (daemon/grading_list.h:
//     UngradedWorks, the same rule and the same teacher) that arrived more
//     than report.ungraded_days days ago: count and the oldest;
//  3. pupils of classes in distance mode with no mail at all (any stored
//     submission of theirs) on each of the last two or more school days up
//     to the report day, counted back while the class was in distance mode;
//     a day the pupil was ill ends the count (excused);
//  4. mail that failed for some recipient since the previous report's time
//     (the report time of the school day before the period), so that no
//     failure falls between two reports;
//  5. per parent (every parent of the roster), per school day of the
//     period, the parent's digest (kind "parent_digest", dedup key
//     "digest:<parent id>:<day>"): delivered at (the time alone on the
//     digest's own day), failed (with the server's reply), still being sent
//     (queued or deferred), or not sent;
//  6. hotline questions still unanswered after the promised time.
//
// Exactly once per period: the dedup key "admin-report:<first>:<last>", and
// a done marker for the report day (job "admin_report"). Without an admin
// address nothing is sent and the day is not marked done (the report goes
// once an address is configured and schoolmail restarted); a warning is
// logged once per process.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "config/school.h"
#include "daemon/outgoing.h"
#include "storage/store.h"
#include "templates/mails.h"

namespace schoolmail {

inline constexpr char kAdminReportJob[] = "admin_report";

// A hotline question still unanswered after the promised time (filled by
// the hotline).
struct UnansweredQuestion {
  std::string sender;
  std::string who;  // pupil/parent name and class
  std::string subject;
  std::int64_t received_at = 0;
};

// What the report reads from the store.
struct AdminReportRecords {
  Roster roster;
  std::vector<Assignment> assignments;
  std::vector<PlannedLesson> plan;         // rows of the period
  std::vector<SubmissionRow> submissions;  // every stored submission
  std::vector<GradeRow> grades;            // current ones at least
  std::vector<DistancePeriod> distance;
  std::vector<DeliveryRow> failures;  // event "failed" in the report window
  std::vector<DeliveryRow> digests;   // kind "parent_digest" of the period
};

// The report's first and last day on `day` for `period`; nullopt when no
// report is due that day (weekly: not the last school day of its week).
struct ReportPeriodDays {
  Date first, last;
};
std::optional<ReportPeriodDays> ReportPeriodOn(const Date& day,
                                               ReportPeriod period,
                                               const SchoolSettings& school);

// Pure: the report for first_day..last_day made at `now` (see above).
// `ill` says whether a pupil was ill on a day; `unanswered` are the hotline
// questions to list (in the order given).
AdminReportFacts AdminReportFor(
    const Date& first_day, const Date& last_day, std::int64_t now,
    const AdminReportRecords& records,
    const std::function<bool(const std::string& pupil_id, const Date& day)>&
        ill,
    const std::vector<UnansweredQuestion>& unanswered,
    const MailContext& context);

struct AdminReportRun {
  bool ran = false;  // false: not due (skipped says why)
  std::string skipped;
  std::string period;    // "2026-11-30..2026-12-04"
  bool queued = false;   // queued now
  bool already = false;  // queued by an earlier run
  int subjects = 0, ungraded = 0, inactive = 0, failed = 0, parents = 0;
};

// Runs the report for `now` when it is due (see above).
Result<AdminReportRun> RunAdminReport(Store& store, const MailContext& context,
                                      std::int64_t now);

// `schoolmail delivery ADDRESS [--from DAY --to DAY]`: every mail to
// `address` in the delivery log, oldest first, one line each: school time,
// kind, subject, event (sent, failed, deferred; "queued" while not tried)
// and the server's reply, tab-separated. `from` and `to` ("" open) are
// school days, inclusive. Returns the exit code; bad input is named on
// `err`.
void PrintDeliveries(const std::vector<DeliveryRow>& rows,
                     const std::string& zone, std::ostream& out);
int DeliveryCommand(Store& store, const Settings& settings,
                    const std::string& address, const std::string& from,
                    const std::string& to, std::ostream& out,
                    std::ostream& err);

}  // namespace schoolmail
