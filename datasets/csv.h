// CSV records as other tools write them (RFC 4180): fields split by Boost.Tokenizer's
// escaped_list_separator (',' between fields, '"' quotes, no escape character), quoted fields
// that span lines joined into one record, a UTF-8 byte-order mark dropped, CRLF or LF line ends,
// blank lines skipped. Each record keeps the 1-based line it starts on, for error messages.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fer::datasets {

struct CsvRecord {
  long line = 0;                    // Where the record starts (1-based).
  std::vector<std::string> fields;  // Unquoted, surrounding spaces kept inside quotes only.
  std::string error;                // Non-empty when the record's quoting is malformed.
};

/// Splits a whole CSV text into records (see the file comment). A record with malformed
/// quoting (an unterminated quote) carries `error` instead of fields.
std::vector<CsvRecord> read_csv_records(std::string_view text);

}  // namespace fer::datasets
