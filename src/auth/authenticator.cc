#include "auth/authenticator.h"

#include <sodium.h>

#include "auth/password.h"
#include "auth/token.h"

namespace tabadul::auth {

std::optional<std::string> DecodeBase64(std::string_view in) {
  std::string out(in.size() / 4 * 3 + 3, '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), in.data(),
                        in.size(), nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

Authenticator::Authenticator(store::Store& store, const Clock& clock, int64_t cache_ttl_us)
    : store_(store), clock_(clock), cache_ttl_us_(cache_ttl_us) {
  (void)InitCrypto();
  key_.resize(crypto_generichash_KEYBYTES);
  randombytes_buf(key_.data(), key_.size());
}

std::string Authenticator::Digest(std::string_view user, std::string_view password) const {
  unsigned char out[32];
  crypto_generichash_state st;
  crypto_generichash_init(&st, reinterpret_cast<const unsigned char*>(key_.data()), key_.size(),
                          sizeof out);
  // Length-prefix the user name so "a:b" + "c" and "a" + "b:c" differ.
  const uint64_t n = user.size();
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(&n), sizeof n);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(user.data()), user.size());
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(password.data()),
                            password.size());
  crypto_generichash_final(&st, out, sizeof out);
  return std::string(reinterpret_cast<char*>(out), sizeof out);
}

Result<Principal> Authenticator::Authenticate(std::string_view header) {
  if (tokens_) {
    if (auto by_token = tokens_->TryAuthenticate(header)) return std::move(*by_token);
  }
  constexpr std::string_view kBasic = "Basic ";
  if (header.size() <= kBasic.size() || header.substr(0, kBasic.size()) != kBasic) {
    return Unauthenticated("HTTP Basic credentials are required");
  }
  auto decoded = DecodeBase64(header.substr(kBasic.size()));
  if (!decoded) return Unauthenticated("malformed Basic credentials");
  size_t colon = decoded->find(':');
  if (colon == std::string::npos) return Unauthenticated("malformed Basic credentials");
  std::string_view user = std::string_view(*decoded).substr(0, colon);
  std::string_view password = std::string_view(*decoded).substr(colon + 1);

  const std::string digest = Digest(user, password);
  const int64_t now = clock_.NowMicros();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(digest);
    if (it != cache_.end()) {
      if (it->second.expires_us > now) return it->second.principal;
      cache_.erase(it);
    }
  }
  auto stored = store_.GetUser(user);
  if (!stored.ok()) {
    if (stored.status().code() != StatusCode::kNotFound) return stored.status();
    // Spend comparable time on unknown users so timing does not reveal which names exist.
    static const std::string kDummy = HashSecret("tabadul-dummy").value();
    (void)VerifySecret(kDummy, password);
    return Unauthenticated("wrong user name or password");
  }
  if (!VerifySecret(stored->password_hash, password)) {
    return Unauthenticated("wrong user name or password");
  }
  Principal p{stored->name, stored->org_id, stored->role};
  std::lock_guard lock(mu_);
  if (cache_.size() > 100000) cache_.clear();  // bound memory under credential stuffing
  cache_[digest] = Entry{p, now + cache_ttl_us_};
  return p;
}

void Authenticator::ClearCache() {
  std::lock_guard lock(mu_);
  cache_.clear();
}

}  // namespace tabadul::auth
