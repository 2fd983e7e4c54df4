// SHA-256 with OpenSSL: incremental, or of a whole buffer. Hex is lower case.
#pragma once

#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace schoolmail {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view data);
  // REQUIRES: called once, after the last Update.
  std::string HexDigest();

 private:
  evp_md_ctx_st* context_;
};

std::string Sha256Hex(std::string_view bytes);

}  // namespace schoolmail
