#include "daemon/rules/school_time.h"

#include <date/tz.h>

#include <algorithm>

namespace schoolmail {
namespace {

Result<const date::time_zone*> Zone(const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception& e) {
    return Status::Error("unknown time zone \"" + name + "\"",
                         Scope::kProcess);
  }
}

}  // namespace

Result<UnixSeconds> DeadlineFor(const Date& due_day, TimeOfDay deadline,
                                const std::string& zone) {
  auto tz = Zone(zone);
  if (!tz) return tz.status();
  auto local = date::local_days{due_day} + std::chrono::minutes(deadline.minutes);
  auto info = (*tz)->get_info(local);
  std::chrono::sys_seconds instant;
  switch (info.result) {
    case date::local_info::unique:
      instant = std::chrono::sys_seconds{local.time_since_epoch()} -
                info.first.offset;
      break;
    case date::local_info::nonexistent:
      // The skipped hour: the first instant after the gap.
      instant = info.second.begin;
      break;
    case date::local_info::ambiguous:
      // The repeated hour: the later instant, in the pupil's favour.
      instant = std::chrono::sys_seconds{local.time_since_epoch()} -
                info.second.offset;
      break;
  }
  return static_cast<UnixSeconds>(instant.time_since_epoch().count());
}

Timeliness JudgeTimeliness(UnixSeconds received, UnixSeconds deadline) {
  return received <= deadline ? Timeliness::kOnTime : Timeliness::kLate;
}

Result<Date> LocalDay(UnixSeconds instant, const std::string& zone) {
  auto tz = Zone(zone);
  if (!tz) return tz.status();
  auto local = (*tz)->to_local(std::chrono::sys_seconds{std::chrono::seconds{instant}});
  return Date{date::floor<date::days>(local)};
}

Result<std::string> FormatLocal(UnixSeconds instant, const std::string& zone) {
  return FormatLocalAs(instant, zone, "%Y-%m-%d %H:%M:%S");
}

Result<std::string> FormatLocalAs(UnixSeconds instant, const std::string& zone,
                                  const std::string& format) {
  auto tz = Zone(zone);
  if (!tz) return tz.status();
  auto local = (*tz)->to_local(std::chrono::sys_seconds{std::chrono::seconds{instant}});
  return date::format(format, local);
}

Result<int> UtcOffsetMinutes(UnixSeconds instant, const std::string& zone) {
  auto tz = Zone(zone);
  if (!tz) return tz.status();
  auto info = (*tz)->get_info(std::chrono::sys_seconds{std::chrono::seconds{instant}});
  return static_cast<int>(info.offset.count() / 60);
}

bool IsSchoolDay(const Date& day, const SchoolSettings& school) {
  Weekday weekday{date::sys_days{day}};
  if (std::find(school.school_days.begin(), school.school_days.end(),
                weekday) == school.school_days.end()) {
    return false;
  }
  for (const DateRange& holiday : school.holidays) {
    if (holiday.Contains(day)) return false;
  }
  return true;
}

Date NextSchoolDay(const Date& day, const SchoolSettings& school) {
  date::sys_days next = date::sys_days{day} + date::days{1};
  for (int i = 0; i < 366; ++i, next += date::days{1}) {
    if (IsSchoolDay(Date{next}, school)) return Date{next};
  }
  return Date{date::sys_days{day} + date::days{1}};
}

Date PreviousSchoolDay(const Date& day, const SchoolSettings& school) {
  date::sys_days previous = date::sys_days{day} - date::days{1};
  for (int i = 0; i < 366; ++i, previous -= date::days{1}) {
    if (IsSchoolDay(Date{previous}, school)) return Date{previous};
  }
  return Date{date::sys_days{day} - date::days{1}};
}

}  // namespace schoolmail
