// The server's Ed25519 key for signing the disclosure log's heads (libsodium).
//
// The key lives in the data folder as `audit-ed25519.key`: one line, the 32-byte seed in hex.
// It is created on first use with mode 0600 (O_EXCL, so two processes starting at once cannot
// both write one), and refused when group or others may read it: a key others could read signs
// nothing anyone should trust.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace tabadul::audit {

inline constexpr char kKeyFileName[] = "audit-ed25519.key";

class SigningKey {
 public:
  // Loads `<data_dir>/audit-ed25519.key`, creating it (and the folder) when absent.
  // FailedPrecondition when the file is readable by group or others, InvalidArgument when it is
  // malformed, Internal on I/O failure.
  static Result<SigningKey> LoadOrCreate(const std::string& data_dir);
  // Loads an existing key; NotFound when there is none (errors otherwise as above).
  static Result<SigningKey> Load(const std::string& data_dir);
  // A key from a fixed 32-byte seed, for tests and tools. InvalidArgument on a wrong size.
  static Result<SigningKey> FromSeed(std::string_view seed);

  // The 32-byte public key, raw and in hex.
  const std::string& public_key() const { return public_key_; }
  std::string PublicKeyHex() const;
  // The 64-byte detached signature of `message`.
  std::string Sign(std::string_view message) const;

 private:
  SigningKey() = default;
  std::string secret_key_;  // 64 bytes (seed || public key), libsodium's layout
  std::string public_key_;  // 32 bytes
};

// True when `signature` (64 bytes) is a valid signature of `message` by `public_key` (32 bytes).
bool VerifySignature(std::string_view public_key, std::string_view message,
                     std::string_view signature);

}  // namespace tabadul::audit
