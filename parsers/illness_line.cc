#include "parsers/illness_line.h"

#include <cstdint>

#include "config/text.h"
#include "parsers/grade_line.h"

namespace schoolmail {
namespace {

// Lower case with ё as е; the same length as `text` (both are two bytes).
std::string Low(std::string_view text) {
  std::string low = LowerUtf8Cyrillic(text);
  for (std::size_t at = 0; (at = low.find("ё", at)) != std::string::npos;) {
    low.replace(at, 2, "е");
  }
  return low;
}

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// After the keyword: where the name starts, or npos when the keyword is
// only the start of another word. `colon`: the keyword needs a colon.
std::size_t AfterKeyword(std::string_view low, std::size_t end, bool colon) {
  std::size_t at = end;
  while (at < low.size() && IsBlank(low[at])) ++at;
  if (at < low.size() && (low[at] == ':' || low[at] == '-')) {
    ++at;
  } else if (colon || at == end) {
    return std::string_view::npos;
  }
  while (at < low.size() && IsBlank(low[at])) ++at;
  return at;
}

// Where " до " / " until " (a separate word) last stands in `low` from
// `from` on, and its length; npos when nowhere.
std::pair<std::size_t, std::size_t> UntilWord(std::string_view low,
                                              std::size_t from) {
  std::pair<std::size_t, std::size_t> found{std::string_view::npos, 0};
  for (std::string_view word : {"до", "until"}) {
    for (std::size_t at = low.find(word, from); at != std::string_view::npos;
         at = low.find(word, at + 1)) {
      const bool before = at == from || IsBlank(low[at - 1]);
      const std::size_t end = at + word.size();
      const bool after = end == low.size() || IsBlank(low[end]);
      if (before && after &&
          (found.first == std::string_view::npos || at > found.first)) {
        found = {at, word.size()};
      }
    }
  }
  return found;
}

std::string_view TrimPunctuation(std::string_view text) {
  text = Trim(text);
  while (!text.empty() && (text.back() == '.' || text.back() == ',' ||
                           text.back() == ';' || text.back() == '!')) {
    text.remove_suffix(1);
    text = Trim(text);
  }
  return text;
}

// "05.12" (the next such day on or after today), "05.12.2026",
// "2026-12-05"; nullopt when not a calendar day.
std::optional<Date> DateOf(std::string_view text, const Date& today) {
  if (auto full = ParseDate(text)) return full;
  std::vector<std::string> parts = SplitList(text, ".");
  if (parts.size() != 2 || text.find("..") != std::string_view::npos) {
    return std::nullopt;
  }
  for (const std::string& part : parts) {
    if (part.empty() || part.size() > 2 ||
        part.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
  }
  const unsigned day = static_cast<unsigned>(std::stoi(parts[0]));
  const unsigned month = static_cast<unsigned>(std::stoi(parts[1]));
  for (int year = static_cast<int>(today.year());
       year <= static_cast<int>(today.year()) + 4; ++year) {
    Date candidate{date::year{year}, date::month{month}, date::day{day}};
    if (!candidate.ok()) {
      // 29.02 waits for a leap year; anything else is never a day.
      if (month == 2 && day == 29) continue;
      return std::nullopt;
    }
    if (candidate >= today) return candidate;
  }
  return std::nullopt;
}

}  // namespace

std::vector<IllnessLine> ReadIllnessLines(std::string_view text,
                                          const Date& today) {
  std::vector<IllnessLine> out;
  for (std::string_view raw : ReplyOwnLines(text)) {
    const std::string_view line = Trim(raw);
    const std::string low = Low(line);
    std::size_t name_at = std::string_view::npos;
    if (low.starts_with("болеет")) {
      name_at = AfterKeyword(low, std::string_view("болеет").size(), false);
    } else if (low.starts_with("ill")) {
      name_at = AfterKeyword(low, 3, true);
    }
    if (name_at == std::string_view::npos) continue;

    IllnessLine read;
    read.line = 1;
    for (const char* p = text.data(); p < raw.data(); ++p) {
      if (*p == '\n') ++read.line;
    }
    read.written = std::string(line);
    if (out.size() == static_cast<std::size_t>(kMaxIllnessLines)) {
      read.problem = "too_many";
      out.push_back(std::move(read));
      break;
    }
    auto [until, until_size] = UntilWord(low, name_at);
    std::string_view name = line.substr(name_at, until == std::string_view::npos
                                                     ? std::string_view::npos
                                                     : until - name_at);
    read.name = std::string(TrimPunctuation(name));
    if (until != std::string_view::npos) {
      const std::string_view written =
          TrimPunctuation(line.substr(until + until_size));
      read.detail = std::string(written);
      auto day = DateOf(written, today);
      if (!day) {
        read.problem = "bad_date";
      } else if (*day < today) {
        read.problem = "past_date";
      } else {
        read.last_day = day;
      }
    }
    if (read.problem.empty() && read.name.empty()) read.problem = "no_name";
    out.push_back(std::move(read));
  }
  return out;
}

std::string FoldedName(std::string_view name) {
  std::string out;
  for (const std::string& word : SplitList(Low(name), " \t\n")) {
    if (!out.empty()) out += ' ';
    out += word;
  }
  return out;
}

std::vector<const Pupil*> PupilsNamed(const std::vector<Pupil>& pupils,
                                      const std::string& class_name,
                                      std::string_view name) {
  const std::string wanted = FoldedName(name);
  std::vector<const Pupil*> out;
  if (wanted.empty()) return out;
  for (const Pupil& p : pupils) {
    if (!class_name.empty() && p.class_name != class_name) continue;
    const PersonName& n = p.name;
    if (wanted == FoldedName(n.last + " " + n.first) ||
        wanted == FoldedName(n.first + " " + n.last) ||
        (!n.middle.empty() && wanted == FoldedName(n.Full()))) {
      out.push_back(&p);
    }
  }
  return out;
}

}  // namespace schoolmail
