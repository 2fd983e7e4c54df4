// Parses every FILE with schoolmail's MIME reader, the way the daemon does:
// each file is read into memory just before it is parsed (not timed); the
// parse (structure, text decoded and converted to UTF-8, every attachment
// decoded and hashed with SHA-256) is timed. Prints the same three lines as
// `gmime_reader --bench` (bench/README.md), so the two can be compared in
// one run: bench/run_parse_bench.sh.
#include <openssl/evp.h>
#include <sys/resource.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "parsers/mime_message.h"

namespace {

using Sum = std::array<unsigned char, 32>;

void AddDigest(Sum& sum, const unsigned char* digest) {
  unsigned carry = 0;
  for (int i = 31; i >= 0; --i) {
    unsigned v = sum[i] + digest[i] + carry;
    sum[i] = static_cast<unsigned char>(v);
    carry = v >> 8;
  }
}

void AddSha(Sum& sum, const std::string& data) {
  unsigned char digest[32];
  unsigned length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  AddDigest(sum, digest);
}

void AddHex(Sum& sum, const std::string& hex) {
  unsigned char digest[32];
  for (int i = 0; i < 32; ++i) {
    digest[i] = static_cast<unsigned char>(
        std::stoi(hex.substr(2 * static_cast<size_t>(i), 2), nullptr, 16));
  }
  AddDigest(sum, digest);
}

std::string Hex(const Sum& sum) {
  std::string out;
  char buf[3];
  for (unsigned char c : sum) {
    std::snprintf(buf, sizeof buf, "%02x", c);
    out += buf;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  schoolmail::Limits limits;
  double seconds = 0;
  double megabytes = 0;
  long messages = 0, attachments = 0, rejected = 0;
  unsigned long long attachment_bytes = 0, text_bytes = 0;
  Sum att{}, name{}, subject{}, from{}, text{};
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string bytes = buffer.str();
    megabytes += static_cast<double>(bytes.size()) / 1e6;
    auto start = std::chrono::steady_clock::now();
    schoolmail::MimeParse parse = schoolmail::ParseMessage(bytes, limits);
    auto end = std::chrono::steady_clock::now();
    seconds += std::chrono::duration<double>(end - start).count();
    if (!parse.message) {
      ++rejected;
      std::fprintf(stderr, "%s: rejected: %s\n", argv[i],
                   parse.rejection->detail.c_str());
      continue;
    }
    const schoolmail::ParsedMessage& m = *parse.message;
    ++messages;
    if (m.subject) AddSha(subject, *m.subject);
    for (const auto& f : m.from) AddSha(from, f.name + '\0' + f.address);
    text_bytes += m.text.size();
    AddSha(text, m.text);
    for (const auto& a : m.attachments) {
      ++attachments;
      attachment_bytes += a.size;
      AddHex(att, a.sha256);
      if (!a.name.empty()) AddSha(name, a.name);
    }
  }
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  std::printf("schoolmail: %ld messages, %.1f MB, %.3f s, %.1f MB/s\n",
              messages, megabytes, seconds, megabytes / seconds);
  std::printf(
      "checksum: messages=%ld attachments=%ld attachment_bytes=%llu "
      "att_sha256_sum=%s name_sha256_sum=%s subject_sha256_sum=%s "
      "from_sha256_sum=%s text_bytes=%llu text_sha256_sum=%s\n",
      messages, attachments, attachment_bytes, Hex(att).c_str(),
      Hex(name).c_str(), Hex(subject).c_str(), Hex(from).c_str(), text_bytes,
      Hex(text).c_str());
  std::printf("peak RSS: %.1f MB\n", static_cast<double>(usage.ru_maxrss) / 1024);
  return rejected == 0 ? 0 : 1;
}
