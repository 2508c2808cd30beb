// Indicator extraction from Arabic and English text.
//
// Pipeline (each stage keeps an OffsetMap back to the previous one, so every indicator carries its
// exact span in the caller's original bytes):
//   1. Normalize(kExtract): NFKC, bidi/zero-width marks and tatweel removed, Arabic-Indic digits
//      to ASCII. "١٩٢.١٦٨.١.١" and "evil\u200F.com" become plain ASCII indicators.
//   2. Refanger: the data-driven rule table undoes "hxxp", "[.]", "(dot)", " نقطة ", "[at]", ...
//   3. A single left-to-right scan over runs of indicator characters ([A-Za-z0-9._-:@/+]); each
//      run is classified by a fixed sequence of recognizers (URL, e-mail, IPv6, CIDR, hash, IPv4,
//      CVE, ATT&CK technique, ASN, domain). Runs never cross Arabic letters or spaces, so no
//      backtracking regex is needed and the scan is linear in the input.
// Domains must have an explicitly listed public suffix and a label before it; two-label names
// ending in a file-extension TLD ("report.zip") count only when defanged. Private,
// documentation and reserved addresses and example domains are returned with flags set, never
// dropped silently: the caller decides what to report.
//
// Thread-safe (const); the PublicSuffixList and Refanger must outlive the extractor. Each calling
// thread keeps its intermediate buffers (about twice the largest text it extracted from, at most
// 64 MiB each) for reuse by its next call.
#pragma once

#include <string_view>
#include <unordered_set>
#include <vector>

#include "text/indicator.h"
#include "text/public_suffix.h"
#include "text/refang.h"

namespace tabadul::text {

class IndicatorExtractor {
 public:
  explicit IndicatorExtractor(const PublicSuffixList& psl,
                              const Refanger& refanger = Refanger::Default());

  // Every occurrence, in text order (duplicates included; see Deduplicate). Never fails: bytes
  // that are not indicators are skipped.
  std::vector<Indicator> Extract(std::string_view original) const;

 private:
  const PublicSuffixList& psl_;
  const Refanger& refanger_;
  std::unordered_set<std::string> file_extension_tlds_;
};

// One entry per (kind, value), the first occurrence's span and the union of flags, in order of
// first occurrence.
std::vector<Indicator> Deduplicate(const std::vector<Indicator>& occurrences);

// Flags for an address or host value ("10.0.0.0/8", "2001:db8::1", "www.example.com").
uint32_t Ipv4Flags(uint32_t address);
uint32_t Ipv6Flags(const unsigned char address[16]);
uint32_t DomainFlags(std::string_view domain);

}  // namespace tabadul::text
