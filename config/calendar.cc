#include "config/calendar.h"

#include <array>
#include <cctype>
#include <cstdio>

#include "config/text.h"

namespace schoolmail {
namespace {

// Parses 1..max_digits decimal digits; nullopt on anything else.
std::optional<int> ParseNumber(std::string_view text, size_t max_digits) {
  if (text.empty() || text.size() > max_digits) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::optional<Date> MakeDate(std::optional<int> y, std::optional<int> m,
                             std::optional<int> d) {
  if (!y || !m || !d) return std::nullopt;
  Date day{date::year{*y}, date::month{static_cast<unsigned>(*m)},
           date::day{static_cast<unsigned>(*d)}};
  if (!day.ok()) return std::nullopt;
  return day;
}

}  // namespace

std::string TimeOfDay::ToString() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60, minutes % 60);
  return buf;
}

std::optional<TimeOfDay> ParseTimeOfDay(std::string_view text) {
  text = Trim(text);
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto hours = ParseNumber(text.substr(0, colon), 2);
  std::string_view minutes_text = text.substr(colon + 1);
  if (minutes_text.size() != 2) return std::nullopt;
  auto minutes = ParseNumber(minutes_text, 2);
  if (!hours || !minutes || *hours > 23 || *minutes > 59) return std::nullopt;
  return TimeOfDay{*hours * 60 + *minutes};
}

std::optional<Date> ParseDate(std::string_view text) {
  text = Trim(text);
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    return MakeDate(ParseNumber(text.substr(0, 4), 4),
                    ParseNumber(text.substr(5, 2), 2),
                    ParseNumber(text.substr(8, 2), 2));
  }
  if (text.size() == 10 && text[2] == '.' && text[5] == '.') {
    return MakeDate(ParseNumber(text.substr(6, 4), 4),
                    ParseNumber(text.substr(3, 2), 2),
                    ParseNumber(text.substr(0, 2), 2));
  }
  return std::nullopt;
}

std::optional<DateRange> ParseDateRange(std::string_view text) {
  text = Trim(text);
  size_t dots = text.find("..");
  if (dots == std::string_view::npos) {
    auto day = ParseDate(text);
    if (!day) return std::nullopt;
    return DateRange{*day, *day};
  }
  auto first = ParseDate(text.substr(0, dots));
  auto last = ParseDate(text.substr(dots + 2));
  if (!first || !last || *last < *first) return std::nullopt;
  return DateRange{*first, *last};
}

std::optional<Weekday> ParseWeekday(std::string_view text) {
  static const std::array<std::array<std::string_view, 3>, 7> kNames = {{
      {"sun", "вс", "sunday"},
      {"mon", "пн", "monday"},
      {"tue", "вт", "tuesday"},
      {"wed", "ср", "wednesday"},
      {"thu", "чт", "thursday"},
      {"fri", "пт", "friday"},
      {"sat", "сб", "saturday"},
  }};
  std::string lowered = LowerUtf8Cyrillic(Trim(text));
  for (unsigned i = 0; i < kNames.size(); ++i) {
    for (std::string_view name : kNames[i]) {
      if (lowered == name) return Weekday{i};
    }
  }
  return std::nullopt;
}

std::string FormatDate(const Date& day) { return date::format("%F", day); }

}  // namespace schoolmail
