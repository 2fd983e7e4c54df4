#include "daemon/data_dir.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace schoolmail {

std::string DatabasePath(const std::string& data_dir) {
  return data_dir + "/schoolmail.db";
}

Result<std::unique_ptr<Store>> OpenDataStore(const Settings& settings) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::path dir(settings.data_dir);
  if (!fs::exists(dir, error)) {
    fs::create_directories(dir, error);
    if (error) {
      return Status::Error("cannot create data folder " + dir.string() + ": " +
                               error.message(),
                           Scope::kProcess);
    }
    ::chmod(dir.c_str(), 0700);
  }
  fs::path archive = dir / "archive";
  bool archive_has_mail =
      fs::is_directory(archive, error) && !fs::is_empty(archive, error);
  StoreOptions options;
  options.must_exist = archive_has_mail;
  return OpenSqliteStore(DatabasePath(settings.data_dir), options);
}

}  // namespace schoolmail
