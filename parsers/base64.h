// Base64 decoding that tolerates what mail does to it (line breaks, stray
// characters, missing padding) and streams: a part is decoded in chunks
// without holding all of it. Written here rather than taken from OpenSSL,
// libb64 or mimetic because all three decode at about 200 MB/s on this
// machine and this one at about 800 MB/s (bench/README.md); OpenSSL also
// stops at the first stray character, where mail wants best effort.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace schoolmail {

class Base64Decoder {
 public:
  // Appends the bytes encoded in `input` to `out`, carrying an incomplete
  // group of characters over to the next call. Characters outside the
  // alphabet are skipped; '=' ends the data (later input is ignored).
  void Decode(std::string_view input, std::string* out);

  // Bytes of a trailing incomplete group (2 or 3 characters), appended at
  // the end of input; a lone sixth of a byte is dropped.
  void Finish(std::string* out);

  // True when a character outside the alphabet or a misplaced '=' was seen.
  bool damaged() const { return damaged_; }

 private:
  unsigned accumulator_ = 0;
  int count_ = 0;  // characters in accumulator_
  bool ended_ = false;
  bool damaged_ = false;
};

}  // namespace schoolmail
