#include "parsers/base64.h"

#include <array>
#include <cstdint>

namespace schoolmail {
namespace {

constexpr std::array<std::int8_t, 256> MakeTable() {
  std::array<std::int8_t, 256> table{};
  for (auto& v : table) v = -1;
  const char* alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int i = 0; i < 64; ++i) {
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
  }
  return table;
}

constexpr std::array<std::int8_t, 256> kTable = MakeTable();

bool IsLineBreakOrSpace(unsigned char c) {
  return c == '\r' || c == '\n' || c == ' ' || c == '\t';
}

}  // namespace

void Base64Decoder::Decode(std::string_view input, std::string* out) {
  if (ended_) return;
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  size_t n = input.size();
  size_t old_size = out->size();
  out->resize(old_size + n / 4 * 3 + 3);
  auto* o = reinterpret_cast<unsigned char*>(out->data()) + old_size;
  size_t i = 0;
  while (i < n) {
    // Fast path: four alphabet characters in a row, no carried state.
    if (count_ == 0) {
      while (i + 4 <= n) {
        int a = kTable[in[i]], b = kTable[in[i + 1]], c = kTable[in[i + 2]],
            d = kTable[in[i + 3]];
        if ((a | b | c | d) < 0) break;
        unsigned v = (static_cast<unsigned>(a) << 18) |
                     (static_cast<unsigned>(b) << 12) |
                     (static_cast<unsigned>(c) << 6) | static_cast<unsigned>(d);
        o[0] = static_cast<unsigned char>(v >> 16);
        o[1] = static_cast<unsigned char>(v >> 8);
        o[2] = static_cast<unsigned char>(v);
        o += 3;
        i += 4;
      }
      if (i >= n) break;
    }
    unsigned char ch = in[i++];
    int value = kTable[ch];
    if (value < 0) {
      if (ch == '=') {
        ended_ = true;
        if (count_ < 2) damaged_ = true;
        break;
      }
      if (!IsLineBreakOrSpace(ch)) damaged_ = true;
      continue;
    }
    accumulator_ = (accumulator_ << 6) | static_cast<unsigned>(value);
    if (++count_ == 4) {
      o[0] = static_cast<unsigned char>(accumulator_ >> 16);
      o[1] = static_cast<unsigned char>(accumulator_ >> 8);
      o[2] = static_cast<unsigned char>(accumulator_);
      o += 3;
      count_ = 0;
      accumulator_ = 0;
    }
  }
  out->resize(static_cast<size_t>(
      o - reinterpret_cast<unsigned char*>(out->data())));
  if (ended_) Finish(out);
}

void Base64Decoder::Finish(std::string* out) {
  if (count_ == 2) {
    out->push_back(static_cast<char>(accumulator_ >> 4));
  } else if (count_ == 3) {
    out->push_back(static_cast<char>(accumulator_ >> 10));
    out->push_back(static_cast<char>(accumulator_ >> 2));
  } else if (count_ == 1) {
    damaged_ = true;
  }
  count_ = 0;
  accumulator_ = 0;
}

}  // namespace schoolmail
