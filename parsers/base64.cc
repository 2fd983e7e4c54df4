#include "parsers/base64.h"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

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

// The fast path's tables, one per position in a group of four characters:
// the character's 6 bits already in place in the 32-bit word whose first
// three bytes in memory are the group's three decoded bytes, or kInvalid
// (a bit of the fourth byte) for a character outside the alphabet. Four
// lookups OR-ed together are one group, stored with one 4-byte write.
constexpr bool kLittle = std::endian::native == std::endian::little;
constexpr std::uint32_t kInvalid = kLittle ? 1u << 31 : 1u;

constexpr std::array<std::uint32_t, 256> MakeGroupTable(int position) {
  std::array<std::uint32_t, 256> table{};
  for (int c = 0; c < 256; ++c) {
    if (kTable[c] < 0) {
      table[c] = kInvalid;
      continue;
    }
    std::uint32_t bits = static_cast<std::uint32_t>(kTable[c])
                         << (18 - 6 * position);
    std::uint32_t b0 = (bits >> 16) & 0xff, b1 = (bits >> 8) & 0xff,
                  b2 = bits & 0xff;
    table[c] = kLittle ? b0 | (b1 << 8) | (b2 << 16)
                       : (b0 << 24) | (b1 << 16) | (b2 << 8);
  }
  return table;
}

constexpr std::array<std::uint32_t, 256> kGroup0 = MakeGroupTable(0);
constexpr std::array<std::uint32_t, 256> kGroup1 = MakeGroupTable(1);
constexpr std::array<std::uint32_t, 256> kGroup2 = MakeGroupTable(2);
constexpr std::array<std::uint32_t, 256> kGroup3 = MakeGroupTable(3);

bool IsLineBreakOrSpace(unsigned char c) {
  return c == '\r' || c == '\n' || c == ' ' || c == '\t';
}

}  // namespace

void Base64Decoder::Decode(std::string_view input, std::string* out) {
  if (ended_) return;
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  size_t n = input.size();
  size_t old_size = out->size();
  // +4: room for the fast path's 4-byte store after the last group.
  out->resize(old_size + n / 4 * 3 + 4);
  auto* o = reinterpret_cast<unsigned char*>(out->data()) + old_size;
  size_t i = 0;
  while (i < n) {
    // Fast path: four alphabet characters in a row, no carried state.
    if (count_ == 0) {
      while (i + 4 <= n) {
        std::uint32_t group = kGroup0[in[i]] | kGroup1[in[i + 1]] |
                              kGroup2[in[i + 2]] | kGroup3[in[i + 3]];
        if (group & kInvalid) break;
        std::memcpy(o, &group, 4);  // the fourth byte is overwritten next
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
