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

bool Authenticator::Throttled(const std::string& key, int64_t now) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return false;
  if (now - it->second.window_start_us >= kFailureWindowUs) {
    failures_.erase(it);
    return false;
  }
  return it->second.count >= kMaxFailedSignIns;
}

void Authenticator::CountFailure(const std::string& key, int64_t now) {
  std::lock_guard lock(mu_);
  if (failures_.size() > 100000) {
    // Bounded under a spray from many addresses: forget the windows that are over.
    std::erase_if(failures_, [&](const auto& kv) {
      return now - kv.second.window_start_us >= kFailureWindowUs;
    });
    if (failures_.size() > 100000) failures_.clear();
  }
  Failures& f = failures_[key];
  if (f.count == 0 || now - f.window_start_us >= kFailureWindowUs) f = {0, now};
  ++f.count;
}

Result<Principal> Authenticator::Authenticate(std::string_view header, std::string_view peer) {
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
  // Past the cache: a password is checked with argon2id, unless this peer has been guessing.
  std::string throttle_key;
  if (!peer.empty()) {
    throttle_key.reserve(peer.size() + 1 + user.size());
    throttle_key.append(peer).append(1, '\0').append(user);
    if (Throttled(throttle_key, now)) {
      return Unauthenticated("too many failed sign-ins for this user from this address; "
                             "try again in a minute");
    }
  }
  auto failed = [&] {
    if (!throttle_key.empty()) CountFailure(throttle_key, now);
    return Unauthenticated("wrong user name or password");
  };
  auto stored = store_.GetUser(user);
  if (!stored.ok()) {
    if (stored.status().code() != StatusCode::kNotFound) return stored.status();
    // Spend comparable time on unknown users so timing does not reveal which names exist.
    static const std::string kDummy = HashSecret("tabadul-dummy").value();
    (void)VerifySecret(kDummy, password);
    return failed();
  }
  if (!VerifySecret(stored->password_hash, password)) return failed();
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
