// Turns an HTTP Authorization header into a Principal (user, organization, role).
//
// argon2id is deliberately slow (tens of milliseconds), far too slow to run on every request of
// a client paging through a collection. After one successful verification the credentials are
// remembered for `cache_ttl_us` under a keyed BLAKE2b digest of "user:password" (key random per
// process), so the cache never holds a secret and a lookup costs one hash. A changed password
// takes effect in this process at once (SetPassword clears the cache) and in other processes
// after the TTL. Failed attempts are never cached.
//
// Password guessing is throttled: after kMaxFailedSignIns failed attempts for one user name from
// one peer address within kFailureWindowUs, further attempts for that pair are refused without
// running argon2id until the window has passed (a guesser gets ~10 tries a minute, and cannot
// make the server spend argon2id's CPU on each request). Keyed by the pair, not the address
// alone, so that a guesser behind a shared proxy does not lock out every other user of it; the
// credentials cache is consulted first, so a signed-in client is never slowed by a guesser.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"
#include "common/status.h"
#include "store/store.h"

namespace tabadul::auth {

struct Principal {
  std::string user;
  std::string org_id;
  store::Role role = store::Role::kReader;
};

class TokenService;

class Authenticator {
 public:
  // `store` and `clock` must outlive this object. Thread-safe.
  Authenticator(store::Store& store, const Clock& clock, int64_t cache_ttl_us = 300'000'000);

  static constexpr int kMaxFailedSignIns = 10;
  static constexpr int64_t kFailureWindowUs = 60'000'000;

  // Accepts "Basic base64(user:password)". Unauthenticated (with a message that does not say
  // whether the user exists) for anything else, for wrong credentials, and while `peer` (the
  // client's address; empty: not throttled) is throttled for that user name.
  Result<Principal> Authenticate(std::string_view authorization_header, std::string_view peer);
  Result<Principal> Authenticate(std::string_view authorization_header) {
    return Authenticate(authorization_header, {});
  }

  // Forgets every cached credential (after a password change or user removal).
  void ClearCache();

  // Also accept API tokens ("Bearer <token>", or Basic with the token as password) through
  // `tokens`, which must outlive this object. Call before serving.
  void SetTokenService(TokenService* tokens) { tokens_ = tokens; }

 private:
  struct Entry {
    Principal principal;
    int64_t expires_us;
  };
  std::string Digest(std::string_view user, std::string_view password) const;
  struct Failures {
    int count = 0;
    int64_t window_start_us = 0;
  };
  // Whether `key` may try a password now; counts a failure.
  bool Throttled(const std::string& key, int64_t now);
  void CountFailure(const std::string& key, int64_t now);

  store::Store& store_;
  const Clock& clock_;
  const int64_t cache_ttl_us_;
  std::string key_;  // random BLAKE2b key, fixed at construction
  TokenService* tokens_ = nullptr;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> cache_;  // guarded by mu_
  std::unordered_map<std::string, Failures> failures_;  // guarded by mu_; peer NUL user
};

// Decodes standard base64 (with padding); nullopt on malformed input.
std::optional<std::string> DecodeBase64(std::string_view in);

}  // namespace tabadul::auth
