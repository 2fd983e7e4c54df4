#include "daemon/crash_point.h"

#include <cstdlib>
#include <string>
#include <string_view>

namespace schoolmail {

void CrashPoint(const char* step) {
  static const char* spec = std::getenv("SCHOOLMAIL_TEST_CRASH_AT");
  static int count = 0;
  if (spec == nullptr) return;
  std::string_view text(spec);
  size_t colon = text.find(':');
  if (text.substr(0, colon) != step) return;
  int wanted = colon == std::string_view::npos
                   ? 1
                   : std::atoi(std::string(text.substr(colon + 1)).c_str());
  if (++count == wanted) std::_Exit(137);
}

void CrashIfPoisoned(std::string_view message) {
  static const char* poison = std::getenv("SCHOOLMAIL_TEST_POISON");
  if (poison == nullptr || *poison == '\0') return;
  if (message.find(poison) != std::string_view::npos) std::_Exit(137);
}

}  // namespace schoolmail
