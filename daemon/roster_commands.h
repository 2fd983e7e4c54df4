// `schoolmail import roster FILE` and `schoolmail roster`.
#pragma once

#include <ostream>
#include <string>

#include "config/school.h"
#include "config/status.h"
#include "storage/store.h"

namespace schoolmail {

// Reads FILE, checks every row against the stored roster, and imports all
// rows in one transaction, or none. Problems go to `err` as FILE:LINE: text.
// Returns the exit status.
int ImportRosterFile(Store& store, const std::string& path, std::ostream& out,
                     std::ostream& err);

// The roster as an operator reads it: classes with their pupils, parents,
// teachers.
void PrintRoster(const Roster& roster, std::ostream& out);

}  // namespace schoolmail
