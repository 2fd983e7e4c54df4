#include "config/address.h"

#include <cstring>

#include "config/text.h"

namespace schoolmail {
namespace {

bool IsAtext(unsigned char c) {
  if (c >= 0x80) return true;  // UTF-8 local parts (RFC 6531)
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
      (c >= '0' && c <= '9')) {
    return true;
  }
  return c != 0 && std::strchr("!#$%&'*+-/=?^_`{|}~", c) != nullptr;
}

bool IsDotAtom(std::string_view text) {
  if (text.empty() || text.front() == '.' || text.back() == '.') return false;
  char previous = 0;
  for (char c : text) {
    if (c == '.') {
      if (previous == '.') return false;
    } else if (!IsAtext(static_cast<unsigned char>(c))) {
      return false;
    }
    previous = c;
  }
  return true;
}

bool IsDomainLabel(std::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  for (char ch : label) {
    unsigned char c = static_cast<unsigned char>(ch);
    bool ok = c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> NormalizeAddress(std::string_view text) {
  text = Trim(text);
  size_t at = text.rfind('@');
  if (at == std::string_view::npos || text.size() > 254) return std::nullopt;
  std::string_view local = text.substr(0, at);
  std::string_view domain = text.substr(at + 1);
  if (local.size() > 64 || !IsDotAtom(local)) return std::nullopt;
  if (!IsValidUtf8(text)) return std::nullopt;
  size_t labels = 0;
  size_t start = 0;
  while (true) {
    size_t dot = domain.find('.', start);
    std::string_view label = domain.substr(
        start, dot == std::string_view::npos ? std::string_view::npos
                                             : dot - start);
    if (!IsDomainLabel(label)) return std::nullopt;
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (labels < 2) return std::nullopt;
  return LowerUtf8Cyrillic(text);
}

}  // namespace schoolmail
