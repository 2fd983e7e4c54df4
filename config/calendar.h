// Calendar values shared by every module: time of day, dates, date ranges.
// Pure: parsing and formatting only, no clock.
#pragma once

#include <date/date.h>

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace schoolmail {

using Date = date::year_month_day;
using Weekday = date::weekday;

// Minutes after local midnight, 00:00..23:59.
struct TimeOfDay {
  int minutes = 0;
  auto operator<=>(const TimeOfDay&) const = default;
  std::string ToString() const;  // "HH:MM"
};

// Inclusive range of dates; a single day has first == last.
struct DateRange {
  Date first;
  Date last;
  bool Contains(const Date& day) const { return first <= day && day <= last; }
  bool operator==(const DateRange&) const = default;
};

// "18:00", "7:30" -> TimeOfDay; nullopt on anything else.
std::optional<TimeOfDay> ParseTimeOfDay(std::string_view text);

// "2026-11-30" or "30.11.2026" -> Date; nullopt unless a real calendar day.
std::optional<Date> ParseDate(std::string_view text);

// "2026-12-31" or "2026-12-29..2027-01-08" -> DateRange (first <= last).
std::optional<DateRange> ParseDateRange(std::string_view text);

// "mon".."sun", English or Russian ("пн".."вс"), any case.
std::optional<Weekday> ParseWeekday(std::string_view text);

// "YYYY-MM-DD".
std::string FormatDate(const Date& day);

}  // namespace schoolmail
