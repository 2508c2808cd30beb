// Unicode NFC normalization (ICU) for LIKE and MATCHES, which the spec defines on NFC text.
#pragma once

#include <string>
#include <string_view>

namespace tabadul::pattern {

// Returns the NFC form of UTF-8 `text`. Pure ASCII is returned unchanged without calling ICU.
// Invalid UTF-8 is returned unchanged (it can then only match byte-wise), never an error.
std::string Nfc(std::string_view text);

// True if `text` is ASCII, hence already NFC (the common case; lets callers skip copying).
bool IsAscii(std::string_view text);

}  // namespace tabadul::pattern
