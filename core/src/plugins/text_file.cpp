// The SDK's bounded reader for plugins' data files (outreach/text_file.hpp): the
// same read and checks as the core's own inputs (config/input_limits), with the
// problem thrown as one message.
#include "outreach/text_file.hpp"

#include "config/diagnostics.hpp"
#include "config/input_limits.hpp"

namespace outreach {

TextFile read_text_file(const std::filesystem::path& base_dir, const std::filesystem::path& file,
                        std::uintmax_t max_bytes) {
    TextFile result;
    result.path = file.is_relative() ? base_dir / file : file;
    Diagnostics problems;
    std::optional<std::string> text = read_bounded_file(result.path, max_bytes, "file", problems);
    if (text && check_utf8(*text, result.path, "file", problems)) {
        result.text = std::move(*text);
        return result;
    }
    throw TextFileError(problems.front().format());
}

}  // namespace outreach
