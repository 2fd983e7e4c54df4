// The store: everything schoolmail remembers, behind one small interface.
//
// Every method that changes state runs as one transaction: it either
// happens completely or not at all. Errors come back as values; nothing
// throws across this border.
#pragma once

#include <memory>
#include <string>

#include "config/school.h"
#include "config/status.h"

namespace schoolmail {

// What an import changed, for the operator.
struct RosterImportSummary {
  int classes_added = 0;
  int people_added = 0;
  int people_updated = 0;
  int people_unchanged = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // The schema version this database is at (after migrations).
  virtual int SchemaVersion() = 0;

  // Everything in the roster, sorted: classes by name, people by id.
  virtual Result<Roster> LoadRoster() = 0;

  // Adds or updates the classes and people of `roster`, matched by class
  // name and person id; people the file does not mention are kept. One
  // transaction. REQUIRES: `roster` passed ParseRoster against LoadRoster().
  virtual Result<RosterImportSummary> ImportRoster(const Roster& roster) = 0;
};

struct StoreOptions {
  // Refuse to create a new database file (the daemon sets this when an
  // archive already exists: an empty database would answer old mail again).
  bool must_exist = false;
};

// The schema version this program writes.
int CurrentSchemaVersion();

// Opens (creating or migrating as needed) the SQLite database at `path`;
// ":memory:" gives a private in-memory store for tests. Refuses a database
// written by a newer schoolmail.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               StoreOptions options = {});

}  // namespace schoolmail
