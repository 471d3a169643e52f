// Internals of the demo programme (demo_programme.h): a seeded builder of events and the
// engagements written with it. Not for use outside demo_programme*.cc and demo_engagements.cc.
#ifndef ENGAGEMENT_SERVICES_DEMO_BUILDER_H_
#define ENGAGEMENT_SERVICES_DEMO_BUILDER_H_

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "demo/demo_programme.h"

namespace demo::internal {

using engagement::v1::Event;

inline constexpr char kTeam[] = "engagement-team@qwe";
inline constexpr char kGovernance[] = "corporate-governance@qwe";
inline constexpr char kFinance[] = "finance@qwe";
inline constexpr char kComms[] = "communications@qwe";

// A moment on a day of the demo year (UTC).
absl::Time Day(int year, int month, int day, int hour = 10, int minute = 0);

// A registered participant, as the engagements need to know them (no personal data).
struct Person {
  std::string id;
  engagement::v1::PpvRoleType role = engagement::v1::PPV_ROLE_TYPE_1;
  bool carer = false;
  bool has_email = true;
};

// One insight a decision considered, and what became of it.
struct Influence {
  std::string insight_id;
  engagement::v1::Influence influence;
  std::string reason;
};

class Builder {
 public:
  explicit Builder(uint64_t seed) : rng_(seed) {}

  // Randomness. Only std::mt19937_64 itself is used (its output is fixed by the standard; the
  // standard distributions are not), so a seed gives the same programme everywhere.
  uint64_t Next() { return rng_(); }
  int Below(int n) { return static_cast<int>(Next() % static_cast<uint64_t>(n)); }
  int Between(int lo, int hi) { return lo + Below(hi - lo + 1); }
  bool Chance(int percent) { return Below(100) < percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& from) { return from[Below(static_cast<int>(from.size()))]; }
  template <typename T>
  void Shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[Below(static_cast<int>(i))]);
  }
  std::string Uuid();

  // Adds an event to `stream` with a fresh event id; fill in its payload through the returned
  // reference. `correlation` groups the events of one engagement across streams.
  Event& Add(absl::Time when, const std::string& stream, absl::string_view actor,
             const std::string& correlation = "");
  // The appends, in occurred_at order (ties keep the order of Add); one append per run of
  // consecutive events of the same stream.
  DemoProgramme Finish();

  // Engagement activity (stream "engagement-<engagement>"). Each returns the new thing's id.
  std::string Invite(const std::string& engagement, absl::Time when, const Person& person,
                     engagement::v1::ContactMethod method, const std::string& criteria);
  void Respond(const std::string& engagement, absl::Time when, const std::string& invitation,
               engagement::v1::InvitationResponse response);
  void InviteChannel(const std::string& engagement, absl::Time when,
                     engagement::v1::InvitationChannel channel, const std::string& name,
                     engagement::v1::ContactMethod method, const std::string& criteria);
  struct SessionSpec {
    std::string title;
    engagement::v1::EngagementMethod method;
    uint32_t minutes = 120;
    std::string venue;
    std::vector<engagement::v1::AccessibilityProvision> access;
    bool independent = false;
    std::vector<Person> attendees;
    uint32_t unregistered = 0;
    int64_t cost_pence = 0;
  };
  std::string Session(const std::string& engagement, absl::Time when, const SessionSpec& spec);
  std::string Insight(const std::string& engagement, absl::Time when, const std::string& theme,
                      const std::string& summary, const std::vector<std::string>& sessions,
                      uint32_t raising, const std::vector<std::string>& tags);
  void Validate(const std::string& engagement, absl::Time when, const std::string& insight,
                engagement::v1::ValidationMethod method, const std::string& session = "");
  void Consider(const std::string& engagement, absl::Time when, const std::string& insight,
                engagement::v1::DecidingBody body, const std::string& name,
                const std::string& reference);
  void Feedback(const std::string& engagement, absl::Time when,
                engagement::v1::FeedbackAudience audience, engagement::v1::ContactMethod channel,
                const std::vector<std::string>& insights, const std::vector<std::string>& decisions,
                const std::string& summary, const std::string& session = "",
                const std::vector<Person>& to = {});
  // A claim moved on from CLAIMED towards `final_status` (APPROVED, then PAID; or REFUSED), a week
  // or two per step, dropping steps that would fall on or after `until`. Returns the event id of
  // the claim.
  std::string Reimburse(const std::string& engagement, const std::string& session,
                        const Person& person, engagement::v1::ReimbursementCategory category,
                        int64_t pence, absl::Time claimed,
                        engagement::v1::ReimbursementStatus final_status, absl::Time until,
                        const std::string& note = "");

  // A decision (stream "decision-<id>"); the id must come from Uuid().
  void Decision(const std::string& decision, absl::Time when, engagement::v1::DecidingBody body,
                const std::string& body_name, const std::string& summary,
                const std::string& paper, const std::vector<std::string>& engagements,
                const std::vector<Influence>& influences);
  // The duty to involve assessed for a decision (in the decision's stream).
  void AssessDecision(const std::string& decision, const std::string& engagement, absl::Time when,
                      engagement::v1::DutyLimb limb, engagement::v1::DutyApplies applies,
                      const std::string& reason, const std::string& proportionality,
                      engagement::v1::SpectrumLevel level, const std::string& impact_reference,
                      const std::string& assessor);

  // Outcomes (demo_outcomes.cc). A staff activity return the morning after every session held so
  // far but those titled in `without_return`, and, after sessions with registered attendees,
  // anonymous evaluation forms from about four in five of them, mostly positive.
  void ReturnsAndForms(const std::set<std::string>& without_return);
  // People reached with information at the "inform" level.
  void ShareInformation(const std::string& engagement, absl::Time when,
                        engagement::v1::InformationChannel channel, uint64_t people,
                        const std::string& description);
  // A case study (seed 002's template).
  void CaseStudy(const std::string& engagement, absl::Time when, const std::string& title,
                 const std::string& beginning, const std::string& middle, const std::string& end,
                 const std::string& impact);

  // Participants registered so far (numbers their fictional names).
  int registered = 0;
  // Money spent per engagement: session costs and reimbursements that reached PAID.
  std::map<std::string, int64_t> spent;
  // The event id of the last event Add made.
  const std::string& last_event_id() const { return pending_.back().event.event_id(); }

 private:
  // The sessions Session() recorded, for ReturnsAndForms.
  struct Held {
    std::string id, engagement, title;
    absl::Time when;
    size_t registered = 0;
    uint32_t unregistered = 0;
  };
  std::vector<Held> held_;
  struct Pending {
    absl::Time when;
    std::string stream;
    Event event;
  };
  std::mt19937_64 rng_;
  std::deque<Pending> pending_;
};

inline std::string EngagementStream(const std::string& id) { return "engagement-" + id; }

// The cohorts of participants (demo_programme.cc).
struct People {
  std::vector<Person> strategic;  // two PPV role-4 partners
  std::vector<Person> diabetes;   // 24, recruited through GP practices, a PPG and a charity
  std::vector<Person> young;      // 14 young people
  std::vector<Person> urgent;     // 20; [0..2] homeless, [3] Traveller, [4] refugee, [5] LD
};

// Helpers the engagements share (demo_engagements.cc).
inline constexpr char kBoard[] = "QWE Integrated Care Board";
engagement::v1::EngagementOpened Spec(
    const std::string& title, const std::string& topic, engagement::v1::CommissioningStage stage,
    engagement::v1::SpectrumLevel level,
    std::vector<std::pair<engagement::v1::PriorityGroup, uint32_t>> targets,
    std::vector<std::string> objectives, const std::string& scope, const std::string& duty_reason,
    int64_t budget, const std::string& lead);
// Opens the engagement and records its duty-to-involve assessment.
void Open(Builder& b, const std::string& id, absl::Time when,
          const engagement::v1::EngagementOpened& spec, engagement::v1::DutyLimb limb,
          const std::string& proportionality, const std::string& impact);
// Invites each person and records their answers (`declined` say no, `silent` never reply);
// returns those who accepted.
std::vector<Person> InviteAll(Builder& b, const std::string& e, absl::Time sent,
                              const std::vector<Person>& people, const std::string& criteria,
                              int declined, int silent);
std::vector<Person> Slice(const std::vector<Person>& from, size_t begin, size_t end);
// Claims for attending a session: an involvement payment for role 4, a voucher for role 3 (when
// `involvement_pence` > 0), and for the others travel (`travel_percent` of them) and care cover
// for carers; each moved on to a random status before `until`. Claim event ids go to `claims`.
void Claims(Builder& b, const std::string& e, const std::string& session, absl::Time held,
            const std::vector<Person>& attendees, absl::Time until, int64_t involvement_pence,
            int travel_percent, std::vector<std::string>* claims = nullptr);

// The engagements (demo_engagements.cc, demo_consultations.cc), each with its id (from Uuid()).
void DiabetesCoDesign(Builder& b, const std::string& id, const People& people);
void YoungPeoplesMentalHealth(Builder& b, const std::string& id, const People& people);
void UrgentCareConsultation(Builder& b, const std::string& id, const People& people);
// A decision with no engagement where the duty applied.
void ClinicMoveDecision(Builder& b);

}  // namespace demo::internal

#endif  // ENGAGEMENT_SERVICES_DEMO_BUILDER_H_
