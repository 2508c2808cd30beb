// A signed head of the disclosure log: "at time T, the log's record `seq` had hash H", signed
// with the server's Ed25519 key. A partner keeps one (a small text file) and later asks the
// server to prove that the log still extends it (DisclosureLog::CheckHead): any change to a
// record at or before `seq`, or a truncation below it, is then detected.
//
// Text form (what `tabadul audit head` prints and `audit check-head` reads), one field a line,
// in this order, LF line ends; unknown lines are refused:
//
//   tabadul-audit-head v1
//   seq 42
//   hash <64 hex>
//   time 2024-05-01T10:00:00.000000Z
//   public-key <64 hex>
//   signature <128 hex>
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tabadul::audit {

struct SignedHead {
  int64_t seq = 0;          // 0 for an empty log
  std::string hash;         // hex; kGenesisHash for an empty log
  int64_t time_us = 0;      // when the head was signed
  std::string public_key;   // hex, 32 bytes
  std::string signature;    // hex, 64 bytes, over HeadMessage(seq, hash, time_us)

  bool operator==(const SignedHead&) const = default;
};

std::string FormatSignedHead(const SignedHead& head);
// InvalidArgument naming the first malformed line. Parsing does not check the signature.
Result<SignedHead> ParseSignedHead(std::string_view text);

// True when `head.signature` is a valid signature by `head.public_key` over its fields.
bool SignatureValid(const SignedHead& head);

}  // namespace tabadul::audit
