#include "config/school.h"

namespace schoolmail {

std::string PersonName::Full() const {
  std::string out = last + " " + first;
  if (!middle.empty()) out += " " + middle;
  return out;
}

}  // namespace schoolmail
