// CsvWriter: the reports' CSV. Every section is a table with a title line ("Section: ..."), a
// header row and its rows; tables are separated by a blank line; fields are quoted as RFC 4180
// says; lines end in CRLF.
#ifndef ENGAGEMENT_PROJECTIONS_CSV_WRITER_H_
#define ENGAGEMENT_PROJECTIONS_CSV_WRITER_H_

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace projections {

class CsvWriter {
 public:
  void Table(const std::string& title, std::vector<std::string> header) {
    if (!out_.empty()) out_ += "\r\n";
    Row({"Section: " + title});
    Row(header);
  }
  void Row(const std::vector<std::string>& fields) {
    std::vector<std::string> quoted;
    quoted.reserve(fields.size());
    for (const auto& f : fields) quoted.push_back(Field(f));
    absl::StrAppend(&out_, absl::StrJoin(quoted, ","), "\r\n");
  }
  std::string Take() { return std::move(out_); }

 private:
  static std::string Field(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string out = "\"";
    for (char c : text) {
      if (c == '"') out += '"';
      out += c;
    }
    return out + "\"";
  }

  std::string out_;
};

}  // namespace projections

#endif  // ENGAGEMENT_PROJECTIONS_CSV_WRITER_H_
