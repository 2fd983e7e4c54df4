// The data folder: the database and (from the intake issue on) the raw mail
// archive. Creates the folder on first use, readable by its owner only.
#pragma once

#include <memory>
#include <string>

#include "config/settings.h"
#include "config/status.h"
#include "storage/store.h"

namespace schoolmail {

// Path of the database inside `data_dir`.
std::string DatabasePath(const std::string& data_dir);

// Opens the store in settings.data_dir, creating folder and database when
// neither exists yet. Refuses to create a new database next to an existing
// archive (RELIABILITY case 3).
Result<std::unique_ptr<Store>> OpenDataStore(const Settings& settings);

// Holds <data_dir>/lock (flock) for the life of the object: a second daemon
// on the same data folder is refused (RELIABILITY case 4).
class DataDirLock {
 public:
  static Result<std::unique_ptr<DataDirLock>> Acquire(const std::string& data_dir);
  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace schoolmail
