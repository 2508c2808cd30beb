// Entity linking: which countries and which already-stored objects a text names.
//
// Three sources of names feed one matcher:
//   - countries (countries.h): ICU's Arabic and English names plus short forms and demonyms;
//   - known entities: the names and aliases of stored intrusion sets, threat actors, malware,
//     tools, campaigns, identities (passed in by the caller: this module does not read the store);
//   - a gazetteer the operator extends: "name TAB target", where target is "country:XX", a STIX
//     id ("intrusion-set--<uuid>"), or "name:<a known entity's name>" (to give an Arabic or
//     transliterated name to an object whose id the operator does not want to copy).
// Names and text are tokenized after NormalizeMode::kMatch. An Arabic text token matches a name
// token under any of its proclitic readings ("وبالجزائر" -> "جزاير") and through nisba
// adjectives ("الإيرانية" -> "ايران", "الروسي" -> "روسيا"); a name's own article is ignored.
// Multi-word names match token by token; the longest name wins, then gazetteer over known
// entities over countries. One-word known names that are ordinary words (data/common_words.txt)
// must appear exactly as written; lower-case ones and names under three characters never link.
//
// Immutable after Create; Link is const and thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace tabadul::ingest {

struct KnownEntity {
  std::string stix_id;             // "intrusion-set--..."
  std::string type;                // "intrusion-set", "malware", "tool", "identity", ...
  std::vector<std::string> names;  // name first, then aliases
};

enum class MentionKind { kCountry, kKnownObject };

struct EntityMention {
  MentionKind kind = MentionKind::kCountry;
  std::string country_code;   // kCountry: "IR"
  std::string stix_id;        // kKnownObject
  std::string type;           // kKnownObject: the object's type
  std::string name;           // the canonical name (country English name or the object's name)
  size_t begin = 0;           // byte span of the mention in the original text
  size_t end = 0;
};

class EntityLinker {
 public:
  // `gazetteer` is the operator's file content (may be empty). Fails with InvalidArgument naming
  // the line for a malformed gazetteer line or target, NotFound for "name:" targets that no known
  // entity carries.
  static Result<EntityLinker> Create(const std::vector<KnownEntity>& known,
                                     std::string_view gazetteer, bool link_countries = true);

  EntityLinker(EntityLinker&&) noexcept;
  EntityLinker& operator=(EntityLinker&&) noexcept;
  ~EntityLinker();

  // Every mention in text order, non-overlapping.
  std::vector<EntityMention> Link(std::string_view text) const;

  struct Entry;  // internal

 private:
  EntityLinker();
  Status AddName(std::string_view name, const EntityMention& target, int priority,
                 bool ambiguity_rules);

  std::vector<std::unique_ptr<Entry>> entries_;
  std::unordered_map<std::string, std::vector<const Entry*>> by_first_key_;
};

// Unique targets of a mention list, in order of first mention.
std::vector<EntityMention> UniqueTargets(const std::vector<EntityMention>& mentions);

}  // namespace tabadul::ingest
