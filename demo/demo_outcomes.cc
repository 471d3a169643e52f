// The demo programme's outcomes: staff activity returns, participants' evaluation forms, people
// reached with information, and a case study (seed 002, appendix 2).
#include "absl/strings/str_cat.h"
#include "demo/demo_builder.h"

namespace demo::internal {

using engagement::v1::Agreement;

void Builder::ReturnsAndForms(const std::set<std::string>& without_return) {
  // What the forms say, from most to least common.
  const std::vector<Agreement> answers = {
      engagement::v1::AGREEMENT_STRONGLY_AGREE, engagement::v1::AGREEMENT_AGREE,
      engagement::v1::AGREEMENT_AGREE,          engagement::v1::AGREEMENT_STRONGLY_AGREE,
      engagement::v1::AGREEMENT_NEITHER,        engagement::v1::AGREEMENT_DISAGREE,
      engagement::v1::AGREEMENT_NOT_ANSWERED};
  for (const Held& s : held_) {
    if (without_return.contains(s.title)) continue;
    const bool forms = s.registered > 0;
    auto* r = Add(s.when + absl::Hours(18), EngagementStream(s.engagement), kTeam, s.engagement)
                  .mutable_activity_returned();
    r->set_engagement_id(s.engagement);
    r->set_session_id(s.id);
    r->set_completed_by_role("Engagement officer");
    r->set_attendance(static_cast<uint32_t>(s.registered + s.unregistered));
    r->set_what_went_well("People spoke openly; the venue worked for everyone who came");
    r->set_what_to_improve("Send the papers a week earlier");
    r->set_next_steps(absl::StrCat("A summary of \"", s.title,
                                   "\" goes to everyone who took part within two weeks"));
    r->set_evaluation_forms_offered(forms);
    if (!forms) r->set_no_forms_reason("Responses were anonymous: no forms to hand out");
    if (!forms) continue;
    size_t returned = (s.registered * 4 + 4) / 5;
    for (size_t n = 0; n < returned; ++n) {
      auto* f = Add(s.when + absl::Hours(2), EngagementStream(s.engagement), kTeam, s.engagement)
                    .mutable_evaluation_form_returned();
      f->set_engagement_id(s.engagement);
      f->set_session_id(s.id);
      f->set_form_id(Uuid());
      f->set_felt_listened_to(answers[Below(4)]);
      f->set_contribution_will_make_difference(answers[Below(6)]);
      f->set_felt_valued(answers[Below(5)]);
      f->set_access_needs_met(answers[Below(static_cast<int>(answers.size()))]);
    }
  }
}

void Builder::ShareInformation(const std::string& engagement, absl::Time when,
                               engagement::v1::InformationChannel channel, uint64_t people,
                               const std::string& description) {
  auto* i = Add(when, EngagementStream(engagement), kComms, engagement).mutable_information_shared();
  i->set_engagement_id(engagement);
  i->set_information_id(Uuid());
  i->set_channel(channel);
  i->set_people_reached(people);
  i->set_description(description);
}

void Builder::CaseStudy(const std::string& engagement, absl::Time when, const std::string& title,
                        const std::string& beginning, const std::string& middle,
                        const std::string& end, const std::string& impact) {
  auto* c = Add(when, EngagementStream(engagement), kTeam, engagement).mutable_case_study_recorded();
  c->set_engagement_id(engagement);
  c->set_case_study_id(Uuid());
  c->set_title(title);
  c->set_beginning(beginning);
  c->set_middle(middle);
  c->set_end(end);
  c->set_impact(impact);
}

}  // namespace demo::internal
