#include "pattern/parser.h"

#include <cctype>
#include <cstring>
#include <charconv>
#include <cmath>
#include <set>

#include "common/timestamp.h"
#include "pattern/binary.h"
#include "pattern/cidr.h"
#include "pattern/regex.h"

namespace tabadul::pattern {
namespace {

bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9') || c == '-'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Collects the object types a comparison expression refers to.
void CollectTypes(const ComparisonExpr& e, std::set<std::string>* out) {
  if (e.kind == ComparisonExpr::Kind::kLeaf) {
    out->insert(e.path.object_type);
    return;
  }
  CollectTypes(*e.left, out);
  CollectTypes(*e.right, out);
}

// Builds a balanced tree from operands joined by one associative operator, so that long chains
// (a OR b OR c ...) do not make deep trees that recursion could not walk.
template <typename Node, typename KindT>
std::unique_ptr<Node> Balance(std::vector<std::unique_ptr<Node>>& items, size_t lo, size_t hi,
                              KindT kind) {
  if (hi - lo == 1) return std::move(items[lo]);
  size_t mid = lo + (hi - lo) / 2;
  auto node = std::make_unique<Node>();
  node->kind = kind;
  node->left = Balance(items, lo, mid, kind);
  node->right = Balance(items, mid, hi, kind);
  return node;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : t_(text) {}

  Result<Pattern> Run(ParseErrorDetail* detail) {
    Pattern pattern;
    if (t_.size() > kMaxPatternBytes) {
      Fail(0, "pattern is longer than " + std::to_string(kMaxPatternBytes) + " bytes");
    } else {
      pattern.root = ParseFollowedBy();
      if (ok()) {
        SkipWs();
        if (pos_ < t_.size()) {
          Expected("AND, OR, FOLLOWEDBY, a qualifier (WITHIN, REPEATS, START) or the end of the "
                   "pattern");
        }
      }
    }
    if (!ok()) {
      if (detail) *detail = {error_pos_, error_};
      return InvalidArgument(error_);
    }
    return pattern;
  }

 private:
  using ObsPtr = std::unique_ptr<ObservationExpr>;
  using CmpPtr = std::unique_ptr<ComparisonExpr>;

  bool ok() const { return error_.empty(); }

  void Fail(size_t pos, const std::string& message) {
    if (!ok()) return;  // keep the first error
    error_pos_ = pos;
    error_ = "pattern error at position " + std::to_string(pos) + ": " + message;
  }

  std::string Found() const {
    if (pos_ >= t_.size()) return "the end of the pattern";
    char c = t_[pos_];
    if (IsIdentStart(c)) return "'" + std::string(Word()) + "'";
    if (c == '\'') return "a string";
    size_t n = 1;
    if (IsDigit(c) || c == '-' || c == '+' || c == '.') {
      while (pos_ + n < t_.size() && n < 24 && (IsIdentChar(t_[pos_ + n]) || t_[pos_ + n] == '.'))
        ++n;
    } else {
      // Operators made of several symbols are shown whole (`==`), other punctuation alone.
      while (pos_ + n < t_.size() && n < 3 && std::strchr("=!<>", c) &&
             std::strchr("=!<>", t_[pos_ + n]))
        ++n;
    }
    return "'" + std::string(t_.substr(pos_, n)) + "'";
  }

  void Expected(const std::string& what) { Fail(pos_, "expected " + what + ", found " + Found()); }

  void SkipWs() {
    while (pos_ < t_.size() && (t_[pos_] == ' ' || t_[pos_] == '\t' || t_[pos_] == '\n' ||
                                t_[pos_] == '\r' || t_[pos_] == '\f' || t_[pos_] == '\v'))
      ++pos_;
  }

  // The identifier-like word at pos_ (letters, digits, '_' and '-'), not consumed.
  std::string_view Word() const {
    if (pos_ >= t_.size() || !IsIdentStart(t_[pos_])) return {};
    size_t end = pos_;
    while (end < t_.size() && IsIdentChar(t_[end])) ++end;
    return t_.substr(pos_, end - pos_);
  }

  bool AcceptKeyword(std::string_view keyword) {
    SkipWs();
    if (Word() != keyword) return false;
    pos_ += keyword.size();
    return true;
  }

  bool AcceptChar(char c) {
    SkipWs();
    if (pos_ < t_.size() && t_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool Enter() {
    if (++depth_ > kMaxDepth) {
      Fail(pos_, "parentheses and brackets nested deeper than " + std::to_string(kMaxDepth));
      return false;
    }
    return true;
  }

  // ---- observation expressions ----

  ObsPtr ParseFollowedBy() { return ParseObsChain(2); }

  // level 2: FOLLOWEDBY, 1: OR, 0: AND.
  ObsPtr ParseObsChain(int level) {
    static constexpr std::string_view kWords[] = {"AND", "OR", "FOLLOWEDBY"};
    static constexpr ObservationExpr::Kind kKinds[] = {
        ObservationExpr::Kind::kAnd, ObservationExpr::Kind::kOr,
        ObservationExpr::Kind::kFollowedBy};
    std::vector<ObsPtr> items;
    items.push_back(level == 0 ? ParseQualified() : ParseObsChain(level - 1));
    while (ok() && AcceptKeyword(kWords[level])) {
      items.push_back(level == 0 ? ParseQualified() : ParseObsChain(level - 1));
    }
    if (!ok()) return nullptr;
    return Balance(items, 0, items.size(), kKinds[level]);
  }

  ObsPtr ParseQualified() {
    ObsPtr expr = ParsePrimaryObservation();
    bool seen_within = false, seen_repeats = false, seen_start = false;
    while (ok()) {
      SkipWs();
      size_t at = pos_;
      std::string_view word = Word();
      bool* seen = word == "WITHIN"    ? &seen_within
                   : word == "REPEATS" ? &seen_repeats
                   : word == "START"   ? &seen_start
                                       : nullptr;
      if (!seen) break;
      if (*seen) {
        Fail(at, "an observation expression may have at most one " + std::string(word) +
                     " qualifier");
        return nullptr;
      }
      *seen = true;
      pos_ += word.size();
      auto q = std::make_unique<ObservationExpr>();
      if (word == "WITHIN") ParseWithin(q.get());
      if (word == "REPEATS") ParseRepeats(q.get());
      if (word == "START") ParseStartStop(q.get());
      q->left = std::move(expr);
      expr = std::move(q);
    }
    return ok() ? std::move(expr) : nullptr;
  }

  void ParseWithin(ObservationExpr* q) {
    q->kind = ObservationExpr::Kind::kWithin;
    SkipWs();
    size_t at = pos_;
    Constant c;
    if (!ParseNumber(&c)) return Expected("a number of seconds after WITHIN");
    double seconds = c.kind == ConstantKind::kInt ? static_cast<double>(c.int_value)
                                                  : c.float_value;
    if (!(seconds > 0)) return Fail(at, "WITHIN needs a number of seconds greater than 0");
    if (seconds > 9.0e9) return Fail(at, "WITHIN duration is too large");
    q->within_nanos = static_cast<int64_t>(std::llround(seconds * 1e9));
    if (!AcceptKeyword("SECONDS")) Expected("SECONDS after the WITHIN duration");
  }

  void ParseRepeats(ObservationExpr* q) {
    q->kind = ObservationExpr::Kind::kRepeats;
    SkipWs();
    size_t at = pos_;
    Constant c;
    if (!ParseNumber(&c) || c.kind != ConstantKind::kInt) {
      pos_ = at;
      return Expected("a whole number after REPEATS");
    }
    if (c.int_value <= 0) return Fail(at, "REPEATS needs a count greater than 0");
    if (c.int_value > 1000) return Fail(at, "REPEATS count is larger than 1000");
    q->repeats = c.int_value;
    if (!AcceptKeyword("TIMES")) Expected("TIMES after the REPEATS count");
  }

  void ParseStartStop(ObservationExpr* q) {
    q->kind = ObservationExpr::Kind::kStartStop;
    SkipWs();
    size_t at = pos_;
    Constant start, stop;
    if (!ParseTimestampConstant(&start, "a timestamp t'...' after START")) return;
    if (!AcceptKeyword("STOP")) return Expected("STOP after the START timestamp");
    SkipWs();
    if (!ParseTimestampConstant(&stop, "a timestamp t'...' after STOP")) return;
    if (start.int_value >= stop.int_value) return Fail(at, "START must be earlier than STOP");
    q->start_nanos = start.int_value;
    q->stop_nanos = stop.int_value;
  }

  ObsPtr ParsePrimaryObservation() {
    SkipWs();
    if (pos_ < t_.size() && t_[pos_] == '[') {
      ++pos_;
      if (!Enter()) return nullptr;
      auto leaf = std::make_unique<ObservationExpr>();
      leaf->kind = ObservationExpr::Kind::kLeaf;
      leaf->comparison = ParseComparisonChain(true);
      --depth_;
      if (ok() && !AcceptChar(']')) Expected("AND, OR or ']'");
      return ok() ? std::move(leaf) : nullptr;
    }
    if (pos_ < t_.size() && t_[pos_] == '(') {
      ++pos_;
      if (!Enter()) return nullptr;
      ObsPtr inner = ParseFollowedBy();
      --depth_;
      if (ok() && !AcceptChar(')')) {
        Expected("AND, OR, FOLLOWEDBY, a qualifier or ')'");
      }
      return ok() ? std::move(inner) : nullptr;
    }
    Expected("'[' or '(' to start an observation expression");
    return nullptr;
  }

  // ---- comparison expressions ----

  // is_or: OR level (operands are AND chains); otherwise AND level (operands are primaries).
  CmpPtr ParseComparisonChain(bool is_or) {
    std::vector<CmpPtr> items;
    std::vector<size_t> positions;
    SkipWs();
    positions.push_back(pos_);
    items.push_back(is_or ? ParseComparisonChain(false) : ParseComparisonPrimary());
    while (ok() && AcceptKeyword(is_or ? "OR" : "AND")) {
      SkipWs();
      positions.push_back(pos_);
      items.push_back(is_or ? ParseComparisonChain(false) : ParseComparisonPrimary());
    }
    if (!ok()) return nullptr;
    if (!is_or && items.size() > 1) CheckSameType(items, positions);
    if (!ok()) return nullptr;
    return Balance(items, 0, items.size(),
                   is_or ? ComparisonExpr::Kind::kOr : ComparisonExpr::Kind::kAnd);
  }

  void CheckSameType(const std::vector<CmpPtr>& items, const std::vector<size_t>& positions) {
    std::set<std::string> first;
    CollectTypes(*items[0], &first);
    for (size_t i = 0; i < items.size(); ++i) {
      std::set<std::string> types;
      CollectTypes(*items[i], &types);
      if (types.size() != 1 || types != first) {
        std::string names;
        for (const auto& t : first) names += (names.empty() ? "'" : ", '") + t + "'";
        for (const auto& t : types) {
          if (!first.count(t)) names += ", '" + t + "'";
        }
        return Fail(positions[i],
                    "AND inside one observation expression must join comparisons on a single "
                    "object type (found " + names +
                        "); use OR, or separate observation expressions [..] AND [..]");
      }
    }
  }

  CmpPtr ParseComparisonPrimary() {
    SkipWs();
    if (pos_ < t_.size() && t_[pos_] == '(') {
      ++pos_;
      if (!Enter()) return nullptr;
      CmpPtr inner = ParseComparisonChain(true);
      --depth_;
      if (ok() && !AcceptChar(')')) Expected("AND, OR or ')'");
      return ok() ? std::move(inner) : nullptr;
    }
    auto leaf = std::make_unique<ComparisonExpr>();
    leaf->kind = ComparisonExpr::Kind::kLeaf;
    size_t before_not = pos_;
    if (AcceptKeyword("NOT")) {
      if (!AcceptKeyword("EXISTS")) {
        pos_ = before_not;
        Expected("an object path (NOT goes after the path, before the operator)");
        return nullptr;
      }
      leaf->negated = true;
      leaf->op = ComparisonOp::kExists;
      ParseObjectPath(&leaf->path);
      return ok() ? std::move(leaf) : nullptr;
    }
    if (AcceptKeyword("EXISTS")) {
      leaf->op = ComparisonOp::kExists;
      ParseObjectPath(&leaf->path);
      return ok() ? std::move(leaf) : nullptr;
    }
    ParseObjectPath(&leaf->path);
    if (!ok()) return nullptr;
    leaf->negated = AcceptKeyword("NOT");
    ParseOperatorAndConstant(leaf.get());
    return ok() ? std::move(leaf) : nullptr;
  }

  void ParseObjectPath(ObjectPath* path) {
    SkipWs();
    std::string_view type = Word();
    if (type.empty()) {
      return Expected("an object path such as file:name or ipv4-addr:value");
    }
    pos_ += type.size();
    path->object_type = std::string(type);
    if (!AcceptChar(':')) {
      return Expected("':' between the object type and the property name");
    }
    SkipWs();
    if (!ParsePropertyName(path)) return;
    while (ok()) {
      SkipWs();
      if (pos_ >= t_.size()) return;
      if (t_[pos_] == '.') {
        ++pos_;
        SkipWs();
        if (!ParsePropertyName(path)) return;
      } else if (t_[pos_] == '[') {
        ++pos_;
        SkipWs();
        PathStep step;
        if (AcceptChar('*')) {
          step.kind = PathStep::Kind::kAnyIndex;
        } else {
          Constant c;
          size_t at = pos_;
          if (!ParseNumber(&c) || c.kind != ConstantKind::kInt) {
            pos_ = at;
            return Expected("a list index (a whole number) or '*'");
          }
          step.kind = PathStep::Kind::kIndex;
          step.index = c.int_value;
        }
        if (!AcceptChar(']')) return Expected("']' to close the list index");
        path->steps.push_back(std::move(step));
      } else {
        return;
      }
    }
  }

  bool ParsePropertyName(ObjectPath* path) {
    PathStep step;
    if (pos_ < t_.size() && t_[pos_] == '\'') {
      if (!ParseQuoted(&step.key)) return false;
    } else {
      std::string_view name = Word();
      if (name.empty()) {
        Expected("a property name");
        return false;
      }
      if (name.find('-') != std::string_view::npos) {
        Fail(pos_, "property name '" + std::string(name) +
                       "' contains '-': quote it, as in file:hashes.'SHA-256'");
        return false;
      }
      step.key = std::string(name);
      pos_ += name.size();
    }
    path->steps.push_back(std::move(step));
    return true;
  }

  struct OpSpelling {
    std::string_view text;
    ComparisonOp op;
    bool word;
  };

  void ParseOperatorAndConstant(ComparisonExpr* leaf) {
    static constexpr OpSpelling kOps[] = {
        {"!=", ComparisonOp::kNotEqual, false}, {"<=", ComparisonOp::kLessEqual, false},
        {">=", ComparisonOp::kGreaterEqual, false}, {"=", ComparisonOp::kEqual, false},
        {"<", ComparisonOp::kLess, false}, {">", ComparisonOp::kGreater, false},
        {"IN", ComparisonOp::kIn, true}, {"LIKE", ComparisonOp::kLike, true},
        {"MATCHES", ComparisonOp::kMatches, true}, {"ISSUBSET", ComparisonOp::kIsSubset, true},
        {"ISSUPERSET", ComparisonOp::kIsSuperset, true}};
    SkipWs();
    const OpSpelling* found = nullptr;
    for (const auto& s : kOps) {
      if (s.word ? Word() == s.text : t_.substr(pos_).starts_with(s.text)) {
        found = &s;
        break;
      }
    }
    if (!found) {
      std::string hint;
      std::string_view w = Word();
      if (!w.empty() && (EqualsIgnoreCase(w, "in") || EqualsIgnoreCase(w, "like") ||
                         EqualsIgnoreCase(w, "matches") || EqualsIgnoreCase(w, "issubset") ||
                         EqualsIgnoreCase(w, "issuperset") || EqualsIgnoreCase(w, "not"))) {
        hint = " (operators are upper-case)";
      }
      if (w == "EXISTS") hint = " (EXISTS goes before the path: [EXISTS type:property])";
      return Expected(std::string(leaf->negated ? "" : "NOT or ") +
                      "a comparison operator (=, !=, <, <=, >, >=, IN, LIKE, MATCHES, ISSUBSET, "
                      "ISSUPERSET)" + hint);
    }
    pos_ += found->text.size();
    leaf->op = found->op;
    SkipWs();
    size_t at = pos_;
    switch (leaf->op) {
      case ComparisonOp::kIn:
        return ParseSet(leaf);
      case ComparisonOp::kLike:
      case ComparisonOp::kMatches:
      case ComparisonOp::kIsSubset:
      case ComparisonOp::kIsSuperset:
        return ParseStringOperand(leaf, at);
      default:
        break;
    }
    Constant c;
    if (!ParseConstant(&c)) return;
    if (c.kind == ConstantKind::kBool && leaf->op != ComparisonOp::kEqual &&
        leaf->op != ComparisonOp::kNotEqual) {
      return Fail(at, std::string("'") + ComparisonOpName(leaf->op) +
                          "' needs an orderable constant; booleans only compare with = and !=");
    }
    leaf->constants.push_back(std::move(c));
  }

  void ParseStringOperand(ComparisonExpr* leaf, size_t at) {
    std::string op = ComparisonOpName(leaf->op);
    if (pos_ >= t_.size() || t_[pos_] != '\'') {
      return Expected("a string constant in quotes after " + op);
    }
    Constant c;
    if (!ParseQuoted(&c.bytes)) return;
    if (leaf->op == ComparisonOp::kMatches) {
      auto re = CompileMatches(c.bytes, false);
      if (!re.ok()) return Fail(at, re.status().message());
    }
    if ((leaf->op == ComparisonOp::kIsSubset || leaf->op == ComparisonOp::kIsSuperset) &&
        !ParseIpPrefix(c.bytes)) {
      return Fail(at, op + " needs an IPv4 or IPv6 address or CIDR block, found '" + c.bytes +
                          "'");
    }
    leaf->constants.push_back(std::move(c));
  }

  void ParseSet(ComparisonExpr* leaf) {
    if (!AcceptChar('(')) return Expected("'(' to start the IN list");
    if (AcceptChar(')')) return;
    do {
      SkipWs();
      size_t at = pos_;
      Constant c;
      if (!ParseConstant(&c)) return;
      auto family = [](ConstantKind k) {
        if (k == ConstantKind::kFloat) return ConstantKind::kInt;      // numbers
        if (k == ConstantKind::kBinary) return ConstantKind::kHex;     // bytes
        return k;
      };
      if (!leaf->constants.empty() && family(leaf->constants[0].kind) != family(c.kind)) {
        return Fail(at, "the constants in an IN list must all be of one type");
      }
      leaf->constants.push_back(std::move(c));
    } while (AcceptChar(','));
    if (!AcceptChar(')')) Expected("',' or ')' in the IN list");
  }

  // ---- constants ----

  bool ParseConstant(Constant* c) {
    SkipWs();
    if (pos_ >= t_.size()) {
      Expected("a constant");
      return false;
    }
    char ch = t_[pos_];
    char next = pos_ + 1 < t_.size() ? t_[pos_ + 1] : '\0';
    if (ch == '\'') {
      c->kind = ConstantKind::kString;
      return ParseQuoted(&c->bytes);
    }
    if (ch == 't' && next == '\'') {
      return ParseTimestampConstant(c, "a timestamp");
    }
    if ((ch == 'h' || ch == 'b') && next == '\'') {
      size_t at = pos_;
      ++pos_;
      std::string raw;
      if (!ParseQuoted(&raw)) return false;
      auto bytes = ch == 'h' ? DecodeHex(raw) : DecodeBase64(raw);
      if (!bytes) {
        Fail(at, ch == 'h' ? "h'...' must hold an even number of hex digits"
                           : "b'...' must hold base64 (RFC 4648, padded to a multiple of 4)");
        return false;
      }
      c->kind = ch == 'h' ? ConstantKind::kHex : ConstantKind::kBinary;
      c->bytes = std::move(*bytes);
      return true;
    }
    std::string_view w = Word();
    if (EqualsIgnoreCase(w, "true") || EqualsIgnoreCase(w, "false")) {
      c->kind = ConstantKind::kBool;
      c->bool_value = EqualsIgnoreCase(w, "true");
      pos_ += w.size();
      return true;
    }
    size_t at = pos_;
    if (ParseNumber(c)) return true;
    if (ok()) {
      pos_ = at;
      Expected("a constant (a 'string', a number, true, false, t'...', h'...' or b'...')");
    }
    return false;
  }

  bool ParseTimestampConstant(Constant* c, const std::string& what) {
    size_t at = pos_;
    if (!t_.substr(pos_).starts_with("t'")) {
      Expected(what);
      return false;
    }
    ++pos_;
    std::string raw;
    if (!ParseQuoted(&raw)) return false;
    auto ts = ParseTimestamp(raw);
    if (!ts.ok()) {
      Fail(at, "invalid timestamp t'" + raw + "': " + ts.status().message());
      return false;
    }
    c->kind = ConstantKind::kTimestamp;
    c->int_value = ts->nanos;
    return true;
  }

  // A quoted string at pos_ (which must be '\''); only \' and \\ are escapes.
  bool ParseQuoted(std::string* out) {
    size_t start = pos_;
    ++pos_;
    while (pos_ < t_.size()) {
      char c = t_[pos_];
      if (c == '\'') {
        ++pos_;
        return true;
      }
      if (c == '\\') {
        if (pos_ + 1 < t_.size() && (t_[pos_ + 1] == '\'' || t_[pos_ + 1] == '\\')) {
          out->push_back(t_[pos_ + 1]);
          pos_ += 2;
          continue;
        }
        Fail(pos_, "invalid escape in string: only \\' and \\\\ are allowed");
        return false;
      }
      out->push_back(c);
      ++pos_;
    }
    Fail(start, "string starting here is not closed by a quote (')");
    return false;
  }

  // [+-]digits, or [+-]digits? '.' digits. Returns false without an error if no number is here.
  bool ParseNumber(Constant* c) {
    size_t start = pos_;
    size_t p = pos_;
    if (p < t_.size() && (t_[p] == '+' || t_[p] == '-')) ++p;
    size_t int_start = p;
    while (p < t_.size() && IsDigit(t_[p])) ++p;
    bool has_int = p > int_start;
    bool is_float = false;
    if (p + 1 < t_.size() && t_[p] == '.' && IsDigit(t_[p + 1])) {
      is_float = true;
      ++p;
      while (p < t_.size() && IsDigit(t_[p])) ++p;
    }
    if (!has_int && !is_float) return false;
    if (p < t_.size() && (IsIdentChar(t_[p]) || t_[p] == '.')) {
      size_t end = p;
      while (end < t_.size() && (IsIdentChar(t_[end]) || t_[end] == '.' || t_[end] == ':')) ++end;
      Fail(start, "malformed number '" + std::string(t_.substr(start, end - start)) +
                      "' (text such as an IP address must be quoted)");
      return false;
    }
    std::string_view text = t_.substr(start, p - start);
    if (text[0] == '+') text.remove_prefix(1);
    if (is_float) {
      double v = 0;
      auto r = std::from_chars(text.data(), text.data() + text.size(), v);
      if (r.ec != std::errc() || !std::isfinite(v)) {
        Fail(start, "number is out of range");
        return false;
      }
      c->kind = ConstantKind::kFloat;
      c->float_value = v;
    } else {
      int64_t v = 0;
      auto r = std::from_chars(text.data(), text.data() + text.size(), v);
      if (r.ec != std::errc()) {
        Fail(start, "integer is out of the 64-bit range");
        return false;
      }
      c->kind = ConstantKind::kInt;
      c->int_value = v;
      c->float_value = static_cast<double>(v);
    }
    pos_ = p;
    return true;
  }

  std::string_view t_;
  size_t pos_ = 0;
  int depth_ = 0;
  std::string error_;
  size_t error_pos_ = 0;
};

}  // namespace

const char* ComparisonOpName(ComparisonOp op) {
  switch (op) {
    case ComparisonOp::kEqual: return "=";
    case ComparisonOp::kNotEqual: return "!=";
    case ComparisonOp::kLess: return "<";
    case ComparisonOp::kLessEqual: return "<=";
    case ComparisonOp::kGreater: return ">";
    case ComparisonOp::kGreaterEqual: return ">=";
    case ComparisonOp::kIn: return "IN";
    case ComparisonOp::kLike: return "LIKE";
    case ComparisonOp::kMatches: return "MATCHES";
    case ComparisonOp::kIsSubset: return "ISSUBSET";
    case ComparisonOp::kIsSuperset: return "ISSUPERSET";
    case ComparisonOp::kExists: return "EXISTS";
  }
  return "?";
}

std::string ObjectPath::ToString() const {
  std::string out = object_type + ":";
  bool first = true;
  for (const PathStep& s : steps) {
    if (s.kind == PathStep::Kind::kKey) {
      if (!first) out += ".";
      bool plain = !s.key.empty() && IsIdentStart(s.key[0]);
      for (char c : s.key) plain = plain && IsIdentChar(c) && c != '-';
      if (plain) {
        out += s.key;
      } else {
        out += "'";
        for (char c : s.key) {
          if (c == '\'' || c == '\\') out += '\\';
          out += c;
        }
        out += "'";
      }
    } else if (s.kind == PathStep::Kind::kIndex) {
      out += "[" + std::to_string(s.index) + "]";
    } else {
      out += "[*]";
    }
    first = false;
  }
  return out;
}

Result<Pattern> ParsePattern(std::string_view text, ParseErrorDetail* detail) {
  return Parser(text).Run(detail);
}

}  // namespace tabadul::pattern
