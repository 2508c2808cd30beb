#include "pattern/observable.h"

#include "pattern/cidr.h"

namespace tabadul::pattern {
namespace {

struct KindInfo {
  ObservableKind kind;
  std::string_view name;
  ObservableTarget target;
};

constexpr KindInfo kKinds[] = {
    {ObservableKind::kIpv4, "ipv4", {"ipv4-addr", "ipv4-addr:value", "value", false}},
    {ObservableKind::kIpv6, "ipv6", {"ipv6-addr", "ipv6-addr:value", "value", false}},
    {ObservableKind::kDomain, "domain", {"domain-name", "domain-name:value", "value", false}},
    {ObservableKind::kUrl, "url", {"url", "url:value", "value", false}},
    {ObservableKind::kEmail, "email", {"email-addr", "email-addr:value", "value", false}},
    {ObservableKind::kMd5, "md5", {"file", "file:hashes.MD5", "MD5", true}},
    {ObservableKind::kSha1, "sha1", {"file", "file:hashes.'SHA-1'", "SHA-1", true}},
    {ObservableKind::kSha256, "sha256", {"file", "file:hashes.'SHA-256'", "SHA-256", true}},
    {ObservableKind::kSha512, "sha512", {"file", "file:hashes.'SHA-512'", "SHA-512", true}},
};

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool IsDomain(std::string_view s) {
  if (s.size() > 253 || s.find('.') == std::string_view::npos) return false;
  if (s.back() == '.') s.remove_suffix(1);
  size_t start = 0;
  bool last_numeric = false;
  while (start <= s.size()) {
    size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    last_numeric = true;
    for (char c : label) {
      if (!IsAlnum(c) && c != '-' && c != '_' && static_cast<unsigned char>(c) < 0x80) return false;
      if (!(c >= '0' && c <= '9')) last_numeric = false;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return !last_numeric;
}

bool IsUrl(std::string_view s) {
  size_t colon = s.find("://");
  if (colon == std::string_view::npos || colon == 0) return false;
  for (size_t i = 0; i < colon; ++i) {
    char c = s[i];
    if (!IsAlnum(c) && c != '+' && c != '-' && c != '.') return false;
  }
  if (colon + 3 >= s.size()) return false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n') return false;
  }
  return true;
}

bool IsEmail(std::string_view s) {
  size_t at = s.find('@');
  if (at == 0 || at == std::string_view::npos || s.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  for (char c : s.substr(0, at)) {
    if (c == ' ' || c == '\t' || c == '"' || c == '<' || c == '>') return false;
  }
  return IsDomain(s.substr(at + 1));
}

}  // namespace

ObservableTarget TargetOf(ObservableKind kind) { return kKinds[static_cast<int>(kind)].target; }

std::string_view ObservableKindName(ObservableKind kind) {
  return kKinds[static_cast<int>(kind)].name;
}

std::optional<ObservableKind> ParseObservableKind(std::string_view name) {
  for (const KindInfo& k : kKinds) {
    if (k.name == name) return k.kind;
  }
  return std::nullopt;
}

std::optional<DetectedObservable> DetectObservable(std::string_view line) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!line.empty() && space(line.front())) line.remove_prefix(1);
  while (!line.empty() && space(line.back())) line.remove_suffix(1);
  if (line.empty()) return std::nullopt;
  bool all_hex = true;
  for (char c : line) all_hex = all_hex && IsHex(c);
  if (all_hex) {
    switch (line.size()) {
      case 32: return DetectedObservable{ObservableKind::kMd5, std::string(line)};
      case 40: return DetectedObservable{ObservableKind::kSha1, std::string(line)};
      case 64: return DetectedObservable{ObservableKind::kSha256, std::string(line)};
      case 128: return DetectedObservable{ObservableKind::kSha512, std::string(line)};
      default: break;
    }
  }
  if (auto ip = ParseIpPrefix(line)) {
    return DetectedObservable{ip->v6 ? ObservableKind::kIpv6 : ObservableKind::kIpv4,
                              std::string(line)};
  }
  if (IsUrl(line)) return DetectedObservable{ObservableKind::kUrl, std::string(line)};
  if (IsEmail(line)) return DetectedObservable{ObservableKind::kEmail, std::string(line)};
  if (IsDomain(line)) return DetectedObservable{ObservableKind::kDomain, std::string(line)};
  return std::nullopt;
}

}  // namespace tabadul::pattern
