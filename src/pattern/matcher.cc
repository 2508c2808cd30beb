#include "pattern/matcher.h"

#include <algorithm>

#include "common/timestamp.h"
#include "pattern/binary.h"
#include "pattern/cidr.h"
#include "pattern/nfc.h"
#include "pattern/parser.h"
#include "pattern/regex.h"

namespace tabadul::pattern {
namespace json = boost::json;

struct Matcher::CompiledLeaf {
  std::shared_ptr<const RE2> regex;         // LIKE, MATCHES (UTF-8)
  std::shared_ptr<const RE2> regex_latin1;  // MATCHES on decoded _bin / _hex values
  std::optional<IpPrefix> prefix;           // ISSUBSET, ISSUPERSET
};

namespace {

bool EndsWith(std::string_view s, std::string_view suffix) { return s.ends_with(suffix); }

template <typename T>
int Three(T a, T b) { return a < b ? -1 : (b < a ? 1 : 0); }

// The string property's bytes, decoded for `*_hex` / `*_bin` properties.
std::optional<std::string> PropertyBytes(std::string_view s, std::string_view key) {
  if (EndsWith(key, "_hex")) return DecodeHex(s);
  if (EndsWith(key, "_bin")) return DecodeBase64(s);
  return std::string(s);
}

// Three-way comparison of the property value with the constant; nullopt on type mismatch.
std::optional<int> CompareValue(const Constant& c, const PathValue& pv) {
  const json::value& v = *pv.value;
  switch (c.kind) {
    case ConstantKind::kString:
      if (!v.is_string()) return std::nullopt;
      return Three(std::string_view(v.get_string()), std::string_view(c.bytes));
    case ConstantKind::kInt:
    case ConstantKind::kFloat:
      if (c.kind == ConstantKind::kInt && v.is_int64()) return Three(v.get_int64(), c.int_value);
      if (c.kind == ConstantKind::kInt && v.is_uint64()) {
        return c.int_value < 0 ? 1 : Three<uint64_t>(v.get_uint64(), c.int_value);
      }
      if (v.is_int64() || v.is_uint64() || v.is_double()) return Three(v.to_number<double>(),
                                                                       c.float_value);
      return std::nullopt;
    case ConstantKind::kBool:
      if (!v.is_bool()) return std::nullopt;
      return v.get_bool() == c.bool_value ? 0 : 1;
    case ConstantKind::kTimestamp: {
      if (!v.is_string()) return std::nullopt;
      auto ts = ParseTimestamp(std::string_view(v.get_string()));
      if (!ts.ok()) return std::nullopt;
      return Three(ts->nanos, c.int_value);
    }
    case ConstantKind::kHex:
    case ConstantKind::kBinary: {
      if (!v.is_string()) return std::nullopt;
      auto bytes = PropertyBytes(v.get_string(), pv.key);
      if (!bytes) return std::nullopt;
      return Three(std::string_view(*bytes), std::string_view(c.bytes));
    }
  }
  return std::nullopt;
}

struct Binding {
  std::vector<uint32_t> observations;  // sorted
  int64_t first = 0, last = 0;
  bool operator==(const Binding& o) const { return observations == o.observations; }
};
using Bindings = std::vector<Binding>;

bool Disjoint(const Binding& a, const Binding& b) {
  size_t i = 0, j = 0;
  while (i < a.observations.size() && j < b.observations.size()) {
    if (a.observations[i] == b.observations[j]) return false;
    a.observations[i] < b.observations[j] ? ++i : ++j;
  }
  return true;
}

Binding Merge(const Binding& a, const Binding& b) {
  Binding m;
  std::merge(a.observations.begin(), a.observations.end(), b.observations.begin(),
             b.observations.end(), std::back_inserter(m.observations));
  m.first = std::min(a.first, b.first);
  m.last = std::max(a.last, b.last);
  return m;
}

void Dedupe(Bindings* b) {
  std::sort(b->begin(), b->end(), [](const Binding& x, const Binding& y) {
    return x.observations < y.observations;
  });
  b->erase(std::unique(b->begin(), b->end()), b->end());
}

Status TooMany() {
  return ResourceExhausted("pattern evaluation needs more than " + std::to_string(kMaxBindings) +
                           " combinations of observations");
}

}  // namespace

Result<Matcher> Matcher::Compile(std::string_view text) {
  TABADUL_ASSIGN_OR_RETURN(Pattern p, ParsePattern(text));
  return FromPattern(std::move(p));
}

Result<Matcher> Matcher::FromPattern(Pattern pattern) {
  Matcher m;
  m.pattern_ = std::move(pattern);
  TABADUL_RETURN_IF_ERROR(m.CompileNode(*m.pattern_.root));
  return m;
}

Status Matcher::CompileNode(const ObservationExpr& e) {
  if (e.kind == ObservationExpr::Kind::kLeaf) return CompileComparison(*e.comparison);
  if (e.left) TABADUL_RETURN_IF_ERROR(CompileNode(*e.left));
  if (e.right) TABADUL_RETURN_IF_ERROR(CompileNode(*e.right));
  return Status::Ok();
}

Status Matcher::CompileComparison(const ComparisonExpr& e) {
  if (e.kind != ComparisonExpr::Kind::kLeaf) {
    TABADUL_RETURN_IF_ERROR(CompileComparison(*e.left));
    return CompileComparison(*e.right);
  }
  auto leaf = std::make_shared<CompiledLeaf>();
  if (e.op == ComparisonOp::kLike) {
    TABADUL_ASSIGN_OR_RETURN(leaf->regex, CompileLike(e.constants[0].bytes));
  } else if (e.op == ComparisonOp::kMatches) {
    TABADUL_ASSIGN_OR_RETURN(leaf->regex, CompileMatches(e.constants[0].bytes, false));
    auto latin1 = CompileMatches(e.constants[0].bytes, true);
    if (latin1.ok()) leaf->regex_latin1 = *latin1;  // else: never matches binary values
  } else if (e.op == ComparisonOp::kIsSubset || e.op == ComparisonOp::kIsSuperset) {
    leaf->prefix = ParseIpPrefix(e.constants[0].bytes);
    if (!leaf->prefix) return InvalidArgument("not an IP address or CIDR block");
  } else {
    return Status::Ok();
  }
  compiled_[&e] = std::move(leaf);
  return Status::Ok();
}

bool Matcher::Holds(const ComparisonExpr& e, const json::object& root, const Observation& obs,
                    const ObservationSet& set) const {
  switch (e.kind) {
    case ComparisonExpr::Kind::kAnd:
      return Holds(*e.left, root, obs, set) && Holds(*e.right, root, obs, set);
    case ComparisonExpr::Kind::kOr:
      return Holds(*e.left, root, obs, set) || Holds(*e.right, root, obs, set);
    case ComparisonExpr::Kind::kLeaf:
      return HoldsLeaf(e, root, obs, set);
  }
  return false;
}

bool Matcher::HoldsLeaf(const ComparisonExpr& leaf, const json::object& root,
                        const Observation& obs, const ObservationSet& set) const {
  const json::value* type = root.if_contains("type");
  if (!type || !type->is_string() || type->get_string() != leaf.path.object_type) return false;
  std::vector<PathValue> values;
  ResolvePath(leaf.path, root, obs, set, &values);
  if (leaf.op == ComparisonOp::kExists) return values.empty() == leaf.negated;
  const CompiledLeaf* compiled = nullptr;
  if (auto it = compiled_.find(&leaf); it != compiled_.end()) compiled = it->second.get();
  for (const PathValue& pv : values) {
    bool result = false;
    const Constant* c = leaf.constants.empty() ? nullptr : &leaf.constants[0];
    switch (leaf.op) {
      case ComparisonOp::kEqual: {
        auto r = CompareValue(*c, pv);
        result = r && *r == 0;
        break;
      }
      case ComparisonOp::kNotEqual: {
        auto r = CompareValue(*c, pv);
        result = !r || *r != 0;
        break;
      }
      case ComparisonOp::kLess:
      case ComparisonOp::kLessEqual:
      case ComparisonOp::kGreater:
      case ComparisonOp::kGreaterEqual: {
        auto r = CompareValue(*c, pv);
        if (!r) break;
        result = leaf.op == ComparisonOp::kLess        ? *r < 0
                 : leaf.op == ComparisonOp::kLessEqual ? *r <= 0
                 : leaf.op == ComparisonOp::kGreater   ? *r > 0
                                                       : *r >= 0;
        break;
      }
      case ComparisonOp::kIn:
        for (const Constant& k : leaf.constants) {
          auto r = CompareValue(k, pv);
          if (r && *r == 0) {
            result = true;
            break;
          }
        }
        break;
      case ComparisonOp::kLike:
        if (pv.value->is_string()) {
          result = RE2::PartialMatch(Nfc(pv.value->get_string()), *compiled->regex);
        }
        break;
      case ComparisonOp::kMatches:
        if (!pv.value->is_string()) break;
        if (EndsWith(pv.key, "_hex") || EndsWith(pv.key, "_bin")) {
          auto bytes = PropertyBytes(pv.value->get_string(), pv.key);
          result = bytes && compiled->regex_latin1 &&
                   RE2::PartialMatch(*bytes, *compiled->regex_latin1);
        } else {
          result = RE2::PartialMatch(Nfc(pv.value->get_string()), *compiled->regex);
        }
        break;
      case ComparisonOp::kIsSubset:
      case ComparisonOp::kIsSuperset: {
        if (!pv.value->is_string()) break;
        auto p = ParseIpPrefix(pv.value->get_string());
        if (!p) break;
        result = leaf.op == ComparisonOp::kIsSubset ? PrefixContains(*compiled->prefix, *p)
                                                    : PrefixContains(*p, *compiled->prefix);
        break;
      }
      case ComparisonOp::kExists:
        break;
    }
    if (result != leaf.negated) return true;
  }
  return false;
}

namespace {

class Evaluator {
 public:
  Evaluator(const Matcher& m, const ObservationSet& set) : m_(m), set_(set) {}

  Result<Bindings> Eval(const ObservationExpr& e) {
    using K = ObservationExpr::Kind;
    Bindings out;
    if (e.kind == K::kLeaf) {
      const auto& obs = set_.observations();
      for (uint32_t i = 0; i < obs.size(); ++i) {
        for (const json::object* root : obs[i].objects) {
          if (m_.Holds(*e.comparison, *root, obs[i], set_)) {
            out.push_back({{i}, obs[i].first_observed, obs[i].last_observed});
            break;
          }
        }
      }
      return out;
    }
    TABADUL_ASSIGN_OR_RETURN(Bindings left, Eval(*e.left));
    switch (e.kind) {
      case K::kWithin:
        for (Binding& b : left) {
          if (b.last - b.first <= e.within_nanos) out.push_back(std::move(b));
        }
        return out;
      case K::kStartStop:
        for (Binding& b : left) {
          if (b.first >= e.start_nanos && b.last < e.stop_nanos) out.push_back(std::move(b));
        }
        return out;
      case K::kRepeats:
        return Repeat(left, e.repeats);
      default:
        break;
    }
    if (e.kind == K::kAnd && left.empty()) return out;
    TABADUL_ASSIGN_OR_RETURN(Bindings right, Eval(*e.right));
    if (e.kind == K::kOr) {
      out = std::move(left);
      out.insert(out.end(), right.begin(), right.end());
      Dedupe(&out);
      return out;
    }
    for (const Binding& l : left) {
      for (const Binding& r : right) {
        if (!Disjoint(l, r)) continue;
        if (e.kind == K::kFollowedBy && l.last > r.first) continue;
        out.push_back(Merge(l, r));
        if (out.size() > kMaxBindings) return TooMany();
      }
    }
    Dedupe(&out);
    return out;
  }

 private:
  // All unions of `n` pairwise-disjoint bindings from `items`, as index-increasing combinations.
  Result<Bindings> Repeat(const Bindings& items, int64_t n) {
    if (static_cast<int64_t>(items.size()) < n) return Bindings{};
    struct Partial {
      Binding merged;
      size_t last_index;
    };
    std::vector<Partial> current;
    for (size_t i = 0; i < items.size(); ++i) current.push_back({items[i], i});
    for (int64_t k = 1; k < n; ++k) {
      std::vector<Partial> next;
      for (const Partial& p : current) {
        for (size_t j = p.last_index + 1; j < items.size(); ++j) {
          if (!Disjoint(p.merged, items[j])) continue;
          next.push_back({Merge(p.merged, items[j]), j});
          if (next.size() > kMaxBindings) return TooMany();
        }
      }
      current = std::move(next);
      if (current.empty()) return Bindings{};
    }
    Bindings out;
    for (Partial& p : current) out.push_back(std::move(p.merged));
    Dedupe(&out);
    return out;
  }

  const Matcher& m_;
  const ObservationSet& set_;
};

}  // namespace

Result<bool> Matcher::Matches(const ObservationSet& observations) const {
  Evaluator ev(*this, observations);
  TABADUL_ASSIGN_OR_RETURN(Bindings b, ev.Eval(*pattern_.root));
  return !b.empty();
}

}  // namespace tabadul::pattern
