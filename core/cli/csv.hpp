#pragma once
// RFC 4180 output: CRLF after every record, fields quoted when they hold a
// comma, a double quote, CR or LF (quotes doubled inside). Text is written as
// given (UTF-8).
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace outreach::cli {

std::string csv_field(std::string_view field);
void write_csv_record(std::ostream& out, const std::vector<std::string>& fields);

}  // namespace outreach::cli
