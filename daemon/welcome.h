// Mail when distance mode starts: the welcome mail to pupils and parents
// of the classes (the regime, the online timetable, the recommended
// platforms, each subject teacher's address, the class teacher, the
// hotline), and the teachers' briefing (where their sorted queue is, how to
// grade by replying, how to tag an assignment mail, what pupils and parents
// receive and when), also sent on demand (`schoolmail brief teachers`).
//
// Exactly once per person and period start: the dedup keys are
// "welcome:<first day>:<person id>" and "briefing:<first day>:<teacher
// id>". A parent with children in several starting classes gets one mail
// naming them all. A briefing on demand is keyed by the time it was asked
// for ("briefing:<now>:<teacher id>"), so asking again sends again.
// Neither is capped: they answer nobody. Queued here, sent by the daemon's
// next cycle.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "config/settings.h"
#include "daemon/outgoing.h"
#include "storage/store.h"
#include "templates/mails.h"

namespace schoolmail {

struct WelcomeMail {
  std::string person_id;
  std::vector<OutgoingAddress> to;  // every address of the person
  WelcomeFacts facts;
};

// Pure: the welcome mails for `periods` (the classes starting), from the
// roster and the stored timetable. Pupils and parents without an address
// get none.
std::vector<WelcomeMail> WelcomeMailsFor(
    const std::vector<DistancePeriod>& periods, const Roster& roster,
    const std::vector<TimetableEntry>& timetable, const MailContext& context);

struct BriefingMail {
  std::string teacher_id;
  std::vector<OutgoingAddress> to;
  BriefingFacts facts;
};

// Pure: the briefing of every teacher of `classes` (all teachers when
// empty) who has an address.
std::vector<BriefingMail> BriefingsFor(const std::vector<std::string>& classes,
                                       const Roster& roster,
                                       const MailContext& context);

// After `distance start`: queues the welcome mails of the periods of
// `classes` that start on `first`, and the briefings of their teachers.
// Prints what was queued to `out`; returns 0, or 1 on an error (printed to
// `err`).
int QueueDistanceStartMail(Store& store, const Settings& settings,
                           const std::vector<std::string>& classes,
                           const Date& first, std::int64_t now,
                           std::ostream& out, std::ostream& err);

// `schoolmail brief teachers [--classes 7А,7Б]`.
int BriefTeachersCommand(Store& store, const Settings& settings,
                         const std::vector<std::string>& classes,
                         std::int64_t now, std::ostream& out,
                         std::ostream& err);

}  // namespace schoolmail
