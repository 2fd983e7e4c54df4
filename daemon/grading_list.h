// The "waiting for a grade" list: on each school day (IsSchoolDay), from
// schedule.grading_list school time on, one mail to every teacher with a
// watched mailbox ([mailbox NAME] whose address is the teacher's) who has
// work waiting: their pupils' hand-ins still without a grade, grouped by
// assignment, oldest deadline first, late ones marked, each with the pupil,
// the time it arrived, the attempt and the folder it was filed in. A teacher
// with nothing waiting gets nothing.
//
// What waits (so that the list empties as the teacher grades): per pupil
// and assignment, the pupil's latest on-time or late hand-in, unless it has
// a current grade or an earlier hand-in of the same work got a current
// grade after the latest one arrived (the teacher graded the work with both
// in front of them). Earlier hand-ins never wait on their own: the latest
// one says which attempt it is. Only work of a known pupil with a
// recognised assignment is listed: unmatched mail has no deadline to be
// ordered by (the teacher sees it in the queue's own folder), and mail of
// unknown senders or under review cannot be graded.
//
// Whose list: the teacher who set the assignment; work for an assignment
// nobody set goes to the teacher whose mailbox received it. These are the
// teachers who may grade it (daemon/grades.h: GradeRefusal). Work that came
// to another teacher's mailbox names that mailbox.
//
// Exactly once per teacher per day: the dedup key
// "grading-list:<teacher id>:<day>" makes a second queueing a no-op, and a
// done marker for the day (job "grading_list") makes every later cycle of
// the day one lookup. Not capped (it answers nobody); Auto-Submitted:
// auto-generated. Unlike the morning mail it has no cut-off in the evening:
// a daemon started late still sends the day's list.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/school.h"
#include "daemon/outgoing.h"
#include "storage/store.h"
#include "templates/mails.h"
#include "templates/message_writer.h"

namespace schoolmail {

// The job name of the grading list's done markers.
inline constexpr char kGradingListJob[] = "grading_list";

// A work waiting for a grade (the rule above) and whose list it is on.
struct UngradedWork {
  const SubmissionRow* work = nullptr;     // the pupil's latest hand-in
  const Assignment* assignment = nullptr;  // nullptr: not stored any more
  std::optional<std::int64_t> deadline;    // the assignment's, if known
  std::string teacher_id;  // who grades it; "" when nobody is known
};

// Pure: every work waiting for a grade, by pupil and assignment, from every
// stored submission, the current grades, the roster, the assignments and
// the watched mailboxes of `settings` (for work of an assignment nobody
// set). The pointers point into `submissions` and `assignments`.
std::vector<UngradedWork> UngradedWorks(
    const std::vector<SubmissionRow>& submissions,
    const std::vector<GradeRow>& grades, const Roster& roster,
    const std::vector<Assignment>& assignments, const Settings& settings);

struct GradingListMail {
  std::string teacher_id;
  OutgoingAddress to;                        // the teacher's watched mailbox
  std::vector<std::int64_t> submission_ids;  // the works listed, in order
  GradingListFacts facts;
};

// Pure: the lists owed on `day` (by teacher id), from every stored
// submission, the current grades (replaced ones are ignored), the roster and
// the assignments, worded with `context` (language, time zone, the teachers'
// mailboxes). Teachers with nothing waiting are not in the result.
std::vector<GradingListMail> GradingListsFor(
    const Date& day, const std::vector<SubmissionRow>& submissions,
    const std::vector<GradeRow>& grades, const Roster& roster,
    const std::vector<Assignment>& assignments, const MailContext& context);

struct GradingListReport {
  bool ran = false;     // false: not a school day, too early, done already
  std::string skipped;  // why it did not run, for the cycle's summary
  int teachers = 0;     // teachers with work waiting
  int works = 0;        // works waiting, summed over them
  int queued = 0;       // mails queued now
  int already = 0;      // teachers whose list was queued by an earlier run
  int failed = 0;       // mails that could not be written (logged)
};

// Runs the grading list for `now` when it is due (see above).
Result<GradingListReport> RunGradingList(Store& store,
                                         const MailContext& context,
                                         std::int64_t now);

// How a list greets a teacher: "Анна Сергеевна" (first and middle name);
// the full name when there is no first name.
std::string GreetingName(const PersonName& name);

}  // namespace schoolmail
