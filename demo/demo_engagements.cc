// The engagements of the demo programme (see demo_programme.h). Organisations, venues, charities
// and people here are invented.
#include <algorithm>

#include "demo/demo_builder.h"

namespace demo::internal {

using namespace engagement::v1;  // NOLINT: the vocabulary's enums, used throughout

void Open(Builder& b, const std::string& id, absl::Time when, const EngagementOpened& spec,
          DutyLimb limb, const std::string& proportionality, const std::string& impact) {
  Event& event = b.Add(when, EngagementStream(id), kTeam, id);
  *event.mutable_engagement_opened() = spec;
  event.mutable_engagement_opened()->set_engagement_id(id);
  auto* duty = b.Add(when + absl::Hours(2), EngagementStream(id), kTeam, id)
                   .mutable_duty_to_involve_assessed();
  duty->set_assessment_id(b.Uuid());
  duty->set_engagement_id(id);
  duty->set_limb(limb);
  duty->set_applies(spec.duty_to_involve());
  duty->set_reason(spec.duty_reason());
  duty->set_proportionality(proportionality);
  duty->set_planned_spectrum_level(spec.spectrum_level());
  duty->set_impact_assessment_reference(impact);
  duty->set_assessor_role("Head of Engagement");
}

EngagementOpened Spec(const std::string& title, const std::string& topic,
                      CommissioningStage stage, SpectrumLevel level,
                      std::vector<std::pair<PriorityGroup, uint32_t>> targets,
                      std::vector<std::string> objectives, const std::string& scope,
                      const std::string& duty_reason, int64_t budget, const std::string& lead) {
  EngagementOpened spec;
  spec.set_title(title);
  spec.set_topic(topic);
  spec.set_commissioning_stage(stage);
  spec.set_spectrum_level(level);
  for (const auto& [group, planned] : targets) {
    auto* target = spec.add_target_groups();
    target->set_group(group);
    target->set_planned_participants(planned);
  }
  for (const std::string& o : objectives) spec.add_objectives(o);
  spec.set_scope_for_influence(scope);
  spec.set_duty_to_involve(DUTY_APPLIES_YES);
  spec.set_duty_reason(duty_reason);
  spec.set_planned_budget_pence(budget);
  spec.set_lead_role(lead);
  return spec;
}

std::vector<Person> InviteAll(Builder& b, const std::string& e, absl::Time sent,
                              const std::vector<Person>& people, const std::string& criteria,
                              int declined, int silent) {
  std::vector<std::string> invitations;
  for (const Person& person : people) {
    invitations.push_back(b.Invite(e, sent, person, CONTACT_METHOD_EMAIL, criteria));
  }
  std::vector<int> order(people.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  b.Shuffle(order);
  std::vector<Person> accepted;
  for (size_t k = 0; k < order.size(); ++k) {
    int i = order[k];
    bool no = static_cast<int>(k) < declined;
    bool quiet = !no && static_cast<int>(k) < declined + silent;
    absl::Time when = sent + absl::Hours(quiet ? 24 * 14 : b.Between(4, 24 * 9));
    b.Respond(e, when, invitations[i],
              no ? INVITATION_RESPONSE_DECLINED
                 : quiet ? INVITATION_RESPONSE_NO_REPLY : INVITATION_RESPONSE_ACCEPTED);
    if (!no && !quiet) accepted.push_back(people[i]);
  }
  return accepted;
}

std::vector<Person> Slice(const std::vector<Person>& from, size_t begin, size_t end) {
  return {from.begin() + begin, from.begin() + std::min(end, from.size())};
}

void Claims(Builder& b, const std::string& e, const std::string& session, absl::Time held,
            const std::vector<Person>& attendees, absl::Time until, int64_t involvement_pence,
            int travel_percent, std::vector<std::string>* claims) {
  static const char* kRefusals[] = {
      "Claim received after the three-month deadline in the reimbursement policy",
      "Taxi fare not agreed in advance; the bus fare has been offered instead"};
  for (const Person& person : attendees) {
    std::vector<std::pair<ReimbursementCategory, int64_t>> due;
    if (person.role == PPV_ROLE_TYPE_4) {
      due.push_back({REIMBURSEMENT_CATEGORY_INVOLVEMENT_PAYMENT, involvement_pence});
    } else if (person.role == PPV_ROLE_TYPE_3 && involvement_pence > 0) {
      due.push_back({REIMBURSEMENT_CATEGORY_VOUCHER, 2500});
    }
    if (person.role != PPV_ROLE_TYPE_4 && b.Chance(travel_percent)) {
      due.push_back({REIMBURSEMENT_CATEGORY_TRAVEL, 10 * b.Between(28, 165)});
    }
    if (person.carer && b.Chance(80)) {
      due.push_back({REIMBURSEMENT_CATEGORY_CARE_COVER, 100 * b.Between(24, 48)});
    }
    for (const auto& [category, pence] : due) {
      int r = b.Below(100);
      ReimbursementStatus status = r < 72   ? REIMBURSEMENT_STATUS_PAID
                                   : r < 84 ? REIMBURSEMENT_STATUS_APPROVED
                                   : r < 95 ? REIMBURSEMENT_STATUS_CLAIMED
                                            : REIMBURSEMENT_STATUS_REFUSED;
      std::string id = b.Reimburse(e, session, person, category, pence,
                                   held + absl::Hours(24 * b.Between(1, 10)), status, until,
                                   kRefusals[b.Below(2)]);
      if (claims != nullptr) claims->push_back(id);
    }
  }
}

void DiabetesCoDesign(Builder& b, const std::string& e, const People& people) {
  const absl::Time closes = Day(2026, 1, 8);
  Open(b, e, Day(2025, 4, 7, 9),
       Spec("Co-designing diabetes self-management support", "Diabetes",
            COMMISSIONING_STAGE_SERVICE_DESIGN, SPECTRUM_LEVEL_CO_PRODUCE,
            {{PRIORITY_GROUP_ETHNIC_MINORITIES, 8}, {PRIORITY_GROUP_CORE20, 6},
             {PRIORITY_GROUP_CARERS, 4}, {PRIORITY_GROUP_OLDER_PEOPLE, 6}},
            {"Understand what helps people manage type 2 diabetes day to day",
             "Co-design structured education and peer support with people who will use them",
             "Reach South Asian and Black communities and the most deprived areas"},
            "How structured education and peer support are designed and where they are offered. "
            "The budget envelope and the NICE clinical standards are fixed.",
            "Proposals would change how diabetes education services are delivered (NHS Act 2006 "
            "section 14Z45)",
            1200000, "Senior Commissioning Manager, Long Term Conditions"),
       DUTY_LIMB_PROPOSALS_FOR_CHANGE,
       "Co-design with people living with type 2 diabetes and carers: three workshops of 8-10 "
       "people and a sense-check with patient participation groups",
       "EQIA-2025-031");
  const std::string criteria =
      "Adults living with type 2 diabetes, newly diagnosed and long-standing, and their carers, "
      "from the east locality";
  b.InviteChannel(e, Day(2025, 4, 14), INVITATION_CHANNEL_GP_PRACTICE,
                  "Riverside Medical Practice (fictional)", CONTACT_METHOD_LETTER, criteria);
  b.InviteChannel(e, Day(2025, 4, 14), INVITATION_CHANNEL_GP_PRACTICE,
                  "Northgate Surgery (fictional)", CONTACT_METHOD_TEXT_MESSAGE, criteria);
  b.InviteChannel(e, Day(2025, 4, 14), INVITATION_CHANNEL_PATIENT_PARTICIPATION_GROUP,
                  "Northgate Surgery PPG (fictional)", CONTACT_METHOD_EMAIL, criteria);
  b.InviteChannel(e, Day(2025, 4, 15), INVITATION_CHANNEL_VOLUNTARY_ORGANISATION,
                  "Eastshire Diabetes Support Network (fictional)", CONTACT_METHOD_EMAIL, criteria);

  std::vector<Person> accepted = InviteAll(b, e, Day(2025, 5, 12), people.diabetes, criteria, 2, 2);
  for (const Person& p : people.strategic) {
    b.Respond(e, Day(2025, 5, 13), b.Invite(e, Day(2025, 5, 12), p, CONTACT_METHOD_EMAIL, criteria),
              INVITATION_RESPONSE_ACCEPTED);
  }
  const Person& partner = people.strategic[0];
  auto with = [&](std::vector<Person> group, const Person& p) {
    group.push_back(p);
    return group;
  };
  using A = AccessibilityProvision;
  const std::vector<A> access = {ACCESSIBILITY_PROVISION_STEP_FREE_ACCESS,
                                 ACCESSIBILITY_PROVISION_HEARING_LOOP,
                                 ACCESSIBILITY_PROVISION_TRANSPORT, ACCESSIBILITY_PROVISION_CARE_COVER};
  const std::string venue = "Eastfield Community Centre (fictional)";
  std::vector<std::string> claims;
  const std::string w1 = b.Session(
      e, Day(2025, 6, 3, 13),
      {"Co-design workshop 1: what matters to you in managing diabetes",
       ENGAGEMENT_METHOD_CO_DESIGN_WORKSHOP, 180, venue, access, true,
       with(Slice(accepted, 0, 9), partner), 0, 68000});
  Claims(b, e, w1, Day(2025, 6, 3), with(Slice(accepted, 0, 9), partner), closes, 7500, 55, &claims);
  std::vector<A> interpreted = access;
  interpreted.push_back(ACCESSIBILITY_PROVISION_LANGUAGE_INTERPRETER);
  const std::string w2 = b.Session(
      e, Day(2025, 6, 24, 13),
      {"Co-design workshop 2: education sessions and peer support",
       ENGAGEMENT_METHOD_CO_DESIGN_WORKSHOP, 180, venue, interpreted, true,
       with(Slice(accepted, 2, 10), partner), 0, 74500});
  Claims(b, e, w2, Day(2025, 6, 24), with(Slice(accepted, 2, 10), partner), closes, 7500, 55);
  b.Reimburse(e, w2, accepted[3], REIMBURSEMENT_CATEGORY_TRAVEL, 2450, Day(2025, 6, 26),
              REIMBURSEMENT_STATUS_REFUSED, closes,
              "Taxi fare not agreed in advance; the bus fare has been offered instead");
  std::vector<A> evening = access;
  evening.push_back(ACCESSIBILITY_PROVISION_OUT_OF_HOURS);
  std::vector<Person> third = Slice(accepted, 4, 11);
  third.push_back(partner);
  const std::string w3 = b.Session(
      e, Day(2025, 7, 15, 18),
      {"Co-design workshop 3: agreeing the options to take forward",
       ENGAGEMENT_METHOD_CO_DESIGN_WORKSHOP, 150, venue, evening, true, third, 0, 61000});
  Claims(b, e, w3, Day(2025, 7, 15), third, closes, 7500, 55);
  std::vector<Person> ppg_members = Slice(people.diabetes, 18, 24);
  const std::string ppg = b.Session(
      e, Day(2025, 8, 5, 18, 30),
      {"Sense-check with the Northgate and Riverside PPGs", ENGAGEMENT_METHOD_PPG_MEETING, 90,
       "Northgate Surgery (fictional)", {ACCESSIBILITY_PROVISION_STEP_FREE_ACCESS}, false,
       ppg_members, 9, 8000});

  // A travel claim from workshop 1 was keyed in twice; the copy is retracted.
  const Person& claimant = accepted[0];
  std::string copy = b.Reimburse(e, w1, claimant, REIMBURSEMENT_CATEGORY_TRAVEL, 640,
                                 Day(2025, 6, 9, 15), REIMBURSEMENT_STATUS_CLAIMED, closes);
  auto* correction = b.Add(Day(2025, 6, 30, 11), EngagementStream(e), kFinance, e)
                         .mutable_event_corrected();
  correction->set_corrected_event_id(copy);
  correction->set_kind(CORRECTION_KIND_RETRACTED);
  correction->set_reason("Entered twice by mistake: the same travel claim is already recorded");

  const std::string i1 = b.Insight(
      e, Day(2025, 6, 6), "Education at times working people can attend",
      "People in work cannot get to daytime courses; they asked for evening, weekend and online "
      "options.", {w1}, 7, {"timing", "work", "access"});
  const std::string i2 = b.Insight(
      e, Day(2025, 6, 6, 11), "Education in community languages",
      "People whose first language is not English want sessions in Punjabi, Urdu and Bengali, "
      "with advice that fits the food they cook.", {w1}, 5, {"language", "culture", "diet"});
  const std::string i3 = b.Insight(
      e, Day(2025, 6, 27), "Peer support after diagnosis",
      "Support from other people living with diabetes helped most in the first year; people want "
      "a peer support group in every primary care network.", {w1, w2}, 8, {"peer support"});
  const std::string i4 = b.Insight(
      e, Day(2025, 6, 27, 11), "Carers want to be included",
      "Carers want to come to courses with the person they care for, and their own information "
      "on food and low blood sugar.", {w2}, 4, {"carers"});
  const std::string i5 = b.Insight(
      e, Day(2025, 6, 27, 12), "Getting to the hospital diabetes centre",
      "The hospital diabetes centre is hard to reach by bus; people asked for courses and "
      "reviews in community venues.", {w2}, 6, {"transport", "access"});
  const std::string i6 = b.Insight(
      e, Day(2025, 7, 18), "Apps are not for everyone",
      "Apps suit some people; others have no smartphone or data and need printed and "
      "face-to-face options.", {w3}, 5, {"digital exclusion"});
  const std::string i7 = b.Insight(
      e, Day(2025, 7, 18, 11), "Foot checks at the community pharmacy",
      "People suggested yearly foot checks at community pharmacies to save GP appointments.",
      {w3}, 3, {"foot care", "pharmacy"});
  // Heard at the sense-check and never taken further: an open loop the reports should show.
  b.Insight(e, Day(2025, 8, 7), "Eye screening reminders",
            "PPG members find eye screening reminder letters confusing and suggested plain "
            "English text reminders.", {ppg}, 2, {"screening", "information"});

  for (const std::string& i : {i1, i2}) {
    b.Validate(e, Day(2025, 6, 24, 15), i, VALIDATION_METHOD_PLAYED_BACK, w2);
  }
  for (const std::string& i : {i3, i4, i5}) {
    b.Validate(e, Day(2025, 7, 15, 19), i, VALIDATION_METHOD_PLAYED_BACK, w3);
  }
  for (const std::string& i : {i1, i2, i3, i4, i5, i6}) {
    b.Validate(e, Day(2025, 8, 5, 20), i, VALIDATION_METHOD_WIDER_GROUP, ppg);
  }
  for (const std::string& i : {i1, i2, i3, i4, i5, i6, i7}) {
    b.Consider(e, Day(2025, 9, 11, 14), i, DECIDING_BODY_COMMITTEE,
               "Primary Care and Community Services Committee", "PCCSC/2025/09/07");
  }
  const std::string d1 = b.Uuid();
  b.AssessDecision(d1, e, Day(2025, 9, 20), DUTY_LIMB_PROPOSALS_FOR_CHANGE, DUTY_APPLIES_YES,
                   "The decision changes where and how diabetes education is delivered",
                   "Met by the co-design programme and PPG sense-check", SPECTRUM_LEVEL_CO_PRODUCE,
                   "EQIA-2025-031", "Director of Strategy and Partnerships");
  b.Decision(
      d1, Day(2025, 10, 2, 14), DECIDING_BODY_GOVERNING_BODY, kBoard,
      "Commission a new structured education and peer support service for type 2 diabetes in "
      "community venues across the east locality from April 2026, with evening, weekend and "
      "online courses and courses in community languages.",
      "ICB/2025/10/112", {e},
      {{i1, INFLUENCE_ADOPTED,
        "Every month the service must run at least one evening course, one weekend course and an "
        "online course."},
       {i2, INFLUENCE_ADOPTED,
        "Courses will be offered in Punjabi, Urdu and Bengali, with advice on the food people "
        "actually cook."},
       {i3, INFLUENCE_PARTLY_ADOPTED,
        "Peer support groups start in four of the six primary care networks next year, run with "
        "the charity's volunteers; the other two follow once more volunteers are trained."},
       {i4, INFLUENCE_ADOPTED, "Carers are welcome on every course and get their own pack."},
       {i5, INFLUENCE_ADOPTED,
        "Courses and review clinics will run in community venues on bus routes, not only at "
        "the hospital."},
       {i6, INFLUENCE_PARTLY_ADOPTED,
        "The course will also be online, but printed materials and face-to-face sessions stay "
        "the default."},
       {i7, INFLUENCE_NOT_ADOPTED,
        "Foot checks must be done by trained podiatry or practice staff under the national "
        "footcare pathway; pharmacies are not commissioned to do them."}});
  const std::vector<std::string> heard = {i1, i2, i3, i4, i5, i6, i7};
  const std::string said_did =
      "You said daytime courses were hard to get to, and asked for courses in your own language, "
      "peer support, a place for carers and venues on bus routes. We did: on 2 October 2025 the "
      "ICB Board agreed a new education and peer support service from April 2026 with evening, "
      "weekend and online courses, courses in Punjabi, Urdu and Bengali, carers welcome, and "
      "community venues. Foot checks at pharmacies were not taken forward; we explain why.";
  b.Feedback(e, Day(2025, 10, 16), FEEDBACK_AUDIENCE_ENGAGEMENT, CONTACT_METHOD_EMAIL, heard, {d1},
             said_did);
  std::vector<Person> by_post;
  for (const Person& p : accepted) {
    if (!p.has_email) by_post.push_back(p);
  }
  if (by_post.empty()) by_post.push_back(accepted.back());
  b.Feedback(e, Day(2025, 10, 20), FEEDBACK_AUDIENCE_PARTICIPANTS, CONTACT_METHOD_LETTER, heard,
             {d1}, "The same report sent by post to participants who asked for letters.", "",
             by_post);
  b.Feedback(e, Day(2025, 11, 3), FEEDBACK_AUDIENCE_PUBLIC, CONTACT_METHOD_PUBLICATION, heard, {d1},
             "'You said, we did: diabetes education' published on the ICB website and in the "
             "residents' newsletter.");

  auto* evaluated = b.Add(Day(2025, 12, 10), EngagementStream(e), kTeam, e)
                        .mutable_engagement_evaluated();
  evaluated->set_engagement_id(e);
  evaluated->set_aims_met(AIMS_MET_MET);
  evaluated->set_people_reached(
      "People living with diabetes and carers recruited through two GP practices, a PPG and a "
      "diabetes charity; South Asian and Black Caribbean communities reached as planned; fewer "
      "people from the most deprived areas than planned, and no one under 25.");
  evaluated->set_methods(
      "Independently facilitated workshops of 8-10 people worked well; people valued having the "
      "same facilitator throughout. Interpreters were essential at workshop 2.");
  evaluated->set_timing(
      "The June and July workshops fitted the procurement timetable; the evening workshop drew "
      "more people in work.");
  evaluated->set_actual_cost_pence(b.spent[e]);
  evaluated->set_outcomes(
      "The Board commissioned a new education and peer support service (ICB/2025/10/112); six "
      "of the seven suggestions it considered were adopted in full or in part.");
  evaluated->set_learning(
      "Recruit through community pharmacies and food banks to reach the most deprived areas; "
      "send each workshop's summary within two weeks; budget for interpreters from the start.");
  auto* closed = b.Add(closes, EngagementStream(e), kTeam, e).mutable_engagement_closed();
  closed->set_engagement_id(e);
  closed->set_reason("Completed: the new service is being procured");
}

}  // namespace demo::internal
