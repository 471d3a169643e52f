// Helpers shared by the tests: temporary directories and valid events to append.
#ifndef ENGAGEMENT_TESTS_TEST_SUPPORT_H_
#define ENGAGEMENT_TESTS_TEST_SUPPORT_H_

#include <filesystem>
#include <string>
#include <vector>

#include "engagement/v1/event.pb.h"
#include "ledger/master_key.h"
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

// A fixed master key for tests (never a real one).
inline ledger::MasterKey TestMasterKey() {
  return *ledger::MasterKey::FromHex("74657374206d6173746572206b6579206e6576657220696e2070726f64756374");
}

inline void SetTime(google::protobuf::Timestamp* t, int64_t seconds) {
  t->set_seconds(seconds);
  t->set_nanos(0);
}

// The engagement that tests against a real server open first (see EngagementOpened).
inline const std::string& TestEngagement() {
  static const std::string* id = new std::string("3f1c2a4e-8b7d-4c1e-9a2b-1d2e3f4a5b6c");
  return *id;
}

// A valid engagement-opened event of organisation QWE.
inline engagement::v1::Event EngagementOpened(const std::string& engagement_id = TestEngagement()) {
  engagement::v1::Event event;
  SetTime(event.mutable_occurred_at(), 1746000000);
  event.set_organisation("QWE");
  event.set_actor("engagement-team@qwe");
  auto* opened = event.mutable_engagement_opened();
  opened->set_engagement_id(engagement_id);
  opened->set_title("Co-designing diabetes self-management support");
  opened->set_topic("Diabetes");
  opened->set_commissioning_stage(engagement::v1::COMMISSIONING_STAGE_SERVICE_DESIGN);
  opened->set_spectrum_level(engagement::v1::SPECTRUM_LEVEL_CO_PRODUCE);
  opened->set_scope_for_influence("How structured education sessions are run");
  opened->set_duty_to_involve(engagement::v1::DUTY_APPLIES_YES);
  opened->set_duty_reason("A change to how services are delivered");
  opened->set_lead_role("Head of Engagement");
  return event;
}

// A valid session-held event of organisation QWE, with no event id (the ledger assigns one) and
// a new session id.
inline engagement::v1::Event SessionHeld(const std::string& engagement_id = TestEngagement()) {
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

// `n` session-held events, each its own session.
inline std::vector<engagement::v1::Event> Sessions(int n) {
  std::vector<engagement::v1::Event> events;
  for (int i = 0; i < n; ++i) events.push_back(SessionHeld());
  return events;
}

}  // namespace testing_support

#endif  // ENGAGEMENT_TESTS_TEST_SUPPORT_H_
