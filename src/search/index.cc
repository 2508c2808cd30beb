#include "search/index.h"

#include <xapian.h>

#include <algorithm>
#include <unordered_set>

#include "search/analyzer.h"
#include "text/tokenizer.h"

namespace tabadul::search {
namespace {

constexpr Xapian::valueno kSlotId = 0;
constexpr Xapian::valueno kSlotType = 1;
constexpr Xapian::valueno kSlotCollection = 2;
constexpr Xapian::valueno kSlotMeta = 3;
constexpr size_t kMaxTermBytes = 200;      // Xapian's limit is 245
constexpr size_t kSnippetContext = 90;     // bytes of context on each side of the first match
constexpr size_t kMaxLimit = 1000;

std::string IdTerm(std::string_view id) {
  std::string term(1, 'Q');
  term.append(id);
  return term;
}

void IndexField(const Analyzer& analyzer, Xapian::Document& doc, std::string_view field,
                Xapian::termcount weight) {
  const text::TokenizedText tt = text::Tokenize(field);
  for (const text::Token& t : tt.tokens) {
    for (const std::string& term : analyzer.TokenTerms(t)) {
      if (term.size() <= kMaxTermBytes) doc.add_term(term, weight);
    }
  }
}

class VisibleDecider : public Xapian::MatchDecider {
 public:
  explicit VisibleDecider(const SearchFilters& f) : f_(f) {}
  bool operator()(const Xapian::Document& doc) const override {
    const std::string id = doc.get_value(kSlotId);
    const std::string collection = doc.get_value(kSlotCollection);
    if (f_.visible && !f_.visible(id, collection)) return false;
    return !f_.visible_meta || f_.visible_meta(id, collection, doc.get_value(kSlotMeta));
  }

 private:
  const SearchFilters& f_;
};

size_t Utf8Floor(std::string_view s, size_t i) {
  while (i > 0 && i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  return i;
}

}  // namespace

struct Index::Impl {
  Xapian::WritableDatabase db;  // unused when read_only
  Xapian::Database reader;      // the database queries read (db itself when writable)
  bool read_only = false;
  Analyzer analyzer;

  Status CheckWritable() const {
    if (read_only) return FailedPrecondition("search index opened read-only");
    return Status::Ok();
  }

  void MakeSnippet(const std::string& stored, const std::unordered_set<std::string>& query_terms,
                   Hit& hit) const {
    const text::TokenizedText tt = text::Tokenize(stored);
    std::vector<std::pair<size_t, size_t>> matches;
    for (const text::Token& t : tt.tokens) {
      for (const std::string& term : analyzer.TokenTerms(t)) {
        if (query_terms.count(term)) {
          matches.emplace_back(t.begin, t.end);
          break;
        }
      }
    }
    size_t from = 0;
    if (!matches.empty()) from = matches[0].first > kSnippetContext ? matches[0].first - kSnippetContext : 0;
    from = Utf8Floor(stored, from);
    size_t to = Utf8Floor(stored, std::min(stored.size(), from + 2 * kSnippetContext +
                                                             (matches.empty() ? 0 : matches[0].second - matches[0].first)));
    if (to < stored.size() && to <= from) to = stored.size();
    hit.snippet = stored.substr(from, to - from);
    for (auto [b, e] : matches) {
      if (b >= from && e <= to) hit.highlights.emplace_back(b - from, e - from);
    }
    for (char& c : hit.snippet) if (c == '\n' || c == '\t' || c == '\r') c = ' ';
  }
};

Index::Index(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Index::~Index() = default;

Result<std::unique_ptr<Index>> Index::Open(const std::string& folder) {
  try {
    auto impl = std::make_unique<Impl>();
    impl->db = Xapian::WritableDatabase(folder, Xapian::DB_CREATE_OR_OPEN);
    impl->reader = impl->db;
    return std::unique_ptr<Index>(new Index(std::move(impl)));
  } catch (const Xapian::Error& e) {
    return Internal("search index at " + folder + ": " + e.get_description());
  }
}

Result<std::unique_ptr<Index>> Index::InMemory() {
  try {
    auto impl = std::make_unique<Impl>();
    impl->db = Xapian::WritableDatabase(std::string(), Xapian::DB_BACKEND_INMEMORY);
    impl->reader = impl->db;
    return std::unique_ptr<Index>(new Index(std::move(impl)));
  } catch (const Xapian::Error& e) {
    return Internal("in-memory search index: " + e.get_description());
  }
}

Result<std::unique_ptr<Index>> Index::OpenReadOnly(const std::string& folder) {
  try {
    auto impl = std::make_unique<Impl>();
    impl->reader = Xapian::Database(folder);
    impl->read_only = true;
    return std::unique_ptr<Index>(new Index(std::move(impl)));
  } catch (const Xapian::DatabaseNotFoundError& e) {
    return NotFound("no search index at " + folder);
  } catch (const Xapian::DatabaseOpeningError& e) {
    return NotFound("no search index at " + folder + ": " + e.get_description());
  } catch (const Xapian::Error& e) {
    return Internal("search index at " + folder + ": " + e.get_description());
  }
}

bool Index::read_only() const { return impl_->read_only; }

Status Index::SetMetadata(std::string_view key, std::string_view value) {
  if (key.empty()) return InvalidArgument("empty search index metadata key");
  TABADUL_RETURN_IF_ERROR(impl_->CheckWritable());
  try {
    impl_->db.set_metadata(std::string(key), std::string(value));
    return Status::Ok();
  } catch (const Xapian::Error& e) {
    return Internal("search index metadata: " + e.get_description());
  }
}

Result<std::string> Index::GetMetadata(std::string_view key) const {
  if (key.empty()) return InvalidArgument("empty search index metadata key");
  try {
    return impl_->reader.get_metadata(std::string(key));
  } catch (const Xapian::Error& e) {
    return Internal("search index metadata: " + e.get_description());
  }
}

Status Index::Add(const Document& d) {
  if (d.id.empty()) return InvalidArgument("search document without id");
  TABADUL_RETURN_IF_ERROR(impl_->CheckWritable());
  try {
    Xapian::Document doc;
    IndexField(impl_->analyzer, doc, d.name, 3);
    for (const std::string& alias : d.aliases) IndexField(impl_->analyzer, doc, alias, 2);
    IndexField(impl_->analyzer, doc, d.description, 1);
    IndexField(impl_->analyzer, doc, d.text, 1);
    const std::string id_term = IdTerm(d.id);
    doc.add_boolean_term(id_term);
    doc.add_boolean_term("XT" + d.type);
    doc.add_boolean_term("XC" + d.collection);
    doc.add_value(kSlotId, d.id);
    doc.add_value(kSlotType, d.type);
    doc.add_value(kSlotCollection, d.collection);
    if (!d.meta.empty()) doc.add_value(kSlotMeta, d.meta);
    std::string stored = d.name;
    for (const std::string& alias : d.aliases) stored += "\n" + alias;
    if (!d.description.empty()) stored += "\n" + d.description;
    if (!d.text.empty()) stored += "\n" + d.text;
    doc.set_data(stored);
    impl_->db.replace_document(id_term, doc);
    return Status::Ok();
  } catch (const Xapian::Error& e) {
    return Internal("search index add: " + e.get_description());
  }
}

Status Index::Remove(std::string_view id) {
  TABADUL_RETURN_IF_ERROR(impl_->CheckWritable());
  try {
    const std::string term = IdTerm(id);
    if (!impl_->db.term_exists(term)) return NotFound("no indexed object " + std::string(id));
    impl_->db.delete_document(term);
    return Status::Ok();
  } catch (const Xapian::Error& e) {
    return Internal("search index remove: " + e.get_description());
  }
}

Status Index::Commit() {
  TABADUL_RETURN_IF_ERROR(impl_->CheckWritable());
  try {
    impl_->db.commit();
    return Status::Ok();
  } catch (const Xapian::Error& e) {
    return Internal("search index commit: " + e.get_description());
  }
}

size_t Index::size() const { return impl_->reader.get_doccount(); }

Result<SearchResult> Index::Query(std::string_view query, const SearchFilters& filters,
                                  size_t limit, size_t offset) const {
  limit = std::min(limit, kMaxLimit);
  try {
    if (impl_->read_only) impl_->reader.reopen();  // see the writer's latest commit
    const auto groups = impl_->analyzer.QueryTermGroups(query);
    std::unordered_set<std::string> query_terms;
    std::vector<Xapian::Query> parts;
    for (const auto& group : groups) {
      std::vector<Xapian::Query> alternatives;
      for (const std::string& term : group) {
        if (term.size() > kMaxTermBytes) continue;
        alternatives.emplace_back(term);
        query_terms.insert(term);
      }
      if (alternatives.empty()) continue;
      parts.emplace_back(Xapian::Query::OP_SYNONYM, alternatives.begin(), alternatives.end());
    }
    Xapian::Query q = parts.empty() ? Xapian::Query::MatchAll
                                    : Xapian::Query(Xapian::Query::OP_AND, parts.begin(), parts.end());
    auto boolean_or = [](const std::vector<std::string>& values, const std::string& prefix) {
      std::vector<Xapian::Query> terms;
      for (const std::string& v : values) terms.emplace_back(prefix + v);
      return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
    };
    if (!filters.types.empty()) q = Xapian::Query(Xapian::Query::OP_FILTER, q, boolean_or(filters.types, "XT"));
    if (!filters.collections.empty()) {
      q = Xapian::Query(Xapian::Query::OP_FILTER, q, boolean_or(filters.collections, "XC"));
    }
    Xapian::Enquire enquire(impl_->reader);
    enquire.set_query(q);
    std::unique_ptr<VisibleDecider> decider;
    if (filters.visible || filters.visible_meta) decider = std::make_unique<VisibleDecider>(filters);
    const Xapian::MSet mset = enquire.get_mset(static_cast<Xapian::doccount>(offset),
                                               static_cast<Xapian::doccount>(limit), nullptr,
                                               decider.get());
    SearchResult result;
    result.estimated_total = mset.get_matches_estimated();
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      const Xapian::Document doc = it.get_document();
      Hit hit;
      hit.id = doc.get_value(kSlotId);
      hit.type = doc.get_value(kSlotType);
      hit.collection = doc.get_value(kSlotCollection);
      hit.score = it.get_weight();
      hit.meta = doc.get_value(kSlotMeta);
      impl_->MakeSnippet(doc.get_data(), query_terms, hit);
      result.hits.push_back(std::move(hit));
    }
    return result;
  } catch (const Xapian::Error& e) {
    return Internal("search query: " + e.get_description());
  }
}

}  // namespace tabadul::search
