#include "auth/password.h"

#include <sodium.h>

#include <cstdio>

namespace tabadul::auth {

Status InitCrypto() {
  if (sodium_init() < 0) return Internal("libsodium failed to initialize");
  return Status::Ok();
}

Result<std::string> HashSecret(std::string_view secret) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, secret.data(), secret.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Internal("argon2id hashing ran out of memory");
  }
  return std::string(out);
}

bool VerifySecret(std::string_view encoded_hash, std::string_view secret) {
  if (encoded_hash.size() >= crypto_pwhash_STRBYTES) return false;
  std::string hash(encoded_hash);  // NUL-terminated copy for libsodium
  return crypto_pwhash_str_verify(hash.c_str(), secret.data(), secret.size()) == 0;
}

std::string RandomUuid() {
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace tabadul::auth
