#include "stix/tlp.h"

#include <array>
#include <cctype>
#include <string>

namespace tabadul::stix {
namespace {

#define TLP1_JSON(ID, NAME, LEVEL)                                                          \
  "{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"" ID "\","            \
  "\"created\":\"2017-01-20T00:00:00.000Z\",\"definition_type\":\"tlp\",\"name\":\"" NAME   \
  "\",\"definition\":{\"tlp\":\"" LEVEL "\"}}"

#define TLP2_JSON(ID, NAME, LEVEL)                                                          \
  "{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"" ID "\","            \
  "\"created\":\"2022-10-01T00:00:00.000Z\",\"name\":\"" NAME "\",\"extensions\":{"          \
  "\"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d\":{"                          \
  "\"extension_type\":\"property-extension\",\"tlp_2_0\":\"" LEVEL "\"}}}"

#define TLP1(ID, NAME, LEVEL, TLP) {ID, TLP, 1, TLP1_JSON(ID, NAME, LEVEL)}
#define TLP2(ID, NAME, LEVEL, TLP) {ID, TLP, 2, TLP2_JSON(ID, NAME, LEVEL)}

constexpr std::array<StandardTlpMarking, 9> kMarkings = {{
    TLP1("marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "TLP:WHITE", "white",
         Tlp::kClear),
    TLP1("marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "TLP:GREEN", "green",
         Tlp::kGreen),
    TLP1("marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "TLP:AMBER", "amber",
         Tlp::kAmber),
    TLP1("marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "TLP:RED", "red",
         Tlp::kRed),
    TLP2("marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "TLP:CLEAR", "clear",
         Tlp::kClear),
    TLP2("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "TLP:GREEN", "green",
         Tlp::kGreen),
    TLP2("marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "TLP:AMBER", "amber",
         Tlp::kAmber),
    TLP2("marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", "TLP:AMBER+STRICT",
         "amber+strict", Tlp::kAmberStrict),
    TLP2("marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "TLP:RED", "red",
         Tlp::kRed),
}};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<Tlp> TlpOfMarkingRef(std::string_view id) {
  for (const StandardTlpMarking& m : kMarkings) {
    if (m.id == id) return m.tlp;
  }
  return std::nullopt;
}

std::string_view TlpName(Tlp tlp) {
  switch (tlp) {
    case Tlp::kClear: return "CLEAR";
    case Tlp::kGreen: return "GREEN";
    case Tlp::kAmber: return "AMBER";
    case Tlp::kAmberStrict: return "AMBER+STRICT";
    case Tlp::kRed: return "RED";
  }
  return "RED";
}

std::optional<Tlp> ParseTlpName(std::string_view name) {
  if (name.size() >= 4 && EqualsIgnoreCase(name.substr(0, 4), "tlp:")) name.remove_prefix(4);
  if (EqualsIgnoreCase(name, "clear") || EqualsIgnoreCase(name, "white")) return Tlp::kClear;
  if (EqualsIgnoreCase(name, "green")) return Tlp::kGreen;
  if (EqualsIgnoreCase(name, "amber")) return Tlp::kAmber;
  if (EqualsIgnoreCase(name, "amber+strict")) return Tlp::kAmberStrict;
  if (EqualsIgnoreCase(name, "red")) return Tlp::kRed;
  return std::nullopt;
}

std::span<const StandardTlpMarking> StandardTlpMarkings() { return kMarkings; }

std::string_view Tlp2MarkingId(Tlp tlp) {
  for (const StandardTlpMarking& m : kMarkings) {
    if (m.tlp_version == 2 && m.tlp == tlp) return m.id;
  }
  return {};
}

}  // namespace tabadul::stix
