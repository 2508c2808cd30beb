// Decoding of the binary constant forms h'...' (hex) and b'...' (base64, RFC 4648 with padding),
// also applied to `_hex` / `_bin` properties of observed objects before comparing them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tabadul::pattern {

// Even number of hex digits, either case. nullopt if malformed.
std::optional<std::string> DecodeHex(std::string_view text);
// Standard alphabet, length a multiple of 4, '=' padding only at the end. nullopt if malformed.
std::optional<std::string> DecodeBase64(std::string_view text);

}  // namespace tabadul::pattern
