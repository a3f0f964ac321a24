// Maildir delivery, exactly once per idempotency key: the file name is derived from
// the key, so a retry after a crash finds the letter already in new/ or cur/.
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
#include <system_error>

#include "delivery/channel.hpp"
#include "delivery/message.hpp"

namespace outreach {

namespace {

namespace fs = std::filesystem;

std::string io_error(const std::string& what, const fs::path& path, int error_number) {
    return what + " " + path.string() + ": " + std::strerror(error_number);
}

// mkdir with mode 0700 (letters are not for other local users); parents of the
// root are created with the default mode. nullopt on success, else the error text.
std::optional<std::string> ensure_directory(const fs::path& path, bool create_parents) {
    if (::mkdir(path.c_str(), 0700) == 0) return std::nullopt;
    int error_number = errno;
    if (error_number == ENOENT && create_parents && path.has_parent_path()) {
        std::error_code error;
        fs::create_directories(path.parent_path(), error);
        if (error) return "cannot create directory " + path.parent_path().string() + ": " + error.message();
        if (::mkdir(path.c_str(), 0700) == 0) return std::nullopt;
        error_number = errno;
    }
    if (error_number == EEXIST) {
        struct stat status {};
        if (::stat(path.c_str(), &status) == 0 && S_ISDIR(status.st_mode)) return std::nullopt;
        return "cannot use " + path.string() + " as a Maildir directory: it exists and is not a directory";
    }
    return io_error("cannot create directory", path, error_number);
}

std::optional<std::string> ensure_layout(const fs::path& root) {
    if (auto error = ensure_directory(root, true)) return error;
    for (const char* sub : {"tmp", "new", "cur"})
        if (auto error = ensure_directory(root / sub, false)) return error;
    return std::nullopt;
}

struct FileExists {
    bool exists = false;
    std::optional<std::string> error;
};

FileExists file_exists(const fs::path& path) {
    struct stat status {};
    if (::lstat(path.c_str(), &status) == 0) return {true, std::nullopt};
    if (errno == ENOENT) return {false, std::nullopt};
    return {false, io_error("cannot check", path, errno)};
}

struct DirCloser {
    void operator()(DIR* dir) const { ::closedir(dir); }
};

// A reader moves a letter from new/ to cur/ and appends ":2,<flags>" (or, for some
// readers, nothing); either way it was delivered. Returns the path found.
std::optional<fs::path> find_in_cur(const fs::path& cur, const std::string& name, std::optional<std::string>& error) {
    std::unique_ptr<DIR, DirCloser> dir(::opendir(cur.c_str()));
    if (!dir) {
        error = io_error("cannot list", cur, errno);
        return std::nullopt;
    }
    errno = 0;
    while (const dirent* entry = ::readdir(dir.get())) {
        const std::string_view entry_name(entry->d_name);
        if (entry_name.substr(0, name.size()) == name &&
            (entry_name.size() == name.size() || entry_name[name.size()] == ':'))
            return cur / std::string(entry_name);
        errno = 0;
    }
    if (errno != 0) error = io_error("cannot list", cur, errno);
    return std::nullopt;
}

// Writes `content` to `path` (created 0600, truncated) and fsyncs it.
std::optional<std::string> write_durably(const fs::path& path, std::string_view content) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return io_error("cannot create", path, errno);
    std::optional<std::string> error;
    while (!content.empty() && !error) {
        const ssize_t written = ::write(fd, content.data(), content.size());
        if (written < 0) {
            if (errno != EINTR) error = io_error("cannot write", path, errno);
            continue;
        }
        content.remove_prefix(static_cast<std::size_t>(written));
    }
    if (!error && ::fsync(fd) != 0) error = io_error("cannot fsync", path, errno);
    if (::close(fd) != 0 && !error) error = io_error("cannot close", path, errno);
    return error;
}

// Makes the rename into new/ itself durable.
std::optional<std::string> sync_directory(const fs::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return io_error("cannot open", dir, errno);
    std::optional<std::string> error;
    if (::fsync(fd) != 0) error = io_error("cannot fsync", dir, errno);
    ::close(fd);
    return error;
}

DeliveryResult result(DeliveryResult::Status status, std::string detail, std::string message_id) {
    return DeliveryResult{status, std::move(detail), std::move(message_id)};
}

}  // namespace

MaildirChannel::MaildirChannel(fs::path root) : root_(std::move(root)) {
    // Errors are not fatal here: deliver() retries and reports them per letter as
    // temporary failures, so an outbox on a late-mounted disk recovers by itself.
    (void)ensure_layout(root_);
}

std::string MaildirChannel::file_name_for(const Letter& letter) const {
    std::unique_ptr<gchar, decltype(&g_free)> digest(
        g_compute_checksum_for_string(G_CHECKSUM_SHA256, letter.idempotency_key.c_str(),
                                      static_cast<gssize>(letter.idempotency_key.size())),
        &g_free);
    return std::to_string(letter.scheduled.time_since_epoch().count()) + ".K" + std::string(digest.get(), 16) +
           ".outreach";
}

DeliveryResult MaildirChannel::deliver(const Letter& letter) {
    using Status = DeliveryResult::Status;
    const std::string message_id = message_id_for(letter.idempotency_key, letter.from_email);
    if (auto error = ensure_layout(root_)) return result(Status::TemporaryFailure, *error, message_id);

    const std::string name = file_name_for(letter);
    const fs::path final_path = root_ / "new" / name;
    const auto in_new = file_exists(final_path);
    if (in_new.error) return result(Status::TemporaryFailure, *in_new.error, message_id);
    if (in_new.exists) return result(Status::AlreadyDelivered, final_path.string(), message_id);
    std::optional<std::string> listing_error;
    if (auto read = find_in_cur(root_ / "cur", name, listing_error))
        return result(Status::AlreadyDelivered, read->string(), message_id);
    if (listing_error) return result(Status::TemporaryFailure, *listing_error, message_id);

    std::string message;
    try {
        message = build_message(letter);
    } catch (const std::exception& error) {  // the letter itself is unusable; retrying will not help
        return result(Status::PermanentFailure, error.what(), message_id);
    }

    const fs::path temporary_path = root_ / "tmp" / name;
    if (auto error = write_durably(temporary_path, message)) {
        ::unlink(temporary_path.c_str());
        return result(Status::TemporaryFailure, *error, message_id);
    }
    if (::rename(temporary_path.c_str(), final_path.c_str()) != 0) {
        const int error_number = errno;
        ::unlink(temporary_path.c_str());
        return result(Status::TemporaryFailure, io_error("cannot move " + temporary_path.string() + " to", final_path,
                                                         error_number),
                      message_id);
    }
    if (auto error = sync_directory(root_ / "new")) return result(Status::TemporaryFailure, *error, message_id);
    return result(Status::Delivered, final_path.string(), message_id);
}

}  // namespace outreach
