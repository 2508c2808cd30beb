#include "auth/token.h"

#include <sodium.h>

#include "auth/password.h"

namespace tabadul::auth {
namespace {

constexpr size_t kTokenBytes = 32;

std::string Hex(const unsigned char* data, size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, n);
  out.resize(n * 2);
  return out;
}

bool LooksLikeToken(std::string_view s) {
  if (s.size() != kTokenPrefix.size() + 43 || s.substr(0, kTokenPrefix.size()) != kTokenPrefix) {
    return false;
  }
  for (char c : s.substr(kTokenPrefix.size())) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

Status Rejected() { return Unauthenticated("invalid or revoked API token"); }

}  // namespace

std::string TokenDigestHex(std::string_view token) {
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  return Hex(out, sizeof out);
}

TokenService::TokenService(store::Store& users, store::SqliteAgreementStore& tokens,
                           const Clock& clock)
    : users_(users), tokens_(tokens), clock_(clock) {
  (void)InitCrypto();
}

Result<CreatedToken> TokenService::Create(std::string_view user_name,
                                          std::optional<store::Role> role,
                                          std::string_view label) {
  TABADUL_ASSIGN_OR_RETURN(store::User user, users_.GetUser(user_name));
  const store::Role granted = role.value_or(user.role);
  if (static_cast<int>(granted) > static_cast<int>(user.role)) {
    return PermissionDenied("a token cannot carry role '" + std::string(store::RoleName(granted)) +
                            "' above its user's role '" + std::string(store::RoleName(user.role)) +
                            "'");
  }
  unsigned char secret[kTokenBytes];
  randombytes_buf(secret, sizeof secret);
  char b64[sodium_base64_ENCODED_LEN(kTokenBytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(b64, sizeof b64, secret, sizeof secret,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  unsigned char id_bytes[6];
  randombytes_buf(id_bytes, sizeof id_bytes);

  CreatedToken created;
  created.token = std::string(kTokenPrefix) + b64;
  created.record.id = "tok_" + Hex(id_bytes, sizeof id_bytes);
  created.record.digest_hex = TokenDigestHex(created.token);
  created.record.user_name = user.name;
  created.record.org_id = user.org_id;
  created.record.role = granted;
  created.record.label = std::string(label);
  created.record.created_us = clock_.NowMicros();
  sodium_memzero(secret, sizeof secret);
  TABADUL_RETURN_IF_ERROR(tokens_.InsertToken(created.record));
  return created;
}

Result<std::vector<store::TokenRecord>> TokenService::List(std::string_view org_id) {
  return tokens_.ListTokens(org_id);
}

Status TokenService::Revoke(std::string_view token_id) {
  return tokens_.RevokeToken(token_id, clock_.NowMicros());
}

Result<Principal> TokenService::AuthenticateToken(std::string_view token) {
  if (!LooksLikeToken(token)) return Rejected();
  const std::string digest = TokenDigestHex(token);
  auto record = tokens_.FindTokenByDigest(digest);
  if (!record.ok()) {
    if (record.status().code() == StatusCode::kNotFound) return Rejected();
    return record.status();
  }
  if (!ConstantTimeEquals(record->digest_hex, digest) || record->revoked_us != 0) {
    return Rejected();
  }
  auto user = users_.GetUser(record->user_name);
  if (!user.ok() || user->org_id != record->org_id) return Rejected();
  const store::Role role = static_cast<int>(record->role) < static_cast<int>(user->role)
                               ? record->role
                               : user->role;
  return Principal{user->name, user->org_id, role};
}

std::optional<Result<Principal>> TokenService::TryAuthenticate(std::string_view header) {
  constexpr std::string_view kBearer = "Bearer ";
  constexpr std::string_view kBasic = "Basic ";
  if (header.substr(0, kBearer.size()) == kBearer) {
    return AuthenticateToken(header.substr(kBearer.size()));
  }
  if (header.substr(0, kBasic.size()) == kBasic) {
    auto decoded = DecodeBase64(header.substr(kBasic.size()));
    if (!decoded) return std::nullopt;
    const size_t colon = decoded->find(':');
    if (colon == std::string::npos) return std::nullopt;
    std::string_view password = std::string_view(*decoded).substr(colon + 1);
    if (password.substr(0, kTokenPrefix.size()) != kTokenPrefix) return std::nullopt;
    Result<Principal> r = AuthenticateToken(password);
    sodium_memzero(decoded->data(), decoded->size());
    return r;
  }
  return std::nullopt;
}

}  // namespace tabadul::auth
