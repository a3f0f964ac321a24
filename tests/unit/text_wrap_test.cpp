#include <catch2/catch.hpp>

#include "delivery/text_wrap.hpp"

using outreach::wrap_text;

TEST_CASE("long lines wrap at spaces, short ones and breaks are kept", "[wrap]") {
    CHECK(wrap_text("Excellency,\n\nShort.", 72) == "Excellency,\n\nShort.");
    CHECK(wrap_text("aaa bbb ccc ddd", 7) == "aaa bbb\nccc ddd");
    CHECK(wrap_text("- one two three four", 10) == "- one two\n  three\n  four");
    CHECK(wrap_text("averyveryverylongword x", 5) == "averyveryverylongword\nx");
}

TEST_CASE("width counts characters, not bytes", "[wrap]") {
    // 10 code points, 12 bytes: fits in 10 columns.
    CHECK(wrap_text("Côte Côte", 10) == "Côte Côte");
    CHECK(wrap_text("Côte d'Ivoire Côte", 13) == "Côte d'Ivoire\nCôte");
}
