#include "ledger/uuid.h"

#include <uuid/uuid.h>

namespace ledger {

std::string NewUuid() {
  uuid_t id;
  uuid_generate_random(id);
  char text[37];
  uuid_unparse_lower(id, text);
  return std::string(text, 36);
}

bool IsUuid(absl::string_view text) {
  if (text.size() != 36) return false;
  char buffer[37];
  text.copy(buffer, 36);
  buffer[36] = '\0';
  uuid_t id;
  return uuid_parse(buffer, id) == 0;
}

}  // namespace ledger
