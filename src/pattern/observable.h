// Plain observables (what sensors stream: one IP, domain, URL, e-mail address or hash per line)
// and how each maps onto a STIX cyber-observable object and object path.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tabadul::pattern {

enum class ObservableKind {
  kIpv4, kIpv6, kDomain, kUrl, kEmail, kMd5, kSha1, kSha256, kSha512,
};
inline constexpr int kObservableKindCount = 9;

struct ObservableTarget {
  std::string_view object_type;  // e.g. "file"
  std::string_view path;         // canonical ObjectPath text, e.g. "file:hashes.'SHA-256'"
  std::string_view property;     // the last key: "value", "MD5", "SHA-256", ...
  bool in_hashes;                // true: the property lives under `hashes`
};

// Where a plain value of `kind` lives in STIX: ipv4-addr:value, ..., file:hashes.'SHA-256'.
ObservableTarget TargetOf(ObservableKind kind);
std::string_view ObservableKindName(ObservableKind kind);  // "ipv4", "sha256", ...
std::optional<ObservableKind> ParseObservableKind(std::string_view name);

struct DetectedObservable {
  ObservableKind kind;
  std::string value;  // trimmed; otherwise as given (no re-casing: `=` compares exactly)
};

// Recognizes one plain value (surrounding whitespace ignored): hex strings of 32/40/64/128
// digits are MD5/SHA-1/SHA-256/SHA-512; an IPv4 / IPv6 address or CIDR block; a URL
// (scheme://...); an e-mail address (local@domain); a domain name (dot-separated labels of
// letters, digits, '-' and '_', non-numeric last label). nullopt if none fits.
std::optional<DetectedObservable> DetectObservable(std::string_view line);

}  // namespace tabadul::pattern
