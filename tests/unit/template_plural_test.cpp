// Plural forms in letters and tasks (issue 10): every "..._count" value gives
// "..._count_one" and "..._count_zero" flags, so "1 signatures" cannot be written,
// and `validate` accepts the flags wherever the count itself is known.
#include <catch2/catch.hpp>

#include <string>

#include "delivery/template_renderer.hpp"
#include "hardening_support.hpp"

using namespace outreach;
using namespace outreach::hardening;

namespace {

TemplateData with_count(const std::string& value) {
    TemplateData data;
    data.scalars = {{"signing_count", value}};
    return data;
}

}  // namespace

TEST_CASE("templates: a count gives _one and _zero flags for plural forms", "[templates][plural]") {
    ScratchDir dir;
    TemplateRenderer renderer{{dir.path()}};
    // English (and Spanish): singular for 1 only. French: singular for 0 and 1.
    write_bytes(dir / "t/english.mustache",
                "Subject: {{signing_count}} signature{{^signing_count_one}}s{{/signing_count_one}}\n\n"
                "{{#signing_count_zero}}none{{/signing_count_zero}}{{^signing_count_zero}}some{{/signing_count_zero}}\n");
    write_bytes(dir / "t/french.mustache",
                "Subject: x\n\n{{signing_count}} signature{{^signing_count_one}}{{^signing_count_zero}}s"
                "{{/signing_count_zero}}{{/signing_count_one}}\n");
    CHECK(renderer.render("t", "english", with_count("1")).subject == "1 signature");
    CHECK(renderer.render("t", "english", with_count("2")).subject == "2 signatures");
    CHECK(renderer.render("t", "english", with_count("0")).subject == "0 signatures");
    CHECK(renderer.render("t", "english", with_count("0")).body == "none\n");
    CHECK(renderer.render("t", "english", with_count("12")).body == "some\n");
    CHECK(renderer.render("t", "french", with_count("0")).body == "0 signature\n");
    CHECK(renderer.render("t", "french", with_count("1")).body == "1 signature\n");
    CHECK(renderer.render("t", "french", with_count("3")).body == "3 signatures\n");
    // A count that is not a number sets no flag: the plural stays, nothing breaks.
    CHECK(renderer.render("t", "english", with_count("several")).subject == "several signatures");

    // validate: the flags stand for the count; a flag without its count is still an error.
    Diagnostics diagnostics;
    renderer.check_values("t", "english", {"signing_count"}, {}, diagnostics);
    CHECK(diagnostics.empty());
    write_bytes(dir / "t/orphan.mustache", "Subject: x\n\n{{#slots_count_one}}one{{/slots_count_one}}\n");
    renderer.check_values("t", "orphan", {"signing_count"}, {}, diagnostics);
    REQUIRE(diagnostics.size() == 1);
    CHECK_THAT(diagnostics[0].message, Catch::Contains("{{#slots_count_one}}"));
}

TEST_CASE("templates: an empty value is false in a section, so optional text is left out", "[templates]") {
    ScratchDir dir;
    TemplateRenderer renderer{{dir.path()}};
    // "ratify the during the treaty event" must not happen when a payload is empty.
    write_bytes(dir / "t/ack.mustache",
                "Subject: x\n\nto ratify{{#payload}} the {{payload}}{{/payload}}{{^payload}} a treaty{{/payload}} "
                "during [{{payload}}]\n");
    TemplateData data;
    data.scalars = {{"payload", ""}};
    CHECK(renderer.render("t", "ack", data).body == "to ratify a treaty during []\n");
    data.scalars = {{"payload", "Rome Statute"}};
    CHECK(renderer.render("t", "ack", data).body == "to ratify the Rome Statute during [Rome Statute]\n");
}
