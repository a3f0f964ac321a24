// Maildir delivery, exactly once per idempotency key: the file name is derived from
// the key, so a retry after a crash finds the letter already in new/ or cur/.
//
// Batched: stage() writes each letter into tmp/ without flushing; publish() makes
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

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <spdlog/spdlog.h>

#include "delivery/channel.hpp"
#include "delivery/message.hpp"

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

}  // namespace

struct MaildirChannel::State {
    Descriptor tmp, fresh, cur;  // tmp/, new/, cur/
    bool scanned = false;
    std::unordered_set<std::string> present;  // letters found in new/ or cur/, or published by us
    std::vector<std::string> staged;          // names written to tmp/, not yet published
};

namespace {
std::optional<std::string> prepare(const fs::path& root, auto& state);
}

MaildirChannel::MaildirChannel(fs::path root) : root_(std::move(root)), state_(std::make_unique<State>()) {
    (void)prepare(root_, *state_);  // errors are reported per letter (see prepare)
}

MaildirChannel::~MaildirChannel() {
    // Staged but never published (the batch was abandoned): not letters.
    if (state_ && state_->tmp)
        for (const auto& name : state_->staged) ::unlinkat(state_->tmp.get(), name.c_str(), 0);
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
std::optional<std::string> prepare(const fs::path& root, auto& state) {
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

DeliveryResult MaildirChannel::stage(const Letter& letter) {
    using Status = DeliveryResult::Status;
    const std::string message_id = message_id_for(letter.idempotency_key, letter.from_email);
    if (auto error = prepare(root_, *state_)) return result(Status::TemporaryFailure, *error, message_id);

    const std::string name = file_name_for(letter);
    const fs::path final_path = root_ / "new" / name;
    if (state_->present.count(name)) return result(Status::AlreadyDelivered, final_path.string(), message_id);

    std::string message;
    try {
        message = build_message(letter);
    } catch (const std::exception& error) {  // the letter itself is unusable; retrying will not help
        return result(Status::PermanentFailure, error.what(), message_id);
    }

    const fs::path temporary_path = root_ / "tmp" / name;
    const int tmp_fd = state_->tmp.get();
    const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    Descriptor file(::openat(tmp_fd, name.c_str(), flags, 0600));
    if (!file && errno == EEXIST) {
        // Left by a crash, or planted: remove the entry itself (never its target).
        ::unlinkat(tmp_fd, name.c_str(), 0);
        file = Descriptor(::openat(tmp_fd, name.c_str(), flags, 0600));
    }
    if (!file) return result(Status::TemporaryFailure, io_error("cannot create", temporary_path, errno), message_id);
    if (auto error = write_all(file.get(), message, temporary_path)) {
        ::unlinkat(tmp_fd, name.c_str(), 0);
        return result(Status::TemporaryFailure, *error, message_id);
    }
    state_->staged.push_back(name);
    return result(Status::Delivered, final_path.string(), message_id);
}

std::optional<std::string> MaildirChannel::publish() {
    auto& staged = state_->staged;
    if (staged.empty()) return std::nullopt;
    const int tmp_fd = state_->tmp.get();
    const int new_fd = state_->fresh.get();
    auto abandon = [&](std::string why) {
        for (const auto& name : staged) ::unlinkat(tmp_fd, name.c_str(), 0);
        staged.clear();
        return std::optional<std::string>(std::move(why));
    };
    // One flush for the whole batch: every staged file's data is on disk before
    // any of them gets a name in new/.
    if (::syncfs(tmp_fd) != 0) return abandon(io_error("cannot flush", root_ / "tmp", errno));
    for (std::size_t i = 0; i < staged.size(); ++i) {
        // rename replaces a planted entry in new/ (a symlink is replaced, not followed).
        if (::renameat(tmp_fd, staged[i].c_str(), new_fd, staged[i].c_str()) != 0) {
            const int error_number = errno;
            // Those moved already are complete letters: a later pass finds them.
            for (std::size_t j = 0; j < i; ++j) state_->present.insert(staged[j]);
            staged.erase(staged.begin(), staged.begin() + static_cast<std::ptrdiff_t>(i));
            return abandon(io_error("cannot move " + (root_ / "tmp" / staged.front()).string() + " to", root_ / "new",
                                    error_number));
        }
    }
    if (::fsync(new_fd) != 0) return abandon(io_error("cannot fsync", root_ / "new", errno));
    for (auto& name : staged) state_->present.insert(std::move(name));
    staged.clear();
    return std::nullopt;
}

DeliveryResult MaildirChannel::deliver(const Letter& letter) {
    DeliveryResult staged = stage(letter);
    if (staged.status != DeliveryResult::Status::Delivered) return staged;
    if (auto error = publish()) return result(DeliveryResult::Status::TemporaryFailure, *error, staged.message_id);
    return staged;
}

}  // namespace outreach
