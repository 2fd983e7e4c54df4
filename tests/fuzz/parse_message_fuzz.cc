// libFuzzer target on the parse entry point (build with
// -DSCHOOLMAIL_FUZZ=ON and clang; see scripts/fuzz.sh). Small limits make
// the fuzzer reach every limit quickly; the defaults are tested elsewhere.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/text.h"
#include "parsers/mime_message.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  schoolmail::Limits limits;
  limits.message_bytes = 1 << 20;
  limits.header_bytes = 16 << 10;
  limits.line_bytes = 64 << 10;
  limits.mime_depth = 8;
  limits.mime_parts = 64;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  schoolmail::MimeParse parse = schoolmail::ParseMessage(bytes, limits);
  if (parse.message == std::nullopt && parse.rejection == std::nullopt) {
    __builtin_trap();  // the contract: exactly one of them
  }
  if (parse.message) {
    // Everything handed on must be valid UTF-8.
    const auto& m = *parse.message;
    if (!schoolmail::IsValidUtf8(m.text)) __builtin_trap();
    if (m.subject && !schoolmail::IsValidUtf8(*m.subject)) __builtin_trap();
    for (const auto& a : m.attachments) {
      if (!schoolmail::IsValidUtf8(a.name)) __builtin_trap();
    }
    for (const auto& f : m.from) {
      if (!schoolmail::IsValidUtf8(f.name) ||
          !schoolmail::IsValidUtf8(f.address)) {
        __builtin_trap();
      }
    }
  }
  return 0;
}
