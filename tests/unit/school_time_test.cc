#include <doctest/doctest.h>

#include "daemon/rules/school_time.h"

namespace schoolmail {
namespace {

UnixSeconds Utc(int y, unsigned m, unsigned d, int hh, int mm, int ss) {
  auto day = date::sys_days{date::year{y} / date::month{m} / date::day{d}};
  return static_cast<UnixSeconds>(
      (day + std::chrono::hours{hh} + std::chrono::minutes{mm} +
       std::chrono::seconds{ss})
          .time_since_epoch()
          .count());
}

Date Day(int y, unsigned m, unsigned d) {
  return Date{date::year{y}, date::month{m}, date::day{d}};
}

TEST_CASE("18:00:00 school time is on time, 18:00:01 is late") {
  // Moscow is UTC+3 all year.
  auto deadline = DeadlineFor(Day(2026, 11, 30), TimeOfDay{18 * 60},
                              "Europe/Moscow");
  REQUIRE(deadline.ok());
  CHECK(*deadline == Utc(2026, 11, 30, 15, 0, 0));
  CHECK(JudgeTimeliness(Utc(2026, 11, 30, 14, 59, 59), *deadline) ==
        Timeliness::kOnTime);
  CHECK(JudgeTimeliness(Utc(2026, 11, 30, 15, 0, 0), *deadline) ==
        Timeliness::kOnTime);
  CHECK(JudgeTimeliness(Utc(2026, 11, 30, 15, 0, 1), *deadline) ==
        Timeliness::kLate);
}

TEST_CASE("deadlines are right on both sides of a daylight-saving change") {
  // Berlin: CET (UTC+1) until 2026-03-29 02:00, then CEST (UTC+2).
  CHECK(*DeadlineFor(Day(2026, 3, 28), TimeOfDay{18 * 60}, "Europe/Berlin") ==
        Utc(2026, 3, 28, 17, 0, 0));
  CHECK(*DeadlineFor(Day(2026, 3, 29), TimeOfDay{18 * 60}, "Europe/Berlin") ==
        Utc(2026, 3, 29, 16, 0, 0));
  // Back to CET on 2026-10-25 at 03:00.
  CHECK(*DeadlineFor(Day(2026, 10, 25), TimeOfDay{18 * 60}, "Europe/Berlin") ==
        Utc(2026, 10, 25, 17, 0, 0));
  // A deadline inside the skipped hour moves to the end of the gap...
  CHECK(*DeadlineFor(Day(2026, 3, 29), TimeOfDay{2 * 60 + 30},
                     "Europe/Berlin") == Utc(2026, 3, 29, 1, 0, 0));
  // ...and one in the repeated hour takes the later instant.
  CHECK(*DeadlineFor(Day(2026, 10, 25), TimeOfDay{2 * 60 + 30},
                     "Europe/Berlin") == Utc(2026, 10, 25, 1, 30, 0));
}

TEST_CASE("local day and formatting follow the zone") {
  CHECK(*LocalDay(Utc(2026, 11, 30, 21, 30, 0), "Europe/Moscow") ==
        Day(2026, 12, 1));
  CHECK(*FormatLocal(Utc(2026, 11, 30, 14, 59, 59), "Europe/Moscow") ==
        "2026-11-30 17:59:59");
  CHECK_FALSE(DeadlineFor(Day(2026, 1, 1), TimeOfDay{0}, "Mars/Olympus").ok());
  CHECK(*FormatLocalAs(Utc(2026, 11, 30, 14, 59, 59), "Europe/Moscow",
                       "%d.%m.%Y %H:%M") == "30.11.2026 17:59");
}

TEST_CASE("the UTC offset for the Date header follows DST") {
  CHECK(*UtcOffsetMinutes(Utc(2026, 11, 30, 12, 0, 0), "Europe/Moscow") == 180);
  CHECK(*UtcOffsetMinutes(Utc(2026, 3, 29, 0, 59, 59), "Europe/Berlin") == 60);
  CHECK(*UtcOffsetMinutes(Utc(2026, 3, 29, 1, 0, 0), "Europe/Berlin") == 120);
  CHECK(*UtcOffsetMinutes(Utc(2026, 11, 30, 12, 0, 0), "America/St_Johns") == -210);
  CHECK_FALSE(UtcOffsetMinutes(0, "Mars/Olympus").ok());
}

TEST_CASE("school days: weekdays, holidays, the next school day") {
  SchoolSettings school;
  school.school_days = {date::Monday, date::Tuesday, date::Wednesday,
                        date::Thursday, date::Friday};
  school.holidays = {{Day(2026, 12, 31), Day(2027, 1, 8)}};
  CHECK(IsSchoolDay(Day(2026, 11, 30), school));        // Monday
  CHECK_FALSE(IsSchoolDay(Day(2026, 11, 28), school));  // Saturday
  CHECK_FALSE(IsSchoolDay(Day(2027, 1, 4), school));    // holiday Monday
  CHECK(NextSchoolDay(Day(2026, 11, 27), school) == Day(2026, 11, 30));
  CHECK(NextSchoolDay(Day(2026, 12, 30), school) == Day(2027, 1, 11));
}

}  // namespace
}  // namespace schoolmail
