// `schoolmail ill`: recording a pupil as ill from the command line and
// listing the records. Each returns the exit status: 0 done, 1 refused or
// failed (the reason on `err`, naming the problem), 2 bad arguments.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "config/settings.h"
#include "storage/store.h"

namespace schoolmail {

struct IllRequest {
  std::string class_name;  // "" any class; set: the pupil must be in it
  std::string pupil;  // roster id, or "Фамилия Имя" (ё/е, any case)
  std::string from;   // YYYY-MM-DD or DD.MM.YYYY; "" today
  std::string to;     // the same; "" the first day
};

// Records the pupil ill from `from` to `to` (source "cli").
int IllCommand(Store& store, const Settings& settings,
               const IllRequest& request, std::int64_t now, std::ostream& out,
               std::ostream& err);

// One line per period overlapping [from, to] (both "" today) of pupils of
// `class_name` ("" any): number, pupil, class, days, source, who, when.
int PrintIllnesses(Store& store, const Settings& settings,
                   const std::string& class_name, const std::string& from,
                   const std::string& to, std::int64_t now, std::ostream& out,
                   std::ostream& err);

}  // namespace schoolmail
