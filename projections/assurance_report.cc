#include "projections/assurance_report.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "projections/evidence_snapshot.h"
#include "projections/labels.h"
#include "projections/outcomes_report.h"
#include "projections/suppression.h"
#include "projections/uk_time.h"

namespace projections {
namespace {

using engagement::v1::AssuranceReport;

std::optional<double> Median(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double Percent(uint64_t part, uint64_t whole) {
  return whole == 0 ? 0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

template <typename Enum>
std::string EnumName(Enum value, const google::protobuf::EnumDescriptor* descriptor) {
  const auto* v = descriptor->FindValueByNumber(static_cast<int>(value));
  return v == nullptr ? absl::StrCat(static_cast<int>(value)) : v->name();
}

void AddCounts(const std::map<std::string, uint64_t>& counts,
               google::protobuf::RepeatedPtrField<engagement::v1::LabelCount>* out) {
  for (const auto& [label, count] : counts) {
    auto* c = out->Add();
    c->set_code(label);
    c->set_label(LabelOf(label));
    c->set_count(count);
  }
}

void AddReach(const std::map<std::string, uint64_t>& reached,
              const std::map<std::string, uint64_t>& planned,
              const engagement::v1::PeopleCount& total, bool exact,
              const std::map<std::string, double>& population,
              google::protobuf::RepeatedPtrField<engagement::v1::GroupReach>* out) {
  std::set<std::string> groups;
  for (const auto& [g, n] : reached) groups.insert(g);
  for (const auto& [g, n] : planned) groups.insert(g);
  for (const std::string& group : groups) {
    auto* r = out->Add();
    r->set_group(group);
    r->set_label(LabelOf(group));
    auto it = reached.find(group);
    *r->mutable_reached() = CountPeople(it == reached.end() ? 0 : it->second, exact);
    // A plan describes no one, so planned numbers are never suppressed.
    auto p = planned.find(group);
    *r->mutable_planned() = CountPeople(p == planned.end() ? 0 : p->second, /*exact=*/true);
    r->set_reached_share_percent(PercentOf(r->reached(), total));
    r->set_reached_share_suppressed(r->reached().suppressed() || total.suppressed());
    auto share = population.find(group);
    if (share != population.end()) r->set_population_share_percent(share->second);
  }
}

void AddAmounts(const std::map<std::string, std::pair<int64_t, uint64_t>>& sums,
                google::protobuf::RepeatedPtrField<engagement::v1::LabelAmount>* out) {
  for (const auto& [label, sum] : sums) {
    auto* a = out->Add();
    a->set_code(label);
    a->set_label(LabelOf(label));
    a->set_amount_pence(sum.first);
    a->set_count(sum.second);
  }
}

// Whole days, or a half when a median falls between two.
std::string Days(const std::optional<double>& days) {
  if (!days.has_value()) return "no data";
  return *days == static_cast<int64_t>(*days) ? absl::StrFormat("%d days", static_cast<int64_t>(*days))
                                              : absl::StrFormat("%.1f days", *days);
}

// Maps the report's own figures onto the five domains of the NHS England assessment of public
// involvement, in plain English.
void AddDomains(AssuranceReport& r, uint64_t duty_engagements, uint64_t involve_or_more) {
  auto domain = [&](absl::string_view name, std::vector<std::string> lines) {
    auto* d = r.add_domains();
    d->set_domain(std::string(name));
    for (auto& line : lines) d->add_evidence(std::move(line));
  };
  domain("A governance",
         {absl::StrCat(r.decisions(), " decisions recorded in the period; ",
                       r.duty_applied_without_insight_size(),
                       " where the duty to involve applied but no insight was considered"),
          absl::StrCat(duty_engagements, " of ", r.engagements(),
                       " active engagements assessed as falling under the duty to involve")});
  domain("B annual reporting",
         {absl::StrCat(r.engagements(), " engagements, ", r.sessions_held(), " sessions, ",
                       r.participants_reached().display(), " people reached, ",
                       r.insights_recorded(), " insights recorded")});
  domain("C day-to-day practice",
         {absl::StrCat(r.sessions_by_method_size(), " methods used; ",
                       r.sessions_independently_facilitated(), " of ", r.sessions_held(),
                       " sessions independently facilitated"),
          absl::StrCat(involve_or_more, " of ", r.engagements(),
                       " engagements at 'involve' or 'co-produce' on the spectrum")});
  domain("D feedback and evaluation",
         {absl::StrFormat("%d of %d insights fed back to participants (%.0f%%)",
                          r.insights_fed_back(), r.insights_recorded(), r.percent_fed_back()),
          absl::StrFormat("%d of %d insights considered by a decision (%.0f%%); %d adopted or "
                          "partly adopted (%.0f%% of the insights recorded; %.0f%% of those "
                          "considered)",
                          r.insights_considered_by_decision(), r.insights_recorded(),
                          r.percent_considered(), r.insights_adopted_or_partly(),
                          r.percent_adopted_or_partly_of_recorded(), r.percent_adopted_or_partly()),
          absl::StrCat("median time from insight to decision ",
                       Days(r.has_median_days_insight_to_decision()
                                ? std::optional<double>(r.median_days_insight_to_decision())
                                : std::nullopt),
                       "; from decision to feedback ",
                       Days(r.has_median_days_decision_to_feedback()
                                ? std::optional<double>(r.median_days_decision_to_feedback())
                                : std::nullopt)),
          absl::StrCat(r.sessions_with_complete_record(), " of ", r.sessions_held(),
                       " sessions with a complete record (a staff activity return, and "
                       "participants' evaluation forms or the reason none were offered)"),
          absl::StrCat(r.open_insights_size(), " insights and ", r.open_decisions_size(),
                       " decisions still open after ", r.open_loop_days(), " days; ",
                       r.closed_without_evaluation_size(),
                       " engagements closed without an evaluation")});
  std::vector<std::string> equalities;
  const auto& core = r.reach_core20();
  equalities.push_back(
      core.population_share_percent() > 0
          ? absl::StrFormat("people from the most deprived 20%% of areas (Core20): %s reached, "
                            "%.0f%% of those reached against %.0f%% of the population",
                            core.reached().display(), core.reached_share_percent(),
                            core.population_share_percent())
          : absl::StrCat("people from the most deprived 20% of areas (Core20): ",
                         core.reached().display(), " reached"));
  for (const auto& g : r.reach_by_priority_group()) {
    equalities.push_back(absl::StrCat(g.label(), ": ", g.reached().display(), " reached of ",
                                      g.planned().display(), " planned"));
  }
  for (const auto& g : r.reach_by_inclusion_health_group()) {
    equalities.push_back(
        g.population_share_percent() > 0
            ? absl::StrFormat("%s: %s reached, %.0f%% of those reached against %.0f%% of the "
                              "population",
                              g.label(), g.reached().display(), g.reached_share_percent(),
                              g.population_share_percent())
            : absl::StrCat(g.label(), ": ", g.reached().display(), " reached"));
  }
  domain("E equalities and health inequalities", std::move(equalities));
}

}  // namespace

absl::StatusOr<int64_t> ParseDay(absl::string_view text, absl::string_view field) {
  absl::StatusOr<absl::CivilDay> day = ParseCivilDay(text, field);
  if (!day.ok()) return day.status();
  return UkMidnight(*day);
}

std::string FormatDay(int64_t seconds) { return FormatUkDay(seconds); }

absl::StatusOr<AssuranceReport> BuildAssuranceReport(const StateReader& evidence,
                                                     const AssuranceQuery& query) {
  if (absl::Status zone = CheckUkTimeZone(); !zone.ok()) return zone;
  absl::StatusOr<absl::CivilDay> first_day = ParseCivilDay(query.period_start, "period_start");
  if (!first_day.ok()) return first_day.status();
  absl::StatusOr<absl::CivilDay> last_day = ParseCivilDay(query.period_end, "period_end");
  if (!last_day.ok()) return last_day.status();
  if (*last_day < *first_day) {
    return absl::InvalidArgumentError("period_end: must not be before period_start");
  }
  // The period: UK local midnight of its first day to local midnight after its last.
  const int64_t start = UkMidnight(*first_day);
  const int64_t end = UkMidnight(*last_day + 1);  // exclusive
  auto in_period = [&](int64_t t) { return t >= start && t < end; };
  const bool exact = query.exact_figures;
  // Still open at the end of the period: open_loop_days or more calendar days after.
  auto open_at_end = [&](int64_t since) {
    return UkDaysBetween(since, end) >= static_cast<int64_t>(query.open_loop_days);
  };

  absl::StatusOr<EvidenceSnapshot> loaded = EvidenceSnapshot::Load(evidence, query.organisation);
  if (!loaded.ok()) return loaded.status();
  const EvidenceSnapshot& ev = *loaded;

  AssuranceReport report;
  report.set_organisation(query.organisation);
  report.set_period_start(query.period_start);
  report.set_period_end(query.period_end);
  report.set_open_loop_days(query.open_loop_days);
  report.set_minimum_consultation_days(query.minimum_consultation_days);

  // Engagements active in the period: opened before its end, not closed before its start.
  std::map<std::string, uint64_t> by_spectrum, by_stage, planned_by_group;
  uint64_t engagements = 0, duty_engagements = 0;
  for (const auto& [id, e] : ev.engagements) {
    if (e.opened_at() >= end || (e.closed_at() != 0 && e.closed_at() < start)) continue;
    ++engagements;
    if (e.duty() == engagement::v1::DUTY_APPLIES_YES) ++duty_engagements;
    ++by_spectrum[EnumName(e.spectrum(), engagement::v1::SpectrumLevel_descriptor())];
    ++by_stage[EnumName(e.stage(), engagement::v1::CommissioningStage_descriptor())];
    for (const auto& target : e.targets()) {
      planned_by_group[EnumName(target.group(), engagement::v1::PriorityGroup_descriptor())] +=
          target.planned_participants();
    }
    // Closed in the period without an evaluation.
    if (in_period(e.closed_at()) && !e.evaluated()) {
      auto* f = report.add_closed_without_evaluation();
      f->set_id(id);
      f->set_text(absl::StrCat(e.title(), ": closed ", FormatDay(e.closed_at()),
                               " with no evaluation recorded"));
      f->set_position(e.position());
    }
  }
  report.set_engagements(engagements);
  AddCounts(by_spectrum, report.mutable_engagements_by_spectrum());
  AddCounts(by_stage, report.mutable_engagements_by_stage());

  // Sessions held in the period, and the people at them.
  std::map<std::string, uint64_t> by_method;
  std::set<std::string> reached;
  uint64_t sessions = 0, independent = 0, unregistered = 0;
  int64_t session_costs = 0;
  for (const auto& [id, s] : ev.sessions) {
    if (!in_period(s.held_at()) || !ev.engagements.contains(s.engagement_id())) continue;
    ++sessions;
    ++by_method[EnumName(s.method(), engagement::v1::EngagementMethod_descriptor())];
    if (s.independent_facilitator()) ++independent;
    unregistered += s.unregistered();
    session_costs += s.cost_pence();
    for (const std::string& p : s.attendees()) {
      if (ev.participants.contains(p)) reached.insert(p);
    }
  }
  report.set_sessions_held(sessions);
  AddCounts(by_method, report.mutable_sessions_by_method());
  report.set_sessions_independently_facilitated(independent);
  report.set_session_costs_pence(session_costs);

  // Reach by group, among the people reached who gave equality-monitoring answers.
  std::map<std::string, uint64_t> priority, ethnic, age, inclusion;
  uint64_t core20 = 0;
  for (const std::string& id : reached) {
    const auto& p = ev.participants.at(id);
    if (p.erased()) {
      // Erased people still count (they took part); their groups can no longer be known.
      for (auto* groups : {&priority, &ethnic, &age, &inclusion}) ++(*groups)[kErasedCode];
      continue;
    }
    if (!p.has_equality()) continue;
    for (int g : p.priority_groups()) {
      ++priority[EnumName(g, engagement::v1::PriorityGroup_descriptor())];
    }
    for (int g : p.inclusion_health_groups()) {
      ++inclusion[EnumName(g, engagement::v1::InclusionHealthGroup_descriptor())];
    }
    ++ethnic[EnumName(p.ethnic_category(), engagement::v1::EthnicCategory_descriptor())];
    ++age[EnumName(p.age_band(), engagement::v1::AgeBand_descriptor())];
    if (p.imd_decile() == 1 || p.imd_decile() == 2) ++core20;
  }
  *report.mutable_participants_reached() = CountPeople(reached.size(), exact);
  *report.mutable_unregistered_attendees() = CountPeople(unregistered, exact);
  const auto& total = report.participants_reached();
  const auto& shares = query.population_share_percent;
  AddReach(priority, planned_by_group, total, exact, shares,
           report.mutable_reach_by_priority_group());
  AddReach(ethnic, {}, total, exact, shares, report.mutable_reach_by_ethnic_category());
  AddReach(age, {}, total, exact, shares, report.mutable_reach_by_age_band());
  AddReach(inclusion, {}, total, exact, shares, report.mutable_reach_by_inclusion_health_group());
  auto* core = report.mutable_reach_core20();
  core->set_group("CORE20");
  core->set_label("People in the most deprived 20% of areas (IMD deciles 1 and 2)");
  *core->mutable_reached() = CountPeople(core20, exact);
  core->set_reached_share_percent(PercentOf(core->reached(), total));
  core->set_reached_share_suppressed(core->reached().suppressed() || total.suppressed());
  core->set_population_share_percent(query.core20_population_percent);

  // The loop: insights recorded in the period and what became of them.
  uint64_t insights = 0, considered = 0, adopted = 0, fed_back = 0;
  std::vector<double> to_decision;
  for (const auto& [id, i] : ev.insights) {
    if (!in_period(i.recorded_at())) continue;
    ++insights;
    auto decisions = ev.Decisions(i);
    if (!decisions.empty()) {
      ++considered;
      int64_t first = decisions.front()->decided_at();
      bool any_adopted = false;
      for (const auto* link : decisions) {
        first = std::min(first, link->decided_at());
        any_adopted |= link->influence() == engagement::v1::INFLUENCE_ADOPTED ||
                       link->influence() == engagement::v1::INFLUENCE_PARTLY_ADOPTED;
      }
      if (any_adopted) ++adopted;
      to_decision.push_back(static_cast<double>(UkDaysBetween(i.recorded_at(), first)));
    } else if (open_at_end(i.recorded_at())) {
      auto* f = report.add_open_insights();
      f->set_id(id);
      f->set_text(absl::StrCat("\"", i.theme(), "\" recorded ", FormatDay(i.recorded_at()),
                               ": no decision has considered it"));
      f->set_position(i.position());
    }
    if (ev.FirstFeedback(i) != 0) ++fed_back;
  }
  report.set_insights_recorded(insights);
  report.set_insights_considered_by_decision(considered);
  report.set_percent_considered(Percent(considered, insights));
  report.set_insights_adopted_or_partly(adopted);
  report.set_percent_adopted_or_partly(Percent(adopted, considered));
  report.set_percent_adopted_or_partly_of_recorded(Percent(adopted, insights));
  report.set_insights_fed_back(fed_back);
  report.set_percent_fed_back(Percent(fed_back, insights));
  if (auto m = Median(to_decision)) report.set_median_days_insight_to_decision(*m);

  // Decisions taken in the period.
  uint64_t decisions = 0;
  std::vector<double> to_feedback;
  for (const auto& [id, d] : ev.decisions) {
    if (!in_period(d.decided_at())) continue;
    ++decisions;
    int64_t first = ev.FirstFeedback(d);
    if (first != 0) {
      to_feedback.push_back(static_cast<double>(UkDaysBetween(d.decided_at(), first)));
    } else if (open_at_end(d.decided_at())) {
      auto* f = report.add_open_decisions();
      f->set_id(id);
      f->set_text(absl::StrCat(d.paper_reference(), " (", FormatDay(d.decided_at()),
                               "): no feedback to participants"));
      f->set_position(d.position());
    }
    bool duty = d.duty() == engagement::v1::DUTY_APPLIES_YES;
    for (const std::string& e : d.engagement_ids()) {
      auto it = ev.engagements.find(e);
      duty |= it != ev.engagements.end() && it->second.duty() == engagement::v1::DUTY_APPLIES_YES;
    }
    bool any_insight = std::any_of(d.insight_ids().begin(), d.insight_ids().end(),
                                   [&](const std::string& i) { return ev.insights.contains(i); });
    if (duty && !any_insight) {
      auto* f = report.add_duty_applied_without_insight();
      f->set_id(id);
      f->set_text(absl::StrCat(d.paper_reference(), " (", FormatDay(d.decided_at()), "): ",
                               d.summary()));
      f->set_position(d.position());
    }
  }
  report.set_decisions(decisions);
  if (auto m = Median(to_feedback)) report.set_median_days_decision_to_feedback(*m);

  // Consultations starting in the period that were too short.
  for (const auto& [id, c] : ev.consultations) {
    if (!in_period(c.starts_at())) continue;
    int64_t days = UkDaysBetween(c.starts_at(), c.ends_at());
    if (days < static_cast<int64_t>(query.minimum_consultation_days)) {
      auto* f = report.add_short_consultations();
      f->set_id(id);
      f->set_text(absl::StrCat("ran ", days, " days from ", FormatDay(c.starts_at()),
                               " (minimum ", query.minimum_consultation_days, ")"));
    }
  }

  // Reimbursements approved or paid in the period.
  std::map<std::string, std::pair<int64_t, uint64_t>> by_category, by_role;
  for (const auto& [id, r] : ev.reimbursements) {
    bool counted = r.status() == engagement::v1::REIMBURSEMENT_STATUS_APPROVED ||
                   r.status() == engagement::v1::REIMBURSEMENT_STATUS_PAID;
    if (!counted || !in_period(r.updated_at())) continue;
    auto& c = by_category[EnumName(r.category(), engagement::v1::ReimbursementCategory_descriptor())];
    c.first += r.amount_pence();
    ++c.second;
    auto p = ev.participants.find(r.participant_id());
    std::string role = p == ev.participants.end()
                           ? "PPV_ROLE_TYPE_UNSPECIFIED"
                           : EnumName(p->second.role_type(), engagement::v1::PpvRoleType_descriptor());
    auto& ro = by_role[role];
    ro.first += r.amount_pence();
    ++ro.second;
  }
  AddAmounts(by_category, report.mutable_reimbursements_by_category());
  AddAmounts(by_role, report.mutable_reimbursements_by_role_type());
  uint64_t involve_or_more =
      by_spectrum["SPECTRUM_LEVEL_INVOLVE"] + by_spectrum["SPECTRUM_LEVEL_CO_PRODUCE"];
  AddOutcomes(ev, start, end, exact, report);
  AddDomains(report, duty_engagements, involve_or_more);
  return report;
}

}  // namespace projections
