// The morning mail: on each school day (IsSchoolDay: a school week day and
// no holiday), from schedule.morning_mail school time on, one mail to every
// pupil of every class in distance mode that day: the day's online lessons
// (the stored timetable), the assignments due that day and on the next
// school day (those already set), the deadline, and where to hand each in.
//
// Exactly once per pupil per day: the dedup key "morning:<pupil id>:<day>"
// makes a second queueing a no-op, and a done marker for the day (job
// "morning") makes every later cycle of the day one lookup. Not capped (it
// answers nobody); Auto-Submitted: auto-generated. A class put into distance
// mode for today after the morning run gets its mail on the next cycle
// (`distance start` forgets the day's marker; the others' keys hold). After
// the school deadline (school.deadline) the day's morning mail is not sent
// any more: a daemon started in the evening does not wish good morning.
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

// The job name of the morning mail's done markers.
inline constexpr char kMorningJob[] = "morning";

struct MorningMail {
  std::string pupil_id;
  std::vector<OutgoingAddress> to;  // every address of the pupil
  MorningFacts facts;
};

// A day with its week day, in the set's language: "понедельник,
// 30.11.2026" / "Monday, 2026-11-30".
std::string DayLocal(const Date& day, const MailContext& context);

// Pure: the online lessons of `class_name` on `day` from the stored
// timetable (parsers/timetable.h: LessonsOn), as mail lines; holidays are
// the caller's to skip.
std::vector<LessonLine> LessonLinesOn(
    const std::vector<TimetableEntry>& timetable,
    const std::string& class_name, const Date& day);

// Pure: the morning mail owed on `day` to the pupils of `classes` (in class
// and pupil id order), from the roster, the timetable and the assignments,
// worded with `context` (language, time zone, deadline, school days).
std::vector<MorningMail> MorningMailFor(
    const Date& day, const std::vector<std::string>& classes,
    const Roster& roster, const std::vector<TimetableEntry>& timetable,
    const std::vector<Assignment>& assignments, const MailContext& context);

struct MorningReport {
  bool ran = false;     // false: not a school day, too early, done already
  std::string skipped;  // why it did not run, for the cycle's summary
  int classes = 0;      // classes in distance mode today
  int queued = 0;       // mails queued now
  int already = 0;      // pupils whose mail was queued by an earlier run
  int failed = 0;       // mails that could not be written (logged)
};

// Runs the morning mail for `now` when it is due (see above).
Result<MorningReport> RunMorningMail(Store& store, const MailContext& context,
                                     std::int64_t now);

}  // namespace schoolmail
