// What a directory's file system allows for durable small-file delivery, the
// reference for the Maildir delivery target (docs/performance.md):
//
//   outreach_fsync_limits --dir DIR [--files N] [--batch B] [--size BYTES] [--mode M]
//
// Every mode writes N files of BYTES bytes into DIR/tmp/ and renames them into
// DIR/new/, as a Maildir delivery does; the files are removed afterwards.
//   per-file   write, fsync(file), rename, fsync(new/) for every file (today's
//              Maildir channel: two flushes per letter);
//   batch      write B files, one syncfs(DIR) for all their data, rename them,
//              one fsync(new/) per batch (the "batched-flush limit" of issue 8;
//              syncfs flushes the whole file system, other processes' dirty
//              data included);
//   batch-dir  write B files, fsync each file, rename them, one fsync(new/) per
//              batch (data flushed per file, names published per batch);
//   batch-fsync  write B files, then fsync each of them, rename them, one
//              fsync(new/) per batch: on ext4 (data=ordered) the first fsync's
//              journal commit carries every written file's data, so the rest are
//              nearly free, and unlike syncfs nothing else on the file system is
//              flushed (a shared machine's other writers do not count);
//   none       write and rename only (no flush: the CPU/VFS ceiling).
// Every mode starts with one syncfs(DIR) (untimed), so that earlier writes are not
// billed to it. Prints one line per mode: "<mode> <files> files in <s> s: <files/s> files/s".
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct Options {
    std::string dir;
    int files = 2000;
    int batch = 1000;
    int size = 2500;
    std::vector<std::string> modes{"per-file", "batch-dir", "batch-fsync", "batch", "none"};
};

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what + ": " + std::strerror(errno));
}

int open_dir(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) fail("open " + path);
    return fd;
}

void flush(int fd, const std::string& what) {
    if (::fsync(fd) != 0) fail("fsync " + what);
}

class Bench {
public:
    explicit Bench(const Options& o) : o_(o), payload_(static_cast<std::size_t>(o.size), 'x') {
        for (std::size_t i = 76; i < payload_.size(); i += 77) payload_[i] = '\n';
        for (const char* sub : {"", "/tmp", "/new"}) {
            const std::string p = o.dir + sub;
            if (::mkdir(p.c_str(), 0700) != 0 && errno != EEXIST) fail("mkdir " + p);
        }
        root_ = open_dir(o.dir);
        tmp_ = open_dir(o.dir + "/tmp");
        new_ = open_dir(o.dir + "/new");
    }
    ~Bench() {
        ::close(root_);
        ::close(tmp_);
        ::close(new_);
    }

    double run(const std::string& mode) {
        if (::syncfs(root_) != 0) fail("syncfs " + o_.dir);
        const auto start = std::chrono::steady_clock::now();
        std::vector<std::string> pending;
        for (int i = 0; i < o_.files; ++i) {
            const std::string name = mode + "." + std::to_string(::getpid()) + "." + std::to_string(i);
            write_one(name, mode == "per-file" || mode == "batch-dir");
            if (mode == "per-file") {
                publish(name);
                flush(new_, "new/");
                continue;
            }
            pending.push_back(name);
            if (static_cast<int>(pending.size()) == o_.batch || i + 1 == o_.files) {
                if (mode == "batch" && ::syncfs(root_) != 0) fail("syncfs " + o_.dir);
                if (mode == "batch-fsync")
                    for (const auto& n : pending) flush_file(n);
                for (const auto& n : pending) publish(n);
                if (mode != "none") flush(new_, "new/");
                pending.clear();
            }
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        for (int i = 0; i < o_.files; ++i) {
            const std::string name = mode + "." + std::to_string(::getpid()) + "." + std::to_string(i);
            ::unlinkat(new_, name.c_str(), 0);
        }
        flush(new_, "new/");
        return seconds;
    }

private:
    void write_one(const std::string& name, bool fsync_file) {
        const int fd = ::openat(tmp_, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) fail("create tmp/" + name);
        const char* p = payload_.data();
        std::size_t left = payload_.size();
        while (left > 0) {
            const ssize_t n = ::write(fd, p, left);
            if (n < 0) fail("write tmp/" + name);
            p += n;
            left -= static_cast<std::size_t>(n);
        }
        if (fsync_file) flush(fd, "tmp/" + name);
        ::close(fd);
    }
    void flush_file(const std::string& name) {
        const int fd = ::openat(tmp_, name.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) fail("open tmp/" + name);
        flush(fd, "tmp/" + name);
        ::close(fd);
    }
    void publish(const std::string& name) {
        if (::renameat(tmp_, name.c_str(), new_, name.c_str()) != 0) fail("rename " + name);
    }

    const Options& o_;
    std::string payload_;
    int root_ = -1, tmp_ = -1, new_ = -1;
};

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
            return argv[++i];
        };
        if (arg == "--dir") o.dir = value();
        else if (arg == "--files") o.files = std::stoi(value());
        else if (arg == "--batch") o.batch = std::stoi(value());
        else if (arg == "--size") o.size = std::stoi(value());
        else if (arg == "--mode") o.modes = {value()};
        else throw std::invalid_argument("unknown argument " + arg);
    }
    if (o.dir.empty() || o.files < 1 || o.batch < 1 || o.size < 1)
        throw std::invalid_argument(
            "usage: outreach_fsync_limits --dir DIR [--files N] [--batch B] [--size BYTES] "
            "[--mode per-file|batch-dir|batch-fsync|batch|none]");
    for (const auto& m : o.modes)
        if (m != "per-file" && m != "batch-dir" && m != "batch-fsync" && m != "batch" && m != "none")
            throw std::invalid_argument("unknown mode " + m);
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const Options o = parse(argc, argv);
        Bench bench(o);
        for (const auto& mode : o.modes) {
            const double s = bench.run(mode);
            std::printf("%-9s %d files in %.3f s: %.0f files/s\n", mode.c_str(), o.files, s, o.files / s);
            std::fflush(stdout);
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "outreach_fsync_limits: %s\n", e.what());
        return 1;
    }
}
