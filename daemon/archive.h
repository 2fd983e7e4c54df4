// The raw mail archive: every processed message, byte for byte, under
// <data_dir>/archive/<aa>/<sha256>.eml, named by the SHA-256 of its bytes.
// Written to a temporary file, fsynced, renamed, and the folder fsynced,
// before the database commit that refers to it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/status.h"

namespace schoolmail {

enum class Durability {
  kNow,    // fsync the file and its folder before returning
  kBatch,  // the caller calls SyncArchive before the commit that refers to
           // it; the file's writeback starts at once
};

// Stores `bytes`; returns the path relative to `data_dir`
// ("archive/3f/3f2a...eml"). Storing the same bytes again is a no-op.
// Disk full or I/O errors come back as Scope::kProcess, Retry::kLater.
Result<std::string> ArchiveMessage(const std::string& data_dir,
                                   std::string_view bytes,
                                   Durability durability = Durability::kNow);
// The same, when the caller already has the SHA-256 (hex) of `bytes`.
Result<std::string> ArchiveMessage(const std::string& data_dir,
                                   std::string_view bytes,
                                   const std::string& sha256,
                                   Durability durability);

// Makes everything written to the file system holding `data_dir` durable
// (syncfs): one call for a whole batch of kBatch messages.
Status SyncArchive(const std::string& data_dir);

// After SyncArchive: drops these archived files (paths relative to
// `data_dir`) from the page cache. The archive is written once and rarely
// read; without this a large intake pushes the mail server's and the
// database's pages out, and each new file takes fresh memory pages.
// Best effort: a file that cannot be opened is skipped.
void ReleaseArchived(const std::string& data_dir,
                     const std::vector<std::string>& paths);

}  // namespace schoolmail
