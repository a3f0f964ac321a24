#include "plugins/plugin_metadata_reader.hpp"

#include "outreach/plugin_metadata.hpp"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace outreach {

namespace {

using Kind = PluginMetadataError::Kind;

[[noreturn]] void fail(Kind kind, const std::string& message) { throw PluginMetadataError(kind, message); }

// Bytes [offset, offset + size) of the file, checked against its size first.
std::vector<unsigned char> read_range(int fd, std::uint64_t file_size, std::uint64_t offset, std::uint64_t size,
                                      const char* what) {
    if (offset > file_size || size > file_size - offset)
        fail(Kind::Malformed, std::string("malformed ELF file: the ") + what + " lies outside the file");
    std::vector<unsigned char> bytes(static_cast<std::size_t>(size));
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t got = ::pread(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
        if (got < 0) {
            if (errno == EINTR) continue;
            fail(Kind::Unreadable, std::string("cannot read the ") + what + ": " + std::strerror(errno));
        }
        if (got == 0) fail(Kind::Malformed, std::string("malformed ELF file: the file ends inside the ") + what);
        done += static_cast<std::size_t>(got);
    }
    return bytes;
}

template <typename T>
T read_struct(const std::vector<unsigned char>& bytes, std::size_t offset) {
    T value;
    std::memcpy(&value, bytes.data() + offset, sizeof value);
    return value;
}

// A fixed-size NUL-terminated field, printable ASCII kept.
std::string text_field(const unsigned char* data, std::size_t size) {
    std::string out;
    for (std::size_t i = 0; i < size && data[i] != '\0'; ++i)
        out += (data[i] >= 0x20 && data[i] < 0x7F) ? static_cast<char>(data[i]) : '?';
    return out;
}

}  // namespace

PluginMetadataRecord read_plugin_metadata(int fd) {
    struct stat status {};
    if (::fstat(fd, &status) != 0) fail(Kind::Unreadable, std::string("cannot inspect: ") + std::strerror(errno));
    if (!S_ISREG(status.st_mode)) fail(Kind::Unreadable, "not a regular file");
    const auto file_size = static_cast<std::uint64_t>(status.st_size);
    if (file_size > kMaxPluginFileBytes)
        fail(Kind::Unreadable, "larger than " + std::to_string(kMaxPluginFileBytes >> 20) + " MiB: not read as a plugin");
    if (file_size < sizeof(Elf64_Ehdr)) fail(Kind::NotElf, "not an ELF file (too short)");

    const auto header_bytes = read_range(fd, file_size, 0, sizeof(Elf64_Ehdr), "ELF header");
    const auto header = read_struct<Elf64_Ehdr>(header_bytes, 0);
    if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0) fail(Kind::NotElf, "not an ELF file");
    if (header.e_ident[EI_CLASS] != ELFCLASS64) fail(Kind::NotElf, "not a 64-bit ELF file");
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    constexpr unsigned char kOwnByteOrder = ELFDATA2LSB;
#else
    constexpr unsigned char kOwnByteOrder = ELFDATA2MSB;
#endif
    if (header.e_ident[EI_DATA] != kOwnByteOrder) fail(Kind::NotElf, "an ELF file of another byte order");
    if (header.e_shoff == 0) fail(Kind::NoMetadata, "not an Outreach plugin (no .outreach_plugin metadata: no sections)");
    if (header.e_shentsize != sizeof(Elf64_Shdr))
        fail(Kind::Malformed, "malformed ELF file: section header size " + std::to_string(header.e_shentsize));

    // Section 0 carries the real count and string-table index when they do not
    // fit the header's 16-bit fields.
    const auto first_bytes = read_range(fd, file_size, header.e_shoff, sizeof(Elf64_Shdr), "section header table");
    const auto first = read_struct<Elf64_Shdr>(first_bytes, 0);
    const std::uint64_t count = header.e_shnum != 0 ? header.e_shnum : first.sh_size;
    const std::uint64_t names_index = header.e_shstrndx != SHN_XINDEX ? header.e_shstrndx : first.sh_link;
    if (count == 0 || count > (file_size - header.e_shoff) / sizeof(Elf64_Shdr))
        fail(Kind::Malformed, "malformed ELF file: the section header table lies outside the file");
    if (names_index == SHN_UNDEF || names_index >= count)
        fail(Kind::NoMetadata, "not an Outreach plugin (no .outreach_plugin metadata: no section names)");
    const auto table = read_range(fd, file_size, header.e_shoff, count * sizeof(Elf64_Shdr), "section header table");
    const auto section = [&](std::uint64_t index) {
        return read_struct<Elf64_Shdr>(table, static_cast<std::size_t>(index * sizeof(Elf64_Shdr)));
    };

    const Elf64_Shdr names_header = section(names_index);
    if (names_header.sh_type != SHT_STRTAB)
        fail(Kind::Malformed, "malformed ELF file: the section name table is not a string table");
    if (names_header.sh_size > (16u << 20))
        fail(Kind::Malformed, "malformed ELF file: a section name table of " + std::to_string(names_header.sh_size) +
                                  " bytes");
    const auto names = read_range(fd, file_size, names_header.sh_offset, names_header.sh_size, "section name table");

    constexpr std::size_t wanted_length = sizeof(kPluginMetadataSectionName);  // with its NUL
    for (std::uint64_t i = 0; i < count; ++i) {
        const Elf64_Shdr candidate = section(i);
        if (candidate.sh_name >= names.size() || names.size() - candidate.sh_name < wanted_length) continue;
        if (std::memcmp(names.data() + candidate.sh_name, kPluginMetadataSectionName, wanted_length) != 0) continue;

        if (candidate.sh_type == SHT_NOBITS)
            fail(Kind::BadRecord, "not an Outreach plugin: the .outreach_plugin section holds no data");
        if (candidate.sh_size < 16)
            fail(Kind::BadRecord, "not an Outreach plugin: the .outreach_plugin section is only " +
                                      std::to_string(candidate.sh_size) + " bytes");
        // One record is all the host reads; a larger section is read in part.
        const std::uint64_t size = std::min<std::uint64_t>(candidate.sh_size, 4096);
        const auto bytes = read_range(fd, file_size, candidate.sh_offset, size, ".outreach_plugin section");
        if (std::memcmp(bytes.data(), "OUTREACH", 8) != 0)
            fail(Kind::BadRecord, "not an Outreach plugin: bad magic in the .outreach_plugin metadata");
        PluginMetadataRecord record;
        std::memcpy(&record.api_version, bytes.data() + 8, 4);
        std::memcpy(&record.record_size, bytes.data() + 12, 4);
        if (record.record_size < 16 || record.record_size > bytes.size())
            fail(Kind::BadRecord, "not an Outreach plugin: a .outreach_plugin record of " +
                                      std::to_string(record.record_size) + " bytes in a section of " +
                                      std::to_string(candidate.sh_size));
        // Name and version are read only when the record has them (API 2 and later).
        if (record.record_size >= kPluginMetadataRecordSize) {
            record.name = text_field(bytes.data() + 16, 64);
            record.version = text_field(bytes.data() + 80, 32);
        }
        return record;
    }
    fail(Kind::NoMetadata, "not an Outreach plugin (no .outreach_plugin metadata)");
}

PluginMetadataRecord read_plugin_metadata(const std::filesystem::path& file) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
    if (fd < 0) {
        const int error = errno;
        if (error == ELOOP) fail(Kind::Unreadable, "a symbolic link (name the library itself)");
        fail(Kind::Unreadable, std::string("cannot open: ") + std::strerror(error));
    }
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    return read_plugin_metadata(fd);
}

}  // namespace outreach

// The reader's record is the SDK's, byte for byte.
static_assert(sizeof(outreach::PluginMetadata) == outreach::kPluginMetadataRecordSize);
