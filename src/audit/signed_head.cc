#include "audit/signed_head.h"

#include <charconv>
#include <vector>

#include "audit/chain.h"
#include "audit/signing_key.h"
#include "common/timestamp.h"

namespace tabadul::audit {
namespace {

constexpr char kMagic[] = "tabadul-audit-head v1";

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) out.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

// "key value" with exactly this key; the value must be non-empty.
Result<std::string_view> Field(std::string_view line, std::string_view key) {
  if (line.size() <= key.size() + 1 || line.substr(0, key.size()) != key ||
      line[key.size()] != ' ') {
    return InvalidArgument("expected a '" + std::string(key) + " <value>' line, found '" +
                           std::string(line.substr(0, 80)) + "'");
  }
  return line.substr(key.size() + 1);
}

Result<std::string> HexField(std::string_view line, std::string_view key, size_t bytes) {
  TABADUL_ASSIGN_OR_RETURN(auto value, Field(line, key));
  auto raw = FromHex(value);
  if (!raw || raw->size() != bytes) {
    return InvalidArgument("'" + std::string(key) + "' must be " + std::to_string(bytes * 2) +
                           " hex digits");
  }
  return ToHex(*raw);  // normalized to lowercase
}

}  // namespace

std::string FormatSignedHead(const SignedHead& h) {
  return std::string(kMagic) + "\nseq " + std::to_string(h.seq) + "\nhash " + h.hash + "\ntime " +
         FormatTaxiiTimestamp(h.time_us) + "\npublic-key " + h.public_key + "\nsignature " +
         h.signature + "\n";
}

Result<SignedHead> ParseSignedHead(std::string_view text) {
  auto lines = Lines(text);
  if (lines.empty() || lines[0] != kMagic) {
    return InvalidArgument("not a signed audit head (the first line must be '" +
                           std::string(kMagic) + "')");
  }
  if (lines.size() != 6) {
    return InvalidArgument("a signed audit head has 6 lines, this one has " +
                           std::to_string(lines.size()));
  }
  SignedHead h;
  TABADUL_ASSIGN_OR_RETURN(auto seq_text, Field(lines[1], "seq"));
  auto [end, ec] = std::from_chars(seq_text.data(), seq_text.data() + seq_text.size(), h.seq);
  if (ec != std::errc() || end != seq_text.data() + seq_text.size() || h.seq < 0) {
    return InvalidArgument("'seq' must be a non-negative integer");
  }
  TABADUL_ASSIGN_OR_RETURN(h.hash, HexField(lines[2], "hash", kHashBytes));
  TABADUL_ASSIGN_OR_RETURN(auto time_text, Field(lines[3], "time"));
  auto ts = ParseTimestamp(time_text);
  if (!ts.ok()) return InvalidArgument("'time': " + ts.status().message());
  if (ts->nanos % 1000 != 0) return InvalidArgument("'time' has sub-microsecond digits");
  h.time_us = ts->nanos / 1000;
  TABADUL_ASSIGN_OR_RETURN(h.public_key, HexField(lines[4], "public-key", 32));
  TABADUL_ASSIGN_OR_RETURN(h.signature, HexField(lines[5], "signature", 64));
  return h;
}

bool SignatureValid(const SignedHead& head) {
  auto pk = FromHex(head.public_key);
  auto sig = FromHex(head.signature);
  if (!pk || !sig) return false;
  return VerifySignature(*pk, HeadMessage(head.seq, head.hash, head.time_us), *sig);
}

}  // namespace tabadul::audit
