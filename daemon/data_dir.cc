#include "daemon/data_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace schoolmail {
namespace {

// Creates the data folder (owner only) when it does not exist yet.
Status EnsureDataDir(const std::string& data_dir) {
  std::error_code error;
  if (std::filesystem::exists(data_dir, error)) return Status::Ok();
  std::filesystem::create_directories(data_dir, error);
  if (error) {
    return Status::Error("cannot create data folder " + data_dir + ": " +
                             error.message(),
                         Scope::kProcess);
  }
  ::chmod(data_dir.c_str(), 0700);
  return Status::Ok();
}

}  // namespace

std::string DatabasePath(const std::string& data_dir) {
  return data_dir + "/schoolmail.db";
}

Result<std::unique_ptr<Store>> OpenDataStore(const Settings& settings) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::path dir(settings.data_dir);
  Status made = EnsureDataDir(settings.data_dir);
  if (!made.ok()) return made;
  fs::path archive = dir / "archive";
  bool archive_has_mail =
      fs::is_directory(archive, error) && !fs::is_empty(archive, error);
  StoreOptions options;
  options.must_exist = archive_has_mail;
  return OpenSqliteStore(DatabasePath(settings.data_dir), options);
}

Result<std::unique_ptr<DataDirLock>> DataDirLock::Acquire(
    const std::string& data_dir) {
  Status made = EnsureDataDir(data_dir);
  if (!made.ok()) return made;
  std::string path = data_dir + "/lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::Error("cannot open " + path + ": " + std::strerror(errno),
                         Scope::kProcess);
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Status::Error("another schoolmail is already running on " +
                             data_dir + " (" + path + " is locked)",
                         Scope::kProcess);
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) (void)!::write(fd, pid.data(), pid.size());
  return std::unique_ptr<DataDirLock>(new DataDirLock(fd));
}

DataDirLock::~DataDirLock() { ::close(fd_); }

}  // namespace schoolmail
