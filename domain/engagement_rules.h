// EngagementRules: the engagement rules checked at append time, as the ledger's AppendGuard.
//
// The rules (each failure is FAILED_PRECONDITION naming the field; nothing is written):
//   - an engagement is opened once; a participant is registered once, with personal data sealed
//     (personal_data_sealer.h), never in clear;
//   - whatever names an engagement, session, insight, decision, participant or invitation names
//     one that exists, of the same organisation (a duty assessment may name a decision not yet
//     recorded: assessments come first);
//   - an insight cites sessions of its own engagement; a validation, consideration, feedback or
//     invitation response names insights, sessions and invitations of its own engagement;
//   - session attendees and invitees are registered participants who have not withdrawn consent
//     (erasure withdraws it); an erasure or a disclosure names participants of its organisation;
//   - feedback to named participants goes to people involved in the engagement (invited to it,
//     or attended one of its sessions);
//   - nothing is appended to a closed engagement except its evaluation, feedback and corrections;
//   - a correction names an existing event of the same organisation, and a replacement that
//     exists (earlier, or earlier in the same batch).
// Later events of a batch see earlier ones. The ledger calls Check from its single commit thread
// in commit order, so the state it reads is exactly the log before the batch: consistent under
// concurrent writers. The state is the ledger's guard state (write_model.h), read by key: nothing
// is loaded when the ledger starts.
#ifndef ENGAGEMENT_DOMAIN_ENGAGEMENT_RULES_H_
#define ENGAGEMENT_DOMAIN_ENGAGEMENT_RULES_H_

#include "domain/write_model.h"
#include "ledger/event_log.h"

namespace domain {

class EngagementRules final : public ledger::AppendGuard {
 public:
  std::string StateVersion() const override { return WriteModel::kStateVersion; }
  absl::Status Check(const std::vector<engagement::v1::Event>& events,
                     ledger::GuardState& state) override;
  absl::Status Apply(const engagement::v1::Event& event, ledger::GuardState& state) override;
};

}  // namespace domain

#endif  // ENGAGEMENT_DOMAIN_ENGAGEMENT_RULES_H_
