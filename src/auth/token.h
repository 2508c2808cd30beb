// API tokens: long random secrets a client presents instead of a password, either as
// `Authorization: Bearer tbd_...` or as the password of HTTP Basic (any user name).
//
// Format: "tbd_" + 43 characters of unpadded base64url over 32 random bytes (libsodium's CSPRNG).
// The token is shown once, when created; the store keeps only SHA-256(token) in hex.
//
// Why a plain fast hash is sound here (and argon2id is not needed): a slow, salted hash protects
// LOW-entropy secrets (human passwords) against offline guessing after a database leak. A token
// carries 256 bits of uniform randomness, so inverting its SHA-256 or finding any other string
// with the same digest is as hard as a 2^256 (preimage) search whatever the hash speed; salt adds
// nothing because no two tokens collide and no dictionary exists. A fast hash lets every request
// be checked with one SHA-256 and one indexed lookup. The lookup is by digest; the digest of
// an attacker's guess tells the attacker nothing about real tokens, so the (non-constant-time)
// index search leaks nothing useful; the final comparison of digests is constant-time anyway.
//
// A token acts for one user of one organization with a role no higher than the user's own (the
// lower of the two is checked again on every use, so demoting the user demotes their tokens).
// Revocation takes effect on the next request.
//
// Thread-safety: TokenService may be used from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/authenticator.h"
#include "common/clock.h"
#include "common/status.h"
#include "store/sqlite_agreements.h"
#include "store/store.h"

namespace tabadul::auth {

inline constexpr std::string_view kTokenPrefix = "tbd_";

struct CreatedToken {
  std::string token;         // the secret: show once, never stored
  store::TokenRecord record;  // what is stored (digest only)
};

class TokenService {
 public:
  // `users` (users and organizations), `tokens` and `clock` must outlive this object.
  TokenService(store::Store& users, store::SqliteAgreementStore& tokens, const Clock& clock);

  // Creates a token for `user_name` with `role` (nullopt = the user's role). NotFound for an
  // unknown user; PermissionDenied when `role` is above the user's role.
  Result<CreatedToken> Create(std::string_view user_name, std::optional<store::Role> role,
                              std::string_view label);
  // Tokens of one organization (empty = all), oldest first. Never includes secrets.
  Result<std::vector<store::TokenRecord>> List(std::string_view org_id);
  // NotFound for an unknown id.
  Status Revoke(std::string_view token_id);

  // Authenticates a token string (not a header). Unauthenticated for a malformed, unknown or
  // revoked token, or one whose user no longer exists; the message never says which.
  Result<Principal> AuthenticateToken(std::string_view token);

  // Looks at an Authorization header: "Bearer <token>", or "Basic base64(any:<token>)" whose
  // password starts with "tbd_". nullopt when the header carries no token (the caller then
  // falls back to password authentication); otherwise the result of AuthenticateToken.
  std::optional<Result<Principal>> TryAuthenticate(std::string_view authorization_header);

 private:
  store::Store& users_;
  store::SqliteAgreementStore& tokens_;
  const Clock& clock_;
};

// Hex SHA-256 of a token (what the store keeps).
std::string TokenDigestHex(std::string_view token);

}  // namespace tabadul::auth
