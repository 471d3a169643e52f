#include "bench/synthetic_log.h"

#include <cstdio>

#include "domain/personal_data_sealer.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/async_appender.h"
#include "bench/synthetic_content.h"
#include "bench/synthetic_random.h"
#include "domain/payload_validation.h"
#include "ledger/envelope_validation.h"

namespace bench {
namespace {

using namespace engagement::v1;  // NOLINT: the vocabulary's enums, used throughout
using namespace synthetic;        // NOLINT: the words

struct Claim {
  std::string id, participant, session;
  ReimbursementCategory category;
  int64_t pence;
  std::vector<ReimbursementStatus> moves;  // statuses still to record, in order
};

struct Engagement {
  std::string id, stream;
  int org = 0;
  int64_t t = 0;  // seconds; the engagement's clock
  int phase = 0;
  int sessions_planned = 0, insights_planned = 0;
  std::vector<std::string> participants, invitations, sessions, insights, decisions;
  std::vector<std::vector<int>> attendees;  // per session, indexes into participants
  std::vector<Claim> claims;
  bool correct = false;  // will retract a duplicate claim
  std::string duplicate_event;
};

enum Phase { kRegister, kOpen, kRespond, kSessions, kReview, kDecide, kClose, kDone };

class Generator {
 public:
  Generator(ledger::EventLog& log, const SyntheticLogOptions& options)
      : appender_(log, options.max_in_flight),
        options_(options),
        // Mixing in the head keeps a second run over the same log from repeating the ids.
        random_(options.seed + log.Head().position * 0x9e3779b97f4a7c15ULL) {}

  absl::StatusOr<SyntheticLogStats> Run() {
    const int concurrent = std::max(1, options_.concurrent_engagements);
    std::vector<Engagement> active(concurrent);
    for (Engagement& e : active) Start(e);
    while (!done_) {
      Engagement& e = active[random_.Below(concurrent)];
      Step(e);
      if (e.phase == kDone) Start(e);
    }
    absl::Status finished = appender_.Finish();
    if (!finished.ok()) return finished;
    return stats_;
  }

 private:
  void Start(Engagement& e) {
    e = Engagement();
    e.id = random_.Uuid();
    e.stream = "engagement-" + e.id;
    e.org = random_.Below(std::clamp(options_.organisations, 1, 20));
    // One engagement starts every ~3 hours from 2019-04-01, somewhere in the country.
    e.t = 1554076800 + static_cast<int64_t>(started_++) * 3 * 3600 + random_.Below(3 * 3600);
    e.sessions_planned = random_.Between(5, 7);
    e.insights_planned = random_.Between(12, 18);
    e.correct = random_.Chance(5);
  }

  // An event of `e` at its clock, which then moves on.
  Event Base(Engagement& e, int64_t advance_minutes = 17) {
    Event event;
    event.mutable_occurred_at()->set_seconds(e.t);
    event.set_organisation(kOrganisations[e.org]);
    event.set_actor(absl::StrCat("engagement-team@", kOrganisations[e.org]));
    event.set_correlation_id(e.id);
    e.t += advance_minutes * 60;
    return event;
  }
  void Days(Engagement& e, int lo, int hi) { e.t += static_cast<int64_t>(random_.Between(lo, hi)) * 86400; }

  void Step(Engagement& e) {
    if (e.phase == kSessions) return Session(e);  // moves on by itself after the last one
    void (Generator::*phases[])(Engagement&) = {&Generator::Register, &Generator::Open,
                                                &Generator::Respond,  nullptr,
                                                &Generator::Review,   &Generator::Decide,
                                                &Generator::Close};
    (this->*phases[e.phase])(e);
    ++e.phase;
  }

  void Register(Engagement& e) {
    const int n = random_.Between(24, 36);
    for (int i = 0; i < n && !done_; ++i) {
      std::string id = random_.Uuid();
      Event event = Base(e, random_.Between(30, 600));
      auto* r = event.mutable_participant_registered();
      r->set_participant_id(id);
      r->set_role_type(random_.Chance(3) ? PPV_ROLE_TYPE_4 : random_.Enum<PpvRoleType>(1, 3));
      r->set_recruited_through(random_.Enum<InvitationChannel>(1, 8));
      const uint64_t n_person = ++people_;
      auto* contact = r->mutable_personal_data()->mutable_contact();
      contact->set_name(absl::StrCat("Synthetic Participant ", n_person));
      contact->set_email(absl::StrCat("synthetic", n_person, "@example.invalid"));
      contact->set_telephone(absl::StrFormat("01632 960%03d", n_person % 1000));
      auto* eq = r->mutable_personal_data()->mutable_equality();
      eq->set_age_band(random_.Enum<AgeBand>(1, 7));
      eq->set_sex(random_.Enum<Sex>(1, 4));
      eq->set_ethnic_category(random_.Enum<EthnicCategory>(1, 18));
      eq->set_disability(random_.Enum<MonitoringAnswer>(1, 3));
      eq->set_carer(random_.Enum<MonitoringAnswer>(1, 3));
      eq->set_imd_decile(static_cast<uint32_t>(random_.Between(0, 10)));
      eq->set_postcode_district(absl::StrCat("QW", eq->imd_decile() + 1));
      if (eq->imd_decile() >= 1 && eq->imd_decile() <= 2) eq->add_priority_groups(PRIORITY_GROUP_CORE20);
      if (random_.Chance(30)) eq->add_priority_groups(random_.Enum<PriorityGroup>(1, 9));
      if (random_.Chance(4)) eq->add_inclusion_health_groups(random_.Enum<InclusionHealthGroup>(1, 7));
      e.participants.push_back(id);
      Emit("participant-" + id, {std::move(event)});
    }
    Days(e, 5, 20);
  }

  void Open(Engagement& e) {
    std::vector<Event> batch;
    Event opened = Base(e);
    auto* o = opened.mutable_engagement_opened();
    o->set_engagement_id(e.id);
    const char* topic = PickFrom(kTopics, random_.Next());
    o->set_title(absl::StrCat("Engagement on ", topic, " (synthetic)"));
    o->set_topic(topic);
    o->set_commissioning_stage(random_.Enum<CommissioningStage>(1, 4));
    o->set_spectrum_level(random_.Enum<SpectrumLevel>(1, 4));
    for (int i = random_.Between(1, 3); i > 0; --i) {
      auto* target = o->add_target_groups();
      target->set_group(random_.Enum<PriorityGroup>(1, 10));
      target->set_planned_participants(static_cast<uint32_t>(random_.Between(5, 40)));
    }
    o->add_objectives("Hear what matters to people who use the service");
    o->add_objectives("Reach groups that are seldom heard");
    o->set_scope_for_influence("How the service is designed and where it is offered");
    o->set_duty_to_involve(random_.Chance(80) ? DUTY_APPLIES_YES : DUTY_APPLIES_NO);
    o->set_duty_reason("Assessed against the organisation's duty to involve the public");
    o->set_planned_budget_pence(100 * random_.Between(500, 30000));
    o->set_lead_role("Head of Engagement");
    Event duty = Base(e);
    auto* d = duty.mutable_duty_to_involve_assessed();
    d->set_assessment_id(random_.Uuid());
    d->set_engagement_id(e.id);
    d->set_limb(random_.Enum<DutyLimb>(1, 3));
    d->set_applies(o->duty_to_involve());
    d->set_reason(o->duty_reason());
    d->set_proportionality("Sessions of 8-10 people and a wider sense-check");
    d->set_planned_spectrum_level(o->spectrum_level());
    d->set_impact_assessment_reference(absl::StrCat("EQIA-", random_.Between(1000, 9999)));
    d->set_assessor_role("Head of Engagement");
    batch.push_back(std::move(opened));
    batch.push_back(std::move(duty));
    if (random_.Chance(10)) {
      Event window = Base(e);
      auto* w = window.mutable_consultation_window_set();
      w->set_consultation_id(random_.Uuid());
      w->set_engagement_id(e.id);
      w->set_information_pack_reference(absl::StrCat("CONSULT-", random_.Between(100, 999)));
      w->mutable_starts_at()->set_seconds(e.t + 7 * 86400);
      w->mutable_ends_at()->set_seconds(e.t + 91 * 86400);
      batch.push_back(std::move(window));
    }
    for (int i = random_.Between(2, 4); i > 0; --i) {
      Event invitation = Base(e);
      auto* inv = invitation.mutable_invitation_sent();
      inv->set_engagement_id(e.id);
      inv->set_invitation_id(random_.Uuid());
      inv->set_channel(random_.Enum<InvitationChannel>(1, 8));
      inv->set_channel_name("A local partner organisation");
      inv->set_method(random_.Enum<ContactMethod>(1, 7));
      inv->set_selection_criteria("People who use the service, and their carers");
      batch.push_back(std::move(invitation));
    }
    const int invited = std::min<int>(random_.Between(16, 24), static_cast<int>(e.participants.size()));
    for (int i = 0; i < invited; ++i) {
      Event invitation = Base(e, 1);
      auto* inv = invitation.mutable_invitation_sent();
      inv->set_engagement_id(e.id);
      e.invitations.push_back(random_.Uuid());
      inv->set_invitation_id(e.invitations.back());
      inv->set_participant_id(e.participants[i]);
      inv->set_method(random_.Enum<ContactMethod>(1, 5));
      inv->set_selection_criteria("Registered participants with experience of the service");
      batch.push_back(std::move(invitation));
    }
    Emit(e.stream, std::move(batch));
    Days(e, 1, 5);
  }

  void Respond(Engagement& e) {
    std::vector<Event> batch;
    for (const std::string& invitation : e.invitations) {
      Event event = Base(e, random_.Between(10, 900));
      auto* r = event.mutable_invitation_responded();
      r->set_engagement_id(e.id);
      r->set_invitation_id(invitation);
      int x = random_.Below(100);
      r->set_response(x < 70 ? INVITATION_RESPONSE_ACCEPTED
                             : x < 85 ? INVITATION_RESPONSE_DECLINED : INVITATION_RESPONSE_NO_REPLY);
      batch.push_back(std::move(event));
    }
    Emit(e.stream, std::move(batch));
    Days(e, 7, 21);
  }

  // The next status moves of a claim (at most one per call), into `batch`.
  void MoveClaim(Engagement& e, Claim& c, std::vector<Event>& batch) {
    if (c.moves.empty()) return;
    Event event = Base(e);
    event.set_actor(absl::StrCat("finance@", kOrganisations[e.org]));
    auto* p = event.mutable_reimbursement_recorded();
    p->set_reimbursement_id(c.id);
    p->set_engagement_id(e.id);
    p->set_participant_id(c.participant);
    p->set_session_id(c.session);
    p->set_category(c.category);
    p->set_amount_pence(c.pence);
    p->set_status(c.moves.front());
    if (c.moves.front() == REIMBURSEMENT_STATUS_REFUSED) p->set_note("Outside the policy");
    c.moves.erase(c.moves.begin());
    batch.push_back(std::move(event));
  }

  void Session(Engagement& e) {
    std::vector<Event> batch;
    for (Claim& c : e.claims) MoveClaim(e, c, batch);  // earlier claims move on
    const int k = static_cast<int>(e.sessions.size());
    Event held = Base(e, random_.Between(60, 240));
    auto* s = held.mutable_session_held();
    s->set_engagement_id(e.id);
    e.sessions.push_back(random_.Uuid());
    s->set_session_id(e.sessions.back());
    s->set_title(absl::StrCat("Session ", k + 1, ": ", PickFrom(kThemes, random_.Next())));
    s->set_method(random_.Enum<EngagementMethod>(1, 10));
    s->set_duration_minutes(static_cast<uint32_t>(random_.Between(4, 12) * 15));
    s->set_venue(random_.Chance(20) ? "online" : "Community centre");
    for (int i = random_.Between(1, 3); i > 0; --i) s->add_accessibility(random_.Enum<AccessibilityProvision>(1, 10));
    s->set_independent_facilitator(random_.Chance(60));
    std::vector<int> pool(e.participants.size());
    for (size_t i = 0; i < pool.size(); ++i) pool[i] = static_cast<int>(i);
    const int n = std::min<int>(random_.Between(8, 10), static_cast<int>(pool.size()));
    for (int i = 0; i < n; ++i) std::swap(pool[i], pool[i + random_.Below(static_cast<int>(pool.size()) - i)]);
    pool.resize(n);
    for (int i : pool) s->add_attendee_participant_ids(e.participants[i]);
    if (random_.Chance(20)) s->set_unregistered_attendee_count(static_cast<uint32_t>(random_.Between(5, 60)));
    s->set_cost_pence(100 * random_.Between(0, 1500));
    e.attendees.push_back(pool);
    batch.push_back(std::move(held));

    const int insights = e.insights_planned / e.sessions_planned +
                         (k < e.insights_planned % e.sessions_planned ? 1 : 0);
    for (int i = 0; i < insights; ++i) {
      Event event = Base(e, random_.Between(60, 3000));
      auto* r = event.mutable_insight_recorded();
      r->set_engagement_id(e.id);
      e.insights.push_back(random_.Uuid());
      r->set_insight_id(e.insights.back());
      const char* theme = PickFrom(kThemes, random_.Next());
      r->set_theme(theme);
      r->set_summary(absl::StrCat("Participants described problems with ", theme,
                                  " and suggested changes."));
      r->add_session_ids(e.sessions.back());
      if (k > 0 && random_.Chance(30)) r->add_session_ids(e.sessions[random_.Below(k)]);
      r->set_participants_raising(static_cast<uint32_t>(random_.Between(1, n)));
      r->add_tags(theme);
      batch.push_back(std::move(event));
    }
    for (int i = random_.Between(1, 2); i > 0; --i) {
      Claim c{random_.Uuid(), e.participants[pool[random_.Below(n)]], e.sessions.back(),
              random_.Enum<ReimbursementCategory>(1, 5), 10 * random_.Between(30, 1500), {}};
      int x = random_.Below(100);
      c.moves = x < 60   ? std::vector{REIMBURSEMENT_STATUS_CLAIMED, REIMBURSEMENT_STATUS_APPROVED,
                                       REIMBURSEMENT_STATUS_PAID}
                : x < 80 ? std::vector{REIMBURSEMENT_STATUS_CLAIMED, REIMBURSEMENT_STATUS_APPROVED}
                : x < 92 ? std::vector{REIMBURSEMENT_STATUS_CLAIMED}
                         : std::vector{REIMBURSEMENT_STATUS_CLAIMED, REIMBURSEMENT_STATUS_REFUSED};
      MoveClaim(e, c, batch);
      if (e.correct && e.duplicate_event.empty()) {  // the same claim keyed in twice
        Claim copy = c;
        copy.id = random_.Uuid();
        copy.moves = {REIMBURSEMENT_STATUS_CLAIMED};
        MoveClaim(e, copy, batch);
        e.duplicate_event = random_.Uuid();
        batch.back().set_event_id(e.duplicate_event);
      }
      e.claims.push_back(std::move(c));
    }
    Emit(e.stream, std::move(batch));
    Days(e, 10, 35);
    if (static_cast<int>(e.sessions.size()) == e.sessions_planned) ++e.phase;
  }

  void Review(Engagement& e) {
    std::vector<Event> batch;
    for (const std::string& insight : e.insights) {
      if (random_.Chance(50)) {
        Event event = Base(e);
        auto* v = event.mutable_insight_validated();
        v->set_engagement_id(e.id);
        v->set_insight_id(insight);
        bool played_back = random_.Chance(50);
        v->set_method(played_back ? VALIDATION_METHOD_PLAYED_BACK : VALIDATION_METHOD_WIDER_GROUP);
        if (played_back) v->set_session_id(e.sessions[random_.Below(static_cast<int>(e.sessions.size()))]);
        batch.push_back(std::move(event));
      }
      if (random_.Chance(40)) {
        Event event = Base(e);
        auto* c = event.mutable_insight_considered();
        c->set_engagement_id(e.id);
        c->set_insight_id(insight);
        c->set_body(random_.Enum<DecidingBody>(1, 4));
        c->set_body_name(PickFrom(kBodies, random_.Next()));
        c->set_reference(absl::StrCat(kOrganisations[e.org], "/", random_.Between(100, 999)));
        batch.push_back(std::move(event));
      }
    }
    if (!batch.empty()) Emit(e.stream, std::move(batch));
    Days(e, 14, 60);
  }

  void Decide(Engagement& e) {
    for (int i = random_.Between(3, 5); i > 0 && !done_; --i) {
      std::vector<Event> batch;
      std::string id = random_.Uuid();
      if (random_.Chance(30)) {
        Event duty = Base(e);
        auto* d = duty.mutable_duty_to_involve_assessed();
        d->set_assessment_id(random_.Uuid());
        d->set_decision_id(id);
        d->set_limb(random_.Enum<DutyLimb>(1, 3));
        d->set_applies(random_.Chance(85) ? DUTY_APPLIES_YES : DUTY_APPLIES_NO);
        d->set_reason("The decision would change how services are provided");
        d->set_proportionality("Met by the engagement it draws on");
        d->set_planned_spectrum_level(random_.Enum<SpectrumLevel>(1, 4));
        d->set_impact_assessment_reference(absl::StrCat("EQIA-", random_.Between(1000, 9999)));
        d->set_assessor_role("Director of Strategy");
        batch.push_back(std::move(duty));
      }
      Event event = Base(e, 60 * 24 * random_.Between(1, 20));
      event.set_actor(absl::StrCat("corporate-governance@", kOrganisations[e.org]));
      auto* d = event.mutable_decision_recorded();
      d->set_decision_id(id);
      d->add_engagement_ids(e.id);
      d->set_deciding_body(random_.Enum<DecidingBody>(1, 4));
      d->set_deciding_body_name(PickFrom(kBodies, random_.Next()));
      d->set_summary("Commission the service differently in the light of what people said.");
      d->set_paper_reference(absl::StrCat(kOrganisations[e.org], "/", random_.Between(1000, 9999)));
      const int from = random_.Below(static_cast<int>(e.insights.size()));
      const int count = std::min<int>(random_.Between(1, 4), static_cast<int>(e.insights.size()) - from);
      for (int j = from; j < from + count; ++j) {
        auto* influence = d->add_influences();
        influence->set_insight_id(e.insights[j]);
        influence->set_influence(random_.Enum<Influence>(1, 3));
        influence->set_reason("Weighed against the evidence, the budget and national standards.");
      }
      batch.push_back(std::move(event));
      e.decisions.push_back(id);
      Emit("decision-" + id, std::move(batch));
    }
    Days(e, 7, 30);
  }

  void Close(Engagement& e) {
    std::vector<Event> batch;
    for (int i = random_.Between(4, 6); i > 0; --i) {
      Event event = Base(e, 60 * random_.Between(1, 72));
      auto* f = event.mutable_feedback_given();
      f->set_feedback_id(random_.Uuid());
      f->set_engagement_id(e.id);
      f->set_audience(random_.Enum<FeedbackAudience>(1, 4));
      const int session = random_.Below(static_cast<int>(e.sessions.size()));
      if (f->audience() == FEEDBACK_AUDIENCE_SESSION) f->set_session_id(e.sessions[session]);
      if (f->audience() == FEEDBACK_AUDIENCE_PARTICIPANTS) {
        const auto& who = e.attendees[session];
        for (int j = random_.Between(1, std::min<int>(5, static_cast<int>(who.size()))); j > 0; --j) {
          f->add_participant_ids(e.participants[who[j - 1]]);
        }
      }
      f->set_channel(random_.Enum<ContactMethod>(1, 7));
      const int first = random_.Below(static_cast<int>(e.insights.size()));
      for (int j = first; j < std::min<int>(first + random_.Between(1, 4), e.insights.size()); ++j) {
        f->add_insight_ids(e.insights[j]);
      }
      if (!e.decisions.empty() && random_.Chance(60)) {
        f->add_decision_ids(e.decisions[random_.Below(static_cast<int>(e.decisions.size()))]);
      }
      f->set_summary(PickFrom(kAudienceSummaries, random_.Next()));
      batch.push_back(std::move(event));
    }
    for (Claim& c : e.claims) {
      while (!c.moves.empty()) MoveClaim(e, c, batch);
    }
    if (!e.duplicate_event.empty()) {
      Event event = Base(e);
      auto* c = event.mutable_event_corrected();
      c->set_corrected_event_id(e.duplicate_event);
      c->set_kind(CORRECTION_KIND_RETRACTED);
      c->set_reason("The same claim was entered twice");
      batch.push_back(std::move(event));
    }
    if (random_.Chance(90)) {
      Event event = Base(e, 60 * 24 * 14);
      auto* v = event.mutable_engagement_evaluated();
      v->set_engagement_id(e.id);
      v->set_aims_met(random_.Enum<AimsMet>(1, 3));
      v->set_people_reached("Most planned groups were reached; some fewer than planned.");
      v->set_actual_cost_pence(100 * random_.Between(500, 30000));
      v->set_outcomes("Decisions changed the service specification.");
      v->set_learning("Start recruitment earlier and reach beyond GP lists.");
      batch.push_back(std::move(event));
    }
    Event closed = Base(e);
    closed.mutable_engagement_closed()->set_engagement_id(e.id);
    closed.mutable_engagement_closed()->set_reason("Completed");
    batch.push_back(std::move(closed));
    Emit(e.stream, std::move(batch));
    if (random_.Chance(10) && !done_) {  // a participant withdraws consent afterwards
      const std::string& who = e.participants[random_.Below(static_cast<int>(e.participants.size()))];
      Event event = Base(e, 60 * 24 * random_.Between(1, 90));
      event.mutable_consent_withdrawn()->set_participant_id(who);
      event.mutable_consent_withdrawn()->set_erase_personal_data(random_.Chance(30));
      Emit("participant-" + who, {std::move(event)});
    }
  }

  // Hands one append to the log, cut short when the target is reached.
  void Emit(const std::string& stream, std::vector<Event> events) {
    if (done_ || events.empty()) return;
    const uint64_t left = options_.events - stats_.events;
    if (events.size() >= left) {
      events.resize(left);
      done_ = true;
    }
    if (events.empty()) return;
    if (options_.validate_payloads) {
      absl::Status valid = ledger::ValidateEnvelopes(events);
      if (valid.ok()) valid = domain::ValidatePayloads(events);
      if (!valid.ok()) {
        appender_.Fail(absl::InternalError(absl::StrCat(stream, ": ", valid.message())));
        done_ = true;
        return;
      }
    }
    for (const Event& event : events) {
      stats_.engagements_opened += event.has_engagement_opened();
      stats_.engagements_closed += event.has_engagement_closed();
      stats_.participants += event.has_participant_registered();
      stats_.sessions += event.has_session_held();
      stats_.insights += event.has_insight_recorded();
      stats_.decisions += event.has_decision_recorded();
    }
    if (options_.keys != nullptr) {
      absl::Status sealed = domain::SealPersonalData(events, *options_.keys);
      if (!sealed.ok()) {
        std::fprintf(stderr, "synthetic log: %s\n", sealed.ToString().c_str());
        done_ = true;
        return;
      }
    }
    const uint64_t before = stats_.events;
    stats_.events += events.size();
    ++stats_.appends;
    if (!appender_.Append(stream, std::move(events))) done_ = true;
    if (options_.progress && options_.progress_every > 0 &&
        stats_.events / options_.progress_every != before / options_.progress_every) {
      options_.progress(stats_.events);
    }
  }
  AsyncAppender appender_;
  const SyntheticLogOptions options_;
  SyntheticRandom random_;
  SyntheticLogStats stats_;
  uint64_t started_ = 0;  // engagements
  uint64_t people_ = 0;   // participants (numbers their fictional names)
  bool done_ = false;
};

}  // namespace

absl::StatusOr<SyntheticLogStats> AppendSyntheticLog(ledger::EventLog& log,
                                                     const SyntheticLogOptions& options) {
  Generator generator(log, options);
  return generator.Run();
}

}  // namespace bench
