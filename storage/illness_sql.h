// The illness queries of the SQLite store, private to storage/. Each
// function runs inside the caller's try block (SqliteError); InsertIllness
// runs inside the caller's transaction. Bad input comes back as a Status
// before anything is written.
#pragma once

#include <cstdint>
#include <vector>

#include "storage/sqlite.h"
#include "storage/store.h"

namespace schoolmail::illness_sql {

// REQUIRES: inside a transaction.
Result<std::int64_t> InsertIllness(sqlite::Database& db,
                                   const Illness& illness);

std::vector<Illness> ListIllnesses(sqlite::Database& db, const Date& from,
                                   const Date& to);

}  // namespace schoolmail::illness_sql
