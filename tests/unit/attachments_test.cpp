// Enclosures: the campaign file's `attachments` checked and read at load, the
// plugin's own (the treaty list), multipart/mixed messages with RFC 2231 file
// names and deterministic boundaries, and the journal keeping them for retries.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include "delivery/attachments.hpp"
#include "delivery/message.hpp"
#include "hardening_support.hpp"
#include "journal/journal.hpp"
#include "runtime.hpp"

using namespace outreach;
using namespace outreach::hardening;

namespace {

Letter letter_with(std::vector<Attachment> attachments) {
    Letter letter;
    letter.idempotency_key = "focus2007/invitation/2007-05-09T09:00/SEN/foreign_minister";
    letter.scheduled = Instant{std::chrono::seconds{1178715600}};
    letter.from_name = "Treaty Section";
    letter.from_email = "treaty@un.example.org";
    letter.to_name = "Ministre des affaires étrangères";
    letter.to_email = "mfa@sen.example.org";
    letter.subject = "Focus 2007";
    letter.body = "Excellence,\n\nLa liste est jointe.\n";
    letter.language = "fr";
    letter.campaign = "focus2007";
    letter.attachments = std::move(attachments);
    return letter;
}

}  // namespace

TEST_CASE("Enclosures make a multipart/mixed message, file names RFC 2231-encoded, the same bytes every time",
          "[attachments][delivery]") {
    const std::string pdf_bytes = std::string("%PDF-1.5\n") + std::string(1, '\0') + "\xff\xfe binary";
    const Letter letter = letter_with({make_attachment("traités-mis-en-avant-2007.txt", "text/plain; charset=utf-8",
                                                       "1. Convention relative aux droits des personnes handicapées\n"),
                                       make_attachment("lettre.pdf", "application/pdf", pdf_bytes)});
    const std::string message = build_message(letter);
    CHECK_THAT(message, Catch::Contains("Content-Type: multipart/mixed"));
    CHECK_THAT(message, Catch::Contains("filename*=UTF-8''trait%C3%A9s-mis-en-avant-2007.txt"));
    CHECK(build_message(letter) == message);  // the boundary comes from the key, not chance
    CHECK(build_message(letter_with(letter.attachments)) == message);

    const ParsedMessage parsed = parse_message(message);
    CHECK(parsed.body == letter.body);
    REQUIRE(parsed.attachments.size() == 2);
    CHECK(parsed.attachments[0].filename == "traités-mis-en-avant-2007.txt");
    CHECK(parsed.attachments[0].content_type == "text/plain");
    CHECK(parsed.attachments[1].filename == "lettre.pdf");
    CHECK(parsed.attachments[1].content_type == "application/pdf");
    CHECK(parsed.attachments[1].content == pdf_bytes);

    // The journal keeps the enclosures (once) and gives back the same message.
    ScratchDir dir;
    Journal journal(dir / "journal.sqlite");
    journal.record_delivery(DeliveryRecord{letter, "smtp", DeliveryStatus::TemporaryFailure, "", "", 1,
                                           letter.scheduled, letter.scheduled});
    Letter other = letter;
    other.idempotency_key += "-2";
    journal.record_delivery(DeliveryRecord{other, "smtp", DeliveryStatus::TemporaryFailure, "", "", 1,
                                           letter.scheduled, letter.scheduled});
    const auto retries = journal.pending_retries(letter.scheduled + std::chrono::hours(1));
    REQUIRE(retries.size() == 2);
    CHECK(build_message(retries.front().letter) == message);
}

TEST_CASE("Campaign and step attachments: read relative to the campaign file, a step's list replacing the campaign's",
          "[attachments][config]") {
    ShippedCopy copy;
    const fs::path focus = copy.campaign("focus2007");
    write_bytes(copy.config / "campaigns/enclosures/note.txt", "A note for every letter.\n");
    write_bytes(copy.config / "campaigns/booklet.pdf", "%PDF-1.4 booklet");
    ShippedCopy::edit(focus, "[roster]",
                      "attachments = [\"enclosures/note.txt\"]\npdf = false\n\n[roster]");
    write_bytes(focus, read_text(focus) + "\n[steps.follow_up]\nattachments = [\"booklet.pdf\", \"enclosures/note.txt\"]\n"
                                          "\n[steps.event_reminder]\nattachments = []\n");
    Diagnostics diagnostics;
    const auto runtime = load_runtime(copy.file(), diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.empty());
    const Campaign* campaign = runtime->campaign("focus2007");
    REQUIRE(campaign);
    CHECK_FALSE(campaign->config.pdf);
    const auto& invitation = attachments_for(*campaign, "invitation", "fr");
    REQUIRE(invitation.size() == 1);  // the operator's list replaces the plugin's treaty list
    CHECK(invitation[0].filename == "note.txt");
    CHECK(*invitation[0].content == "A note for every letter.\n");
    const auto& follow_up = attachments_for(*campaign, "follow_up", "en");
    REQUIRE(follow_up.size() == 2);
    CHECK(follow_up[0].filename == "booklet.pdf");
    CHECK(follow_up[0].content_type == "application/pdf");
    CHECK(attachments_for(*campaign, "event_reminder", "en").empty());
}

TEST_CASE("treaty_event encloses the list of highlighted treaties in the letter's language", "[attachments][treaty_event]") {
    ShippedCopy copy;
    Diagnostics diagnostics;
    const auto runtime = load_runtime(copy.file(), diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.empty());
    const Campaign* campaign = runtime->campaign("focus2007");
    REQUIRE(campaign);
    const auto& english = attachments_for(*campaign, "invitation", "en");
    REQUIRE(english.size() == 1);
    CHECK(english[0].filename == "highlighted-treaties-2007.txt");
    CHECK_THAT(*english[0].content, Catch::StartsWith("Treaties highlighted at the 2007 treaty event\n") &&
                                        Catch::Contains("7. Rome Statute of the International Criminal Court\n"));
    const auto& french = attachments_for(*campaign, "deadline_reminder_30", "fr");
    REQUIRE(french.size() == 1);
    CHECK(french[0].filename == "traités-mis-en-avant-2007.txt");
    CHECK_THAT(*french[0].content, Catch::StartsWith("Traités mis en avant lors de la cérémonie des traités de 2007\n"));
    CHECK(attachments_for(*campaign, "follow_up", "en").empty());
}

TEST_CASE("Unusable attachments are errors at their line - the campaign does not load", "[attachments][config][hardening]") {
    ShippedCopy copy;
    const fs::path focus = copy.campaign("focus2007");
    const fs::path campaigns = copy.config / "campaigns";
    write_bytes(campaigns / "big.txt", std::string(64, 'x'));
    write_bytes(campaigns / "small.txt", "ok");
    fs::create_directories(campaigns / "a-directory");
    fs::create_symlink(campaigns / "small.txt", campaigns / "link.txt");
    write_bytes(campaigns / "secret.txt", "no");
    ::chmod((campaigns / "secret.txt").c_str(), 0);
    ShippedCopy::edit(focus, "[roster]",
                      "max_attachment_bytes = 32\n"
                      "attachments = [\"missing.txt\", \"a-directory\", \"link.txt\", \"big.txt\", \"secret.txt\"]\n\n"
                      "[roster]");
    const std::string text = read_text(focus);
    Diagnostics diagnostics;
    const auto runtime = load_runtime(copy.file(), diagnostics);
    INFO(dump(diagnostics));
    CHECK(runtime->campaign("focus2007") == nullptr);
    const int line = position_of(text, "attachments = [\"missing").first;
    const auto at = [&](const std::string& field, const std::string& part) {
        const Diagnostic* d = find(diagnostics, field, part);
        INFO(field << ": " << part);
        REQUIRE(d != nullptr);
        CHECK(d->file == focus);
        return d->line;
    };
    CHECK(at("attachments[0]", "no such file") == line);
    CHECK(at("attachments[1]", "is not a regular file") == line);
    CHECK(at("attachments[2]", "is a symbolic link") == line);
    CHECK(at("attachments[3]", "over max_attachment_bytes = 32") == line);
    if (::geteuid() != 0) CHECK(at("attachments[4]", "secret.txt") == line);  // root reads anything

    // A config error (a number in a list of files) is reported on its own: the
    // campaign is not assembled, so its files are not looked at.
    write_bytes(focus, text + "\n[steps.follow_up]\nattachments = [\"small.txt\", 3]\n");
    Diagnostics typed;
    load_runtime(copy.file(), typed);
    INFO(dump(typed));
    CHECK(find(typed, "steps.follow_up.attachments[1]", "a string") != nullptr);
    write_bytes(focus, text);

    ShippedCopy::edit(focus, "max_attachment_bytes = 32", "max_attachment_bytes = 0");
    Diagnostics zero;
    load_runtime(copy.file(), zero);
    CHECK(find(zero, "max_attachment_bytes", "must be a positive number of bytes") != nullptr);
}
