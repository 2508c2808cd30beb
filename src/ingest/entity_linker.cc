#include "ingest/entity_linker.h"

#include <algorithm>
#include <unordered_set>

#include "ingest/countries.h"
#include "text/arabic_affixes.h"
#include "text/internal/utf8.h"
#include "text/normalizer.h"
#include "text/tokenizer.h"

namespace tabadul::ingest {

extern const std::string_view kCommonWordsData;

struct EntityLinker::Entry {
  std::vector<std::vector<std::string>> token_keys;  // per name token: keys that match it
  EntityMention target;
  int priority = 0;         // higher wins among equally long matches
  std::string exact_form;   // when set, the original text must equal it
};

namespace {

constexpr std::string_view kAl = "\u0627\u0644";
constexpr std::string_view kYaAlef = "\u064A\u0627";

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

void AddKey(std::vector<std::string>& keys, std::string key) {
  if (!key.empty() && !Contains(keys, key)) keys.push_back(std::move(key));
}

// Keys under which a name token is indexed: without its article, and as a nisba stem.
std::vector<std::string> NameTokenKeys(const text::Token& t) {
  std::vector<std::string> keys;
  std::string_view s = t.text;
  if (t.script == text::Script::kArabic && s.substr(0, kAl.size()) == kAl &&
      text::internal::CodePointCount(s) >= 4) {
    s.remove_prefix(kAl.size());
  }
  AddKey(keys, std::string(s));
  if (t.script == text::Script::kArabic) {
    if (auto stem = text::StripNisba(s, 4)) AddKey(keys, *stem);
  }
  return keys;
}

// Keys a text token may stand for.
std::vector<std::string> TextTokenKeys(const text::Token& t) {
  std::vector<std::string> keys;
  if (t.script != text::Script::kArabic) {
    AddKey(keys, std::string(t.text));
    if (t.text.size() > 4 && t.text.back() == 's') {
      AddKey(keys, std::string(t.text.substr(0, t.text.size() - 1)));
    }
    return keys;
  }
  for (std::string& reading : text::ProcliticReadings(t.text)) {
    if (auto stem = text::StripNisba(reading, 3)) {
      AddKey(keys, *stem);
      AddKey(keys, *stem + std::string(kYaAlef));
    }
    AddKey(keys, std::move(reading));
  }
  return keys;
}

const std::unordered_set<std::string>& CommonWords() {
  static const std::unordered_set<std::string> kWords = [] {
    std::unordered_set<std::string> words;
    std::string_view data = kCommonWordsData;
    while (!data.empty()) {
      const size_t nl = data.find('\n');
      std::string_view line = data.substr(0, nl);
      data = nl == std::string_view::npos ? std::string_view() : data.substr(nl + 1);
      if (!line.empty() && line[0] != '#') words.emplace(line);
    }
    return words;
  }();
  return kWords;
}

bool IsStixId(std::string_view id) {
  const size_t sep = id.find("--");
  if (sep == std::string_view::npos || sep == 0 || id.size() - sep - 2 != 36) return false;
  for (char c : id.substr(0, sep)) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

}  // namespace

EntityLinker::EntityLinker() = default;
EntityLinker::EntityLinker(EntityLinker&&) noexcept = default;
EntityLinker& EntityLinker::operator=(EntityLinker&&) noexcept = default;
EntityLinker::~EntityLinker() = default;

Status EntityLinker::AddName(std::string_view name, const EntityMention& target, int priority,
                             bool ambiguity_rules) {
  const std::string normalized = text::NormalizeForMatch(name);
  const std::vector<text::Token> tokens = text::TokenizeNormalized(normalized);
  if (tokens.empty()) return Status::Ok();
  auto entry = std::make_unique<Entry>();
  entry->target = target;
  entry->priority = priority;
  if (ambiguity_rules && tokens.size() == 1 && tokens[0].script == text::Script::kOther) {
    const std::string_view word = tokens[0].text;
    if (text::internal::CodePointCount(word) < 3) return Status::Ok();
    if (CommonWords().count(std::string(word))) {
      const bool all_lower = text::NormalizeForMatch(name) == name;
      if (all_lower) return Status::Ok();
      entry->exact_form = std::string(name);
    }
  }
  for (const text::Token& t : tokens) entry->token_keys.push_back(NameTokenKeys(t));
  for (const std::string& key : entry->token_keys[0]) {
    by_first_key_[key].push_back(entry.get());
  }
  entries_.push_back(std::move(entry));
  return Status::Ok();
}

Result<EntityLinker> EntityLinker::Create(const std::vector<KnownEntity>& known,
                                          std::string_view gazetteer, bool link_countries) {
  EntityLinker linker;
  if (link_countries) {
    for (const Country& c : AllCountries()) {
      EntityMention target;
      target.kind = MentionKind::kCountry;
      target.country_code = c.code;
      target.name = c.english_name;
      for (const std::string& n : c.names) TABADUL_RETURN_IF_ERROR(linker.AddName(n, target, 0, false));
    }
  }
  std::unordered_map<std::string, const KnownEntity*> by_name;
  for (const KnownEntity& k : known) {
    if (k.names.empty()) continue;
    EntityMention target;
    target.kind = MentionKind::kKnownObject;
    target.stix_id = k.stix_id;
    target.type = k.type;
    target.name = k.names[0];
    for (const std::string& n : k.names) {
      TABADUL_RETURN_IF_ERROR(linker.AddName(n, target, 1, true));
      by_name.emplace(text::NormalizeForMatch(n), &k);
    }
  }
  size_t line_no = 0;
  while (!gazetteer.empty()) {
    ++line_no;
    const size_t nl = gazetteer.find('\n');
    std::string_view line = gazetteer.substr(0, nl);
    gazetteer = nl == std::string_view::npos ? std::string_view() : gazetteer.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    const std::string where = "gazetteer line " + std::to_string(line_no);
    const size_t tab = line.find('\t');
    if (tab == std::string_view::npos || tab == 0 || tab + 1 == line.size()) {
      return InvalidArgument(where + ": expected 'name<TAB>target'");
    }
    const std::string_view name = line.substr(0, tab);
    const std::string_view target_text = line.substr(tab + 1);
    EntityMention target;
    if (target_text.substr(0, 8) == "country:") {
      const Country* c = FindCountry(target_text.substr(8));
      if (c == nullptr) return InvalidArgument(where + ": unknown country code");
      target.kind = MentionKind::kCountry;
      target.country_code = c->code;
      target.name = c->english_name;
    } else if (target_text.substr(0, 5) == "name:") {
      auto it = by_name.find(text::NormalizeForMatch(target_text.substr(5)));
      if (it == by_name.end()) {
        return NotFound(where + ": no known entity is named '" + std::string(target_text.substr(5)) + "'");
      }
      target.kind = MentionKind::kKnownObject;
      target.stix_id = it->second->stix_id;
      target.type = it->second->type;
      target.name = it->second->names[0];
    } else if (IsStixId(target_text)) {
      target.kind = MentionKind::kKnownObject;
      target.stix_id = std::string(target_text);
      target.type = std::string(target_text.substr(0, target_text.find("--")));
      target.name = std::string(name);
    } else {
      return InvalidArgument(where + ": target must be country:XX, name:<name> or a STIX id");
    }
    TABADUL_RETURN_IF_ERROR(linker.AddName(name, target, 2, false));
  }
  return linker;
}

std::vector<EntityMention> EntityLinker::Link(std::string_view original) const {
  const text::TokenizedText tt = text::Tokenize(original);
  const auto& tokens = tt.tokens;
  std::vector<std::vector<std::string>> keys(tokens.size());
  std::vector<bool> computed(tokens.size(), false);
  auto keys_of = [&](size_t i) -> const std::vector<std::string>& {
    if (!computed[i]) {
      keys[i] = TextTokenKeys(tokens[i]);
      computed[i] = true;
    }
    return keys[i];
  };
  auto matches_token = [&](const std::vector<std::string>& name_keys, size_t i) {
    for (const std::string& k : keys_of(i)) {
      if (Contains(name_keys, k)) return true;
    }
    return false;
  };
  std::vector<EntityMention> out;
  size_t i = 0;
  while (i < tokens.size()) {
    const Entry* best = nullptr;
    for (const std::string& k : keys_of(i)) {
      auto it = by_first_key_.find(k);
      if (it == by_first_key_.end()) continue;
      for (const Entry* e : it->second) {
        const size_t n = e->token_keys.size();
        if (i + n > tokens.size()) continue;
        if (best != nullptr && (n < best->token_keys.size() ||
                                (n == best->token_keys.size() && e->priority <= best->priority))) {
          continue;
        }
        bool ok = true;
        for (size_t j = 1; j < n && ok; ++j) ok = matches_token(e->token_keys[j], i + j);
        if (ok && !e->exact_form.empty()) {
          ok = original.substr(tokens[i].begin, tokens[i + n - 1].end - tokens[i].begin) ==
               e->exact_form;
        }
        if (ok) best = e;
      }
    }
    if (best == nullptr) {
      ++i;
      continue;
    }
    const size_t n = best->token_keys.size();
    EntityMention m = best->target;
    m.begin = tokens[i].begin;
    m.end = tokens[i + n - 1].end;
    out.push_back(std::move(m));
    i += n;
  }
  return out;
}

std::vector<EntityMention> UniqueTargets(const std::vector<EntityMention>& mentions) {
  std::vector<EntityMention> out;
  std::unordered_set<std::string> seen;
  for (const EntityMention& m : mentions) {
    const std::string key = m.kind == MentionKind::kCountry ? "country:" + m.country_code : m.stix_id;
    if (seen.insert(key).second) out.push_back(m);
  }
  return out;
}

}  // namespace tabadul::ingest
