#include "parsers/grade_line.h"

#include <array>
#include <vector>

#include "config/text.h"

namespace schoolmail {
namespace {

// A reply's own text longer than this is cut (at a character boundary) in
// the comment; a grade comment is a few lines.
constexpr std::size_t kCommentBytes = 10000;

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == text.size()) break;
    start = end + 1;
  }
  return lines;
}

std::string_view TrimRight(std::string_view text) {
  while (!text.empty() &&
         (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

bool Contains(std::string_view text, std::string_view needle) {
  return text.find(needle) != std::string_view::npos;
}

// A line with Unicode blanks as ' ' and Unicode dashes as '-', lower-cased
// (ё as е) beside it, and where each byte came from in the original line.
struct Line {
  std::string_view original;
  std::string text;  // normalised, original case
  std::string low;   // normalised, lower case, ё -> е; same length as text
  std::vector<std::size_t> from;  // text[i] came from original[from[i]]

  explicit Line(std::string_view line) : original(line) {
    for (std::size_t i = 0; i < line.size();) {
      const auto b = [&](std::size_t k) {
        return i + k < line.size() ? static_cast<unsigned char>(line[i + k])
                                   : 0u;
      };
      char replacement = 0;
      std::size_t width = 1;
      if (b(0) == '\t') {
        replacement = ' ';
      } else if (b(0) == 0xC2 && b(1) == 0xA0) {  // NO-BREAK SPACE
        replacement = ' ', width = 2;
      } else if (b(0) == 0xE2 && b(1) == 0x80 &&
                 ((b(2) >= 0x80 && b(2) <= 0x8A) || b(2) == 0xAF)) {
        replacement = ' ', width = 3;  // en/em/thin/narrow spaces
      } else if (b(0) == 0xE2 && b(1) == 0x80 && b(2) >= 0x90 && b(2) <= 0x95) {
        replacement = '-', width = 3;  // hyphens, en and em dash
      } else if (b(0) == 0xE2 && b(1) == 0x88 && b(2) == 0x92) {
        replacement = '-', width = 3;  // MINUS SIGN
      }
      if (replacement != 0) {
        text += replacement;
        from.push_back(i);
        i += width;
      } else {
        text += line[i];
        from.push_back(i);
        ++i;
      }
    }
    low = LowerUtf8Cyrillic(text);
    for (std::size_t i = 0; i + 1 < low.size(); ++i) {
      if (low[i] == '\xD1' && low[i + 1] == '\x91') {  // ё -> е
        low[i] = '\xD0';
        low[i + 1] = '\xB5';
      }
    }
  }

  // The original text from normalised position `at` on.
  std::string_view OriginalFrom(std::size_t at) const {
    return at >= from.size() ? std::string_view() : original.substr(from[at]);
  }
};

bool IsLetterOrDigitAt(std::string_view low, std::size_t at) {
  if (at >= low.size()) return false;
  const unsigned char c = static_cast<unsigned char>(low[at]);
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
      (c >= '0' && c <= '9')) {
    return true;
  }
  return c == 0xD0 || c == 0xD1;  // Cyrillic letters
}

// `word` at `at`, not followed by a letter or digit.
bool WordAt(std::string_view low, std::size_t at, std::string_view word) {
  return low.substr(at, word.size()) == word &&
         !IsLetterOrDigitAt(low, at + word.size());
}

std::size_t SkipBlanks(std::string_view low, std::size_t at) {
  while (at < low.size() && low[at] == ' ') ++at;
  return at;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

struct PassFailWord {
  std::string_view word;  // lower case, ё written as е
  bool pass;
};
constexpr std::array<PassFailWord, 12> kPassFail = {{
    {"не зачтено", false},
    {"незачтено", false},
    {"не зачет", false},
    {"незачет", false},
    {"не зачтена", false},
    {"зачтено", true},
    {"зачет", true},
    {"passed", true},
    {"pass", true},
    {"failed", false},
    {"fail", false},
    {"зачтена", true},
}};

struct NumberWord {
  std::string_view word;
  int value;
};
constexpr std::array<NumberWord, 9> kNumberWords = {{
    {"неудовлетворительно", 2},
    {"удовлетворительно", 3},
    {"отлично", 5},
    {"хорошо", 4},
    {"пять", 5},
    {"четыре", 4},
    {"три", 3},
    {"два", 2},
    {"единица", 1},
}};

enum class ValueParse { kNone, kValue, kBad };
enum class Form { kDigits, kFraction, kPassFail, kWord };

struct ParsedValue {
  ValueParse outcome = ValueParse::kNone;
  Form form = Form::kDigits;
  std::string value;    // kValue
  std::string problem;  // kBad
  std::size_t end = 0;  // just after what was read (kValue, kBad)
};

// A grade value at `at` of a lower-cased line: digits, a fraction, a
// pass/fail word or a grade word, checked against the scale.
ParsedValue ParseValueAt(std::string_view low, std::size_t at,
                         const GradeScale& scale) {
  ParsedValue v;
  auto bad = [&](const std::string& written, const std::string& why) {
    v.outcome = ValueParse::kBad;
    v.problem = "\"" + written + "\": " + why;
    return v;
  };
  auto on_scale = [&](long number, const std::string& written) {
    if (scale.pass_fail) {
      return bad(written, "the scale is pass-fail (зачёт/незачёт)");
    }
    if (number < scale.low || number > scale.high) {
      return bad(written, "outside the scale " + GradeScaleText(scale));
    }
    v.outcome = ValueParse::kValue;
    v.value = std::to_string(number);
    return v;
  };
  const std::string whole_only =
      "the scale " + GradeScaleText(scale) + " has whole grades only";
  if (at < low.size() && IsDigit(low[at])) {
    std::size_t end = at;
    while (end < low.size() && IsDigit(low[end])) ++end;
    if (end - at > 3) return {};  // a year, a phone number: not a grade
    const std::string digits(low.substr(at, end - at));
    const long number = std::stol(digits);
    v.end = end;
    // "4+", "5-", "4.5", "4,5".
    if (end < low.size() && (low[end] == '+' || low[end] == '-') &&
        !(end + 1 < low.size() && IsDigit(low[end + 1]))) {
      v.end = end + 1;
      return bad(digits + low[end], whole_only);
    }
    if (end + 1 < low.size() && (low[end] == '.' || low[end] == ',') &&
        IsDigit(low[end + 1])) {
      std::size_t stop = end + 1;
      while (stop < low.size() && IsDigit(low[stop])) ++stop;
      v.end = stop;
      return bad(std::string(low.substr(at, stop - at)), whole_only);
    }
    if (IsLetterOrDigitAt(low, end)) return {};  // "5ка", "5th"
    // "5/5", "5 / 5", "5 из 5", "5 out of 5".
    std::size_t after = SkipBlanks(low, end);
    std::size_t over = std::string_view::npos;
    if (after < low.size() && low[after] == '/') {
      over = SkipBlanks(low, after + 1);
    } else if (WordAt(low, after, "из")) {
      over = SkipBlanks(low, after + std::string_view("из").size());
    } else if (low.substr(after, 7) == "out of ") {
      over = SkipBlanks(low, after + 7);
    }
    if (over != std::string_view::npos && over < low.size() &&
        IsDigit(low[over])) {
      std::size_t over_end = over;
      while (over_end < low.size() && IsDigit(low[over_end])) ++over_end;
      if (IsLetterOrDigitAt(low, over_end) || over_end - over > 3) return {};
      const std::string written(low.substr(at, over_end - at));
      const long maximum =
          std::stol(std::string(low.substr(over, over_end - over)));
      v.form = Form::kFraction;
      v.end = over_end;
      if (scale.pass_fail) {
        return bad(written, "the scale is pass-fail (зачёт/незачёт)");
      }
      if (maximum != scale.high) {
        return bad(written, "a grade out of " + std::to_string(maximum) +
                                " is not on the scale " +
                                GradeScaleText(scale) + " (write it out of " +
                                std::to_string(scale.high) + ")");
      }
      return on_scale(number, written);
    }
    return on_scale(number, digits);
  }
  for (const PassFailWord& w : kPassFail) {
    if (!WordAt(low, at, w.word)) continue;
    v.form = Form::kPassFail;
    v.end = at + w.word.size();
    if (!scale.pass_fail) {
      return bad(std::string(w.word),
                 "the scale is " + GradeScaleText(scale) + ", not pass-fail");
    }
    v.outcome = ValueParse::kValue;
    v.value = w.pass ? "pass" : "fail";
    return v;
  }
  for (const NumberWord& w : kNumberWords) {
    if (!WordAt(low, at, w.word)) continue;
    v.form = Form::kWord;
    v.end = at + w.word.size();
    return on_scale(w.value, std::string(w.word));
  }
  return {};
}

constexpr std::array<std::string_view, 7> kKeywords = {
    "оценка", "отметка", "баллы", "балл", "grade", "mark", "score"};

struct LineGrade {
  ValueParse outcome = ValueParse::kNone;
  std::string value;
  std::string problem;
  std::string rest;  // the line after the value, original text, trimmed
};

std::string_view TrimDecoration(std::string_view text) {
  auto is_decoration = [](char c) {
    return c == ' ' || c == '*' || c == '_' || c == '\t';
  };
  while (!text.empty() && is_decoration(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_decoration(text.back())) text.remove_suffix(1);
  return text;
}

// The grade a line holds, if any.
LineGrade GradeOfLine(std::string_view original, const GradeScale& scale) {
  const Line line(original);
  const std::string_view low = line.low;
  std::size_t at = 0;
  while (at < low.size() &&
         (low[at] == ' ' || low[at] == '*' || low[at] == '_')) {
    ++at;
  }
  LineGrade out;
  for (std::string_view keyword : kKeywords) {
    if (!WordAt(low, at, keyword)) continue;
    std::size_t p = at + keyword.size();
    // "Оценка за ДЗ-1: 5", "Grade for the essay: 5".
    std::size_t q = SkipBlanks(low, p);
    if (WordAt(low, q, "за") || WordAt(low, q, "for")) {
      std::size_t colon = low.find(':', q);
      if (colon == std::string_view::npos || colon - q > 60) return out;
      p = colon;
    }
    bool colon = false;
    while (p < low.size() &&
           (low[p] == ' ' || low[p] == ':' || low[p] == '-' || low[p] == '=' ||
            low[p] == '*' || low[p] == '"' || low[p] == '\'')) {
      colon = colon || low[p] == ':' || low[p] == '=';
      ++p;
    }
    // Guillemets around the value: «5».
    if (low.substr(p, 2) == "\xC2\xAB") p += 2;
    ParsedValue value = ParseValueAt(low, p, scale);
    if (value.outcome == ValueParse::kNone) {
      if (colon) {
        out.outcome = ValueParse::kBad;
        out.problem = "no grade the scale " + GradeScaleText(scale) +
                      " knows after \"" + std::string(keyword) + "\"";
      }
      return out;
    }
    out.outcome = value.outcome;
    out.value = value.value;
    out.problem = value.problem;
    if (value.outcome == ValueParse::kValue) {
      std::size_t rest = value.end;
      if (low.substr(rest, 2) == "\xC2\xBB") rest += 2;  // »
      while (rest < low.size() &&
             (low[rest] == ' ' || low[rest] == '.' || low[rest] == ',' ||
              low[rest] == ';' || low[rest] == '!' || low[rest] == '-' ||
              low[rest] == ':' || low[rest] == '"' || low[rest] == '\'')) {
        ++rest;
      }
      out.rest =
          std::string(TrimDecoration(TrimRight(line.OriginalFrom(rest))));
    }
    return out;
  }
  // Without the word, only "5/5", "5 из 5" or a pass/fail word, alone on
  // its line; a grade word alone ("Отлично!") is praise, not a grade.
  ParsedValue value = ParseValueAt(low, at, scale);
  if (value.outcome == ValueParse::kNone ||
      (value.form != Form::kFraction && value.form != Form::kPassFail)) {
    return out;
  }
  std::size_t end = value.end;
  while (end < low.size() &&
         (low[end] == ' ' || low[end] == '.' || low[end] == '!' ||
          low[end] == '*' || low[end] == '_')) {
    ++end;
  }
  if (end != low.size()) return out;
  out.outcome = value.outcome;
  out.value = value.value;
  out.problem = value.problem;
  return out;
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// "-----Original Message-----", "-------- Пересылаемое сообщение --------",
// a line of underscores (Outlook), "Begin forwarded message:".
bool IsSeparator(std::string_view low) {
  if (StartsWith(low, "--")) {
    for (std::string_view words :
         {"original message", "исходное сообщение", "пересылаемое сообщение",
          "forwarded message", "переслано", "перенаправленное сообщение"}) {
      if (Contains(low, words)) return true;
    }
  }
  if (StartsWith(low, "begin forwarded message")) return true;
  if (low.size() >= 10 &&
      low.find_first_not_of('_') == std::string_view::npos) {
    return true;
  }
  return false;
}

// Outlook's quoted header block: "From:" / "От:" and, on the next line,
// "Sent:", "Date:", "To:" or their Russian names.
bool IsHeaderBlock(std::string_view low, std::string_view next_low) {
  if (!StartsWith(low, "from:") && !StartsWith(low, "от:")) return false;
  for (std::string_view field : {"sent:", "date:", "to:", "subject:",
                                 "отправлено:", "дата:", "кому:", "тема:"}) {
    if (StartsWith(next_low, field)) return true;
  }
  return false;
}

// "On Mon, 30 Nov 2026 at 17:00, Петя <p@x.ru> wrote:", "30.11.2026 17:00,
// Петя Иванов пишет:", "пн, 30 нояб. 2026 г. в 17:00, Петя <p@x.ru>:".
bool IsAttribution(std::string_view low) {
  if (low.empty() || low.back() != ':') return false;
  for (std::string_view verb :
       {"wrote", "writes", "написал", "пишет", "schrieb", "a écrit"}) {
    if (Contains(low, verb)) return true;
  }
  return Contains(low, "@");
}

// "Sent from my iPhone", "Отправлено из мобильной Почты Mail.ru".
bool IsDeviceSignature(std::string_view low) {
  for (std::string_view prefix :
       {"sent from my ", "отправлено из ", "отправлено с ", "отправлено через ",
        "get outlook for ", "скачайте outlook"}) {
    if (StartsWith(low, prefix)) return true;
  }
  return false;
}

std::string LowLine(std::string_view line) {
  return std::string(Trim(Line(line).low));
}

// The lines of the reply's own text: above the quote, before the
// signature, without device signatures.
std::vector<std::string_view> OwnLines(std::string_view text) {
  std::vector<std::string_view> lines = SplitLines(text);
  std::size_t end = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string low = LowLine(lines[i]);
    const std::string next_low =
        i + 1 < lines.size() ? LowLine(lines[i + 1]) : std::string();
    if (StartsWith(low, ">") || IsSeparator(low) ||
        IsHeaderBlock(low, next_low)) {
      end = i;
      break;
    }
    if (IsAttribution(low)) {
      end = i;
      // Gmail wraps a long attribution: "On ... Петя Иванов <" / "p@x.ru>
      // wrote:".
      if (i > 0) {
        const std::string previous = LowLine(lines[i - 1]);
        const bool open_bracket =
            previous.rfind('<') != std::string::npos &&
            previous.rfind('<') > (previous.rfind('>') == std::string::npos
                                       ? 0
                                       : previous.rfind('>'));
        if (StartsWith(previous, "on ") || open_bracket) end = i - 1;
      }
      break;
    }
  }
  std::vector<std::string_view> own;
  for (std::size_t i = 0; i < end; ++i) {
    std::string_view line = TrimRight(lines[i]);
    if (line == "--") break;  // "-- " before trimming: the signature
    if (IsDeviceSignature(LowLine(line))) continue;
    own.push_back(line);
  }
  return own;
}

// Lines joined with LF: at most one blank line in a row, none at the ends,
// cut at `limit` bytes on a character boundary.
std::string JoinTidy(const std::vector<std::string>& lines,
                     std::size_t limit = kCommentBytes) {
  std::string out;
  bool blank_pending = false;
  for (const std::string& line : lines) {
    if (Trim(line).empty()) {
      blank_pending = !out.empty();
      continue;
    }
    if (!out.empty()) out += blank_pending ? "\n\n" : "\n";
    blank_pending = false;
    out += line;
  }
  if (out.size() > limit) {
    std::size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) {
      --cut;
    }
    out.resize(cut);
    out += "…";
  }
  return ToValidUtf8(out);
}

}  // namespace

std::string GradeScaleText(const GradeScale& scale) {
  if (scale.pass_fail) return "pass-fail";
  return std::to_string(scale.low) + "-" + std::to_string(scale.high);
}

std::string ReplyOwnText(std::string_view reply_text) {
  std::vector<std::string> lines;
  for (std::string_view line : OwnLines(reply_text)) lines.emplace_back(line);
  return JoinTidy(lines, std::string::npos);
}

GradeReading ReadGradeLine(std::string_view reply_text,
                           const GradeScale& scale) {
  const std::vector<std::string_view> own = OwnLines(reply_text);
  GradeReading reading;
  std::size_t grade_index = own.size();
  LineGrade grade;
  int non_blank = 0;
  for (std::size_t i = 0; i < own.size() && non_blank < kGradeLines; ++i) {
    if (Trim(own[i]).empty()) continue;
    ++non_blank;
    LineGrade found = GradeOfLine(own[i], scale);
    if (found.outcome == ValueParse::kNone) continue;
    if (found.outcome == ValueParse::kBad) {
      reading.kind = GradeReading::Kind::kProblem;
      reading.line = std::string(Trim(own[i]));
      reading.problem = found.problem;
      return reading;
    }
    if (grade_index == own.size()) {
      grade_index = i;
      grade = std::move(found);
    } else if (found.value != grade.value) {
      reading.kind = GradeReading::Kind::kProblem;
      reading.line = std::string(Trim(own[i]));
      reading.problem = "two different grades: \"" +
                        std::string(Trim(own[grade_index])) + "\" and \"" +
                        reading.line + "\"";
      return reading;
    }
  }
  if (grade_index == own.size()) return reading;
  reading.kind = GradeReading::Kind::kGrade;
  reading.value = grade.value;
  reading.line = std::string(Trim(own[grade_index]));
  std::vector<std::string> comment;
  for (std::size_t i = 0; i < own.size(); ++i) {
    if (i == grade_index) {
      if (!grade.rest.empty()) comment.push_back(grade.rest);
      continue;
    }
    comment.emplace_back(own[i]);
  }
  reading.comment = JoinTidy(comment);
  return reading;
}

Result<std::string> ParseGradeValue(std::string_view text,
                                    const GradeScale& scale) {
  const Line line(Trim(text));
  std::size_t at = 0;
  ParsedValue value = ParseValueAt(line.low, at, scale);
  if (value.outcome == ValueParse::kBad) return Status::Error(value.problem);
  std::size_t end = value.end;
  while (end < line.low.size() &&
         (line.low[end] == ' ' || line.low[end] == '.')) {
    ++end;
  }
  if (value.outcome == ValueParse::kNone || end != line.low.size()) {
    return Status::Error("\"" + std::string(Trim(text)) +
                         "\" is not a grade on the scale " +
                         GradeScaleText(scale) +
                         (scale.pass_fail ? " (write зачёт or незачёт)"
                                          : " (write a whole number)"));
  }
  return value.value;
}

std::string GradeValueText(std::string_view value, bool russian) {
  if (value == "pass") return russian ? "зачёт" : "pass";
  if (value == "fail") return russian ? "незачёт" : "fail";
  return std::string(value);
}

}  // namespace schoolmail

namespace schoolmail {

std::vector<std::string_view> ReplyOwnLines(std::string_view reply_text) {
  return OwnLines(reply_text);
}

}  // namespace schoolmail
