// The assurance report as CSV (csv_writer.h): one table per section, codes beside labels.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "ledger/hash_chain.h"
#include "projections/csv_writer.h"
#include "projections/report_export.h"

namespace projections {
namespace {

std::string Percent(double p) { return absl::StrFormat("%.1f", p); }

// A share of people: "*" when the count it would be computed from is suppressed.
std::string Share(const engagement::v1::GroupReach& g) {
  return g.reached_share_suppressed() ? "*" : Percent(g.reached_share_percent());
}

std::string Days(double days) {
  return days == static_cast<int64_t>(days) ? absl::StrCat(static_cast<int64_t>(days))
                                            : absl::StrFormat("%.1f", days);
}

}  // namespace

std::string AssuranceReportCsv(const engagement::v1::AssuranceReport& r) {
  CsvWriter csv;
  // Each measure by its code (the JSON field's name) and what a person reads.
  csv.Table("Summary", {"measure", "label", "value"});
  auto row = [&](const std::string& code, const std::string& label, const std::string& v) {
    csv.Row({code, label, v});
  };
  row("organisation", "Organisation (ODS code)", r.organisation());
  row("period_start", "First day of the period", r.period_start());
  row("period_end", "Last day of the period", r.period_end());
  row("engagements", "Engagements active in the period", absl::StrCat(r.engagements()));
  row("sessions_held", "Sessions held", absl::StrCat(r.sessions_held()));
  row("sessions_independently_facilitated", "Sessions independently facilitated",
      absl::StrCat(r.sessions_independently_facilitated()));
  row("participants_reached", "People reached (registered participants)",
      r.participants_reached().display());
  row("unregistered_attendees", "Other attendees (not registered)",
      r.unregistered_attendees().display());
  row("insights_recorded", "Insights recorded", absl::StrCat(r.insights_recorded()));
  row("insights_considered_by_decision", "Insights considered by a decision",
      absl::StrCat(r.insights_considered_by_decision()));
  row("percent_considered", "Insights considered by a decision (% of insights recorded)",
      Percent(r.percent_considered()));
  row("insights_adopted_or_partly", "Insights adopted or partly adopted",
      absl::StrCat(r.insights_adopted_or_partly()));
  row("percent_adopted_or_partly_of_recorded",
      "Insights adopted or partly adopted (% of insights recorded)",
      Percent(r.percent_adopted_or_partly_of_recorded()));
  row("insights_fed_back", "Insights fed back to participants", absl::StrCat(r.insights_fed_back()));
  row("percent_fed_back", "Insights fed back to participants (% of insights recorded)",
      Percent(r.percent_fed_back()));
  row("percent_adopted_or_partly", "Of the insights considered, % adopted or partly adopted",
      Percent(r.percent_adopted_or_partly()));
  row("median_days_insight_to_decision",
      "Median calendar days from an insight to the first decision considering it",
      r.has_median_days_insight_to_decision() ? Days(r.median_days_insight_to_decision()) : "");
  row("median_days_decision_to_feedback",
      "Median calendar days from a decision to the first feedback on it",
      r.has_median_days_decision_to_feedback() ? Days(r.median_days_decision_to_feedback()) : "");
  row("decisions", "Decisions recorded", absl::StrCat(r.decisions()));
  row("sessions_with_complete_record",
      "Sessions with a complete record (activity return, and evaluation forms or the reason none)",
      absl::StrCat(r.sessions_with_complete_record()));
  row("session_costs_pence", "Session costs (pence)", absl::StrCat(r.session_costs_pence()));
  row("open_loop_days", "Days after which a loop counts as open", absl::StrCat(r.open_loop_days()));
  row("minimum_consultation_days", "Shortest consultation expected (days)",
      absl::StrCat(r.minimum_consultation_days()));

  auto counts = [&](const std::string& title, const auto& list) {
    csv.Table(title, {"code", "label", "count"});
    for (const auto& c : list) csv.Row({c.code(), c.label(), absl::StrCat(c.count())});
  };
  counts("Engagements by spectrum level", r.engagements_by_spectrum());
  counts("Engagements by commissioning stage", r.engagements_by_stage());
  counts("Sessions by method", r.sessions_by_method());

  auto reach = [&](const std::string& title, const auto& list) {
    csv.Table(title, {"code", "label", "reached", "planned", "percent_of_reached"});
    for (const auto& g : list) {
      csv.Row({g.group(), g.label(), g.reached().display(), g.planned().display(), Share(g)});
    }
  };
  reach("Reach by priority group", r.reach_by_priority_group());
  reach("Reach by ethnic category", r.reach_by_ethnic_category());
  reach("Reach by age band", r.reach_by_age_band());
  reach("Reach by inclusion-health group", r.reach_by_inclusion_health_group());
  csv.Table("Reach of Core20",
            {"code", "label", "reached", "percent_of_reached", "population_percent"});
  csv.Row({r.reach_core20().group(), r.reach_core20().label(), r.reach_core20().reached().display(),
           Share(r.reach_core20()), Percent(r.reach_core20().population_share_percent())});

  csv.Table("Outcomes by spectrum level", {"level", "level_label", "measure", "label", "value"});
  for (const auto& o : r.outcomes()) {
    auto out = [&](const std::string& code, const std::string& label, const std::string& value) {
      csv.Row({o.level(), o.label(), code, label, value});
    };
    out("aim", "Aim", o.aim());
    out("engagements", "Engagements active in the period", absl::StrCat(o.engagements()));
    out("people_informed", "People reached with information", o.people_informed().display());
    for (const auto& c : o.people_informed_by_channel()) {
      out("people_informed_by_channel:" + c.group(), "Reached through: " + c.label(),
          c.reached().display());
    }
    out("sessions", "Sessions held", absl::StrCat(o.sessions()));
    out("people_engaged", "People who took part", o.people_engaged().display());
    out("priority_group_people", "Registered participants from priority groups",
        o.priority_group_people().display());
    out("insights_recorded", "Insights recorded", absl::StrCat(o.insights_recorded()));
    out("percent_investigated_or_actioned", "Suggestions investigated or actioned (%)",
        Percent(o.percent_investigated_or_actioned()));
    out("engagements_with_aims_met", "Engagements closed with their aims met",
        absl::StrCat(o.engagements_with_aims_met()));
    out("evaluation_forms", "Evaluation forms returned", o.evaluation_forms().display());
    for (const auto& m : o.outcomes()) {
      out(m.code() + ":agreed", m.label() + ": agree or strongly agree", m.agreed().display());
      out(m.code() + ":answered", m.label() + ": answered", m.answered().display());
      out(m.code() + ":percent_agreed", m.label() + ": % agreeing",
          m.percent_suppressed()                ? "*"
          : m.answered().value() == 0 ? ""
                                      : Percent(m.percent_agreed()));
    }
  }

  auto findings = [&](const std::string& title, const auto& list) {
    csv.Table(title, {"id", "text", "log_position"});
    for (const auto& f : list) csv.Row({f.id(), f.text(), absl::StrCat(f.position())});
  };
  findings("Insights with no decision after the open-loop period", r.open_insights());
  findings("Decisions with no feedback after the open-loop period", r.open_decisions());
  findings("Decisions where the duty to involve applied but no insight was considered",
           r.duty_applied_without_insight());
  findings("Engagements closed without an evaluation", r.closed_without_evaluation());
  findings("Consultations shorter than the minimum", r.short_consultations());
  findings("Sessions whose activity return or evaluation is missing",
           r.sessions_missing_return_or_evaluation());

  auto amounts = [&](const std::string& title, const auto& list) {
    csv.Table(title, {"code", "label", "amount_pence", "count"});
    for (const auto& a : list) {
      csv.Row({a.code(), a.label(), absl::StrCat(a.amount_pence()), absl::StrCat(a.count())});
    }
  };
  amounts("Reimbursements by category", r.reimbursements_by_category());
  amounts("Reimbursements by PPV role type", r.reimbursements_by_role_type());

  csv.Table("Assessment domains", {"domain", "evidence"});
  for (const auto& d : r.domains()) {
    for (const auto& line : d.evidence()) csv.Row({d.domain(), line});
  }
  csv.Table("Provenance", {"log_position", "head_hash", "projection", "projection_version",
                           "report_version", "exact_figures"});
  csv.Row({absl::StrCat(r.provenance().position()), ledger::ToHex(r.provenance().head_hash()),
           r.provenance().projection(), absl::StrCat(r.provenance().projection_version()),
           absl::StrCat(r.provenance().report_version()),
           r.provenance().exact_figures() ? "true" : "false"});
  return csv.Take();
}

}  // namespace projections
