#include "daemon/archive.h"

#include "parsers/sha256.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace schoolmail {
namespace {

Status IoError(const std::string& what, const std::string& path) {
  return Status::Error(what + " " + path + ": " + std::strerror(errno),
                       Scope::kProcess, Retry::kLater);
}

Status MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) == 0 || errno == EEXIST) return Status::Ok();
  return IoError("cannot create", path);
}

Status SyncDir(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return IoError("cannot open", path);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return IoError("cannot sync", path);
  return Status::Ok();
}

}  // namespace

Status SyncArchive(const std::string& data_dir) {
  int fd = ::open(data_dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return IoError("cannot open", data_dir);
  int rc = ::syncfs(fd);
  ::close(fd);
  if (rc != 0) return IoError("cannot sync", data_dir);
  return Status::Ok();
}

void ReleaseArchived(const std::string& data_dir,
                     const std::vector<std::string>& paths) {
  for (const std::string& relative : paths) {
    int fd = ::open((data_dir + "/" + relative).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
  }
}

Result<std::string> ArchiveMessage(const std::string& data_dir,
                                   std::string_view bytes,
                                   Durability durability) {
  return ArchiveMessage(data_dir, bytes, Sha256Hex(bytes), durability);
}

Result<std::string> ArchiveMessage(const std::string& data_dir,
                                   std::string_view bytes,
                                   const std::string& hash,
                                   Durability durability) {
  std::string relative = "archive/" + hash.substr(0, 2) + "/" + hash + ".eml";
  std::string root = data_dir + "/archive";
  std::string folder = root + "/" + hash.substr(0, 2);
  std::string path = data_dir + "/" + relative;
  struct stat info;
  if (::stat(path.c_str(), &info) == 0 &&
      static_cast<size_t>(info.st_size) == bytes.size()) {
    return relative;  // content-addressed: the same bytes are already there
  }
  for (const std::string& dir : {data_dir, root, folder}) {
    Status made = MakeDir(dir);
    if (!made.ok()) return made;
  }
  std::string temporary = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                  0600);
  if (fd < 0) return IoError("cannot create", temporary);
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Status error = IoError("cannot write", temporary);
      ::close(fd);
      ::unlink(temporary.c_str());
      return error;
    }
    written += static_cast<size_t>(n);
  }
  if (durability == Durability::kBatch) {
    // Start writing it out now, so that SyncArchive mostly finds it done.
    // Only a hint: SyncArchive is what makes it durable.
    (void)::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
  }
  if (durability == Durability::kNow && ::fsync(fd) != 0) {
    Status error = IoError("cannot sync", temporary);
    ::close(fd);
    ::unlink(temporary.c_str());
    return error;
  }
  ::close(fd);
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    Status error = IoError("cannot rename", temporary);
    ::unlink(temporary.c_str());
    return error;
  }
  if (durability == Durability::kNow) {
    Status synced = SyncDir(folder);
    if (!synced.ok()) return synced;
  }
  return relative;
}

}  // namespace schoolmail
