#include "audit/signing_key.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "audit/chain.h"

namespace tabadul::audit {
namespace {

Status EnsureSodium() {
  if (sodium_init() < 0) return Internal("libsodium failed to initialize");
  return Status::Ok();
}

std::string KeyPath(const std::string& data_dir) { return data_dir + "/" + kKeyFileName; }

Status WriteNewKey(const std::string& path) {
  unsigned char seed[crypto_sign_SEEDBYTES];
  randombytes_buf(seed, sizeof seed);
  std::string line = ToHex({reinterpret_cast<const char*>(seed), sizeof seed}) + "\n";
  sodium_memzero(seed, sizeof seed);
  // Written to a private temporary file and published with link(), which is atomic and fails
  // if the name exists: a concurrent starter either wins or loads a complete key, never half.
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Internal("cannot create key file '" + tmp + "': " + std::strerror(errno));
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  sodium_memzero(line.data(), line.size());
  int linked = ok ? ::link(tmp.c_str(), path.c_str()) : -1;
  int link_errno = errno;
  ::unlink(tmp.c_str());
  if (!ok) return Internal("cannot write key file '" + tmp + "'");
  if (linked != 0 && link_errno != EEXIST) {
    return Internal("cannot create key file '" + path + "': " + std::strerror(link_errno));
  }
  return Status::Ok();
}

}  // namespace

Result<SigningKey> SigningKey::FromSeed(std::string_view seed) {
  TABADUL_RETURN_IF_ERROR(EnsureSodium());
  if (seed.size() != crypto_sign_SEEDBYTES) {
    return InvalidArgument("an Ed25519 seed has 32 bytes, not " + std::to_string(seed.size()));
  }
  SigningKey key;
  key.secret_key_.resize(crypto_sign_SECRETKEYBYTES);
  key.public_key_.resize(crypto_sign_PUBLICKEYBYTES);
  crypto_sign_seed_keypair(reinterpret_cast<unsigned char*>(key.public_key_.data()),
                           reinterpret_cast<unsigned char*>(key.secret_key_.data()),
                           reinterpret_cast<const unsigned char*>(seed.data()));
  return key;
}

Result<SigningKey> SigningKey::Load(const std::string& data_dir) {
  const std::string path = KeyPath(data_dir);
  struct stat sb;
  if (::stat(path.c_str(), &sb) != 0) {
    if (errno == ENOENT) return NotFound("no audit signing key at '" + path + "'");
    return Internal("cannot stat '" + path + "': " + std::strerror(errno));
  }
  if (sb.st_mode & 077) {
    return FailedPrecondition("the audit signing key '" + path +
                              "' is readable by group or others; run: chmod 600 '" + path + "'");
  }
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return Internal("cannot read key file '" + path + "'");
  auto seed = FromHex(line);
  if (!seed || seed->size() != crypto_sign_SEEDBYTES) {
    return InvalidArgument("the key file '" + path + "' does not hold a 32-byte hex seed");
  }
  auto key = FromSeed(*seed);
  sodium_memzero(seed->data(), seed->size());
  sodium_memzero(line.data(), line.size());
  return key;
}

Result<SigningKey> SigningKey::LoadOrCreate(const std::string& data_dir) {
  TABADUL_RETURN_IF_ERROR(EnsureSodium());
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Internal("cannot create data folder '" + data_dir + "': " + ec.message());
  auto key = Load(data_dir);
  if (key.ok() || key.status().code() != StatusCode::kNotFound) return key;
  TABADUL_RETURN_IF_ERROR(WriteNewKey(KeyPath(data_dir)));
  return Load(data_dir);
}

std::string SigningKey::PublicKeyHex() const { return ToHex(public_key_); }

std::string SigningKey::Sign(std::string_view message) const {
  std::string sig(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       reinterpret_cast<const unsigned char*>(secret_key_.data()));
  return sig;
}

bool VerifySignature(std::string_view public_key, std::string_view message,
                     std::string_view signature) {
  if (sodium_init() < 0) return false;
  if (public_key.size() != crypto_sign_PUBLICKEYBYTES || signature.size() != crypto_sign_BYTES) {
    return false;
  }
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(),
                                     reinterpret_cast<const unsigned char*>(public_key.data())) == 0;
}

}  // namespace tabadul::audit
