// The journal refuses what would make it lie: an emptied file, a planted link,
// a damaged page; and it keeps every rendered letter private to the service.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>

#include "journal/journal.hpp"
#include "test_support.hpp"

using namespace outreach;
using namespace outreach::test;

namespace {
unsigned mode_of(const std::filesystem::path& file) {
    struct stat status {};
    REQUIRE(::stat(file.c_str(), &status) == 0);
    return status.st_mode & 0777;
}
}  // namespace

TEST_CASE("a new journal and its WAL are private to the service", "[journal]") {
    ScratchDir dir;
    Journal journal(dir / "journal.sqlite");
    journal.enrol("c", Instant{std::chrono::seconds{1}});
    CHECK(mode_of(dir / "journal.sqlite") == 0600);
    CHECK(mode_of(dir / "journal.sqlite-wal") == 0600);
}

TEST_CASE("an existing journal readable by others is made private", "[journal]") {
    ScratchDir dir;
    { Journal journal(dir / "journal.sqlite"); }
    ::chmod((dir / "journal.sqlite").c_str(), 0644);
    Journal journal(dir / "journal.sqlite");
    CHECK(mode_of(dir / "journal.sqlite") == 0600);
}

TEST_CASE("an emptied journal is refused, not started afresh", "[journal]") {
    ScratchDir dir;
    write_file(dir / "journal.sqlite", "");
    CHECK_THROWS_WITH(Journal(dir / "journal.sqlite"), Catch::Contains("empty (0 bytes)"));
}

TEST_CASE("a journal that is a symlink is refused, and its target untouched", "[journal]") {
    ScratchDir dir;
    write_file(dir / "victim.txt", "precious");
    std::filesystem::create_symlink(dir / "victim.txt", dir / "journal.sqlite");
    CHECK_THROWS_WITH(Journal(dir / "journal.sqlite"), Catch::Contains("symbolic link"));
    std::ifstream in(dir / "victim.txt");
    std::string text;
    std::getline(in, text);
    CHECK(text == "precious");
}

TEST_CASE("a journal with a damaged page is refused before anything is written", "[journal]") {
    ScratchDir dir;
    {
        Journal journal(dir / "journal.sqlite");
        for (int i = 0; i < 200; ++i)
            journal.add_response("c", Response{"FRA", "k", std::string(200, 'x'), Instant{std::chrono::seconds{i}}},
                                 "note", Instant{std::chrono::seconds{i}});
    }
    // Overwrite the middle of the file (a data or index page) with garbage.
    const auto size = std::filesystem::file_size(dir / "journal.sqlite");
    REQUIRE(size > 16384);
    {
        std::fstream f(dir / "journal.sqlite", std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(size / 2));
        const std::string garbage(4096, '\xA5');
        f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
    }
    CHECK_THROWS_AS(Journal(dir / "journal.sqlite"), JournalError);
}
