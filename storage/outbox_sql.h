// The outbox and receipt queries of the SQLite store, private to storage/.
// Each function runs inside the caller's try block (SqliteError) and, where
// it changes state, inside its own transaction.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/sqlite.h"
#include "storage/store.h"

namespace schoolmail::outbox_sql {

std::vector<PendingReceipt> ListPendingReceipts(sqlite::Database& db,
                                                int limit);
int DropReceiptsTo(sqlite::Database& db, const std::string& address,
                   const std::string& reason, std::int64_t at);
void DropReceipt(sqlite::Database& db, std::int64_t submission_id,
                 const std::string& reason, std::int64_t at);
EnqueueResult Enqueue(sqlite::Database& db, const OutboxMail& mail,
                      std::int64_t now, int cap);
std::vector<OutboxEntry> ClaimDue(sqlite::Database& db, std::int64_t now,
                                  int limit);
void RecordAttempt(sqlite::Database& db, std::int64_t id,
                   const std::vector<RecipientOutcome>& outcomes,
                   const std::string& reply, std::int64_t now,
                   std::int64_t next_attempt_at);
std::vector<OutboxEntry> ListOutbox(sqlite::Database& db, bool all);
bool RetryOutbox(sqlite::Database& db, std::int64_t id, std::int64_t now);
std::vector<OutboxEntry> TakeUnreportedFailures(sqlite::Database& db);
int CountSuppressed(sqlite::Database& db, std::int64_t since);
bool AutomaticCapReached(sqlite::Database& db, const std::string& address,
                         std::int64_t now, int cap);

}  // namespace schoolmail::outbox_sql
