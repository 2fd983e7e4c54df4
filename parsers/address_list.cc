#include "parsers/address_list.h"

#include "config/address.h"
#include "config/text.h"
#include "parsers/encoded_words.h"

namespace schoolmail {
namespace {

// One mailbox's text, split into what sits outside <>, inside <>, and in
// comments.
struct MailboxText {
  std::string phrase;   // outside angle brackets, quotes removed
  std::string angle;    // inside angle brackets
  std::string comment;  // the first comment's text
  bool has_angle = false;
};

MailAddress Finish(const MailboxText& m) {
  MailAddress result;
  std::string spec;
  if (m.has_angle) {
    spec = std::string(Trim(m.angle));
    size_t colon = spec.find(':');  // obsolete route "@a,@b:addr"
    if (!spec.empty() && spec.front() == '@' && colon != std::string::npos) {
      spec = spec.substr(colon + 1);
    }
    result.name = DecodeHeaderText(m.phrase);
  } else {
    // No angle brackets: the phrase is the address; a comment is the name.
    std::string phrase(Trim(m.phrase));
    std::string compact;
    for (char c : phrase) {
      if (c != ' ' && c != '\t') compact.push_back(c);
    }
    spec = compact;
    result.name = DecodeHeaderText(m.comment);
  }
  auto normalized = NormalizeAddress(spec);
  result.valid = normalized.has_value();
  result.address = normalized ? *normalized : DecodeHeaderText(spec);
  // Collapse runs of blanks in the name.
  std::string name;
  for (char c : result.name) {
    if (c == ' ' && (name.empty() || name.back() == ' ')) continue;
    name.push_back(c);
  }
  result.name = std::string(Trim(name));
  return result;
}

}  // namespace

std::vector<MailAddress> ParseAddressList(std::string_view value) {
  std::vector<MailAddress> out;
  MailboxText current;
  auto emit = [&] {
    if (!Trim(current.phrase).empty() || current.has_angle) {
      out.push_back(Finish(current));
    }
    current = MailboxText{};
  };
  size_t i = 0;
  while (i < value.size()) {
    char c = value[i];
    if (c == '"') {
      ++i;
      while (i < value.size() && value[i] != '"') {
        if (value[i] == '\\' && i + 1 < value.size()) ++i;
        current.phrase.push_back(value[i]);
        ++i;
      }
      ++i;  // closing quote (or end)
      continue;
    }
    if (c == '(') {
      int depth = 1;
      std::string text;
      ++i;
      while (i < value.size() && depth > 0) {
        if (value[i] == '\\' && i + 1 < value.size()) {
          text.push_back(value[i + 1]);
          i += 2;
          continue;
        }
        if (value[i] == '(') ++depth;
        if (value[i] == ')' && --depth == 0) break;
        text.push_back(value[i]);
        ++i;
      }
      ++i;
      if (current.comment.empty()) current.comment = text;
      current.phrase.push_back(' ');
      continue;
    }
    if (c == '<') {
      size_t close = value.find('>', i + 1);
      if (close == std::string_view::npos) close = value.size();
      current.angle = std::string(value.substr(i + 1, close - i - 1));
      current.has_angle = true;
      i = close + 1;
      continue;
    }
    if (c == ',') {
      emit();
      ++i;
      continue;
    }
    if (c == ':' && !current.has_angle) {
      // A group name ends here; its members follow. "a:b@c" without spaces
      // is not a group in practice, but an address cannot hold ':' either.
      current = MailboxText{};
      ++i;
      continue;
    }
    if (c == ';') {
      emit();
      ++i;
      continue;
    }
    current.phrase.push_back(c == '\t' || c == '\r' || c == '\n' ? ' ' : c);
    ++i;
  }
  emit();
  return out;
}

std::vector<std::string> ParseMessageIds(std::string_view value) {
  std::vector<std::string> ids;
  size_t i = 0;
  while (true) {
    size_t open = value.find('<', i);
    if (open == std::string_view::npos) break;
    size_t close = value.find('>', open + 1);
    if (close == std::string_view::npos) break;
    std::string id(Trim(value.substr(open + 1, close - open - 1)));
    if (!id.empty()) ids.push_back(id);
    i = close + 1;
  }
  if (ids.empty()) {
    std::string_view bare = Trim(value);
    if (!bare.empty() && bare.find_first_of(" \t<>") == std::string_view::npos) {
      ids.emplace_back(bare);
    }
  }
  return ids;
}

}  // namespace schoolmail
