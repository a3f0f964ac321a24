// Issue 9: a misspelt template placeholder is a validate error and a firing
// error, never a blank; template files are UTF-8 and bounded in size and nesting.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "cli_runner.hpp"
#include "hardening_support.hpp"
#include "delivery/template_renderer.hpp"
#include "delivery/template_values.hpp"

using namespace outreach;
using namespace outreach::hardening;
using outreach::test::run_outreach;

// ---- templates ---------------------------------------------------------------------

namespace {

struct TemplateDir {
    ScratchDir dir;
    TemplateRenderer renderer{{dir.path()}};
    fs::path write(const std::string& name, const std::string& text) {
        const fs::path file = dir / "t" / (name + ".mustache");
        write_bytes(file, text);
        return file;
    }
};

TemplateData letter_values() {
    TemplateData data;
    data.scalars = {{"state_name", "France"}, {"deadline", "1 September 2007"}};
    data.lists = {{"treaties", {"Rome Statute", "Kyoto Protocol"}}};
    return data;
}

}  // namespace

TEST_CASE("templates: a placeholder or section no value fills is a render error, never a blank", "[hardening][templates]") {
    TemplateDir t;
    const std::string text = "Subject: Invitation\n\nExcellency,\n\ninform me by {{deadline}} of your intention"
                             " {{no_such_value}}.\n{{#nope}}x{{/nope}}\n";
    const fs::path file = t.write("letter", text);
    try {
        t.renderer.render("t", "letter", letter_values());
        FAIL("rendered with a misspelt placeholder");
    } catch (const InputError& error) {
        const auto& d = error.diagnostics();
        INFO(error.what());
        REQUIRE(d.size() == 2);
        CHECK(d[0].file == file);
        CHECK(std::pair(d[0].line, d[0].column) == position_of(text, "{{no_such_value}}"));
        CHECK(d[0].field == "letter");
        CHECK_THAT(d[0].message, Catch::Contains("{{no_such_value}}: no value named 'no_such_value'"));
        CHECK(std::pair(d[1].line, d[1].column) == position_of(text, "{{#nope}}"));
        CHECK_THAT(d[1].message, Catch::Contains("{{#nope}}"));
    }

    // A misspelling gets a hint; a list is not a scalar.
    t.write("hint", "Subject: x\n\n{{state_nam}} {{treaties}}\n");
    CHECK_THROWS_WITH(t.renderer.render("t", "hint", letter_values()),
                      Catch::Contains("did you mean 'state_name'?") && Catch::Contains("{{treaties}} names a list"));

    // What every letter has renders as before: lists, {{.}}, has_ flags that are absent (false).
    t.write("fine", "Subject: {{state_name}}\n\n{{#treaties}}- {{.}}\n{{/treaties}}{{#has_signing_slots}}slots"
                    "{{/has_signing_slots}}{{^has_signing_slots}}no slots{{/has_signing_slots}}{{! a comment }}\n");
    const auto rendered = t.renderer.render("t", "fine", letter_values());
    CHECK(rendered.subject == "France");
    CHECK(rendered.body == "- Rome Statute\n- Kyoto Protocol\nno slots\n");
}

TEST_CASE("templates: custom delimiters are followed when finding placeholders", "[hardening][templates]") {
    TemplateDir t;
    t.write("delims", "Subject: x\n\n{{=<% %>=}}<% state_name %> {{not_a_tag}} <% missing %>\n");
    CHECK_THROWS_WITH(t.renderer.render("t", "delims", letter_values()),
                      Catch::Contains("'missing'") && !Catch::Contains("not_a_tag"));
    t.write("triple", "Subject: x\n\n{{{state_name}}} {{&deadline}}\n");
    CHECK(t.renderer.render("t", "triple", letter_values()).body == "France 1 September 2007\n");
}

TEST_CASE("templates: validate checks every tag against the values a firing provides", "[hardening][templates]") {
    TemplateDir t;
    const std::string text = "Subject: {{title}}\n\n{{#has_signing_slots}}{{#signing_slots}}{{.}}{{/signing_slots}}"
                             "{{/has_signing_slots}}{{#has_nope}}x{{/has_nope}} {{titel}}\n";
    const fs::path file = t.write("check", text);
    Diagnostics diagnostics;
    t.renderer.check_values("t", "check", {"title"}, {"signing_slots"}, diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.size() == 2);
    CHECK(diagnostics[0].file == file);
    CHECK(std::pair(diagnostics[0].line, diagnostics[0].column) == position_of(text, "{{titel}}"));
    CHECK_THAT(diagnostics[0].message, Catch::Contains("did you mean 'title'?"));
    CHECK(std::pair(diagnostics[1].line, diagnostics[1].column) == position_of(text, "{{#has_nope}}"));
    CHECK_THAT(diagnostics[1].message, Catch::Contains("no flag named 'has_nope'"));
}

TEST_CASE("templates: `validate` reports a misspelt placeholder with file:line:column - the step never sends a blank",
          "[hardening][templates][cli]") {
    ShippedCopy copy;
    const fs::path invitation = copy.config / "templates/treaty_event/invitation.mustache";
    ShippedCopy::edit(invitation, "{{letter_date}}", "{{leter_date}}");
    const std::string text = read_text(invitation);
    const auto [line, column] = position_of(text, "{{leter_date}}");

    const auto validated = run_outreach(copy.args() + " validate");
    INFO(validated.output);
    CHECK(validated.exit_code == 1);
    CHECK_THAT(validated.output, Catch::Contains(invitation.string() + ":" + std::to_string(line) + ":" +
                                                 std::to_string(column) + ": invitation: {{leter_date}}: no value named "
                                                 "'leter_date'") &&
                                     Catch::Contains("did you mean 'letter_date'?"));

    // The campaign does not load for any command, so no invitation with a hole in
    // it goes out (the render-time check is the second line of defence, tested with
    // a renderer in "a placeholder or section no value fills is a render error").
    const fs::path state = copy.dir / "state";
    const auto simulated = run_outreach(copy.args() + " simulate --from 2007-05-01 --to 2007-05-31 --campaign focus2007"
                                                      " --state-dir " + state.string());
    INFO(simulated.output);
    CHECK(simulated.exit_code != 0);
    CHECK_THAT(simulated.output, Catch::Contains("leter_date"));
    CHECK(files_in(state / "outbox/new") == 0);
}

TEST_CASE("templates: bytes that are not UTF-8 are an error naming file:line:column", "[hardening][templates]") {
    TemplateDir t;
    const fs::path file = t.write("latin1", "Subject: x\n\nC\xF4te d'Ivoire\n");
    Diagnostics diagnostics;
    t.renderer.check("t", "latin1", diagnostics);
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].file == file);
    CHECK(diagnostics[0].line == 3);
    CHECK(diagnostics[0].column == 2);
    CHECK_THAT(diagnostics[0].message, Catch::Contains("not valid UTF-8 (byte 0xF4)"));
}

TEST_CASE("templates: nesting, size and partials are bounded before kainjow parses", "[hardening][templates][limits]") {
    TemplateDir t;
    std::string deep = "Subject: x\n\n";
    for (int i = 0; i < 17; ++i) deep += "{{#treaties}}";
    for (int i = 0; i < 17; ++i) deep += "{{/treaties}}";
    t.write("deep", deep + "\n");
    CHECK_THROWS_WITH(t.renderer.render("t", "deep", letter_values()),
                      Catch::Contains(":3:") && Catch::Contains("sections nested more than 16 deep"));

    // 100,000 levels used to take quadratic memory (the OOM killer); 80,000 fit
    // in the 1 MiB a template may have, and are refused at once.
    std::string very_deep = "Subject: x\n\n";
    for (int i = 0; i < 80000; ++i) very_deep += "{{#a}}";
    for (int i = 0; i < 80000; ++i) very_deep += "{{/a}}";
    REQUIRE(very_deep.size() < (1u << 20));
    t.write("very_deep", very_deep);
    Diagnostics diagnostics;
    t.renderer.check("t", "very_deep", diagnostics);
    REQUIRE(diagnostics.size() == 1);
    CHECK_THAT(diagnostics[0].message, Catch::Contains("nested more than 16 deep"));

    t.write("big", "Subject: x\n\n" + std::string((1u << 20) + 1, 'x'));
    CHECK_THROWS_WITH(t.renderer.render("t", "big", letter_values()), Catch::Contains("more than the limit of 1 MiB"));

    t.write("partial", "Subject: x\n\n{{> footer}}\n");
    CHECK_THROWS_WITH(t.renderer.render("t", "partial", letter_values()), Catch::Contains("partials ({{>footer}})"));
}

