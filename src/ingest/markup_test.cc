#include "ingest/markup.h"

#include <gtest/gtest.h>

namespace tabadul::ingest {
namespace {

TEST(MarkupTest, Html) {
  EXPECT_EQ(StripMarkup("<p>C2: <b>evil[.]com</b> &amp; 1.2.3.4</p><script>x=1</script>"
                        "<!-- c -->&#x627;&#1604;",
                        InputFormat::kHtml),
            "\nC2:  evil[.]com  & 1.2.3.4\nال");
  EXPECT_EQ(StripMarkup("unclosed <b", InputFormat::kHtml), "unclosed ");
  EXPECT_EQ(StripMarkup("&bogus; &#xD800; &", InputFormat::kHtml), "&bogus; &#xD800; &");
}

TEST(MarkupTest, Markdown) {
  EXPECT_EQ(StripMarkup("# Title\n- **IP**: `1.2.3.4`\n[site](hxxp://a[.]b) evil[.]com\n```\nx\n```",
                        InputFormat::kMarkdown),
            " Title\nIP: 1.2.3.4\nsite (hxxp://a[.]b) evil[.]com\n\nx\n\n");
}

TEST(MarkupTest, PlainIsUnchanged) {
  EXPECT_EQ(StripMarkup("<b>x</b>", InputFormat::kPlain), "<b>x</b>");
}

}  // namespace
}  // namespace tabadul::ingest
