#include "reports/ingest_service.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <set>

#include "reports/testing.h"
#include "stix/tlp.h"

namespace tabadul::reports {
namespace {

namespace json = boost::json;
using testing::Fixture;
using testing::NamedObject;

constexpr std::string_view kPsl = "com\nnet\norg\nru\n";
constexpr char kLazarus[] = "intrusion-set--899ce53f-13a0-479b-a0e4-67d46e241542";
constexpr char kSecret[] = "intrusion-set--5f2b0d5e-1c1b-4bb0-8a58-3d6b5e1e9c11";
constexpr char kPhish[] = "attack-pattern--a62a8db3-f23a-4d8f-afd6-9dbc77e7813b";
constexpr char kText[] =
    "نشرة تحذيرية: مجموعة Lazarus Group تستهدف البنوك في الجزائر\n"
    "خادم التحكم hxxp://evil-update[.]com/gate والعنوان ١٨٥.٢٢٠.١٠١.٤ عبر T1566.001";

class IngestServiceTest : public ::testing::Test {
 protected:
  IngestServiceTest() : f_("ingest") {
    f_.Put(testing::kIntel,
           {NamedObject("intrusion-set", kLazarus, "Lazarus Group"),
            std::string(R"({"type":"attack-pattern","spec_version":"2.1","id":")") + kPhish +
                R"(","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"Spearphishing Attachment","external_references":[{"source_name":"mitre-attack","external_id":"T1566.001"}]})"});
    f_.Put(testing::kOtherCollection, {NamedObject("intrusion-set", kSecret, "Secret Panda")});
  }
  std::unique_ptr<IngestService> Service(IngestServiceOptions options = {}) {
    options.random = f_.Random();
    if (!pipeline_) {
      pipeline_ = std::make_unique<intake::Pipeline>(f_.store(), f_.clock());
      pipeline_->AddObserver([this](const store::Collection&, const std::vector<stix::StixObject>& o) {
        stored_calls_++;
        stored_objects_ += o.size();
      });
    }
    auto s = IngestService::CreateWithList(f_.store(), *pipeline_, f_.clock(), kPsl,
                                           std::move(options));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(s).value();
  }
  IngestRequest Request(std::string text, std::string collection = "intel") {
    IngestRequest r;
    r.text = std::move(text);
    r.collection = std::move(collection);
    return r;
  }
  static std::vector<std::string> LinkedIds(const IngestResult& r) {
    std::vector<std::string> out;
    for (const auto& m : r.linked) {
      out.push_back(m.kind == ingest::MentionKind::kCountry ? "country:" + m.country_code : m.stix_id);
    }
    return out;
  }
  Fixture f_;
  int stored_calls_ = 0;
  size_t stored_objects_ = 0;
  std::unique_ptr<intake::Pipeline> pipeline_;
};

TEST_F(IngestServiceTest, StoresAValidReportLinkedToVisibleObjects) {
  auto s = Service();
  IngestRequest request = Request(kText);
  request.tlp = "TLP:GREEN";
  auto r = s->Ingest(f_.Principal("alice"), request);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->added, r->object_count);
  EXPECT_EQ(r->duplicates, 0u);
  EXPECT_TRUE(r->refused.empty());
  EXPECT_EQ(LinkedIds(*r), (std::vector<std::string>{kLazarus, "country:DZ"}));
  EXPECT_EQ(stored_calls_, 1);
  EXPECT_EQ(stored_objects_, r->object_count);

  // The report as stored: marking, author, language, references.
  store::ObjectQuery q;
  q.collection_id = testing::kIntel;
  q.ids = {r->report_id};
  q.with_json = true;
  auto page = f_.store().QueryObjects(q, nullptr);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->rows.size(), 1u);
  json::object report = json::parse(page->rows[0].json).as_object();
  EXPECT_EQ(report.at("created_by_ref"), testing::kAcme);
  EXPECT_EQ(report.at("lang"), "ar");
  EXPECT_EQ(std::string(report.at("object_marking_refs").as_array()[0].as_string()),
            std::string(stix::Tlp2MarkingId(stix::Tlp::kGreen)));
  std::set<std::string> refs;
  for (const auto& v : report.at("object_refs").as_array()) refs.insert(std::string(v.as_string()));
  EXPECT_TRUE(refs.count(kLazarus));
  EXPECT_TRUE(refs.count(kPhish));  // the stored technique, not a new attack-pattern
  EXPECT_FALSE(refs.count(kSecret));
  EXPECT_EQ(r->indicators.size(), 3u);  // the URL, the address and the technique id

  // The same text again: new report and indicators, the SCOs are duplicates.
  auto again = s->Ingest(f_.Principal("alice"), request);
  ASSERT_TRUE(again.ok());
  EXPECT_GT(again->duplicates, 0u);
}

TEST_F(IngestServiceTest, LinksOnlyWhatTheAuthorCanSee) {
  auto s = Service();
  auto r = s->Ingest(f_.Principal("olga"),
                     Request("Lazarus Group and Secret Panda used evil-update.com", "other"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(LinkedIds(*r), std::vector<std::string>{kSecret});
}

TEST_F(IngestServiceTest, GazetteerFromTheDataFolderFilteredByVisibility) {
  const std::string path = f_.dir() + "/gazetteer.tsv";
  std::ofstream(path) << "# operator names\nلازاروس\tname:Lazarus Group\nباندا السرية\t" << kSecret
                      << "\n";
  IngestServiceOptions options;
  options.gazetteer_path = path;
  auto s = Service(options);
  auto alice = s->Ingest(f_.Principal("alice"), Request("هجوم لازاروس و باندا السرية على evil-update.com"));
  ASSERT_TRUE(alice.ok()) << alice.status().ToString();
  EXPECT_EQ(LinkedIds(*alice), std::vector<std::string>{kLazarus});

  std::ofstream(path) << "broken line without tab\n";
  auto broken = s->Ingest(f_.Principal("alice"), Request("evil-update.com"));
  EXPECT_EQ(broken.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(broken.status().message().find("gazetteer line 1"), std::string::npos);

  IngestServiceOptions missing;
  missing.gazetteer_path = f_.dir() + "/absent.tsv";
  EXPECT_TRUE(Service(missing)->Ingest(f_.Principal("alice"), Request("evil-update.com")).ok());
}

TEST_F(IngestServiceTest, DryRunStoresNothing) {
  auto s = Service();
  IngestRequest request = Request(kText, "");
  request.dry_run = true;
  auto r = s->Ingest(f_.Principal("alice"), request);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->added, 0u);
  EXPECT_EQ(stored_calls_, 0);
  json::value bundle = json::parse(r->bundle_json);
  EXPECT_EQ(bundle.at("type"), "bundle");
  EXPECT_EQ(bundle.at("objects").as_array().size(), r->object_count);
  store::ObjectQuery q;
  q.collection_id = testing::kIntel;
  q.types = {"report"};
  EXPECT_TRUE(f_.store().QueryObjects(q, nullptr)->rows.empty());
}

TEST_F(IngestServiceTest, EveryRefusal) {
  auto s = Service();
  auto code = [&](const std::string& user, IngestRequest r) {
    return s->Ingest(f_.Principal(user), r).status().code();
  };
  EXPECT_EQ(code("rita", Request(kText)), StatusCode::kPermissionDenied);  // reader role
  EXPECT_EQ(code("rob", Request(kText)), StatusCode::kPermissionDenied);   // read-only grant
  EXPECT_EQ(code("olga", Request(kText)), StatusCode::kNotFound);          // not party to it
  EXPECT_EQ(code("alice", Request(kText, "nope")), StatusCode::kNotFound);
  EXPECT_EQ(code("alice", Request(kText, "")), StatusCode::kInvalidArgument);
  IngestRequest bad_lang = Request(kText);
  bad_lang.lang = "fr";
  EXPECT_EQ(code("alice", bad_lang), StatusCode::kInvalidArgument);
  IngestRequest bad_tlp = Request(kText);
  bad_tlp.tlp = "purple";
  EXPECT_EQ(code("alice", bad_tlp), StatusCode::kInvalidArgument);
  EXPECT_EQ(code("alice", Request("nothing to see here")), StatusCode::kFailedPrecondition);
  EXPECT_EQ(stored_calls_, 0);
}

TEST(IngestFormatTest, Names) {
  EXPECT_EQ(FormatForFileName("a/b/report.HTML"), ingest::InputFormat::kHtml);
  EXPECT_EQ(FormatForFileName("x.md"), ingest::InputFormat::kMarkdown);
  EXPECT_EQ(FormatForFileName("x.txt"), ingest::InputFormat::kPlain);
  EXPECT_EQ(FormatForFileName("-"), ingest::InputFormat::kPlain);
  EXPECT_EQ(ParseInputFormat("markdown"), ingest::InputFormat::kMarkdown);
  EXPECT_FALSE(ParseInputFormat("pdf").has_value());
}

}  // namespace
}  // namespace tabadul::reports
