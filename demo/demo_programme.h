// The demo programme: a year of patient and public engagement at one ICB ("QWE"), as the appends
// that record it, for `ledgerctl demo`, walkthroughs and tests.
//
// 2025-04-01 to 2026-03-31, three engagements and one decision taken without engagement:
//   - "Co-designing diabetes self-management support": recruitment through GP practices, a PPG
//     and a voluntary organisation; three independently facilitated co-design workshops of 8-10
//     people; a PPG sense-check; insights validated and considered by a committee; a governing
//     body decision with per-insight influence; "you said, we did" feedback; reimbursements;
//     the "finishing properly" evaluation; closed. One duplicate reimbursement is retracted.
//   - "Young people's mental health: what would help?": an online survey round and a focus
//     group; a committee decision on some of the insights; closed WITHOUT an evaluation, with
//     insights left with no decision and no feedback (open loops).
//   - "Urgent care in the east locality": a 12-week formal consultation (consultation window),
//     public meetings, outreach to people experiencing homelessness and to a Traveller site, a
//     consultation survey; considered by the governing body, decided in March 2026, fed back so
//     far to one session only; still open at the year end.
//   - an executive decision on moving a clinic, where the duty to involve applied and no
//     engagement is recorded (the assurance report should flag it).
// About 60 registered participants with varied (fictional) equality monitoring and PPV role
// types. Every name, email, phone number, postcode and venue is invented.
//
// Streams: "engagement-<id>" for engagement activity, "participant-<id>" for registrations and
// consent, "decision-<id>" for decisions and their duty assessments. Everything (ids of things
// and event ids) is derived from the seed, so the same seed gives byte-identical appends: loading
// the programme twice appends nothing the second time (the ledger answers already_appended).
#ifndef ENGAGEMENT_SERVICES_DEMO_PROGRAMME_H_
#define ENGAGEMENT_SERVICES_DEMO_PROGRAMME_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engagement/v1/event.pb.h"

namespace demo {

inline constexpr uint64_t kDefaultSeed = 20250401;
inline constexpr char kOrganisation[] = "QWE";

// One all-or-nothing append: events for one stream, in order.
struct DemoAppend {
  std::string stream;
  std::vector<engagement::v1::Event> events;
};

struct DemoProgramme {
  // In the order they must be appended (occurred_at order; causes before effects).
  std::vector<DemoAppend> appends;
  int engagements = 0;
  int participants = 0;
  int decisions = 0;

  size_t event_count() const;
  // Events per payload kind, keyed by the payload's field name (e.g. "session_held").
  std::map<std::string, int> CountByType() const;
};

// Builds the programme. Deterministic: the same seed gives the same appends, byte for byte.
DemoProgramme BuildDemoProgramme(uint64_t seed = kDefaultSeed);

// A version 4 UUID (lowercase, like ledger::NewUuid) from two 64-bit random words.
std::string UuidFromBits(uint64_t high, uint64_t low);

}  // namespace demo

#endif  // ENGAGEMENT_SERVICES_DEMO_PROGRAMME_H_
