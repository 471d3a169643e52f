// The demo programme's survey, consultation and executive decision (see demo_programme.h).
// Organisations, venues, charities and people here are invented.
#include <tuple>

#include "demo/demo_builder.h"

namespace demo::internal {

using namespace engagement::v1;  // NOLINT: the vocabulary's enums, used throughout

void YoungPeoplesMentalHealth(Builder& b, const std::string& e, const People& people) {
  const absl::Time closes = Day(2025, 12, 1);
  Open(b, e, Day(2025, 6, 2, 9),
       Spec("Young people's mental health: what would help?",
            "Children and young people's mental health", COMMISSIONING_STAGE_NEEDS_ASSESSMENT,
            SPECTRUM_LEVEL_ENGAGE,
            {{PRIORITY_GROUP_YOUNG_PEOPLE, 100}, {PRIORITY_GROUP_ETHNIC_MINORITIES, 30},
             {PRIORITY_GROUP_CORE20, 25}, {PRIORITY_GROUP_LEARNING_DISABILITY, 5}},
            {"Hear what would help young people's mental health, in their own words",
             "Reach young people from ethnic minorities and the most deprived areas"},
            "What support young people want while they wait and outside specialist services; "
            "which services are bought in 2026/27 is open. The specialist service model is fixed.",
            "Informs the planning of commissioning arrangements for young people's mental health "
            "(NHS Act 2006 section 14Z45)",
            350000, "Commissioning Manager, Children and Young People"),
       DUTY_LIMB_PLANNING,
       "An online survey with targeted promotion and one focus group is proportionate at "
       "needs-assessment stage",
       "EQIA-2025-044");
  const std::string criteria = "Young people aged 16-25 living or studying in the ICB area";
  b.InviteChannel(e, Day(2025, 6, 9), INVITATION_CHANNEL_SOCIAL_MEDIA,
                  "QWE ICB social media channels", CONTACT_METHOD_SOCIAL_MEDIA, criteria);
  b.InviteChannel(e, Day(2025, 6, 9), INVITATION_CHANNEL_VOLUNTARY_ORGANISATION,
                  "Youth Matters Collective (fictional)", CONTACT_METHOD_EMAIL, criteria);
  b.InviteChannel(e, Day(2025, 6, 9), INVITATION_CHANNEL_PROVIDER_SERVICE,
                  "Eastshire young people's mental health service (fictional)",
                  CONTACT_METHOD_EMAIL, criteria);
  b.InviteChannel(e, Day(2025, 6, 10), INVITATION_CHANNEL_NEWSLETTER,
                  "Colleges and sixth forms bulletin", CONTACT_METHOD_PUBLICATION, criteria);

  const std::string survey = b.Session(
      e, Day(2025, 7, 18, 23),
      {"Online survey: what would help your mental health?", ENGAGEMENT_METHOD_SURVEY, 15,
       "online", {ACCESSIBILITY_PROVISION_EASY_READ, ACCESSIBILITY_PROVISION_ONLINE_OPTION}, false,
       people.young, 187, 45000});
  std::vector<Person> accepted =
      InviteAll(b, e, Day(2025, 7, 22), Slice(people.young, 0, 12),
                "Survey respondents who said they would join a focus group", 3, 1);
  const std::string group = b.Session(
      e, Day(2025, 8, 6, 17),
      {"Focus group at the Eastside Youth Hub", ENGAGEMENT_METHOD_FOCUS_GROUP, 120,
       "Eastside Youth Hub (fictional)",
       {ACCESSIBILITY_PROVISION_STEP_FREE_ACCESS, ACCESSIBILITY_PROVISION_OUT_OF_HOURS,
        ACCESSIBILITY_PROVISION_EASY_READ},
       true, accepted, 0, 30000});
  for (const Person& p : accepted) {
    b.Reimburse(e, group, p, REIMBURSEMENT_CATEGORY_VOUCHER, 2000, Day(2025, 8, 6, 19),
                b.Chance(85) ? REIMBURSEMENT_STATUS_PAID : REIMBURSEMENT_STATUS_APPROVED, closes);
  }
  Claims(b, e, group, Day(2025, 8, 6), accepted, closes, 0, 30);

  const std::string y1 = b.Insight(
      e, Day(2025, 8, 15), "Long waits with nothing in between",
      "Young people waiting for specialist help said nothing was offered while they waited, and "
      "many gave up.", {survey, group}, 96, {"waiting", "access"});
  const std::string y2 = b.Insight(
      e, Day(2025, 8, 15, 11), "Help in school and college",
      "Young people want someone trained to talk to in school or college, without a referral.",
      {survey}, 64, {"education", "early help"});
  const std::string y3 = b.Insight(
      e, Day(2025, 8, 15, 12), "Text and online support",
      "Many would rather text or chat online than phone or go to a clinic, especially at night.",
      {survey}, 71, {"digital", "out of hours"});
  const std::string y4 = b.Insight(
      e, Day(2025, 8, 15, 13), "Confidentiality from parents",
      "Some 16 and 17 year olds would not ask for help if they thought their parents would be "
      "told.", {survey, group}, 23, {"confidentiality"});
  // Open loops: never considered, decided or fed back.
  b.Insight(e, Day(2025, 8, 15, 14), "Somewhere to go after school",
            "Focus group members asked for drop-in spaces open after school and at weekends.",
            {group}, 6, {"places", "out of hours"});
  b.Insight(e, Day(2025, 8, 15, 15), "Staff who understand my culture",
            "Young people from ethnic minorities want staff who understand their culture and faith.",
            {group}, 5, {"culture", "equality"});
  for (const std::string& i : {y1, y2, y3}) {
    b.Validate(e, Day(2025, 9, 10), i, VALIDATION_METHOD_WIDER_GROUP);
  }
  for (const std::string& i : {y1, y2, y3, y4}) {
    b.Consider(e, Day(2025, 10, 15, 14), i, DECIDING_BODY_COMMITTEE,
               "Children and Young People's Transformation Board", "CYPTB/2025/10/04");
  }
  const std::string d2 = b.Uuid();
  b.Decision(
      d2, Day(2025, 11, 12, 14), DECIDING_BODY_COMMITTEE,
      "Children and Young People's Transformation Board",
      "Fund a text and online chat support service for 11 to 25 year olds from April 2026, and "
      "extend mental health support teams to two more secondary schools and a college.",
      "CYPTB/2025/11/06", {e},
      {{y1, INFLUENCE_PARTLY_ADOPTED,
        "The text service will support young people while they wait; the wait for a specialist "
        "assessment itself is not yet shorter."},
       {y2, INFLUENCE_ADOPTED,
        "Support teams will cover two more schools and Eastshire College from September 2026."},
       {y3, INFLUENCE_ADOPTED,
        "A text and chat service open until midnight will be bought from April 2026."}});
  b.Feedback(e, Day(2025, 11, 26), FEEDBACK_AUDIENCE_ENGAGEMENT, CONTACT_METHOD_EMAIL, {y1, y2, y3},
             {d2},
             "You said waiting with no support was hard, and you wanted help in school or college "
             "and by text. We did: from April 2026 a text and chat service will support young "
             "people, including while they wait, and support teams will cover two more schools "
             "and a college.");
  // Closed without the "finishing properly" evaluation: the assurance report should notice.
  auto* closed = b.Add(closes, EngagementStream(e), kTeam, e).mutable_engagement_closed();
  closed->set_engagement_id(e);
  closed->set_reason(
      "Survey and focus group completed; findings passed to the young people's mental health "
      "programme");
}

void UrgentCareConsultation(Builder& b, const std::string& e, const People& people) {
  const absl::Time year_end = Day(2026, 3, 31, 23);
  Open(b, e, Day(2025, 9, 1, 9),
       Spec("Urgent care in the east locality: proposals for an urgent treatment centre",
            "Urgent and emergency care", COMMISSIONING_STAGE_SERVICE_DESIGN, SPECTRUM_LEVEL_ENGAGE,
            {{PRIORITY_GROUP_OLDER_PEOPLE, 40}, {PRIORITY_GROUP_DISABLED_PEOPLE, 20},
             {PRIORITY_GROUP_CARERS, 20}, {PRIORITY_GROUP_CORE20, 40},
             {PRIORITY_GROUP_HOMELESSNESS, 8}, {PRIORITY_GROUP_GYPSY_ROMA_TRAVELLER, 5}},
            {"Consult on replacing the minor injuries unit with an urgent treatment centre",
             "Hear from people who use urgent care most and are heard least",
             "Give the Board a full consultation report before it decides"},
            "Opening hours, access, transport and how the change is phased are open; the need for "
            "one urgent treatment centre in the east locality, set by national standards, is fixed.",
            "A proposal to change where urgent care is provided: a substantial variation needing "
            "formal consultation (NHS Act 2006 section 14Z45)",
            2500000, "Director of Urgent and Emergency Care"),
       DUTY_LIMB_PROPOSALS_FOR_CHANGE,
       "A 12-week formal consultation with public meetings, an online and paper survey, and "
       "outreach to groups less often heard",
       "EQIA-2025-058");
  Event& window_event = b.Add(Day(2025, 10, 1), EngagementStream(e), kTeam, e);
  auto* window = window_event.mutable_consultation_window_set();
  window->set_consultation_id(b.Uuid());
  window->set_engagement_id(e);
  window->set_information_pack_reference(
      "QWE-UC-2025-CONSULT-01 (consultation document, easy read and BSL versions)");
  window->mutable_starts_at()->set_seconds(absl::ToUnixSeconds(Day(2025, 10, 6, 0)));
  window->mutable_ends_at()->set_seconds(absl::ToUnixSeconds(Day(2025, 12, 29, 23, 59)));
  const std::string criteria =
      "Everyone who uses urgent care in the east locality, especially older and disabled people, "
      "carers, and people less often heard";
  const std::vector<std::tuple<InvitationChannel, std::string, ContactMethod>> channels = {
      {INVITATION_CHANNEL_HEALTHWATCH, "Healthwatch Eastshire (fictional)", CONTACT_METHOD_EMAIL},
      {INVITATION_CHANNEL_NEWSLETTER, "ICB residents' newsletter", CONTACT_METHOD_PUBLICATION},
      {INVITATION_CHANNEL_VOLUNTARY_ORGANISATION, "Eastshire Homeless Action (fictional)",
       CONTACT_METHOD_IN_PERSON},
      {INVITATION_CHANNEL_VOLUNTARY_ORGANISATION, "Traveller Liaison Service (fictional)",
       CONTACT_METHOD_IN_PERSON},
      {INVITATION_CHANNEL_PATIENT_PANEL, "QWE Citizens' Panel", CONTACT_METHOD_EMAIL},
      {INVITATION_CHANNEL_PATIENT_PARTICIPATION_GROUP, "Patient participation groups, east locality",
       CONTACT_METHOD_EMAIL}};
  for (const auto& [channel, name, method] : channels) {
    b.InviteChannel(e, Day(2025, 10, 6), channel, name, method, criteria);
  }
  InviteAll(b, e, Day(2025, 10, 20, 18), people.urgent, criteria, 3, 4);
  for (const Person& p : people.strategic) {
    b.Respond(e, Day(2025, 10, 21, 9),
              b.Invite(e, Day(2025, 10, 20, 18), p, CONTACT_METHOD_EMAIL,
                       "Consultation reference group (PPV partners)"),
              INVITATION_RESPONSE_ACCEPTED);
  }

  using A = AccessibilityProvision;
  std::vector<Person> first = Slice(people.urgent, 6, 13);
  first.push_back(people.strategic[0]);
  const std::string s1 = b.Session(
      e, Day(2025, 10, 21, 14),
      {"Public meeting at Eastfield Town Hall", ENGAGEMENT_METHOD_PUBLIC_MEETING, 120,
       "Eastfield Town Hall (fictional)",
       {ACCESSIBILITY_PROVISION_STEP_FREE_ACCESS, ACCESSIBILITY_PROVISION_HEARING_LOOP,
        ACCESSIBILITY_PROVISION_BSL_INTERPRETER, ACCESSIBILITY_PROVISION_LARGE_PRINT},
       true, first, 54, 145000});
  Claims(b, e, s1, Day(2025, 10, 21), first, year_end, 15000, 25);
  std::vector<Person> second = Slice(people.urgent, 10, 16);
  second.push_back(people.strategic[1]);
  const std::string s2 = b.Session(
      e, Day(2025, 11, 12, 18, 30),
      {"Evening public meeting at Southbrook Library", ENGAGEMENT_METHOD_PUBLIC_MEETING, 120,
       "Southbrook Library (fictional)",
       std::vector<A>{ACCESSIBILITY_PROVISION_STEP_FREE_ACCESS, ACCESSIBILITY_PROVISION_HEARING_LOOP,
                      ACCESSIBILITY_PROVISION_OUT_OF_HOURS, ACCESSIBILITY_PROVISION_ONLINE_OPTION},
       true, second, 38, 98000});
  Claims(b, e, s2, Day(2025, 11, 12), second, year_end, 15000, 25);
  const std::vector<Person> homeless = Slice(people.urgent, 0, 3);
  const std::string s3 = b.Session(
      e, Day(2025, 11, 19, 11),
      {"Focus group with people experiencing homelessness at the Harbour Day Centre",
       ENGAGEMENT_METHOD_FOCUS_GROUP, 90, "Harbour Day Centre (fictional)",
       {ACCESSIBILITY_PROVISION_STEP_FREE_ACCESS, ACCESSIBILITY_PROVISION_EASY_READ}, true,
       homeless, 4, 25000});
  for (const Person& p : homeless) {
    b.Reimburse(e, s3, p, REIMBURSEMENT_CATEGORY_VOUCHER, 1500, Day(2025, 11, 19, 13),
                REIMBURSEMENT_STATUS_PAID, year_end);
  }
  const std::string s4 = b.Session(
      e, Day(2025, 11, 27, 11),
      {"Outreach visit with the Traveller Liaison Service", ENGAGEMENT_METHOD_COMMUNITY_OUTREACH,
       120, "Traveller Liaison Service community room (fictional)",
       {ACCESSIBILITY_PROVISION_EASY_READ}, false, {people.urgent[3]}, 9, 12000});
  const std::string s5 = b.Session(
      e, Day(2025, 12, 29, 23, 59),
      {"Consultation survey (online and paper)", ENGAGEMENT_METHOD_CONSULTATION_RESPONSE, 20,
       "online and paper",
       {ACCESSIBILITY_PROVISION_EASY_READ, ACCESSIBILITY_PROVISION_LARGE_PRINT,
        ACCESSIBILITY_PROVISION_LANGUAGE_INTERPRETER, ACCESSIBILITY_PROVISION_ONLINE_OPTION},
       false, Slice(people.urgent, 5, 19), 412, 185000});

  const std::string u1 = b.Insight(
      e, Day(2026, 1, 9), "Getting to the new centre",
      "People without a car worry about reaching the proposed centre; the bus there stops "
      "running at 7pm.", {s1, s2, s5}, 143, {"transport"});
  const std::string u2 = b.Insight(
      e, Day(2026, 1, 9, 11), "Opening hours",
      "People want the centre open until at least 10pm, seven days a week.", {s1, s5}, 188,
      {"opening hours"});
  const std::string u3 = b.Insight(
      e, Day(2026, 1, 9, 12), "Walk in without calling NHS 111 first",
      "People without a phone or a GP need to be able to walk in; booking only through NHS 111 "
      "would shut them out.", {s3, s4}, 11, {"access", "inclusion health"});
  const std::string u4 = b.Insight(
      e, Day(2026, 1, 9, 13), "Keep the minor injuries unit until the centre has proved itself",
      "Many want the minor injuries unit to stay open until the new centre is working well.",
      {s1, s2, s5}, 96, {"transition"});
  const std::string u5 = b.Insight(
      e, Day(2026, 1, 9, 14), "Information people can use",
      "Deaf people and people with a learning disability asked for BSL video and easy-read "
      "information on where to go.", {s2, s5}, 23, {"accessible information"});
  const std::string u6 = b.Insight(
      e, Day(2026, 1, 9, 15), "Parking charges",
      "Respondents asked for free parking at the new centre.", {s5}, 37, {"parking", "cost"});
  for (const std::string& i : {u1, u2, u3, u4, u5}) {
    b.Validate(e, Day(2026, 1, 14), i, VALIDATION_METHOD_WIDER_GROUP);
  }
  for (const std::string& i : {u1, u2, u3, u4, u5, u6}) {
    b.Consider(e, Day(2026, 2, 5, 14), i, DECIDING_BODY_GOVERNING_BODY, kBoard,
               "ICB/2026/02/021 (consultation report)");
  }
  const std::string d3 = b.Uuid();
  b.AssessDecision(d3, e, Day(2026, 2, 20), DUTY_LIMB_PROPOSALS_FOR_CHANGE, DUTY_APPLIES_YES,
                   "The decision changes where urgent care is provided in the east locality",
                   "Met by the 12-week formal consultation; the health scrutiny committee was "
                   "consulted",
                   SPECTRUM_LEVEL_ENGAGE, "EQIA-2025-058", "Director of Strategy and Partnerships");
  b.Decision(
      d3, Day(2026, 3, 5, 14), DECIDING_BODY_GOVERNING_BODY, kBoard,
      "Open an urgent treatment centre at Eastfield Health Campus from October 2026, open 8am "
      "to 10pm every day with walk-in access; the minor injuries unit at Southbrook stays open "
      "for six months after the centre opens and is then reviewed.",
      "ICB/2026/03/034", {e},
      {{u1, INFLUENCE_PARTLY_ADOPTED,
        "The council will run the bus until 10pm and a community transport service will help "
        "people who cannot use the bus; a free shuttle could not be funded."},
       {u2, INFLUENCE_ADOPTED, "The centre will be open 8am to 10pm, seven days a week."},
       {u3, INFLUENCE_ADOPTED, "Walk-in access stays; nobody needs to call NHS 111 first."},
       {u4, INFLUENCE_PARTLY_ADOPTED,
        "The unit stays open for six months after the centre opens; its future will then be "
        "reviewed with the public."},
       {u5, INFLUENCE_ADOPTED,
        "Information will be published in BSL video, easy read and the five most spoken "
        "community languages."},
       {u6, INFLUENCE_NOT_ADOPTED,
        "Parking is run by the site owner, not the ICB; we asked for four hours' free parking "
        "but cannot require it."}});
  // Fed back so far only to the day-centre group: the other insights are open loops.
  b.Feedback(e, Day(2026, 3, 19, 11), FEEDBACK_AUDIENCE_SESSION, CONTACT_METHOD_IN_PERSON, {u3},
             {d3},
             "We went back to the Harbour Day Centre to say that the new centre will take "
             "walk-ins: nobody will need to phone NHS 111 first.",
             s3);
}

void ClinicMoveDecision(Builder& b) {
  const std::string d4 = b.Uuid();
  b.AssessDecision(d4, "", Day(2026, 1, 15), DUTY_LIMB_PROPOSALS_FOR_CHANGE, DUTY_APPLIES_YES,
                   "Patients who attend a regular clinic would travel to a different site",
                   "Engagement with the clinic's patients was planned; none is recorded",
                   SPECTRUM_LEVEL_ENGAGE, "EQIA-2026-004", "Associate Director of Planned Care");
  b.Decision(d4, Day(2026, 1, 22, 10), DECIDING_BODY_EXECUTIVE, "Executive Management Team",
             "Move the anticoagulation clinic from Southbrook Community Hospital to Eastfield "
             "Health Campus from 1 April 2026.",
             "EMT/2026/01/009", {}, {});
}

}  // namespace demo::internal
