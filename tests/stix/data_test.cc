// Every object of the real STIX 2.1 data in ../shared/data (the OASIS documentation examples and
// the three MITRE ATT&CK bundles) must stream through ObjectStream and pass ParseObject: the
// OASIS validator accepts them all, so a refusal here means a rule of ours is too strict.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "stix/object_stream.h"
#include "stix/validator.h"

namespace tabadul::stix {
namespace {

namespace fs = std::filesystem;

const fs::path kDataDir = TABADUL_SHARED_DATA_DIR;

// The whole file with ObjectStream::kPadding spare bytes after it, for OpenPadded().
std::string ReadPadded(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text.reserve(text.size() + ObjectStream::kPadding);
  return text;
}

struct Tally {
  size_t objects = 0;
  std::map<std::string, size_t> by_type;
};

// Streams `path`, parses each object, fails the test on any refusal.
Tally CheckFile(const fs::path& path) {
  Tally tally;
  std::string text = ReadPadded(path);
  auto stream = ObjectStream::OpenPadded(text);
  EXPECT_TRUE(stream.ok()) << path << ": " << stream.status().ToString();
  if (!stream.ok()) return tally;
  size_t refusals = 0;
  std::string_view raw;
  while (true) {
    Result<bool> more = (*stream)->Next(&raw);
    EXPECT_TRUE(more.ok()) << path << ": " << more.status().ToString();
    if (!more.ok() || !*more) break;
    Result<StixObject> parsed = ParseObject(raw);
    if (!parsed.ok()) {
      if (++refusals <= 10) {
        ADD_FAILURE() << path.filename() << " " << ExtractId(raw) << ": "
                      << parsed.status().message();
      }
      continue;
    }
    EXPECT_EQ(parsed->json, raw);
    ++tally.objects;
    ++tally.by_type[parsed->type];
  }
  EXPECT_EQ(refusals, 0u) << path;
  return tally;
}

class SharedDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::is_directory(kDataDir)) {
      GTEST_SKIP() << "shared data folder " << kDataDir << " is absent; skipping real-data tests";
    }
  }
};

TEST_F(SharedDataTest, OasisExamplesAllParse) {
  size_t files = 0, objects = 0;
  for (const auto& entry : fs::directory_iterator(kDataDir / "examples")) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    objects += CheckFile(entry.path()).objects;
  }
  EXPECT_GE(files, 1u);
  EXPECT_GT(objects, 100u);
}

TEST_F(SharedDataTest, EnterpriseAttackParses) {
  Tally t = CheckFile(kDataDir / "attack/enterprise-attack-18.1.json");
  EXPECT_EQ(t.objects, 24771u);
  EXPECT_EQ(t.by_type["relationship"], 20048u);
  EXPECT_EQ(t.by_type["attack-pattern"], 835u);
  EXPECT_EQ(t.by_type["malware"], 696u);
}

TEST_F(SharedDataTest, IcsAttackParses) {
  EXPECT_EQ(CheckFile(kDataDir / "attack/ics-attack-18.1.json").objects, 1826u);
}

TEST_F(SharedDataTest, MobileAttackParses) {
  EXPECT_EQ(CheckFile(kDataDir / "attack/mobile-attack-17.1.json").objects, 2148u);
}

}  // namespace
}  // namespace tabadul::stix
