// The class teacher's daily list: on each school day (IsSchoolDay), from
// schedule.class_teacher_list school time on, one mail to the class
// teacher (Teacher::class_teacher_of, the first roster address) of every
// class in distance mode that day: for each pupil of the class, by name,
// each assignment of the class due that day with its state (on time or
// late with the time it arrived, missing once the deadline has passed,
// not yet due before it, "ill until <date>" instead of missing when an
// illness record excuses the pupil that day), duty-group pupils marked
// with their group, and pupils who sent no mail at all that day (no
// submission of theirs, any status, received that school day in any
// teacher mailbox) marked "no activity (possibly absent)" unless they are
// recorded ill. Totals at the top. Text and HTML.
//
// The list has Reply-To the school mailbox: a reply with
// "Болеет: Фамилия Имя до ДД.ММ" is read there (daemon/illness_mail.h).
//
// Exactly once per class per day: the dedup key
// "class-list:<class>:<YYYY-MM-DD>" makes a second queueing a no-op, and
// a done marker for the day (job "class_list") makes every later cycle of
// the day one lookup. Not capped; Auto-Submitted: auto-generated. A class
// with no class teacher, or one without an address, gets no list (logged).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/school.h"
#include "daemon/outgoing.h"
#include "storage/store.h"
#include "templates/mails.h"
#include "templates/message_writer.h"

namespace schoolmail {

// The job name of the class list's done markers, and the kind of its mail.
inline constexpr char kClassListJob[] = "class_list";

struct ClassListMail {
  std::string class_name;
  std::string teacher_id;
  OutgoingAddress to;  // the class teacher's first address
  ClassListFacts facts;
};

// Pure: the lists owed on `day` at `now` (which decides missing against
// not yet due) for `classes_in_distance` (in that order), from every
// stored submission, the assignments, the roster and the illness periods,
// worded with `context` (language, time zone). Classes without a class
// teacher with an address are not in the result.
std::vector<ClassListMail> ClassListsFor(
    const Date& day, std::int64_t now,
    const std::vector<SubmissionRow>& submissions,
    const std::vector<Assignment>& assignments, const Roster& roster,
    const std::vector<Illness>& illnesses,
    const std::vector<std::string>& classes_in_distance,
    const MailContext& context);

struct ClassListReport {
  bool ran = false;     // false: not a school day, too early, done already
  std::string skipped;  // why it did not run, for the cycle's summary
  int classes = 0;      // classes in distance mode today
  int no_teacher = 0;   // of them without a class teacher with an address
  int queued = 0;       // mails queued now
  int already = 0;      // classes whose list was queued by an earlier run
  int failed = 0;       // mails that could not be written (logged)
};

// Runs the class teacher's list for `now` when it is due (see above).
Result<ClassListReport> RunClassList(Store& store, const MailContext& context,
                                     std::int64_t now);

}  // namespace schoolmail
