// Participants' personal data: sealed before it is recorded, deterministically, bound to its
// participant and organisation, readable with the key store, and unreadable for ever once erased.
#include <google/protobuf/util/message_differencer.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "domain/personal_data_sealer.h"
#include "gtest/gtest.h"
#include "ledger/sealed_box.h"
#include "ledger/subject_key_store.h"
#include "projections/personal_data_opener.h"
#include "tests/test_support.h"

namespace {

using engagement::v1::Event;
using google::protobuf::util::MessageDifferencer;
using projections::OpenedPersonalData;

constexpr char kName[] = "Adaeze Okonkwo-Whitfield";
constexpr char kEmail[] = "adaeze.ow@example.org";

Event Registration(const std::string& participant_id, const std::string& email = kEmail) {
  Event event;
  testing_support::SetTime(event.mutable_occurred_at(), 1746093600);
  event.set_organisation("QWE");
  event.set_actor("engagement-team@qwe");
  event.set_event_id("0196a1b2-0000-7e5f-8a9b-0c1d2e3f4a5b");
  auto* registered = event.mutable_participant_registered();
  registered->set_participant_id(participant_id);
  registered->set_role_type(engagement::v1::PPV_ROLE_TYPE_2);
  registered->set_recruited_through(engagement::v1::INVITATION_CHANNEL_GP_PRACTICE);
  auto* data = registered->mutable_personal_data();
  data->mutable_contact()->set_name(kName);
  data->mutable_contact()->set_email(email);
  auto* equality = data->mutable_equality();
  equality->set_age_band(engagement::v1::AGE_BAND_UNDER_16);
  equality->set_sex(engagement::v1::SEX_FEMALE);
  equality->set_imd_decile(3);
  equality->set_postcode_district("LS7");
  return event;
}

class PersonalDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = ledger::SubjectKeyStore::Open(dir_.Sub("keys"), testing_support::TestMasterKey(), {});
    ASSERT_TRUE(store.ok()) << store.status();
    keys_ = *std::move(store);
  }

  // `event` sealed on its own, as an append of one event.
  Event Sealed(Event event) {
    std::vector<Event> events = {std::move(event)};
    absl::Status sealed = domain::SealPersonalData(events, *keys_);
    EXPECT_TRUE(sealed.ok()) << sealed;
    return events[0];
  }

  testing_support::TempDir dir_;
  std::unique_ptr<ledger::SubjectKeyStore> keys_;
  const std::string participant_ = ledger::NewUuid();
  const Event original_ = Registration(participant_);
};

TEST_F(PersonalDataTest, SealingReplacesTheClearDataWithCiphertextOnly) {
  Event sealed = Sealed(original_);
  const auto& registered = sealed.participant_registered();
  EXPECT_FALSE(registered.has_personal_data());
  ASSERT_TRUE(registered.has_sealed_personal_data());
  EXPECT_EQ(registered.sealed_personal_data().scheme(),
            engagement::v1::SEALING_SCHEME_AES_256_GCM_SYNTHETIC_NONCE);
  EXPECT_GT(registered.sealed_personal_data().sealed().size(), ledger::kSealOverhead);
  std::string bytes = sealed.SerializeAsString();
  EXPECT_FALSE(absl::StrContains(bytes, kName));
  EXPECT_FALSE(absl::StrContains(bytes, kEmail));
  EXPECT_FALSE(absl::StrContains(bytes, "LS7"));
  // Everything else is as the client sent it.
  EXPECT_EQ(registered.participant_id(), participant_);
  EXPECT_EQ(registered.role_type(), engagement::v1::PPV_ROLE_TYPE_2);
  EXPECT_EQ(sealed.organisation(), "QWE");
  EXPECT_EQ(sealed.event_id(), original_.event_id());
}

TEST_F(PersonalDataTest, SealingTheSameEventAgainGivesTheSameBytes) {
  std::string first = Sealed(original_).SerializeAsString();
  std::string retried = Sealed(original_).SerializeAsString();
  EXPECT_EQ(first, retried) << "a retried append would not be recognised as the same event";
  ASSERT_TRUE(keys_->Erase("someone-else", absl::FromUnixSeconds(1767225600)).ok());
  EXPECT_EQ(Sealed(original_).SerializeAsString(), first) << "after the store compacted";
  EXPECT_NE(Sealed(Registration(participant_, "other@example.org")).SerializeAsString(), first);
}

TEST_F(PersonalDataTest, TheKeyStoreOpensSealedDataBack) {
  Event sealed = Sealed(original_);
  auto opened = projections::OpenPersonalData(sealed, keys_.get());
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->state, OpenedPersonalData::State::kClear);
  EXPECT_TRUE(MessageDifferencer::Equals(opened->data, original_.participant_registered().personal_data()))
      << opened->data.DebugString();
}

TEST_F(PersonalDataTest, AfterErasureTheDataReadsAsErasedAndCannotBeSealedAgain) {
  Event sealed = Sealed(original_);
  ASSERT_TRUE(keys_->Erase(participant_, absl::FromUnixSeconds(1767225600)).ok());
  auto opened = projections::OpenPersonalData(sealed, keys_.get());
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->state, OpenedPersonalData::State::kErased);
  EXPECT_EQ(opened->data.ByteSizeLong(), 0u);
  std::vector<Event> again = {original_};
  absl::Status refused = domain::SealPersonalData(again, *keys_);
  EXPECT_TRUE(absl::IsFailedPrecondition(refused)) << refused;
  EXPECT_TRUE(absl::StrContains(refused.message(), "events[0].participant_registered.participant_id"))
      << refused;
}

TEST_F(PersonalDataTest, AKeyStoreThatNeverHadTheKeyIsDataLoss) {
  Event sealed = Sealed(original_);
  auto other = ledger::SubjectKeyStore::Open(dir_.Sub("other-keys"), testing_support::TestMasterKey(), {});
  ASSERT_TRUE(other.ok()) << other.status();
  auto opened = projections::OpenPersonalData(sealed, other->get());
  EXPECT_TRUE(absl::IsDataLoss(opened.status())) << opened.status();
  // Where no key store is at hand at all, sealed data reads as erased, never as clear.
  auto offline = projections::OpenPersonalData(sealed, nullptr);
  ASSERT_TRUE(offline.ok()) << offline.status();
  EXPECT_EQ(offline->state, OpenedPersonalData::State::kErased);
}

TEST_F(PersonalDataTest, SealedDataMovedToAnotherOrganisationOrParticipantDoesNotOpen) {
  Event sealed = Sealed(original_);
  Event moved = sealed;
  moved.set_organisation("15N");
  auto opened = projections::OpenPersonalData(moved, keys_.get());
  EXPECT_TRUE(absl::IsDataLoss(opened.status())) << opened.status();
  EXPECT_FALSE(absl::StrContains(opened.status().message(), kName));

  // Another participant's registration (with a key of its own) carrying this one's ciphertext.
  const std::string other = ledger::NewUuid();
  Event transplanted = Sealed(Registration(other));
  *transplanted.mutable_participant_registered()->mutable_sealed_personal_data() =
      sealed.participant_registered().sealed_personal_data();
  EXPECT_TRUE(absl::IsDataLoss(projections::OpenPersonalData(transplanted, keys_.get()).status()));

  Event unknown_scheme = sealed;
  unknown_scheme.mutable_participant_registered()->mutable_sealed_personal_data()->set_scheme(
      engagement::v1::SEALING_SCHEME_UNSPECIFIED);
  EXPECT_TRUE(absl::IsDataLoss(projections::OpenPersonalData(unknown_scheme, keys_.get()).status()));
}

TEST_F(PersonalDataTest, AnEventArrivingWithSealedDataIsRefused) {
  Event forged = original_;
  forged.mutable_participant_registered()->mutable_sealed_personal_data()->set_sealed("ciphertext?");
  std::vector<Event> events = {Registration(ledger::NewUuid()), forged};
  absl::Status refused = domain::SealPersonalData(events, *keys_);
  EXPECT_TRUE(absl::IsInvalidArgument(refused)) << refused;
  EXPECT_TRUE(absl::StrContains(refused.message(), "events[1].participant_registered.sealed_personal_data"))
      << refused;
  EXPECT_FALSE(absl::StrContains(refused.message(), kName));
}

TEST_F(PersonalDataTest, EventsWithoutPersonalDataAreLeftAloneAndMakeNoKey) {
  Event anonymous = original_;
  anonymous.mutable_participant_registered()->clear_personal_data();
  std::vector<Event> events = {testing_support::SessionHeld(), anonymous};
  const std::vector<Event> before = events;
  ASSERT_TRUE(domain::SealPersonalData(events, *keys_).ok());
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_TRUE(MessageDifferencer::Equals(events[i], before[i])) << i;
  }
  EXPECT_EQ(keys_->Find(participant_)->state, ledger::SubjectKeyState::kNone);
  auto opened = projections::OpenPersonalData(anonymous, keys_.get());
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->state, OpenedPersonalData::State::kNone);
  // A log written without the rules may hold clear data: it reads as clear.
  auto clear = projections::OpenPersonalData(original_, keys_.get());
  ASSERT_TRUE(clear.ok());
  EXPECT_EQ(clear->state, OpenedPersonalData::State::kClear);
  EXPECT_EQ(clear->data.contact().name(), kName);
}

}  // namespace
