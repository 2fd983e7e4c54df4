// A fresh folder under $TMPDIR (or /tmp), removed with everything in it.
#pragma once

#include <string>

namespace schoolmail::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Writes `content` to path()/name with `mode`; returns the full path.
  std::string Write(const std::string& name, const std::string& content,
                    unsigned mode = 0600) const;

 private:
  std::string path_;
};

// The whole file at `path`; throws std::runtime_error when unreadable.
std::string ReadFile(const std::string& path);

}  // namespace schoolmail::testing
