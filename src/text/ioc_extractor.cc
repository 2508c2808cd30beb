#include "text/ioc_extractor.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <map>

#include "text/normalizer.h"

namespace tabadul::text {

extern const std::string_view kFileExtensionTldsData;  // generated from data/

namespace {

constexpr std::string_view kTrimChars = ".:/-_@+";

std::array<bool, 256> MakeTable(std::string_view extra) {
  std::array<bool, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (char c : extra) t[static_cast<unsigned char>(c)] = true;
  return t;
}

const std::array<bool, 256> kCore = MakeTable("._-:@/+");
const std::array<bool, 256> kUrlChars = MakeTable("-._~:/?#[]@!$&'()*+,;=%");
const std::array<bool, 256> kEmailLocal = MakeTable("._%+-");

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsDigit);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) if (IsUpper(c)) c = static_cast<char>(c + 32);
  return out;
}

std::string_view Trim(std::string_view s, size_t* front_trimmed) {
  size_t b = 0;
  while (b < s.size() && kTrimChars.find(s[b]) != std::string_view::npos) ++b;
  size_t e = s.size();
  while (e > b && kTrimChars.find(s[e - 1]) != std::string_view::npos) --e;
  *front_trimmed = b;
  return s.substr(b, e - b);
}

// "a.b.c.d" with decimal octets; canonical text in *value.
bool ParseIpv4(std::string_view s, uint32_t* address, std::string* value) {
  uint32_t a = 0;
  int parts = 0;
  size_t i = 0;
  while (parts < 4) {
    size_t j = i;
    while (j < s.size() && IsDigit(s[j]) && j - i < 4) ++j;
    if (j == i || j - i > 3) return false;
    int octet = 0;
    std::from_chars(s.data() + i, s.data() + j, octet);
    if (octet > 255) return false;
    a = (a << 8) | static_cast<uint32_t>(octet);
    ++parts;
    if (parts < 4) {
      if (j >= s.size() || s[j] != '.') return false;
      i = j + 1;
    } else if (j != s.size()) {
      return false;
    }
  }
  *address = a;
  *value = std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." +
           std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255);
  return true;
}

bool ParsePrefix(std::string_view s, int max, int* prefix) {
  if (s.empty() || s.size() > 3 || !AllDigits(s)) return false;
  std::from_chars(s.data(), s.data() + s.size(), *prefix);
  return *prefix <= max;
}

bool ParseIpv6(std::string_view s, unsigned char bytes[16], std::string* value) {
  if (s.size() < 3 || s.size() > 45 || std::count(s.begin(), s.end(), ':') < 2) return false;
  for (char c : s) if (!IsHex(c) && c != ':' && c != '.') return false;
  std::string z(s);
  if (inet_pton(AF_INET6, z.c_str(), bytes) != 1) return false;
  char buf[INET6_ADDRSTRLEN];
  if (inet_ntop(AF_INET6, bytes, buf, sizeof buf) == nullptr) return false;
  *value = buf;
  return true;
}

bool IsValidLabel(std::string_view l) {
  if (l.empty() || l.size() > 63 || l.front() == '-' || l.back() == '-') return false;
  for (char c : l) if (!(IsLower(c) || IsDigit(c) || c == '-')) return false;
  return true;
}

bool LooksLikeSentenceBreak(std::string_view tld_as_written) {
  // "attack.In" (missing space after a full stop): capitalized last label.
  return tld_as_written.size() > 1 && IsUpper(tld_as_written[0]) &&
         std::any_of(tld_as_written.begin() + 1, tld_as_written.end(), IsLower);
}

bool ParseAsnNumber(std::string_view digits, uint64_t* n) {
  if (digits.empty() || digits.size() > 10 || !AllDigits(digits)) return false;
  std::from_chars(digits.data(), digits.data() + digits.size(), *n);
  return *n > 0 && *n <= 4294967295ull;
}

class Scan {
 public:
  Scan(std::string_view original, const NormalizedText& norm, const RefangedText& ref,
       const PublicSuffixList& psl, const std::unordered_set<std::string>& file_tlds)
      : original_(original), norm_(norm), ref_(ref), r_(ref.text), psl_(psl),
        file_tlds_(file_tlds) {}

  std::vector<Indicator> Run() {
    size_t i = 0;
    const size_t n = r_.size();
    while (i < n) {
      while (i < n && !kCore[static_cast<unsigned char>(r_[i])]) ++i;
      const size_t start = i;
      bool special = false;  // a digit or one of ".:@/": only such runs can hold most kinds
      while (i < n && kCore[static_cast<unsigned char>(r_[i])]) {
        const char c = r_[i];
        special |= IsDigit(c) || c == '.' || c == ':' || c == '@' || c == '/';
        ++i;
      }
      if (i == start) continue;
      const size_t len = i - start;
      // Fast path for plain words: no indicator but a hash (all hex letters) or "AS 123".
      if (!special && len != 32 && len != 40 && len != 64 && len != 128 && len != 2 && len != 3) {
        continue;
      }
      i = std::max(i, ProcessRun(start, i));
    }
    return std::move(out_);
  }

 private:
  // Returns the offset where scanning resumes (past a URL that extends beyond the run).
  size_t ProcessRun(size_t b, size_t e) {
    std::string_view run = r_.substr(b, e - b);
    const size_t sep = run.find("://");
    if (sep != std::string_view::npos) return ProcessUrl(b, e, b + sep);
    size_t front = 0;
    std::string_view piece = Trim(run, &front);
    if (piece.empty()) return e;
    const size_t pb = b + front;
    if (piece.find('@') != std::string_view::npos) {
      ProcessEmail(pb, pb + piece.size());
      return e;
    }
    if (piece.find(':') != std::string_view::npos) {
      if (TryIpv6(pb, piece)) return e;
      size_t k = 0;
      while (k <= piece.size()) {
        size_t colon = piece.find(':', k);
        if (colon == std::string_view::npos) colon = piece.size();
        ProcessPiece(pb + k, piece.substr(k, colon - k));
        k = colon + 1;
      }
      return e;
    }
    return ProcessPiece(pb, piece);
  }

  size_t ProcessPiece(size_t pb, std::string_view piece) {
    size_t front = 0;
    piece = Trim(piece, &front);
    pb += front;
    if (piece.empty()) return pb;
    const size_t slash = piece.find('/');
    if (slash != std::string_view::npos) {
      std::string_view head = piece.substr(0, slash);
      std::string_view tail = piece.substr(slash + 1);
      uint32_t addr;
      std::string value;
      int prefix;
      if (ParseIpv4(head, &addr, &value) && ParsePrefix(tail, 32, &prefix)) {
        const uint32_t mask = prefix == 0 ? 0 : ~0u << (32 - prefix);
        Emit(IndicatorKind::kIpv4, value + "/" + std::to_string(prefix), pb,
             pb + piece.size(), Ipv4Flags(addr & mask));
        return pb + piece.size();
      }
      ProcessPiece(pb, head);
      return pb + piece.size();
    }
    const char c0 = piece[0];
    // Hashes: a whole run of hex digits of a known length.
    const size_t len = piece.size();
    if ((len == 32 || len == 40 || len == 64 || len == 128) &&
        std::all_of(piece.begin(), piece.end(), IsHex)) {
      const IndicatorKind kind = len == 32   ? IndicatorKind::kMd5
                                 : len == 40 ? IndicatorKind::kSha1
                                 : len == 64 ? IndicatorKind::kSha256
                                             : IndicatorKind::kSha512;
      Emit(kind, Lower(piece), pb, pb + len, kFlagNone);
      return pb + len;
    }
    if (IsDigit(c0)) {
      uint32_t addr;
      std::string value;
      if (ParseIpv4(piece, &addr, &value)) {
        Emit(IndicatorKind::kIpv4, value, pb, pb + len, Ipv4Flags(addr));
        return pb + len;
      }
    }
    if ((c0 == 'C' || c0 == 'c') && TryCve(pb, piece)) return pb + len;
    if (c0 == 'T' && TryTechnique(pb, piece)) return pb + len;
    if (c0 == 'A' && TryAsn(pb, piece)) return pb + len;
    if (piece.find('.') != std::string_view::npos) TryDomain(pb, piece);
    return pb + len;
  }

  bool TryCve(size_t pb, std::string_view p) {
    if (p.size() < 13 || Lower(p.substr(0, 4)) != "cve-" || p[8] != '-') return false;
    if (!AllDigits(p.substr(4, 4)) || !AllDigits(p.substr(9)) || p.size() > 20) return false;
    Emit(IndicatorKind::kCve, "CVE-" + std::string(p.substr(4)), pb, pb + p.size(), kFlagNone);
    return true;
  }

  bool TryTechnique(size_t pb, std::string_view p) {
    const bool base = p.size() == 5 && AllDigits(p.substr(1));
    const bool sub = p.size() == 9 && AllDigits(p.substr(1, 4)) && p[5] == '.' &&
                     AllDigits(p.substr(6));
    if (!base && !sub) return false;
    Emit(IndicatorKind::kAttackTechnique, std::string(p), pb, pb + p.size(), kFlagNone);
    return true;
  }

  bool TryAsn(size_t pb, std::string_view p) {
    std::string_view digits;
    size_t end = pb + p.size();
    if (p == "AS" || p == "ASN") {
      // "AS 13335": the number follows after one space.
      size_t k = end;
      if (k + 1 < r_.size() && r_[k] == ' ' && IsDigit(r_[k + 1])) {
        size_t j = k + 1;
        while (j < r_.size() && IsDigit(r_[j])) ++j;
        if (j < r_.size() && kCore[static_cast<unsigned char>(r_[j])] && r_[j] != '.' &&
            r_[j] != ',' && r_[j] != ':') {
          return false;
        }
        digits = r_.substr(k + 1, j - k - 1);
        end = j;
      }
    } else if (p.substr(0, 3) == "ASN") {
      digits = p.substr(3);
    } else if (p.substr(0, 2) == "AS") {
      digits = p.substr(2);
    }
    uint64_t number = 0;
    if (!ParseAsnNumber(digits, &number)) return false;
    Emit(IndicatorKind::kAsn, "AS" + std::to_string(number), pb, end, kFlagNone);
    return true;
  }

  // Validates a host name; returns the lower-cased name or "" when it is not a domain.
  std::string ValidDomain(size_t pb, std::string_view d, bool allow_file_tld) {
    if (d.size() > 253 || d.find('.') == std::string_view::npos) return "";
    const std::string lower = Lower(d);
    const size_t last_dot = lower.rfind('.');
    const std::string_view tld = std::string_view(lower).substr(last_dot + 1);
    if (tld.empty() || AllDigits(tld)) return "";
    size_t k = 0;
    int labels = 0;
    while (k <= lower.size()) {
      size_t dot = lower.find('.', k);
      if (dot == std::string::npos) dot = lower.size();
      if (!IsValidLabel(std::string_view(lower).substr(k, dot - k))) return "";
      ++labels;
      k = dot + 1;
    }
    if (!psl_.IsRegistrableOrBelow(lower)) return "";
    const bool defanged = ref_.EditedWithin(pb, pb + d.size());
    if (!defanged && LooksLikeSentenceBreak(d.substr(last_dot + 1))) return "";
    if (!defanged && !allow_file_tld && labels == 2 && file_tlds_.count(std::string(tld))) {
      return "";
    }
    return lower;
  }

  void TryDomain(size_t pb, std::string_view p) {
    std::string d = ValidDomain(pb, p, /*allow_file_tld=*/false);
    if (!d.empty()) Emit(IndicatorKind::kDomain, d, pb, pb + p.size(), DomainFlags(d));
  }

  bool TryIpv6(size_t pb, std::string_view p) {
    std::string_view addr = p;
    int prefix = -1;
    const size_t slash = p.find('/');
    if (slash != std::string_view::npos) {
      if (!ParsePrefix(p.substr(slash + 1), 128, &prefix)) return false;
      addr = p.substr(0, slash);
    }
    unsigned char bytes[16];
    std::string value;
    if (!ParseIpv6(addr, bytes, &value)) return false;
    if (prefix >= 0) {
      value.push_back('/');
      value.append(std::to_string(prefix));
      for (int bit = prefix; bit < 128; ++bit) bytes[bit / 8] &= ~(0x80 >> (bit % 8));
    }
    Emit(IndicatorKind::kIpv6, value, pb, pb + p.size(), Ipv6Flags(bytes));
    return true;
  }

  void ProcessEmail(size_t pb, size_t pe) {
    std::string_view piece = r_.substr(pb, pe - pb);
    const size_t at = piece.rfind('@');
    size_t lb = at;
    while (lb > 0 && kEmailLocal[static_cast<unsigned char>(piece[lb - 1])]) --lb;
    while (lb < at && piece[lb] == '.') ++lb;
    std::string_view local = piece.substr(lb, at - lb);
    size_t de = at + 1;
    while (de < piece.size() && (std::isalnum(static_cast<unsigned char>(piece[de])) ||
                                 piece[de] == '.' || piece[de] == '-')) {
      ++de;
    }
    while (de > at + 1 && (piece[de - 1] == '.' || piece[de - 1] == '-')) --de;
    std::string_view domain = piece.substr(at + 1, de - at - 1);
    if (local.empty() || local.back() == '.' || local.size() > 64) return;
    std::string d = ValidDomain(pb + at + 1, domain, /*allow_file_tld=*/true);
    if (d.empty()) return;
    Emit(IndicatorKind::kEmail, std::string(local) + "@" + d, pb + lb, pb + de, DomainFlags(d));
  }

  size_t ProcessUrl(size_t run_b, size_t run_e, size_t sep) {
    // Scheme: the letters right before "://".
    size_t sb = sep;
    while (sb > run_b && std::isalpha(static_cast<unsigned char>(r_[sb - 1]))) --sb;
    const std::string scheme = Lower(r_.substr(sb, sep - sb));
    if (sb > run_b) ProcessRun(run_b, sb);  // whatever precedes the scheme
    static const std::array<std::string_view, 7> kSchemes = {"http", "https", "ftp", "ftps",
                                                             "sftp", "ws",    "wss"};
    size_t e = sep + 3;
    while (e < r_.size() && kUrlChars[static_cast<unsigned char>(r_[e])]) ++e;
    e = TrimUrlEnd(sb, e);
    if (std::find(kSchemes.begin(), kSchemes.end(), scheme) == kSchemes.end()) {
      return std::max(e, run_e);
    }
    std::string_view rest = r_.substr(sep + 3, e - sep - 3);
    std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
      authority.remove_prefix(at + 1);
    }
    const size_t host_b = static_cast<size_t>(authority.data() - r_.data());
    uint32_t flags = 0;
    if (!HostFlags(host_b, authority, &flags)) return std::max(e, run_e);
    std::string value = scheme + "://" + std::string(rest);
    Emit(IndicatorKind::kUrl, value, sb, e, flags);
    return std::max(e, run_e);
  }

  // Validates the host[:port] of a URL and computes its flags.
  bool HostFlags(size_t host_b, std::string_view authority, uint32_t* flags) {
    std::string_view host = authority;
    if (!host.empty() && host[0] == '[') {
      const size_t close = host.find(']');
      if (close == std::string_view::npos) return false;
      unsigned char bytes[16];
      std::string value;
      if (!ParseIpv6(host.substr(1, close - 1), bytes, &value)) return false;
      *flags = Ipv6Flags(bytes);
      return true;
    }
    if (const size_t colon = host.rfind(':'); colon != std::string_view::npos) {
      if (!AllDigits(host.substr(colon + 1))) return false;
      host = host.substr(0, colon);
    }
    uint32_t addr;
    std::string value;
    if (ParseIpv4(host, &addr, &value)) {
      *flags = Ipv4Flags(addr);
      return true;
    }
    std::string d = ValidDomain(host_b, host, /*allow_file_tld=*/true);
    if (d.empty()) return false;
    *flags = DomainFlags(d);
    return true;
  }

  size_t TrimUrlEnd(size_t b, size_t e) {
    while (e > b) {
      const char c = r_[e - 1];
      if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == '\'') {
        --e;
      } else if (c == ')' || c == ']') {
        const char open = c == ')' ? '(' : '[';
        std::string_view s = r_.substr(b, e - b);
        if (std::count(s.begin(), s.end(), open) >= std::count(s.begin(), s.end(), c)) break;
        --e;
      } else {
        break;
      }
    }
    return e;
  }

  void Emit(IndicatorKind kind, std::string value, size_t rb, size_t re, uint32_t flags) {
    Indicator ind;
    ind.kind = kind;
    ind.value = std::move(value);
    ind.flags = flags;
    ind.defanged = ref_.EditedWithin(rb, re);
    const size_t nb = ref_.offsets.ToSource(rb, ref_hint_);
    const size_t ne =
        ref_.offsets.ToSourceEnd(re, norm_.text.data(), norm_.text.size(), ref_hint_);
    ind.begin = norm_.offsets.ToSource(nb, norm_hint_);
    ind.end = norm_.offsets.ToSourceEnd(ne, original_.data(), original_.size(), norm_hint_);
    out_.push_back(std::move(ind));
  }

  std::string_view original_;
  const NormalizedText& norm_;
  const RefangedText& ref_;
  std::string_view r_;
  const PublicSuffixList& psl_;
  const std::unordered_set<std::string>& file_tlds_;
  std::vector<Indicator> out_;
  // Lookup hints into the two offset maps: indicators are emitted left to right.
  size_t ref_hint_ = 0;
  size_t norm_hint_ = 0;
};

bool InV4(uint32_t a, uint32_t net, int prefix) {
  const uint32_t mask = prefix == 0 ? 0 : ~0u << (32 - prefix);
  return (a & mask) == net;
}

bool InV6(const unsigned char* a, std::initializer_list<unsigned char> net, int prefix) {
  int bit = 0;
  for (unsigned char byte : net) {
    for (int k = 7; k >= 0 && bit < prefix; --k, ++bit) {
      if (((a[bit / 8] >> (7 - bit % 8)) & 1) != ((byte >> k) & 1)) return false;
    }
  }
  for (; bit < prefix; ++bit) if ((a[bit / 8] >> (7 - bit % 8)) & 1) return false;
  return true;
}

}  // namespace

std::string_view IndicatorKindName(IndicatorKind kind) {
  switch (kind) {
    case IndicatorKind::kIpv4: return "ipv4";
    case IndicatorKind::kIpv6: return "ipv6";
    case IndicatorKind::kDomain: return "domain";
    case IndicatorKind::kUrl: return "url";
    case IndicatorKind::kEmail: return "email";
    case IndicatorKind::kMd5: return "md5";
    case IndicatorKind::kSha1: return "sha1";
    case IndicatorKind::kSha256: return "sha256";
    case IndicatorKind::kSha512: return "sha512";
    case IndicatorKind::kCve: return "cve";
    case IndicatorKind::kAttackTechnique: return "attack-technique";
    case IndicatorKind::kAsn: return "asn";
  }
  return "unknown";
}

std::string FlagNames(uint32_t flags) {
  static constexpr std::pair<uint32_t, std::string_view> kNames[] = {
      {kFlagPrivate, "private"},         {kFlagLoopback, "loopback"},
      {kFlagLinkLocal, "link-local"},    {kFlagDocumentation, "documentation"},
      {kFlagReserved, "reserved"},       {kFlagMulticast, "multicast"}};
  std::string out;
  for (auto [bit, name] : kNames) {
    if (!(flags & bit)) continue;
    if (!out.empty()) out += ",";
    out += name;
  }
  return out;
}

uint32_t Ipv4Flags(uint32_t a) {
  uint32_t f = 0;
  if (InV4(a, 0x0A000000, 8) || InV4(a, 0xAC100000, 12) || InV4(a, 0xC0A80000, 16) ||
      InV4(a, 0x64400000, 10)) {
    f |= kFlagPrivate;
  }
  if (InV4(a, 0x7F000000, 8)) f |= kFlagLoopback;
  if (InV4(a, 0xA9FE0000, 16)) f |= kFlagLinkLocal;
  if (InV4(a, 0xC0000200, 24) || InV4(a, 0xC6336400, 24) || InV4(a, 0xCB007100, 24)) {
    f |= kFlagDocumentation;
  }
  if (InV4(a, 0x00000000, 8) || InV4(a, 0xF0000000, 4) || InV4(a, 0xC0000000, 24) ||
      InV4(a, 0xC6120000, 15)) {
    f |= kFlagReserved;
  }
  if (InV4(a, 0xE0000000, 4)) f |= kFlagMulticast;
  return f;
}

uint32_t Ipv6Flags(const unsigned char a[16]) {
  uint32_t f = 0;
  static const unsigned char kZero[16] = {};
  if (std::equal(a, a + 16, kZero)) return kFlagReserved;
  if (std::equal(a, a + 15, kZero) && a[15] == 1) return kFlagLoopback;
  // IPv4-mapped ::ffff:a.b.c.d takes the IPv4 address's flags.
  if (std::equal(a, a + 10, kZero) && a[10] == 0xff && a[11] == 0xff) {
    return Ipv4Flags((uint32_t{a[12]} << 24) | (uint32_t{a[13]} << 16) | (uint32_t{a[14]} << 8) |
                     a[15]);
  }
  if (InV6(a, {0xfc}, 7)) f |= kFlagPrivate;
  if (InV6(a, {0xfe, 0x80}, 10)) f |= kFlagLinkLocal;
  if (InV6(a, {0x20, 0x01, 0x0d, 0xb8}, 32) || InV6(a, {0x3f, 0xff}, 20)) f |= kFlagDocumentation;
  if (InV6(a, {0x01, 0x00}, 64)) f |= kFlagReserved;
  if (InV6(a, {0xff}, 8)) f |= kFlagMulticast;
  return f;
}

uint32_t DomainFlags(std::string_view d) {
  for (std::string_view doc : {"example.com", "example.net", "example.org"}) {
    if (d == doc || (d.size() > doc.size() && d.substr(d.size() - doc.size()) == doc &&
                     d[d.size() - doc.size() - 1] == '.')) {
      return kFlagDocumentation;
    }
  }
  return kFlagNone;
}

IndicatorExtractor::IndicatorExtractor(const PublicSuffixList& psl, const Refanger& refanger)
    : psl_(psl), refanger_(refanger) {
  std::string_view data = kFileExtensionTldsData;
  while (!data.empty()) {
    const size_t nl = data.find('\n');
    std::string_view line = data.substr(0, nl);
    data = nl == std::string_view::npos ? std::string_view() : data.substr(nl + 1);
    if (!line.empty() && line[0] != '#') file_extension_tlds_.emplace(line);
  }
}

namespace {

// The two intermediate texts of one Extract call, kept per thread between calls. Fresh buffers
// cost more than the work done in them: a multi-megabyte std::string is a fresh mmap, and
// first-touching its pages was a quarter of the extraction time on a 16 MiB text. Buffers that
// grew past kMaxRetainedBytes are released after the call, so one huge text does not pin its
// size in every worker thread.
struct ExtractScratch {
  static constexpr size_t kMaxRetainedBytes = size_t{64} << 20;
  NormalizedText norm;
  RefangedText ref;

  void ReleaseIfHuge() {
    if (norm.text.capacity() > kMaxRetainedBytes) norm = NormalizedText();
    if (ref.text.capacity() > kMaxRetainedBytes) ref = RefangedText();
  }
};

}  // namespace

std::vector<Indicator> IndicatorExtractor::Extract(std::string_view original) const {
  thread_local ExtractScratch scratch;
  NormalizeInto(original, NormalizeMode::kExtract, scratch.norm);
  refanger_.ApplyInto(scratch.norm.text, scratch.ref);
  std::vector<Indicator> out =
      Scan(original, scratch.norm, scratch.ref, psl_, file_extension_tlds_).Run();
  scratch.ReleaseIfHuge();
  return out;
}

std::vector<Indicator> Deduplicate(const std::vector<Indicator>& occurrences) {
  std::vector<Indicator> out;
  std::map<std::pair<IndicatorKind, std::string>, size_t> index;
  for (const Indicator& ind : occurrences) {
    auto [it, inserted] = index.try_emplace({ind.kind, ind.value}, out.size());
    if (inserted) {
      out.push_back(ind);
    } else {
      out[it->second].flags |= ind.flags;
      out[it->second].defanged |= ind.defanged;
    }
  }
  return out;
}

}  // namespace tabadul::text
