#include "pattern/indicator_index.h"

#include <re2/set.h>

#include <algorithm>
#include <boost/unordered/unordered_flat_map.hpp>
#include <set>

#include "pattern/cidr.h"
#include "pattern/nfc.h"
#include "pattern/parser.h"
#include "pattern/regex.h"

#include <re2/filtered_re2.h>

namespace tabadul::pattern {
namespace json = boost::json;
namespace {

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

// Indicators sharing one equality key: the first inline, more (rare) in an overflow list.
struct Posting {
  uint32_t first = kNone;
  uint32_t overflow = kNone;
};

// Binary trie over address bits; a node at depth d holds the indicators whose CIDR is the
// d-bit prefix leading to it. Nodes are not pruned on removal (their number is bounded by the
// prefixes ever added).
class PrefixTrie {
 public:
  void Insert(const IpPrefix& p, uint32_t record) {
    uint32_t node = 0;
    for (int i = 0; i < p.length; ++i) {
      int bit = p.Bit(i);
      if (nodes_[node].child[bit] == 0) {
        nodes_[node].child[bit] = static_cast<uint32_t>(nodes_.size());
        nodes_.emplace_back();
      }
      node = nodes_[node].child[bit];
    }
    nodes_[node].records.push_back(record);
    ++count_;
  }
  void Erase(const IpPrefix& p, uint32_t record) {
    uint32_t node = 0;
    for (int i = 0; i < p.length; ++i) {
      node = nodes_[node].child[p.Bit(i)];
      if (node == 0) return;
    }
    auto& v = nodes_[node].records;
    auto it = std::find(v.begin(), v.end(), record);
    if (it != v.end()) {
      v.erase(it);
      --count_;
    }
  }
  // Appends the indicators whose prefix contains `p`.
  void Query(const IpPrefix& p, std::vector<uint32_t>* out) const {
    uint32_t node = 0;
    for (int i = 0;; ++i) {
      const auto& v = nodes_[node].records;
      out->insert(out->end(), v.begin(), v.end());
      if (i == p.length) return;
      node = nodes_[node].child[p.Bit(i)];
      if (node == 0) return;
    }
  }
  size_t count() const { return count_; }

 private:
  struct Node {
    uint32_t child[2] = {0, 0};
    std::vector<uint32_t> records;
  };
  std::vector<Node> nodes_ = std::vector<Node>(1);
  size_t count_ = 0;
};

struct RegexEntry {
  uint32_t record;
  uint32_t generation;
  std::string source;  // RE2 syntax, already NFC
};

constexpr size_t kMaxPending = 16;

// Tiers with at least this many regexes are prefiltered (see RegexTier); below it one RE2::Set
// is as fast.
constexpr size_t kMinFilteredEntries = 32;

// The compiled form of `entries`, one of two ways:
//  - an RE2::Set over all entries; if the set cannot be built (its memory budget), the regexes
//    are kept compiled one by one in `singles` instead.
//  - for large tiers, `filter` (RE2's FilteredRE2, entry index = its regex id): the literal
//    strings ("atoms") each regex requires, found in one pass by `atoms` (an RE2::Set of the
//    literals), select the few regexes worth running. A set of thousands of regexes like
//    `[^/]*abc123` makes RE2::Set's DFA build new states for nearly every input; a set of plain
//    literals does not. Measured in bench/pattern/regex_prefilter_bench.cc.
struct RegexTier {
  std::vector<RegexEntry> entries;
  std::unique_ptr<RE2::Set> set;
  std::vector<std::unique_ptr<RE2>> singles;
  std::unique_ptr<re2::FilteredRE2> filter;
  std::unique_ptr<RE2::Set> atoms;  // null when no regex has an atom (all unfiltered)
};

}  // namespace

struct IndicatorIndex::Record {
  enum class Mode : uint8_t { kExact, kVerified, kResidual };
  std::string id;
  std::string pattern;
  int64_t valid_from = 0, valid_until = kNoExpiry;
  uint32_t generation = 0;
  bool alive = false;
  Mode mode = Mode::kExact;
  std::unique_ptr<Matcher> matcher;          // kVerified, kResidual
  std::vector<std::string> residual_types;   // kResidual
};

struct IndicatorIndex::Anchor {
  enum class Kind { kEqual, kPrefix, kRegex };
  Kind kind;
  const ObjectPath* path;
  std::string value;  // kEqual: the string; kPrefix: the CIDR text; kRegex: RE2 source
};

struct IndicatorIndex::Slot {
  ObjectPath path;
  boost::unordered_flat_map<std::string, Posting, Hash, Eq> equal;
  std::vector<std::vector<uint32_t>> overflow;
  std::vector<uint32_t> free_overflow;
  PrefixTrie v4, v6;
  // Regexes in two compiled tiers (a large one and a small one, LSM-style) plus at most
  // kMaxPending regexes matched one by one; see RebuildRegexes().
  RegexTier tiers[2];
  std::vector<RegexEntry> pending;
  std::vector<std::unique_ptr<RE2>> pending_re;
  size_t stale = 0;

  size_t regex_count() const {
    return tiers[0].entries.size() + tiers[1].entries.size() + pending.size() - stale;
  }
};

namespace {

bool LastKeyIsBinary(const ObjectPath& path) {
  for (auto it = path.steps.rbegin(); it != path.steps.rend(); ++it) {
    if (it->kind == PathStep::Kind::kKey) {
      return it->key.ends_with("_hex") || it->key.ends_with("_bin");
    }
  }
  return false;
}

}  // namespace


bool IndicatorIndex::LeafAnchors(const ComparisonExpr& e, std::vector<Anchor>* out) {
  if (e.negated) return false;
  switch (e.op) {
    case ComparisonOp::kEqual:
    case ComparisonOp::kIn:
      for (const Constant& c : e.constants) {
        if (c.kind != ConstantKind::kString) return false;
      }
      for (const Constant& c : e.constants) out->push_back({Anchor::Kind::kEqual, &e.path, c.bytes});
      return true;
    case ComparisonOp::kIsSubset:
      out->push_back({Anchor::Kind::kPrefix, &e.path, e.constants[0].bytes});
      return true;
    case ComparisonOp::kLike:
      out->push_back({Anchor::Kind::kRegex, &e.path, LikeToRegex(Nfc(e.constants[0].bytes))});
      return true;
    case ComparisonOp::kMatches:
      if (LastKeyIsBinary(e.path)) return false;
      out->push_back({Anchor::Kind::kRegex, &e.path, Nfc(e.constants[0].bytes)});
      return true;
    default:
      return false;
  }
}

bool IndicatorIndex::ComparisonAnchors(const ComparisonExpr& e, std::vector<Anchor>* out) {
  if (e.kind == ComparisonExpr::Kind::kLeaf) return LeafAnchors(e, out);
  std::vector<Anchor> left, right;
  bool l = ComparisonAnchors(*e.left, &left);
  bool r = ComparisonAnchors(*e.right, &right);
  if (e.kind == ComparisonExpr::Kind::kOr) {
    if (!l || !r) return false;
    std::move(left.begin(), left.end(), std::back_inserter(*out));
    std::move(right.begin(), right.end(), std::back_inserter(*out));
    return true;
  }
  // AND: either side's anchors are necessary; take the smaller set.
  if (!l && !r) return false;
  std::vector<Anchor>& pick = !r || (l && left.size() <= right.size()) ? left : right;
  std::move(pick.begin(), pick.end(), std::back_inserter(*out));
  return true;
}

bool IndicatorIndex::ObservationAnchors(const ObservationExpr& e, std::vector<Anchor>* out) {
  using K = ObservationExpr::Kind;
  if (e.kind == K::kLeaf) return ComparisonAnchors(*e.comparison, out);
  if (!e.right) return ObservationAnchors(*e.left, out);  // qualifiers
  std::vector<Anchor> left, right;
  bool l = ObservationAnchors(*e.left, &left);
  bool r = ObservationAnchors(*e.right, &right);
  if (e.kind == K::kOr) {
    if (!l || !r) return false;
    std::move(left.begin(), left.end(), std::back_inserter(*out));
    std::move(right.begin(), right.end(), std::back_inserter(*out));
    return true;
  }
  if (!l && !r) return false;  // AND, FOLLOWEDBY: both sides must match
  std::vector<Anchor>& pick = !r || (l && left.size() <= right.size()) ? left : right;
  std::move(pick.begin(), pick.end(), std::back_inserter(*out));
  return true;
}

// One bracketed expression, no qualifier, an OR of anchorable leaves: an anchor hit is a match.
bool IndicatorIndex::IsExact(const Pattern& p) {
  if (p.root->kind != ObservationExpr::Kind::kLeaf) return false;
  std::vector<const ComparisonExpr*> stack = {p.root->comparison.get()};
  while (!stack.empty()) {
    const ComparisonExpr* e = stack.back();
    stack.pop_back();
    if (e->kind == ComparisonExpr::Kind::kAnd) return false;
    if (e->kind == ComparisonExpr::Kind::kOr) {
      stack.push_back(e->left.get());
      stack.push_back(e->right.get());
      continue;
    }
    std::vector<Anchor> ignored;
    if (!LeafAnchors(*e, &ignored)) return false;
  }
  return true;
}

namespace {

void CollectTypes(const ComparisonExpr& e, std::set<std::string>* out) {
  if (e.kind == ComparisonExpr::Kind::kLeaf) {
    out->insert(e.path.object_type);
    return;
  }
  CollectTypes(*e.left, out);
  CollectTypes(*e.right, out);
}

void CollectTypes(const ObservationExpr& e, std::set<std::string>* out) {
  if (e.kind == ObservationExpr::Kind::kLeaf) return CollectTypes(*e.comparison, out);
  if (e.left) CollectTypes(*e.left, out);
  if (e.right) CollectTypes(*e.right, out);
}

json::object SyntheticObject(ObservableKind kind, std::string_view value) {
  ObservableTarget t = TargetOf(kind);
  json::object o;
  o["type"] = t.object_type;
  if (t.in_hashes) {
    json::object hashes;
    hashes[t.property] = value;
    o["hashes"] = std::move(hashes);
  } else {
    o[t.property] = value;
  }
  return o;
}

RE2::Options SetOptions() {
  RE2::Options o = RegexOptions(false);
  o.set_max_mem(int64_t{256} << 20);
  return o;
}

}  // namespace

IndicatorIndex::IndicatorIndex() {
  for (int k = 0; k < kObservableKindCount; ++k) {
    ObservableTarget t = TargetOf(static_cast<ObservableKind>(k));
    auto parsed = ParsePattern("[EXISTS " + std::string(t.path) + "]");
    assert(parsed.ok());
    kind_slot_[k] = SlotFor(parsed->root->comparison->path);
    kind_residual_[k] = &residual_by_type_[std::string(t.object_type)];
  }
}

IndicatorIndex::~IndicatorIndex() = default;

namespace {

bool SamePath(const ObjectPath& a, const ObjectPath& b) {
  if (a.object_type != b.object_type || a.steps.size() != b.steps.size()) return false;
  for (size_t i = 0; i < a.steps.size(); ++i) {
    const PathStep& x = a.steps[i];
    const PathStep& y = b.steps[i];
    if (x.kind != y.kind || x.key != y.key || x.index != y.index) return false;
  }
  return true;
}

}  // namespace

uint32_t IndicatorIndex::SlotFor(const ObjectPath& path) {
  // Few paths per object type: comparing them beats formatting a key on every Add.
  if (auto it = slots_by_type_.find(path.object_type); it != slots_by_type_.end()) {
    for (uint32_t id : it->second) {
      if (SamePath(slots_[id]->path, path)) return id;
    }
  }
  std::string key = path.ToString();
  if (auto it = slot_by_path_.find(key); it != slot_by_path_.end()) return it->second;
  uint32_t id = static_cast<uint32_t>(slots_.size());
  auto slot = std::make_unique<Slot>();
  slot->path = path;
  slots_.push_back(std::move(slot));
  slot_by_path_.emplace(std::move(key), id);
  slots_by_type_[path.object_type].push_back(id);
  return id;
}

Status IndicatorIndex::Add(std::string_view indicator_id, std::string_view pattern_text,
                           int64_t valid_from_ns, int64_t valid_until_ns) {
  if (valid_until_ns <= valid_from_ns) {
    return InvalidArgument("indicator valid_until must be later than valid_from");
  }
  TABADUL_ASSIGN_OR_RETURN(Pattern pattern, ParsePattern(pattern_text));
  std::vector<Anchor> anchors;
  bool anchored = ObservationAnchors(*pattern.root, &anchors);
  Record::Mode mode = !anchored         ? Record::Mode::kResidual
                      : IsExact(pattern) ? Record::Mode::kExact
                                         : Record::Mode::kVerified;
  std::set<std::string> types;
  if (mode == Record::Mode::kResidual) CollectTypes(*pattern.root, &types);
  std::unique_ptr<Matcher> matcher;
  if (mode != Record::Mode::kExact) {
    // Anchors point into the tree's nodes, which stay where they are when the Pattern moves.
    TABADUL_ASSIGN_OR_RETURN(Matcher m, Matcher::FromPattern(std::move(pattern)));
    matcher = std::make_unique<Matcher>(std::move(m));
  }
  if (auto it = by_id_.find(indicator_id); it != by_id_.end()) RemoveRecord(it->second);

  uint32_t index;
  if (!free_records_.empty()) {
    index = free_records_.back();
    free_records_.pop_back();
  } else {
    index = static_cast<uint32_t>(records_.size());
    records_.emplace_back();
  }
  Record& r = records_[index];
  r.id = std::string(indicator_id);
  r.pattern = std::string(pattern_text);
  r.valid_from = valid_from_ns;
  r.valid_until = valid_until_ns;
  r.alive = true;
  r.mode = mode;
  r.matcher = std::move(matcher);
  r.residual_types.assign(types.begin(), types.end());
  by_id_.emplace(std::string_view(r.id), index);
  if (mode == Record::Mode::kResidual) {
    for (const std::string& t : r.residual_types) residual_by_type_[t].push_back(index);
  } else {
    Link(index, anchors);
  }
  return Status::Ok();
}

void IndicatorIndex::Link(uint32_t record, const std::vector<Anchor>& anchors) {
  for (const Anchor& a : anchors) {
    Slot& slot = *slots_[SlotFor(*a.path)];
    switch (a.kind) {
      case Anchor::Kind::kEqual: {
        Posting& p = slot.equal[a.value];
        if (p.first == kNone) {
          p.first = record;
        } else if (p.first != record) {
          if (p.overflow == kNone) {
            if (slot.free_overflow.empty()) {
              p.overflow = static_cast<uint32_t>(slot.overflow.size());
              slot.overflow.emplace_back();
            } else {
              p.overflow = slot.free_overflow.back();
              slot.free_overflow.pop_back();
            }
          }
          auto& more = slot.overflow[p.overflow];
          if (std::find(more.begin(), more.end(), record) == more.end()) more.push_back(record);
        }
        break;
      }
      case Anchor::Kind::kPrefix: {
        auto prefix = ParseIpPrefix(a.value);
        assert(prefix);  // the parser checked it
        (prefix->v6 ? slot.v6 : slot.v4).Insert(*prefix, record);
        break;
      }
      case Anchor::Kind::kRegex: {
        auto re = std::make_unique<RE2>(a.value, RegexOptions(false));
        assert(re->ok());
        slot.pending.push_back({record, records_[record].generation, a.value});
        slot.pending_re.push_back(std::move(re));
        if (slot.pending.size() > kMaxPending) RebuildRegexes(&slot);
        break;
      }
    }
  }
}

void IndicatorIndex::Unlink(uint32_t record, const std::vector<Anchor>& anchors) {
  for (const Anchor& a : anchors) {
    Slot& slot = *slots_[SlotFor(*a.path)];
    switch (a.kind) {
      case Anchor::Kind::kEqual: {
        auto it = slot.equal.find(a.value);
        if (it == slot.equal.end()) break;
        Posting& p = it->second;
        std::vector<uint32_t>* more = p.overflow == kNone ? nullptr : &slot.overflow[p.overflow];
        if (p.first == record) {
          if (more && !more->empty()) {
            p.first = more->back();
            more->pop_back();
          } else {
            p.first = kNone;
          }
        } else if (more) {
          more->erase(std::remove(more->begin(), more->end(), record), more->end());
        }
        if (more && more->empty()) {
          slot.free_overflow.push_back(p.overflow);
          p.overflow = kNone;
        }
        if (p.first == kNone) slot.equal.erase(it);
        break;
      }
      case Anchor::Kind::kPrefix: {
        auto prefix = ParseIpPrefix(a.value);
        (prefix->v6 ? slot.v6 : slot.v4).Erase(*prefix, record);
        break;
      }
      case Anchor::Kind::kRegex:
        // The entry carries the record's generation, which RemoveRecord bumps: it is now stale.
        ++slot.stale;
        if (slot.stale > kMaxPending && slot.stale * 2 > slot.regex_count() + slot.stale) {
          RebuildRegexes(&slot, true);
        }
        break;
    }
  }
}

namespace {

// The filtered form of a tier (see RegexTier); false, with `tier` untouched, if it cannot be
// built.
bool BuildFilteredTier(const std::vector<RegexEntry>& entries, RegexTier* tier) {
  auto filter = std::make_unique<re2::FilteredRE2>(/*min_atom_len=*/3);
  for (size_t i = 0; i < entries.size(); ++i) {
    int id = -1;
    if (filter->Add(entries[i].source, RegexOptions(false), &id) != RE2::NoError ||
        id != static_cast<int>(i)) {
      return false;
    }
  }
  std::vector<std::string> atoms;
  filter->Compile(&atoms);
  std::unique_ptr<RE2::Set> atom_set;
  if (!atoms.empty()) {
    // Atoms are lower-cased literals; the query lower-cases ASCII text to match (see
    // QueryFilteredTier). Latin-1: bytes are compared as bytes.
    RE2::Options o = RegexOptions(true);
    o.set_max_mem(int64_t{64} << 20);
    atom_set = std::make_unique<RE2::Set>(o, RE2::UNANCHORED);
    for (size_t k = 0; k < atoms.size(); ++k) {
      if (atom_set->Add(RE2::QuoteMeta(atoms[k]), nullptr) != static_cast<int>(k)) return false;
    }
    if (!atom_set->Compile()) return false;
  }
  tier->filter = std::move(filter);
  tier->atoms = std::move(atom_set);
  return true;
}

RegexTier BuildTier(std::vector<RegexEntry> entries, const RE2::Options& options) {
  RegexTier tier;
  if (entries.size() >= kMinFilteredEntries && BuildFilteredTier(entries, &tier)) {
    tier.entries = std::move(entries);
    return tier;
  }
  auto set = std::make_unique<RE2::Set>(options, RE2::UNANCHORED);
  bool ok = true;
  for (const RegexEntry& e : entries) ok = ok && set->Add(e.source, nullptr) >= 0;
  if (ok && !entries.empty() && set->Compile()) {
    tier.set = std::move(set);
  } else {
    for (const RegexEntry& e : entries) {
      tier.singles.push_back(std::make_unique<RE2>(e.source, RegexOptions(false)));
    }
  }
  tier.entries = std::move(entries);
  return tier;
}

}  // namespace

// Pending regexes move into the small tier; the small tier merges into the large one when it
// outgrows a quarter of it; `full` (many stale entries) rebuilds everything. Each regex is thus
// recompiled O(log n) times over its life, and a query costs two set matches plus at most
// kMaxPending single regexes.
void IndicatorIndex::RebuildRegexes(Slot* slot, bool full) {
  auto live = [&](const RegexEntry& e) {
    const Record& r = records_[e.record];
    return r.alive && r.generation == e.generation;
  };
  auto take = [&](std::vector<RegexEntry>& from, std::vector<RegexEntry>* to) {
    for (RegexEntry& e : from) {
      if (live(e)) {
        to->push_back(std::move(e));
      } else if (slot->stale > 0) {
        --slot->stale;
      }
    }
    from.clear();
  };
  std::vector<RegexEntry> small, large;
  take(slot->pending, &small);
  slot->pending_re.clear();
  take(slot->tiers[1].entries, &small);
  if (full || small.size() > 64 + slot->tiers[0].entries.size() / 4) {
    take(slot->tiers[0].entries, &large);
    std::move(small.begin(), small.end(), std::back_inserter(large));
    small.clear();
    slot->tiers[0] = BuildTier(std::move(large), SetOptions());
  }
  slot->tiers[1] = BuildTier(std::move(small), SetOptions());
}

void IndicatorIndex::RemoveRecord(uint32_t index) {
  Record& r = records_[index];
  if (r.mode == Record::Mode::kResidual) {
    for (const std::string& t : r.residual_types) {
      auto& v = residual_by_type_[t];
      v.erase(std::remove(v.begin(), v.end(), index), v.end());
    }
  } else {
    auto pattern = ParsePattern(r.pattern);
    assert(pattern.ok());  // it parsed when it was added
    std::vector<Anchor> anchors;
    ObservationAnchors(*pattern->root, &anchors);
    Unlink(index, anchors);
  }
  by_id_.erase(std::string_view(r.id));
  ++r.generation;
  r.alive = false;
  r.id.clear();
  r.id.shrink_to_fit();
  r.pattern.clear();
  r.pattern.shrink_to_fit();
  r.matcher.reset();
  r.residual_types.clear();
  free_records_.push_back(index);
}

Status IndicatorIndex::Remove(std::string_view indicator_id) {
  auto it = by_id_.find(indicator_id);
  if (it == by_id_.end()) {
    return NotFound("indicator " + std::string(indicator_id) + " is not in the index");
  }
  RemoveRecord(it->second);
  return Status::Ok();
}

size_t IndicatorIndex::RemoveExpired(int64_t now_ns) {
  size_t removed = 0;
  for (uint32_t i = 0; i < records_.size(); ++i) {
    if (records_[i].alive && records_[i].valid_until <= now_ns) {
      RemoveRecord(i);
      ++removed;
    }
  }
  return removed;
}

IndicatorIndexStats IndicatorIndex::stats() const {
  IndicatorIndexStats s;
  s.indicators = by_id_.size();
  for (const Record& r : records_) {
    if (!r.alive) continue;
    if (r.mode == Record::Mode::kExact) ++s.exact;
    if (r.mode == Record::Mode::kVerified) ++s.verified;
    if (r.mode == Record::Mode::kResidual) ++s.residual;
  }
  for (const auto& slot : slots_) {
    s.equality_keys += slot->equal.size();
    s.prefixes += slot->v4.count() + slot->v6.count();
    s.regexes += slot->regex_count();
  }
  s.slots = slots_.size();
  return s;
}

bool IndicatorIndex::Valid(const Record& r, int64_t now_ns) const {
  return r.alive && r.valid_from <= now_ns && now_ns < r.valid_until;
}

namespace {

bool IsAsciiText(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

// Matches `normalized` against a filtered tier; appends the records of the live entries that
// match. `live(entry)` says whether an entry still belongs to its record. FilteredRE2 wants the
// text lower-cased the way it lower-cased its atoms; that is plain ASCII lower-casing only for
// ASCII text, so other text (and an atom set out of memory) takes the exact slow path: every
// regex on its own.
template <typename Live>
void QueryFilteredTier(const RegexTier& tier, const std::string& normalized, const Live& live,
                       std::vector<uint32_t>* hits) {
  thread_local std::vector<int> atom_ids;
  thread_local std::vector<int> matched;
  thread_local std::string lower;
  atom_ids.clear();
  matched.clear();
  bool filtered = IsAsciiText(normalized);
  if (filtered && tier.atoms != nullptr) {
    lower.assign(normalized);
    for (char& c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    RE2::Set::ErrorInfo error;
    filtered = tier.atoms->Match(lower, &atom_ids, &error) || error.kind == RE2::Set::kNoError;
  }
  if (filtered) {
    tier.filter->AllMatches(normalized, atom_ids, &matched);
  } else {
    for (int i = 0; i < static_cast<int>(tier.entries.size()); ++i) {
      if (RE2::PartialMatch(normalized, tier.filter->GetRE2(i))) matched.push_back(i);
    }
  }
  for (int i : matched) {
    const RegexEntry& e = tier.entries[static_cast<size_t>(i)];
    if (live(e)) hits->push_back(e.record);
  }
}

}  // namespace

void IndicatorIndex::QuerySlot(const Slot& slot, std::string_view value,
                               std::vector<uint32_t>* hits) const {
  if (!slot.equal.empty()) {
    auto it = slot.equal.find(value);
    if (it != slot.equal.end()) {
      hits->push_back(it->second.first);
      if (it->second.overflow != kNone) {
        const auto& more = slot.overflow[it->second.overflow];
        hits->insert(hits->end(), more.begin(), more.end());
      }
    }
  }
  if (slot.v4.count() + slot.v6.count() > 0) {
    if (auto prefix = ParseIpPrefix(value)) (prefix->v6 ? slot.v6 : slot.v4).Query(*prefix, hits);
  }
  if (slot.regex_count() + slot.stale > 0) {
    std::string normalized = Nfc(value);
    auto live = [&](const RegexEntry& e) {
      const Record& r = records_[e.record];
      return r.alive && r.generation == e.generation;
    };
    for (const RegexTier& tier : slot.tiers) {
      if (tier.filter) {
        QueryFilteredTier(tier, normalized, live, hits);
        continue;
      }
      bool set_ok = false;
      if (tier.set) {
        std::vector<int> matched;
        RE2::Set::ErrorInfo error;
        set_ok = tier.set->Match(normalized, &matched, &error) ||
                 error.kind == RE2::Set::kNoError;
        for (int i : matched) {
          if (live(tier.entries[i])) hits->push_back(tier.entries[i].record);
        }
      }
      if (!set_ok && !tier.entries.empty()) {  // no set, or its DFA ran out of memory
        for (size_t i = 0; i < tier.entries.size(); ++i) {
          const RegexEntry& e = tier.entries[i];
          if (!live(e)) continue;
          bool m = tier.singles.empty()
                       ? RE2::PartialMatch(normalized, RE2(e.source, RegexOptions(false)))
                       : RE2::PartialMatch(normalized, *tier.singles[i]);
          if (m) hits->push_back(e.record);
        }
      }
    }
    for (size_t i = 0; i < slot.pending.size(); ++i) {
      if (live(slot.pending[i]) && RE2::PartialMatch(normalized, *slot.pending_re[i])) {
        hits->push_back(slot.pending[i].record);
      }
    }
  }
}

Status IndicatorIndex::Confirm(const std::vector<uint32_t>& candidates,
                               const std::function<const ObservationSet&()>& get_observations,
                               int64_t now_ns, std::vector<std::string_view>* out) const {
  const ObservationSet* observations = nullptr;
  for (uint32_t c : candidates) {
    const Record& r = records_[c];
    if (!Valid(r, now_ns)) continue;
    if (r.mode != Record::Mode::kExact) {
      if (!observations) observations = &get_observations();
      TABADUL_ASSIGN_OR_RETURN(bool matched, r.matcher->Matches(*observations));
      if (!matched) continue;
    }
    out->push_back(r.id);
  }
  std::sort(out->begin(), out->end());
  return Status::Ok();
}

std::vector<std::string_view> IndicatorIndex::MatchValue(ObservableKind kind,
                                                         std::string_view value,
                                                         int64_t now_ns) const {
  int k = static_cast<int>(kind);
  std::vector<uint32_t> candidates;
  QuerySlot(*slots_[kind_slot_[k]], value, &candidates);
  const std::vector<uint32_t>& residual = *kind_residual_[k];
  candidates.insert(candidates.end(), residual.begin(), residual.end());
  std::vector<std::string_view> out;
  if (candidates.empty()) return out;
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  std::optional<ObservationSet> synthetic;
  auto get = [&]() -> const ObservationSet& {
    synthetic.emplace(ObservationSet::FromObject(SyntheticObject(kind, value), now_ns));
    return *synthetic;
  };
  // One observation cannot exceed the binding bound, so this cannot fail.
  Status st = Confirm(candidates, get, now_ns, &out);
  assert(st.ok());
  (void)st;
  return out;
}

Result<std::vector<std::string_view>> IndicatorIndex::MatchObservedData(
    const ObservationSet& observations, int64_t now_ns) const {
  std::vector<uint32_t> candidates;
  std::vector<PathValue> values;
  std::set<std::string_view> types;
  for (const Observation& obs : observations.observations()) {
    for (const json::object* root : obs.objects) {
      const json::value* type = root->if_contains("type");
      if (!type || !type->is_string()) continue;
      std::string_view type_name = type->get_string();
      types.insert(type_name);
      auto slots = slots_by_type_.find(type_name);
      if (slots == slots_by_type_.end()) continue;
      for (uint32_t s : slots->second) {
        const Slot& slot = *slots_[s];
        ResolvePath(slot.path, *root, obs, observations, &values);
        for (const PathValue& pv : values) {
          if (pv.value->is_string()) QuerySlot(slot, pv.value->get_string(), &candidates);
        }
      }
    }
  }
  for (std::string_view t : types) {
    auto it = residual_by_type_.find(t);
    if (it != residual_by_type_.end()) {
      candidates.insert(candidates.end(), it->second.begin(), it->second.end());
    }
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  std::vector<std::string_view> out;
  TABADUL_RETURN_IF_ERROR(Confirm(
      candidates, [&]() -> const ObservationSet& { return observations; }, now_ns, &out));
  return out;
}

}  // namespace tabadul::pattern
