// Setting the school up: `schoolmail import roster|plan|timetable FILE`,
// `schoolmail roster`, `schoolmail distance start|stop|list`.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "config/school.h"
#include "config/settings.h"
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

// Reads a lesson plan FILE, checks it and every row against the stored
// roster (known class, a teacher of that subject in that class) and stores
// all rows with their assignments in one transaction, or nothing. Problems
// go to `err` as FILE:LINE: text. `new_token` makes the Message-IDs of the
// new assignments' mail. Returns the exit status.
int ImportPlanFile(Store& store, const Settings& settings,
                   const std::function<std::string()>& new_token,
                   const std::string& path, std::int64_t now,
                   std::ostream& out, std::ostream& err);

// Reads a timetable FILE, checks it and its classes against the stored
// roster and replaces the stored timetable with it, or changes nothing.
int ImportTimetableFile(Store& store, const std::string& path,
                        std::ostream& out, std::ostream& err);

// Class names as the command line gives them: "7А,7Б" or "7А 7Б".
std::vector<std::string> ClassList(const std::string& text);

// `distance start`: `classes` ("7А,7Б") into distance mode from `first` to
// `last` (nullopt: until stopped). Today's morning mail is run again for
// them when the period starts today or earlier (`today`).
int StartDistanceCommand(Store& store, const std::string& classes,
                         const Date& first, const std::optional<Date>& last,
                         const std::string& order_text, const Date& today,
                         std::int64_t now, std::ostream& out,
                         std::ostream& err);
// `distance stop`: `classes` back at school from `from` on.
int StopDistanceCommand(Store& store, const std::string& classes,
                        const Date& from, std::ostream& out, std::ostream& err);
// `distance list`.
int PrintDistancePeriods(Store& store, const Date& today, std::ostream& out,
                         std::ostream& err);

}  // namespace schoolmail
