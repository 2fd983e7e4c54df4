// The control report's queries of the SQLite store (lesson plan rows of a
// period, the delivery log), private to storage/. Each function runs inside
// the caller's try block (SqliteError); none changes state.
#pragma once

#include <vector>

#include "storage/sqlite.h"
#include "storage/store.h"

namespace schoolmail::report_sql {

std::vector<PlannedLesson> ListPlannedLessons(sqlite::Database& db,
                                              const Date& first,
                                              const Date& last);
std::vector<DeliveryRow> ListDeliveries(sqlite::Database& db,
                                        const DeliveryFilter& filter);

}  // namespace schoolmail::report_sql
