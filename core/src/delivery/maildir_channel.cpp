// Maildir delivery, exactly once per idempotency key: the file name is derived from
// the key, so a retry after a crash finds the letter already in new/ or cur/.
//
// Batched: stage() (or prepare(), earlier) hands each letter to a work queue,
// whose threads build its message and write it into tmp/ while the scheduler
// composes the next letters; publish() waits for them, makes
// the whole batch durable with one syncfs, renames every file into new/ and
// fsyncs new/ once. A name in new/ therefore never points at a torn or empty
// file, and the journal is committed only after publish() (see Channel).
//
// The outbox may hold files planted by someone else: every name is resolved
// relative to a directory descriptor opened with O_NOFOLLOW, files are created
// with O_EXCL|O_NOFOLLOW, and only a non-empty regular file counts as a letter
// already delivered.
#include <dirent.h>
#include <fcntl.h>
#include <glib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <spdlog/spdlog.h>

#include "delivery/channel.hpp"
#include "delivery/gmime_support.hpp"
#include "delivery/message.hpp"
#include "delivery/work_queue.hpp"

namespace outreach {

namespace {

namespace fs = std::filesystem;

std::string io_error(const std::string& what, const fs::path& path, int error_number) {
    return what + " " + path.string() + ": " + std::strerror(error_number);
}

DeliveryResult result(DeliveryResult::Status status, std::string detail, std::string message_id) {
    return DeliveryResult{status, std::move(detail), std::move(message_id)};
}

class Descriptor {
public:
    Descriptor() = default;
    explicit Descriptor(int fd) : fd_(fd) {}
    Descriptor(Descriptor&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    Descriptor& operator=(Descriptor&& other) noexcept {
        std::swap(fd_, other.fd_);
        return *this;
    }
    ~Descriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }

private:
    int fd_ = -1;
};

// Opens (creating with 0700 if absent) the directory `name` under `parent_fd`
// (or the path itself when parent_fd is AT_FDCWD), refusing a symlink, a
// directory owned by another user, and tightening one we own that others may
// write to. Sets `error` and returns an empty descriptor on failure.
Descriptor open_directory(int parent_fd, const fs::path& name, const fs::path& shown, std::optional<std::string>& error) {
    if (::mkdirat(parent_fd, name.c_str(), 0700) != 0 && errno != EEXIST) {
        error = io_error("cannot create directory", shown, errno);
        return {};
    }
    Descriptor fd(::openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) {
        struct stat link {};
        if (errno == ELOOP || (::fstatat(parent_fd, name.c_str(), &link, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(link.st_mode)))
            error = "refusing to use " + shown.string() + " as a Maildir directory: it is a symbolic link";
        else if (errno == ENOTDIR)
            error = "cannot use " + shown.string() + " as a Maildir directory: it exists and is not a directory";
        else
            error = io_error("cannot open directory", shown, errno);
        return {};
    }
    struct stat status {};
    if (::fstat(fd.get(), &status) != 0) {
        error = io_error("cannot check", shown, errno);
        return {};
    }
    if (status.st_uid != ::geteuid()) {
        error = "refusing to use " + shown.string() + " as a Maildir directory: it belongs to user " +
                std::to_string(status.st_uid) + ", not to the user running outreach";
        return {};
    }
    if (status.st_mode & (S_IWGRP | S_IWOTH)) {
        // Letters are for the service alone; other users could plant files here.
        if (::fchmod(fd.get(), 0700) != 0) {
            error = io_error("cannot restrict the permissions of", shown, errno);
            return {};
        }
        spdlog::warn("{} was writable by other users; its mode is now 0700", shown.string());
    }
    return fd;
}

// The letter name a Maildir entry stands for: readers that move a letter to cur/
// append ":2,<flags>" (or nothing).
std::string_view base_name(std::string_view entry) { return entry.substr(0, entry.find(':')); }

bool is_letter_file(int dir_fd, const char* entry) {
    struct stat status {};
    return ::fstatat(dir_fd, entry, &status, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(status.st_mode) && status.st_size > 0;
}

std::optional<std::string> write_all(int fd, std::string_view content, const fs::path& shown) {
    while (!content.empty()) {
        const ssize_t written = ::write(fd, content.data(), content.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            return io_error("cannot write", shown, errno);
        }
        content.remove_prefix(static_cast<std::size_t>(written));
    }
    return std::nullopt;
}

// A letter handed to the work queue. Its job sets `failure` if the letter could not
// be written, then `done`; nothing else reads the rest before `done`.
struct PendingLetter {
    std::string name;
    std::optional<DeliveryResult::Status> failure;
    std::string detail;
    std::atomic<bool> cancelled{false};  // prepared, then dropped before its job ran
    std::atomic<bool> done{false};
};

// Builds the letter's message and writes it to tmp/<name>; runs on a worker thread
// (stage, prepare) or on the caller's (deliver). Touches nothing but `pending`
// and the file.
void write_to_tmp(const Letter& letter, int tmp_fd, const fs::path& temporary_path, PendingLetter& pending) {
    const auto fail = [&](DeliveryResult::Status status, std::string detail) {
        pending.failure = status;
        pending.detail = std::move(detail);
    };
    std::string message;
    try {
        message = build_message(letter);
    } catch (const std::exception& error) {  // the letter itself is unusable; retrying will not help
        return fail(DeliveryResult::Status::PermanentFailure, error.what());
    } catch (...) {
        return fail(DeliveryResult::Status::PermanentFailure, "the message could not be built");
    }
    const char* name = pending.name.c_str();
    const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    Descriptor file(::openat(tmp_fd, name, flags, 0600));
    if (!file && errno == EEXIST) {
        // Left by a crash, or planted: remove the entry itself (never its target).
        ::unlinkat(tmp_fd, name, 0);
        file = Descriptor(::openat(tmp_fd, name, flags, 0600));
    }
    if (!file)
        return fail(DeliveryResult::Status::TemporaryFailure, io_error("cannot create", temporary_path, errno));
    if (auto error = write_all(file.get(), message, temporary_path)) {
        ::unlinkat(tmp_fd, name, 0);
        return fail(DeliveryResult::Status::TemporaryFailure, *error);
    }
}

using PendingLetters = std::vector<std::unique_ptr<PendingLetter>>;

struct PublishOutcome {
    std::size_t moved = 0;  // the first `moved` letters are in new/, durable
    std::optional<std::string> error;
};

// Makes `letters` (each one's job done) durable and visible: one syncfs, so that
// every file's data is on disk before any of them gets a name in new/; a rename
// each; one fsync of new/. What is not moved is removed from tmp/.
PublishOutcome publish_letters(const PendingLetters& letters, int tmp_fd, int new_fd, const fs::path& root) {
    PublishOutcome outcome;
    const auto abandon = [&](std::string why) {
        for (std::size_t i = outcome.moved; i < letters.size(); ++i) ::unlinkat(tmp_fd, letters[i]->name.c_str(), 0);
        outcome.error = std::move(why);
        return outcome;
    };
    // A letter that could not be written fails its batch: none of it is published,
    // and the scheduler retries each letter on its own.
    const auto failed = [](const auto& letter) { return letter->failure.has_value(); };
    if (const auto unwritten = std::count_if(letters.begin(), letters.end(), failed)) {
        const auto& first = *std::find_if(letters.begin(), letters.end(), failed);
        return abandon(std::to_string(unwritten) + " of the " + std::to_string(letters.size()) +
                       " letters of a batch could not be written; the first: " + first->detail);
    }
    if (::syncfs(tmp_fd) != 0) return abandon(io_error("cannot flush", root / "tmp", errno));
    for (; outcome.moved < letters.size(); ++outcome.moved) {
        // rename replaces a planted entry in new/ (a symlink is replaced, not followed).
        const char* name = letters[outcome.moved]->name.c_str();
        if (::renameat(tmp_fd, name, new_fd, name) != 0)
            return abandon(io_error("cannot move " + (root / "tmp" / name).string() + " to", root / "new", errno));
    }
    if (::fsync(new_fd) != 0) {
        outcome.moved = 0;  // in new/ but maybe not durable: delivered again by the retry
        return abandon(io_error("cannot fsync", root / "new", errno));
    }
    return outcome;
}

}  // namespace

struct MaildirChannel::State {
    Descriptor tmp, fresh, cur;  // tmp/, new/, cur/
    bool scanned = false;
    std::unordered_set<std::string> present;  // letters found in new/ or cur/, or published by us
    // Handed to the work queue by stage(), in order; not yet published.
    PendingLetters staged;
    std::unordered_set<std::string> staged_names;
    // Handed to the work queue by prepare(), not staged yet.
    std::unordered_map<std::string, std::unique_ptr<PendingLetter>> prepared;
    std::unique_ptr<WorkQueue> workers;  // started by the first letter queued

    WorkQueue& queue() {
        if (!workers) {
            gmime::ensure_initialized();  // once, here, before any worker builds a message
            workers = std::make_unique<WorkQueue>(WorkQueue::default_workers());
        }
        return *workers;
    }
    void submit(const Letter& letter, const fs::path& temporary_path, PendingLetter& pending) {
        queue().submit([letter, tmp_fd = tmp.get(), temporary_path, &pending] {
            if (!pending.cancelled.load(std::memory_order_acquire)) write_to_tmp(letter, tmp_fd, temporary_path, pending);
            pending.done.store(true, std::memory_order_release);
        });
    }
    // Every staged letter's job has run when this returns.
    void finish_staging() {
        if (!workers) return;
        for (const auto& pending : staged)
            workers->wait_until([&] { return pending->done.load(std::memory_order_acquire); });
    }
    void forget_staged() {
        staged.clear();
        staged_names.clear();
    }
};

namespace {
std::optional<std::string> open_layout(const fs::path& root, auto& state);
}

MaildirChannel::MaildirChannel(fs::path root) : root_(std::move(root)), state_(std::make_unique<State>()) {
    (void)open_layout(root_, *state_);  // errors are reported per letter (see open_layout)
}

MaildirChannel::~MaildirChannel() {
    if (!state_) return;
    drop_prepared();
    state_->workers.reset();  // lets every queued job finish first
    // Staged but never published (the batch was abandoned): not letters.
    if (state_->tmp)
        for (const auto& staged : state_->staged) ::unlinkat(state_->tmp.get(), staged->name.c_str(), 0);
}

std::string MaildirChannel::file_name_for(const Letter& letter) const {
    std::unique_ptr<gchar, decltype(&g_free)> digest(
        g_compute_checksum_for_string(G_CHECKSUM_SHA256, letter.idempotency_key.c_str(),
                                      static_cast<gssize>(letter.idempotency_key.size())),
        &g_free);
    return std::to_string(letter.scheduled.time_since_epoch().count()) + ".K" + std::string(digest.get(), 16) +
           ".outreach";
}

namespace {

// Opens the layout and lists what is delivered already, once per channel. Errors
// are not fatal: letters get temporary failures and a later call tries again, so
// an outbox on a late-mounted disk recovers by itself.
// (`state` is MaildirChannel::State, private to the class; hence `auto`.)
std::optional<std::string> open_layout(const fs::path& root, auto& state) {
    if (state.scanned) return std::nullopt;
    std::optional<std::string> error;
    if (root.has_parent_path()) {
        std::error_code ignored;
        fs::create_directories(root.parent_path(), ignored);
    }
    Descriptor top = open_directory(AT_FDCWD, root, root, error);
    if (!top) return error;
    Descriptor tmp = open_directory(top.get(), "tmp", root / "tmp", error);
    if (!tmp) return error;
    Descriptor fresh = open_directory(top.get(), "new", root / "new", error);
    if (!fresh) return error;
    Descriptor cur = open_directory(top.get(), "cur", root / "cur", error);
    if (!cur) return error;

    std::unordered_set<std::string> present;
    for (const auto* dir : {&fresh, &cur}) {
        const int listing_fd = ::dup(dir->get());
        DIR* listing = listing_fd >= 0 ? ::fdopendir(listing_fd) : nullptr;
        if (!listing) {
            if (listing_fd >= 0) ::close(listing_fd);
            return io_error("cannot list", root / (dir == &fresh ? "new" : "cur"), errno);
        }
        ::rewinddir(listing);
        while (const dirent* entry = ::readdir(listing)) {
            if (entry->d_name[0] == '.') continue;
            if (is_letter_file(dir->get(), entry->d_name)) present.emplace(base_name(entry->d_name));
        }
        ::closedir(listing);
    }
    state.tmp = std::move(tmp);
    state.fresh = std::move(fresh);
    state.cur = std::move(cur);
    state.present = std::move(present);
    state.scanned = true;
    return std::nullopt;
}

}  // namespace

DeliveryResult MaildirChannel::stage(const Letter& letter) { return stage_letter(letter, true); }

void MaildirChannel::prepare(const Letter& letter) {
    if (open_layout(root_, *state_)) return;  // stage() reports it
    std::string name = file_name_for(letter);
    if (state_->present.count(name) || state_->staged_names.count(name) || state_->prepared.count(name)) return;
    auto pending = std::make_unique<PendingLetter>();
    pending->name = name;
    state_->submit(letter, root_ / "tmp" / name, *pending);
    state_->prepared.emplace(std::move(name), std::move(pending));
}

void MaildirChannel::drop_prepared() {
    auto& prepared = state_->prepared;
    if (prepared.empty()) return;
    for (auto& [name, pending] : prepared) pending->cancelled.store(true, std::memory_order_release);
    state_->workers->wait();
    for (const auto& [name, pending] : prepared)
        if (!pending->failure) ::unlinkat(state_->tmp.get(), name.c_str(), 0);  // never staged: not a letter
    prepared.clear();
}

DeliveryResult MaildirChannel::stage_letter(const Letter& letter, bool in_background) {
    using Status = DeliveryResult::Status;
    const std::string message_id = message_id_for(letter.idempotency_key, letter.from_email);
    if (auto error = open_layout(root_, *state_)) return result(Status::TemporaryFailure, *error, message_id);

    std::string name = file_name_for(letter);
    const fs::path final_path = root_ / "new" / name;
    if (state_->present.count(name) || state_->staged_names.count(name))
        return result(Status::AlreadyDelivered, final_path.string(), message_id);

    std::unique_ptr<PendingLetter> pending;
    if (const auto ready = state_->prepared.find(name); ready != state_->prepared.end()) {
        pending = std::move(ready->second);  // its job is queued or done already
        state_->prepared.erase(ready);
        if (!in_background) state_->queue().wait_until([&] { return pending->done.load(std::memory_order_acquire); });
    } else {
        pending = std::make_unique<PendingLetter>();
        pending->name = name;
        if (in_background) {
            state_->submit(letter, root_ / "tmp" / name, *pending);
        } else {
            write_to_tmp(letter, state_->tmp.get(), root_ / "tmp" / name, *pending);
            pending->done = true;
        }
    }
    if (!in_background && pending->failure) return result(*pending->failure, pending->detail, message_id);
    state_->staged_names.insert(name);
    state_->staged.push_back(std::move(pending));
    return result(Status::Delivered, final_path.string(), message_id);
}

std::optional<std::string> MaildirChannel::publish() {
    state_->finish_staging();
    if (state_->staged.empty()) return std::nullopt;
    const PublishOutcome outcome = publish_letters(state_->staged, state_->tmp.get(), state_->fresh.get(), root_);
    // Those moved already are complete letters: a retry finds them delivered.
    for (std::size_t i = 0; i < outcome.moved; ++i) state_->present.insert(std::move(state_->staged[i]->name));
    state_->forget_staged();
    return outcome.error;
}

DeliveryResult MaildirChannel::deliver(const Letter& letter) {
    // Built and written on this thread: a letter that cannot be built is a
    // permanent failure of its own, not of a batch.
    DeliveryResult staged = stage_letter(letter, false);
    if (staged.status != DeliveryResult::Status::Delivered) return staged;
    if (auto error = publish()) return result(DeliveryResult::Status::TemporaryFailure, *error, staged.message_id);
    return staged;
}

}  // namespace outreach
