// The lesson plan, timetable, distance period, announcement and job queries
// of the SQLite store, private to storage/. Each function runs inside the
// caller's try block (SqliteError) and, where it changes state, inside its
// own transaction; bad input (an unknown class, an overlapping period)
// comes back as a Status and changes nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/sqlite.h"
#include "storage/store.h"

namespace schoolmail::teaching_sql {

Result<PlanImportSummary> ImportPlan(sqlite::Database& db,
                                     const std::vector<PlanItem>& items,
                                     std::int64_t now);

Status ReplaceTimetable(sqlite::Database& db,
                        const std::vector<TimetableEntry>& entries);
std::vector<TimetableEntry> LoadTimetable(sqlite::Database& db);
// Every assignment, by due day and code.
std::vector<Assignment> LoadAssignments(sqlite::Database& db);

Status StartDistance(sqlite::Database& db,
                     const std::vector<std::string>& classes, const Date& first,
                     const std::optional<Date>& last,
                     const std::string& order_text, std::int64_t at);
Result<int> StopDistance(sqlite::Database& db,
                         const std::vector<std::string>& classes,
                         const Date& from);
std::vector<std::string> ClassesInDistance(sqlite::Database& db,
                                           const Date& day);
std::vector<DistancePeriod> ListDistancePeriods(sqlite::Database& db);

Result<std::string> AddAssignmentToAnnounce(
    sqlite::Database& db, const Assignment& assignment,
    const std::string& source, const std::vector<StoredFile>& files,
    std::int64_t created_at);
std::vector<PendingAnnouncement> ListPendingAnnouncements(sqlite::Database& db,
                                                          const Date& set_by);
Status MarkAnnounced(sqlite::Database& db, const std::string& code, bool mailed,
                     int pupils, std::int64_t at);

bool IsJobDone(sqlite::Database& db, const std::string& job, const Date& day);
void MarkJobDone(sqlite::Database& db, const std::string& job, const Date& day,
                 std::int64_t at);
void ForgetJob(sqlite::Database& db, const std::string& job, const Date& day);

}  // namespace schoolmail::teaching_sql
