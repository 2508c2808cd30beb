// Traffic Light Protocol markings: the four TLP 1.0 marking-definition objects of the STIX 2.1
// specification (§7.2.1.4) and the five TLP 2.0 ones (extension-definition--60a3c5c5-...), with
// their order of restrictiveness. Pure data and functions; thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace tabadul::stix {

// Ordered from least to most restrictive: compare with < and > (CLEAR < GREEN < AMBER <
// AMBER+STRICT < RED). TLP 1.0 WHITE is CLEAR.
enum class Tlp { kClear = 0, kGreen = 1, kAmber = 2, kAmberStrict = 3, kRed = 4 };

// The TLP level of a standard TLP 1.0 or TLP 2.0 marking-definition id; nullopt for any other
// id (including well-formed marking definitions that are not these nine).
std::optional<Tlp> TlpOfMarkingRef(std::string_view marking_definition_id);

// "CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED".
std::string_view TlpName(Tlp tlp);

// Accepts "clear"/"white", "green", "amber", "amber+strict", "red" in any case, with an
// optional "TLP:" prefix (also any case). nullopt otherwise.
std::optional<Tlp> ParseTlpName(std::string_view name);

// The more restrictive of two levels (what applies when both mark the same content).
constexpr Tlp MostRestrictive(Tlp a, Tlp b) { return a < b ? b : a; }

// One of the nine standard marking-definition objects.
struct StandardTlpMarking {
  std::string_view id;
  Tlp tlp;
  int tlp_version;        // 1 (STIX 2.1 spec) or 2 (TLP 2.0 extension)
  std::string_view json;  // the complete object, valid STIX 2.1, ready to serve
};

// The four TLP 1.0 objects (WHITE, GREEN, AMBER, RED) then the five TLP 2.0 objects (CLEAR,
// GREEN, AMBER, AMBER+STRICT, RED). Static storage.
std::span<const StandardTlpMarking> StandardTlpMarkings();

// The TLP 2.0 marking-definition id for a level (what tabadul writes on objects it marks).
std::string_view Tlp2MarkingId(Tlp tlp);

// The TLP 2.0 extension definition id carried by the TLP 2.0 marking definitions.
inline constexpr std::string_view kTlp2ExtensionId =
    "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

}  // namespace tabadul::stix
