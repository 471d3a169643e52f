#include "projections/outcomes_report.h"

#include <array>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "projections/labels.h"
#include "projections/suppression.h"
#include "projections/uk_time.h"

namespace projections {
namespace {

using engagement::v1::Agreement;
using engagement::v1::SpectrumLevel;

// The form's statements, as the form puts them.
struct Statement {
  const char* code;
  const char* label;
  Agreement (records::EvaluationFormRecord::*answer)() const;
};
const std::array<Statement, 4> kStatements = {{
    {"felt_listened_to", "I felt listened to", &records::EvaluationFormRecord::felt_listened_to},
    {"contribution_will_make_difference", "I think my contribution will make a difference",
     &records::EvaluationFormRecord::contribution_will_make_difference},
    {"felt_valued", "I felt valued", &records::EvaluationFormRecord::felt_valued},
    {"access_needs_met", "My access needs were met", &records::EvaluationFormRecord::access_needs_met},
}};

bool Answered(Agreement a) {
  return a != engagement::v1::AGREEMENT_UNSPECIFIED && a != engagement::v1::AGREEMENT_NOT_ANSWERED;
}
bool Agreed(Agreement a) {
  return a == engagement::v1::AGREEMENT_AGREE || a == engagement::v1::AGREEMENT_STRONGLY_AGREE;
}

// The spectrum level of the engagement `id`, or UNSPECIFIED when it is not in the evidence.
SpectrumLevel LevelOf(const EvidenceSnapshot& ev, const std::string& id) {
  auto it = ev.engagements.find(id);
  return it == ev.engagements.end() ? engagement::v1::SPECTRUM_LEVEL_UNSPECIFIED
                                     : it->second.spectrum();
}

void AddCompleteness(const EvidenceSnapshot& ev, int64_t start, int64_t end,
                     engagement::v1::AssuranceReport& report) {
  std::map<std::string, uint64_t> forms_by_session;
  for (const auto& [id, form] : ev.forms) ++forms_by_session[form.session_id()];
  uint64_t complete = 0;
  for (const auto& [id, s] : ev.sessions) {
    if (s.held_at() < start || s.held_at() >= end || !ev.engagements.contains(s.engagement_id())) {
      continue;
    }
    auto ret = ev.returns.find(id);
    std::string missing;
    if (ret == ev.returns.end()) {
      missing = "no activity return";
    } else if (forms_by_session[id] == 0 && (ret->second.evaluation_forms_offered() ||
                                             ret->second.no_forms_reason().empty())) {
      missing = "no evaluation forms, and no reason recorded for none";
    }
    if (missing.empty()) {
      ++complete;
      continue;
    }
    auto* f = report.add_sessions_missing_return_or_evaluation();
    f->set_id(id);
    f->set_text(absl::StrCat(s.title(), " (", FormatUkDay(s.held_at()), "): ", missing));
    f->set_position(s.position());
  }
  report.set_sessions_with_complete_record(complete);
}

}  // namespace

void AddFormOutcomes(const std::vector<const records::EvaluationFormRecord*>& forms, bool exact,
                     google::protobuf::RepeatedPtrField<engagement::v1::OutcomeMeasure>* out) {
  for (const Statement& statement : kStatements) {
    uint64_t answered = 0, agreed = 0;
    for (const auto* form : forms) {
      Agreement a = (form->*statement.answer)();
      answered += Answered(a);
      agreed += Agreed(a);
    }
    auto* m = out->Add();
    m->set_code(statement.code);
    m->set_label(statement.label);
    *m->mutable_answered() = CountPeople(answered, exact);
    *m->mutable_agreed() = CountPeople(agreed, exact);
    m->set_percent_agreed(PercentOf(m->agreed(), m->answered()));
    m->set_percent_suppressed(m->agreed().suppressed() || m->answered().suppressed());
  }
}

std::string SpectrumAim(SpectrumLevel level) {
  switch (level) {
    case engagement::v1::SPECTRUM_LEVEL_INFORM:
      return "To inform patients and the community about key and important messages.";
    case engagement::v1::SPECTRUM_LEVEL_ENGAGE:
      return "To engage with patients and communities to gain feedback on services, and listen "
             "to comments or concerns, to support the improvement of future services.";
    case engagement::v1::SPECTRUM_LEVEL_INVOLVE:
      return "To involve patients and the community in shaping, changing and establishing "
             "services.";
    case engagement::v1::SPECTRUM_LEVEL_CO_PRODUCE:
      return "To co-produce: working with patients and communities in an equal partnership with "
             "professionals from the earliest stages of service design, development and "
             "evaluation.";
    default:
      return "";
  }
}

void AddOutcomes(const EvidenceSnapshot& ev, int64_t start, int64_t end, bool exact,
                 engagement::v1::AssuranceReport& report) {
  auto in_period = [&](int64_t t) { return t >= start && t < end; };
  for (int l = engagement::v1::SPECTRUM_LEVEL_INFORM; l <= engagement::v1::SPECTRUM_LEVEL_CO_PRODUCE;
       ++l) {
    const auto level = static_cast<SpectrumLevel>(l);
    auto* out = report.add_outcomes();
    out->set_level(CodeOf(engagement::v1::SpectrumLevel_descriptor(), l));
    out->set_label(LabelOf(out->level()));
    out->set_aim(SpectrumAim(level));

    uint64_t engagements = 0, aims_met = 0;
    for (const auto& [id, e] : ev.engagements) {
      if (e.spectrum() != level) continue;
      if (e.opened_at() < end && (e.closed_at() == 0 || e.closed_at() >= start)) ++engagements;
      if (in_period(e.closed_at()) && e.evaluated() && e.aims_met() == engagement::v1::AIMS_MET_MET) {
        ++aims_met;
      }
    }
    out->set_engagements(engagements);
    out->set_engagements_with_aims_met(aims_met);

    // People reached with information, by channel.
    uint64_t informed = 0;
    std::map<std::string, uint64_t> by_channel;
    for (const auto& [id, info] : ev.information) {
      if (!in_period(info.shared_at()) || LevelOf(ev, info.engagement_id()) != level) continue;
      informed += info.people_reached();
      by_channel[CodeOf(engagement::v1::InformationChannel_descriptor(), info.channel())] +=
          info.people_reached();
    }
    *out->mutable_people_informed() = CountPeople(informed, exact);
    for (const auto& [channel, people] : by_channel) {
      auto* g = out->add_people_informed_by_channel();
      g->set_group(channel);
      g->set_label(LabelOf(channel));
      *g->mutable_reached() = CountPeople(people, exact);
      g->set_reached_share_percent(PercentOf(g->reached(), out->people_informed()));
      g->set_reached_share_suppressed(g->reached().suppressed() ||
                                      out->people_informed().suppressed());
    }

    // Sessions, and the people at them.
    uint64_t sessions = 0, unregistered = 0;
    std::set<std::string> people;
    for (const auto& [id, s] : ev.sessions) {
      if (!in_period(s.held_at()) || LevelOf(ev, s.engagement_id()) != level) continue;
      ++sessions;
      unregistered += s.unregistered();
      for (const std::string& p : s.attendees()) {
        if (ev.participants.contains(p)) people.insert(p);
      }
    }
    uint64_t priority = 0;
    for (const std::string& p : people) {
      if (!ev.participants.at(p).priority_groups().empty()) ++priority;
    }
    out->set_sessions(sessions);
    *out->mutable_people_engaged() = CountPeople(people.size() + unregistered, exact);
    *out->mutable_priority_group_people() = CountPeople(priority, exact);

    // What people said, and whether it was investigated or acted on.
    uint64_t insights = 0, investigated = 0;
    for (const auto& [id, i] : ev.insights) {
      if (!in_period(i.recorded_at()) || LevelOf(ev, i.engagement_id()) != level) continue;
      ++insights;
      if (!ev.Decisions(i).empty() || !i.considerations().empty()) ++investigated;
    }
    out->set_insights_recorded(insights);
    out->set_percent_investigated_or_actioned(
        insights == 0 ? 0 : 100.0 * static_cast<double>(investigated) / static_cast<double>(insights));

    // Outcomes: the evaluation forms.
    std::vector<const records::EvaluationFormRecord*> forms;
    for (const auto& [id, form] : ev.forms) {
      if (in_period(form.returned_at()) && LevelOf(ev, form.engagement_id()) == level) {
        forms.push_back(&form);
      }
    }
    *out->mutable_evaluation_forms() = CountPeople(forms.size(), exact);
    AddFormOutcomes(forms, exact, out->mutable_outcomes());
  }
  AddCompleteness(ev, start, end, report);
}

}  // namespace projections
