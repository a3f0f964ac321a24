// Issue 9: the journal lock file is private, never follows a planted link, and
// says which command holds it.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "cli_runner.hpp"
#include "hardening_support.hpp"
#include "daemon/daemon_loop.hpp"

using namespace outreach;
using namespace outreach::hardening;
using outreach::test::run_outreach;

// ---- the journal lock file ------------------------------------------------------------

TEST_CASE("journal lock: a planted symbolic link is refused and its target left alone", "[hardening][lock]") {
    ScratchDir dir;
    const fs::path journal = dir / "state/journal.sqlite";
    fs::create_directories(journal.parent_path());
    const fs::path victim = dir / "precious.txt";
    write_bytes(victim, "do not truncate\n");
    fs::create_symlink(victim, JournalLock::lock_file_for(journal));
    CHECK_THROWS_WITH(JournalLock(journal, "run"), Catch::Contains("is a symbolic link") &&
                                                       Catch::Contains("journal.sqlite.lock"));
    CHECK(read_text(victim) == "do not truncate\n");

    // A dangling link does not create a file elsewhere either.
    fs::remove(JournalLock::lock_file_for(journal));
    fs::create_symlink(dir / "elsewhere", JournalLock::lock_file_for(journal));
    CHECK_THROWS(JournalLock(journal, "run"));
    CHECK_FALSE(fs::exists(dir / "elsewhere"));

    // Nor does a hard link to another file of the same user.
    fs::remove(JournalLock::lock_file_for(journal));
    fs::create_hard_link(victim, JournalLock::lock_file_for(journal));
    CHECK_THROWS_WITH(JournalLock(journal, "run"), Catch::Contains("hard links"));
    CHECK(read_text(victim) == "do not truncate\n");
}

TEST_CASE("journal lock: private (0600), and the message says which command holds it", "[hardening][lock]") {
    ScratchDir dir;
    const fs::path journal = dir / "journal.sqlite";
    const fs::path lock_file = JournalLock::lock_file_for(journal);
    write_bytes(lock_file, "");
    ::chmod(lock_file.c_str(), 0644);  // as earlier versions created it
    {
        const JournalLock run_lock(journal, "run");
        struct stat info {};
        REQUIRE(::stat(lock_file.c_str(), &info) == 0);
        CHECK((info.st_mode & 0777) == 0600);
        try {
            JournalLock second(journal, "daemon");
            FAIL("locked twice");
        } catch (const DaemonAlreadyRunning& busy) {
            CHECK(busy.holder() == "run");
            CHECK(busy.pid() == ::getpid());
            CHECK_THAT(busy.what(), Catch::Contains("`outreach run` (pid " + std::to_string(::getpid()) + ") is using") &&
                                        !Catch::Contains("daemon"));
        }
    }
    {
        const JournalLock daemon_lock(journal, "daemon");
        CHECK_THROWS_WITH(JournalLock(journal, "run"), Catch::Contains("another outreach daemon (pid"));
    }
    fs::remove(lock_file);
    const JournalLock fresh(journal, "simulate");
    struct stat info {};
    REQUIRE(::stat(lock_file.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    CHECK(read_text(lock_file) == std::to_string(::getpid()) + " simulate\n");
}

TEST_CASE("journal lock: `run` refused while another `run` holds the journal says so", "[hardening][lock][cli]") {
    ShippedCopy copy;
    const fs::path state = copy.dir / "state";
    fs::create_directories(state);
    const JournalLock held(state / "journal.sqlite", "run");
    const auto r = run_outreach(copy.args() + " run --state-dir " + state.string());
    INFO(r.output);
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.output, Catch::Contains("`outreach run` (pid ") && Catch::Contains("is using") &&
                             !Catch::Contains("another outreach daemon"));
}
