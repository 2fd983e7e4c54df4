// School time: deadlines, the school calendar, and on time or late. Pure
// functions of their arguments (the time zone database is read-only data).
//
// The boundary: work is on time when the server received it at or before
// the deadline second. With the default 18:00, 18:00:00 is on time and
// 18:00:01 is late. Received times are IMAP INTERNALDATEs, whole seconds.
#pragma once

#include <cstdint>
#include <string>

#include "config/calendar.h"
#include "config/settings.h"
#include "config/status.h"

namespace schoolmail {

using UnixSeconds = std::int64_t;

// The instant of `deadline` on `due_day` in time zone `zone`. On a
// daylight-saving change a deadline that falls in the skipped hour moves to
// the first instant after the gap; one that falls in the repeated hour
// takes the later of the two instants (the pupil gets the extra hour).
// An unknown zone is an error.
Result<UnixSeconds> DeadlineFor(const Date& due_day, TimeOfDay deadline,
                                const std::string& zone);

enum class Timeliness { kOnTime, kLate };

// kOnTime when `received` <= `deadline`.
Timeliness JudgeTimeliness(UnixSeconds received, UnixSeconds deadline);

// The calendar day of `instant` in `zone` (for "today" in school time).
Result<Date> LocalDay(UnixSeconds instant, const std::string& zone);

// "2026-11-30 18:00" style local time of `instant` in `zone`, for mail.
Result<std::string> FormatLocal(UnixSeconds instant, const std::string& zone);

// A school day: one of school.school_days and in no holiday range.
// The same moment formatted for people: "30.11.2026 17:59:59" (`format`
// is a strftime-like pattern of the date library, e.g. "%d.%m.%Y %H:%M").
Result<std::string> FormatLocalAs(UnixSeconds instant, const std::string& zone,
                                  const std::string& format);

// The school zone's offset from UTC at `instant`, in minutes (+180 for
// Moscow), for the Date header of outgoing mail.
Result<int> UtcOffsetMinutes(UnixSeconds instant, const std::string& zone);

bool IsSchoolDay(const Date& day, const SchoolSettings& school);

// The first school day after `day` (looks at most a year ahead; returns
// day + 1 when there is none, which a config with no school days means).
Date NextSchoolDay(const Date& day, const SchoolSettings& school);

// The last school day before `day` (looks at most a year back; returns
// day - 1 when there is none).
Date PreviousSchoolDay(const Date& day, const SchoolSettings& school);

}  // namespace schoolmail
