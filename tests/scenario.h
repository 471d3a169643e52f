// Scenario: a real log on disk with the engagement rules installed and personal data sealed, as a
// real server has them, for report tests that append events one by one and replay them.
#ifndef ENGAGEMENT_TESTS_SCENARIO_H_
#define ENGAGEMENT_TESTS_SCENARIO_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "domain/engagement_rules.h"
#include "domain/payload_validation.h"
#include "domain/personal_data_sealer.h"
#include "gtest/gtest.h"
#include "ledger/rocksdb_event_log.h"
#include "ledger/subject_key_store.h"
#include "ledger/uuid.h"
#include "tests/test_support.h"

namespace testing_support {

using engagement::v1::Event;

// Appends events one by one through the engagement rules, personal data sealed, as a real server
// would.
class Scenario {
 public:
  explicit Scenario(const std::string& dir) {
    auto log = ledger::RocksDbEventLog::Open(dir + "/log", ledger::RocksDbOptions());
    EXPECT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
    EXPECT_TRUE(log_->InstallAppendGuard(&rules_).ok());
    auto keys = ledger::SubjectKeyStore::Open(dir + "/keys", testing_support::TestMasterKey(), {});
    EXPECT_TRUE(keys.ok()) << keys.status();
    keys_ = *std::move(keys);
  }
  uint64_t Add(Event event) {
    std::vector<Event> events = {std::move(event)};
    EXPECT_TRUE(domain::ValidatePayloads(events).ok()) << domain::ValidatePayloads(events);
    EXPECT_TRUE(domain::SealPersonalData(events, *keys_).ok());
    auto r = log_->Append({"scenario-" + ledger::NewUuid(), ledger::ExpectedRevision::Any(), events});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->positions[0] : 0;
  }
  ledger::RocksDbEventLog& log() { return *log_; }
  ledger::SubjectKeyStore& keys() { return *keys_; }

 private:
  std::unique_ptr<ledger::RocksDbEventLog> log_;
  std::unique_ptr<ledger::SubjectKeyStore> keys_;
  domain::EngagementRules rules_;
};

}  // namespace testing_support

#endif  // ENGAGEMENT_TESTS_SCENARIO_H_
