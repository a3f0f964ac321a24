// The SDK's bounded reader for plugins' data files (outreach/text_file.hpp).
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>

#include "outreach/text_file.hpp"
#include "test_support.hpp"

using namespace outreach;
using outreach::test::ScratchDir;
using outreach::test::write_file;

TEST_CASE("read_text_file: relative to the campaign directory, whole text, errors naming the file", "[text_file]") {
    ScratchDir dir;
    write_file(dir / "lists/bound.txt", "FRA\n# Côte d'Ivoire\nCIV\n");
    const TextFile relative = read_text_file(dir.path(), "lists/bound.txt");
    CHECK(relative.path == dir / "lists/bound.txt");
    CHECK(relative.text == "FRA\n# Côte d'Ivoire\nCIV\n");
    // An absolute path is taken as it is.
    CHECK(read_text_file("/elsewhere", dir / "lists/bound.txt").text == relative.text);

    CHECK_THROWS_WITH(read_text_file(dir.path(), "missing.txt"), (dir / "missing.txt").string() + ": file not found");
    CHECK_THROWS_WITH(read_text_file(dir.path(), "lists"), (dir / "lists").string() + ": file is not a regular file");
}

TEST_CASE("read_text_file: the size limit is checked before reading", "[text_file]") {
    ScratchDir dir;
    write_file(dir / "list.txt", "FRA\nCIV\n");
    CHECK(read_text_file(dir.path(), "list.txt", 8).text == "FRA\nCIV\n");
    CHECK_THROWS_WITH(read_text_file(dir.path(), "list.txt", 7),
                      (dir / "list.txt").string() + ": file is 8 bytes, more than the limit of 7 bytes (docs/security.md)");
    // The default, 16 MiB, on a sparse file of 16 GiB: refused at once, nothing allocated.
    write_file(dir / "huge.txt", "");
    std::filesystem::resize_file(dir / "huge.txt", std::uintmax_t{16} << 30);
    CHECK_THROWS_WITH(read_text_file(dir.path(), "huge.txt"),
                      (dir / "huge.txt").string() + ": file is 17179869184 bytes, more than the limit of 16 MiB "
                                                    "(docs/security.md)");
}

TEST_CASE("read_text_file: a FIFO or a device is refused without blocking, a link to a file is followed",
          "[text_file]") {
    ScratchDir dir;
    REQUIRE(::mkfifo((dir / "fifo.txt").c_str(), 0600) == 0);  // no writer: a plain open would wait for ever
    CHECK_THROWS_WITH(read_text_file(dir.path(), "fifo.txt"), (dir / "fifo.txt").string() + ": file is not a regular file");
    std::filesystem::create_symlink("/dev/zero", dir / "zero.txt");  // endless bytes
    CHECK_THROWS_WITH(read_text_file(dir.path(), "zero.txt"), (dir / "zero.txt").string() + ": file is not a regular file");
    std::filesystem::create_symlink(dir / "fifo.txt", dir / "to-fifo.txt");
    CHECK_THROWS_WITH(read_text_file(dir.path(), "to-fifo.txt"),
                      (dir / "to-fifo.txt").string() + ": file is not a regular file");
    // Operators keep shared lists elsewhere and link them in: the checks apply to the target.
    ScratchDir elsewhere;
    write_file(elsewhere / "shared.txt", "FRA\n");
    std::filesystem::create_symlink(elsewhere / "shared.txt", dir / "linked.txt");
    CHECK(read_text_file(dir.path(), "linked.txt").text == "FRA\n");
}

TEST_CASE("read_text_file: bytes that are not UTF-8 are refused at their line and column", "[text_file]") {
    ScratchDir dir;
    write_file(dir / "latin1.txt", "FRA\nCIV  # C\xF4te d'Ivoire\n");
    CHECK_THROWS_WITH(read_text_file(dir.path(), "latin1.txt"),
                      (dir / "latin1.txt").string() + ":2:9: not valid UTF-8 (byte 0xF4): save the file as UTF-8");
    write_file(dir / "overlong.txt", "Côte\n\xC0\xAF\n");  // an overlong '/'
    CHECK_THROWS_WITH(read_text_file(dir.path(), "overlong.txt"),
                      (dir / "overlong.txt").string() + ":2:1: not valid UTF-8 (byte 0xC0): save the file as UTF-8");
}
