// Helpers shared by the tests: temporary directories and valid events to append.
#ifndef ENGAGEMENT_TESTS_TEST_SUPPORT_H_
#define ENGAGEMENT_TESTS_TEST_SUPPORT_H_

#include <filesystem>
#include <string>
#include <vector>

#include "engagement/v1/event.pb.h"
#include "ledger/uuid.h"

namespace testing_support {

// A fresh directory under the system temp dir, removed when the object goes.
class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() / ("ledger-test-" + ledger::NewUuid());
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string path() const { return path_.string(); }
  std::string Sub(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline void SetTime(google::protobuf::Timestamp* t, int64_t seconds) {
  t->set_seconds(seconds);
  t->set_nanos(0);
}

// A valid session-held event of organisation QWE, with no event id (the ledger assigns one).
inline engagement::v1::Event SessionHeld(const std::string& engagement_id = ledger::NewUuid()) {
  engagement::v1::Event event;
  SetTime(event.mutable_occurred_at(), 1746093600);  // 2025-05-01 10:00 UTC
  event.set_organisation("QWE");
  event.set_actor("engagement-team@qwe");
  auto* session = event.mutable_session_held();
  session->set_engagement_id(engagement_id);
  session->set_session_id(ledger::NewUuid());
  session->set_title("Co-design workshop");
  session->set_method(engagement::v1::ENGAGEMENT_METHOD_CO_DESIGN_WORKSHOP);
  session->set_duration_minutes(120);
  return event;
}

// The same with a chosen event id.
inline engagement::v1::Event SessionHeldWithId(const std::string& event_id) {
  engagement::v1::Event event = SessionHeld();
  event.set_event_id(event_id);
  return event;
}

inline std::string EngagementStream() { return "engagement-" + ledger::NewUuid(); }

}  // namespace testing_support

#endif  // ENGAGEMENT_TESTS_TEST_SUPPORT_H_
