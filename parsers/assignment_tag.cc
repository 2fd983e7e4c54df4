#include "parsers/assignment_tag.h"

#include <array>

#include "config/text.h"
#include "parsers/plan.h"

namespace schoolmail {
namespace {

constexpr std::array<std::string_view, 2> kTagWords = {"#задание",
                                                       "#assignment"};
constexpr std::array<std::string_view, 4> kDueWords = {"до", "к", "due", "by"};
constexpr std::array<std::string_view, 2> kAtWords = {"в", "at"};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

template <size_t N>
bool IsOneOf(std::string_view word,
             const std::array<std::string_view, N>& words) {
  for (std::string_view w : words) {
    if (word == w) return true;
  }
  return false;
}

// Valid UTF-8 on one line: control characters and no-break spaces become
// blanks, runs of blanks one blank, no blanks at either end.
std::string OneLine(std::string_view subject) {
  std::string valid = ToValidUtf8(subject);
  std::string spaced;
  spaced.reserve(valid.size());
  for (size_t i = 0; i < valid.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(valid[i]);
    if (c == 0xC2 && i + 1 < valid.size() &&
        static_cast<unsigned char>(valid[i + 1]) == 0xA0) {
      spaced.push_back(' ');
      ++i;
    } else if (c < 0x20 || c == 0x7F) {
      spaced.push_back(' ');
    } else {
      spaced.push_back(static_cast<char>(c));
    }
  }
  return CollapseBlanks(spaced);
}

// 1..max_digits decimal digits.
std::optional<int> Number(std::string_view text, size_t max_digits) {
  if (text.empty() || text.size() > max_digits) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (!IsDigit(c)) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::optional<Date> MakeDate(int year, int month, int day) {
  Date date{date::year{year}, date::month{static_cast<unsigned>(month)},
            date::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return std::nullopt;
  return date;
}

// "30.11" (the first such day on or after `set_day`), "30.11.2026",
// "30.11.26", "2026-11-30"; a trailing '.' is allowed after the day forms.
std::optional<Date> ParseDueDate(std::string_view text, const Date& set_day) {
  if (auto full = ParseDate(text)) return full;
  if (text.ends_with('.')) text.remove_suffix(1);
  size_t first = text.find('.');
  if (first == text.npos) return std::nullopt;
  size_t second = text.find('.', first + 1);
  auto day = Number(text.substr(0, first), 2);
  auto month = Number(text.substr(first + 1, second - first - 1), 2);
  if (!day || !month || *month < 1 || *month > 12) return std::nullopt;
  if (second != text.npos) {
    std::string_view year_text = text.substr(second + 1);
    auto year = Number(year_text, 4);
    if (!year || (year_text.size() != 2 && year_text.size() != 4)) {
      return std::nullopt;
    }
    return MakeDate(year_text.size() == 2 ? 2000 + *year : *year, *month, *day);
  }
  int year = static_cast<int>(set_day.year());
  auto due = MakeDate(year, *month, *day);
  if (!due || *due < set_day) due = MakeDate(year + 1, *month, *day);
  return due;
}

// Reads the subject left to right; `pos` is a byte offset into `text` and
// `lower`, which have the same length (lower-casing keeps byte lengths).
class TagReader {
 public:
  TagReader(std::string_view text, std::string_view lower, size_t pos)
      : text_(text), lower_(lower), pos_(pos) {}

  bool AtEnd() const { return pos_ >= text_.size(); }
  bool AtColon() const { return !AtEnd() && text_[pos_] == ':'; }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  size_t pos() const { return pos_; }
  void set_pos(size_t pos) { pos_ = pos; }

  void SkipBlank() {
    while (!AtEnd() && text_[pos_] == ' ') ++pos_;
  }

  // The word at pos (up to a blank or ':'), consumed; its lower-case form
  // in `lower`.
  std::string_view Word(std::string_view* lower = nullptr) {
    size_t start = pos_;
    while (!AtEnd() && text_[pos_] != ' ' && text_[pos_] != ':') ++pos_;
    if (lower) *lower = lower_.substr(start, pos_ - start);
    return text_.substr(start, pos_ - start);
  }

  // The word at pos without consuming it.
  std::string_view PeekWord(std::string_view* lower = nullptr) {
    size_t start = pos_;
    std::string_view word = Word(lower);
    pos_ = start;
    return word;
  }

  // A run of digits, ':' and '.' (a time, perhaps followed by the title's
  // ':'), consumed except for a final ':'.
  std::string_view TimeRun() {
    size_t start = pos_;
    while (!AtEnd() &&
           (IsDigit(text_[pos_]) || text_[pos_] == ':' || text_[pos_] == '.')) {
      ++pos_;
    }
    if (pos_ - start > 1 && text_[pos_ - 1] == ':') --pos_;
    return text_.substr(start, pos_ - start);
  }

  // Everything up to the next ':' (or the end), consumed, trimmed.
  std::string_view UpToColon() {
    size_t start = pos_;
    while (!AtEnd() && text_[pos_] != ':') ++pos_;
    return Trim(text_.substr(start, pos_ - start));
  }

  std::string_view Rest() const {
    return AtEnd() ? std::string_view() : text_.substr(pos_);
  }

 private:
  std::string_view text_;
  std::string_view lower_;
  size_t pos_;
};

bool HasDigit(std::string_view word) {
  for (char c : word) {
    if (IsDigit(c)) return true;
  }
  return false;
}

// One letter: an ASCII letter or a two-byte Cyrillic one.
bool IsOneLetter(std::string_view word) {
  if (word.size() == 1) {
    char c = word[0];
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  }
  if (word.size() != 2) return false;
  unsigned char lead = static_cast<unsigned char>(word[0]);
  return lead == 0xD0 || lead == 0xD1;
}

}  // namespace

std::string_view TagProblemName(TagProblem problem) {
  switch (problem) {
    case TagProblem::kNoClass:
      return "no_class";
    case TagProblem::kNoSubject:
      return "no_subject";
    case TagProblem::kBadDate:
      return "bad_date";
    case TagProblem::kDueInPast:
      return "due_in_past";
    case TagProblem::kNoTitle:
      return "no_title";
    case TagProblem::kBadTime:
      return "bad_time";
  }
  return "unknown";
}

TagParse ParseAssignmentTag(std::string_view subject, const Date& set_day) {
  TagParse result;
  std::string text = OneLine(subject);
  std::string lower = LowerUtf8Cyrillic(text);
  size_t tag_end = 0;
  for (std::string_view word : kTagWords) {
    if (lower.starts_with(word) &&
        (lower.size() == word.size() || lower[word.size()] == ' ' ||
         lower[word.size()] == ':')) {
      tag_end = word.size();
    }
  }
  if (tag_end == 0) return result;
  result.is_tag = true;
  auto problem = [&](TagProblem p, std::string_view detail) {
    result.problems.push_back({p, std::string(detail)});
  };

  TagReader reader(text, lower, tag_end);
  AssignmentTag tag;
  std::vector<std::string> subject_words;
  reader.SkipBlank();
  if (reader.AtEnd() || reader.AtColon()) {
    problem(TagProblem::kNoClass, "");
  } else {
    std::string_view word = reader.Word();
    if (!HasDigit(word)) {
      problem(TagProblem::kNoClass, word);
      subject_words.emplace_back(word);  // "#задание Алгебра: ..."
    } else {
      tag.class_name = word;
      size_t after_class = reader.pos();
      reader.SkipBlank();
      std::string_view lower_letter;
      std::string_view letter = reader.PeekWord(&lower_letter);
      bool digits_only = word.find_first_not_of("0123456789") == word.npos;
      if (digits_only && IsOneLetter(letter) &&
          !IsOneOf(lower_letter, kDueWords)) {
        reader.Word();
        tag.class_name += letter;  // "7 А"
      } else {
        reader.set_pos(after_class);
      }
    }
  }

  bool has_due = false;
  while (true) {
    reader.SkipBlank();
    if (reader.AtEnd() || reader.AtColon()) break;
    std::string_view lower_word;
    std::string_view word = reader.Word(&lower_word);
    if (IsOneOf(lower_word, kDueWords)) {
      has_due = true;
      break;
    }
    subject_words.emplace_back(word);
  }
  tag.subject = Join(subject_words, " ");
  if (tag.subject.empty()) problem(TagProblem::kNoSubject, "");

  if (has_due) {
    size_t due_start = reader.pos();
    size_t problems_before_due = result.problems.size();
    reader.SkipBlank();
    std::string_view date_text = reader.Word();
    std::optional<Date> due = ParseDueDate(date_text, set_day);
    if (!due) {
      problem(TagProblem::kBadDate, date_text);
    } else if (*due < set_day) {
      problem(TagProblem::kDueInPast, date_text);
    } else {
      tag.due_day = *due;
    }
    reader.SkipBlank();
    std::string_view lower_word;
    std::string_view at_word = reader.PeekWord(&lower_word);
    bool has_at = !at_word.empty() && IsOneOf(lower_word, kAtWords);
    if (has_at) {
      reader.Word();
      reader.SkipBlank();
    }
    if (IsDigit(reader.Peek()) || has_at) {
      std::string_view time_text =
          IsDigit(reader.Peek()) ? reader.TimeRun() : reader.Word();
      std::string time(time_text);
      for (char& c : time) {
        if (c == '.') c = ':';
      }
      tag.due_time = ParseTimeOfDay(time);
      if (!tag.due_time) problem(TagProblem::kBadTime, time_text);
    }
    reader.SkipBlank();
    if (!reader.AtEnd() && !reader.AtColon()) {
      // Words after the date: a due part we cannot read, or, with no ':'
      // at all, a title whose ':' was forgotten.
      size_t leftover_start = reader.pos();
      std::string_view leftover = reader.UpToColon();
      if (reader.AtColon()) {
        // One problem for the whole due part instead of one per piece.
        result.problems.resize(problems_before_due);
        reader.set_pos(due_start);
        problem(TagProblem::kBadDate, reader.UpToColon());
      } else {
        problem(TagProblem::kNoTitle, leftover);
        reader.set_pos(leftover_start);
      }
    }
  } else {
    tag.due_day = date::sys_days(set_day) + date::days{1};
  }

  if (reader.AtColon()) {
    reader.set_pos(reader.pos() + 1);
    tag.title = Trim(reader.Rest());
    if (tag.title.empty()) problem(TagProblem::kNoTitle, "");
  } else if (reader.AtEnd()) {
    problem(TagProblem::kNoTitle, "");
  }
  if (result.problems.empty()) result.tag = std::move(tag);
  return result;
}

}  // namespace schoolmail
