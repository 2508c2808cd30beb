// Password hashing with argon2id (libsodium's crypto_pwhash, interactive limits). Hashes are
// self-describing encoded strings ("$argon2id$v=19$m=...,t=...,p=...$salt$hash"); verification
// is constant-time in libsodium.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace tabadul::auth {

// Initializes libsodium; call once before anything else in this module (idempotent).
Status InitCrypto();

// Hashes `secret` with a fresh random salt. Internal on memory exhaustion.
Result<std::string> HashSecret(std::string_view secret);

// True when `secret` matches `encoded_hash`. A malformed hash never matches.
bool VerifySecret(std::string_view encoded_hash, std::string_view secret);

// A random RFC 4122 version 4 UUID (lower case), from libsodium's CSPRNG: status resources,
// collections, organizations and bundles get unpredictable ids.
std::string RandomUuid();

// Constant-time equality of two byte strings of any length (length itself may leak).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace tabadul::auth
