// The roster file: classes, pupils, parents and teachers in one CSV.
// The format is documented in README.md ("Roster file"); an example is
// scripts/sample-school/roster.csv. Pure: bytes in, values out.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/school.h"

namespace schoolmail {

struct RosterProblem {
  int line = 0;  // line in the file; 0 for problems of the whole file
  std::string message;
};

struct RosterParse {
  Roster roster;  // what the file says; apply only when problems is empty
  std::vector<RosterProblem> problems;  // one per bad row, in file order
};

// Parses a roster file as read from disk: UTF-8 with or without BOM, or
// windows-1251; ';' or ',' separated. `stored` is the roster already in the
// store: a row may name a class or pupil defined there, and an address may
// not belong to a stored person the file does not mention.
RosterParse ParseRoster(std::string_view bytes, const Roster& stored);

}  // namespace schoolmail
