// HTML: one self-contained page a governing body can attach to its papers. Plain English,
// headings, captioned tables, bar charts as inline SVG, print styles; no script, no link to
// anything outside the file.
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/hash_chain.h"
#include "projections/html_page.h"
#include "projections/report_export.h"

namespace projections {
namespace {

template <typename List>
std::vector<std::vector<std::string>> FindingRows(const List& list) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& f : list) rows.push_back({Escape(f.text()), absl::StrCat(f.position())});
  return rows;
}

template <typename List>
std::vector<std::vector<std::string>> ReachRows(const List& list, bool with_plan) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& g : list) {
    std::vector<std::string> row = {Escape(g.label()), g.reached().display()};
    if (with_plan) row.push_back(g.planned().display());
    row.push_back(g.reached_share_suppressed() ? "*"
                                               : absl::StrFormat("%.0f%%", g.reached_share_percent()));
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

std::string AssuranceReportHtml(const engagement::v1::AssuranceReport& report) {
  HtmlPage page;
  WriteAssuranceReport(report, page);
  return page.Finish();
}

void WriteAssuranceReport(const engagement::v1::AssuranceReport& r, ReportDocument& page) {
  std::string title = absl::StrCat("Patient and public engagement: assurance report, ",
                                   r.organisation(), ", ", r.period_start(), " to ",
                                   r.period_end());
  page.Begin(title);
  page.Paragraph(absl::StrCat(
      "This report answers two questions for the governing body: were people involved, and did "
      "what they said make a difference? Every figure is computed from the engagement ledger. "
      "Counts of people from 1 to 7 are shown as *, other counts of people are rounded to the "
      "nearest 5, and percentages of people are worked out from the rounded numbers",
      r.provenance().exact_figures() ? " (this copy shows exact figures and must not be published)"
                                     : "",
      "."));

  page.Heading("Summary");
  page.Table("Headline figures", {"Measure", "Figure"},
             {{"Engagements active in the period", absl::StrCat(r.engagements())},
              {"Sessions held", absl::StrCat(r.sessions_held())},
              {"People reached (registered participants)", r.participants_reached().display()},
              {"Other attendees (not registered)", r.unregistered_attendees().display()},
              {"Insights recorded", absl::StrCat(r.insights_recorded())},
              {"Insights considered by a decision (% of insights recorded)",
               absl::StrFormat("%d (%.0f%%)", r.insights_considered_by_decision(),
                               r.percent_considered())},
              {"Insights adopted or partly adopted (% of insights recorded)",
               absl::StrFormat("%d (%.0f%%)", r.insights_adopted_or_partly(),
                               r.percent_adopted_or_partly_of_recorded())},
              {"Insights fed back to participants (% of insights recorded)",
               absl::StrFormat("%d (%.0f%%)", r.insights_fed_back(), r.percent_fed_back())},
              {"Of the insights considered, adopted or partly adopted",
               absl::StrFormat("%.0f%%", r.percent_adopted_or_partly())},
              {"Decisions recorded", absl::StrCat(r.decisions())},
              {"Session costs", Pounds(r.session_costs_pence())}});
  page.Chart("The loop: what became of the insights recorded in the period",
             {{"Recorded", static_cast<double>(r.insights_recorded())},
              {"Considered by a decision", static_cast<double>(r.insights_considered_by_decision())},
              {"Adopted or partly adopted", static_cast<double>(r.insights_adopted_or_partly())},
              {"Fed back to participants", static_cast<double>(r.insights_fed_back())}},
             "");

  page.Heading("How people were involved");
  std::vector<std::vector<std::string>> rows;
  std::vector<std::pair<std::string, double>> bars;
  for (const auto& c : r.sessions_by_method()) {
    rows.push_back({Escape(c.label()), absl::StrCat(c.count())});
    bars.push_back({Escape(c.label()), static_cast<double>(c.count())});
  }
  page.Table("Sessions by method", {"Method", "Sessions"}, rows);
  page.Chart("Sessions by method", bars, "");
  rows.clear();
  for (const auto& c : r.engagements_by_spectrum()) rows.push_back({Escape(c.label()), absl::StrCat(c.count())});
  page.Table("Engagements by level on the spectrum of engagement", {"Level", "Engagements"}, rows);
  rows.clear();
  for (const auto& c : r.engagements_by_stage()) rows.push_back({Escape(c.label()), absl::StrCat(c.count())});
  page.Table("Engagements by commissioning stage", {"Stage", "Engagements"}, rows);

  page.Heading("Who was reached");
  page.Table("Reach of priority groups against the groups planned",
             {"Group", "People reached", "People planned", "Share of those reached"},
             ReachRows(r.reach_by_priority_group(), true));
  const auto& core = r.reach_core20();
  page.Paragraph(absl::StrCat(
      "People from the most deprived 20% of areas (Core20): ", Escape(core.reached().display()),
      " reached",
      core.population_share_percent() > 0
          ? absl::StrCat(", ",
                         core.reached_share_suppressed()
                             ? "*"
                             : absl::StrFormat("%.0f%%", core.reached_share_percent()),
                         absl::StrFormat(" of those reached against %.0f%% of the population",
                                         core.population_share_percent()))
          : "",
      "."));
  page.Table("Reach by ethnic category", {"Ethnic category", "People reached", "Share"},
             ReachRows(r.reach_by_ethnic_category(), false));
  page.Table("Reach by age band", {"Age band", "People reached", "Share"},
             ReachRows(r.reach_by_age_band(), false));
  page.Table("Reach of inclusion-health groups", {"Group", "People reached", "Share"},
             ReachRows(r.reach_by_inclusion_health_group(), false));

  page.Heading("Closing the loop");
  page.Paragraph(absl::StrCat(
      "Median time from the day an insight was recorded to the day of the first decision "
      "considering it (calendar days, UK time): ",
      r.has_median_days_insight_to_decision()
          ? DaysText(r.median_days_insight_to_decision())
          : "no decisions yet",
      ". Median time from a decision to feedback: ",
      r.has_median_days_decision_to_feedback()
          ? DaysText(r.median_days_decision_to_feedback())
          : "no feedback yet",
      "."));
  page.Table(absl::StrCat("Insights with no decision after ", r.open_loop_days(), " days"),
             {"Insight", "Log position"}, FindingRows(r.open_insights()));
  page.Table(absl::StrCat("Decisions with no feedback after ", r.open_loop_days(), " days"),
             {"Decision", "Log position"}, FindingRows(r.open_decisions()));

  page.Heading("Outcomes, not only outputs");
  page.Paragraph(
      "For each level of the spectrum of engagement: its aim, what was done (outputs) and what "
      "participants said about taking part on their anonymous evaluation forms (outcomes).");
  for (const auto& o : r.outcomes()) {
    if (o.engagements() == 0 && o.evaluation_forms().value() == 0 &&
        !o.evaluation_forms().suppressed()) {
      continue;
    }
    std::vector<std::vector<std::string>> level_rows = {
        {"Aim", Escape(o.aim())},
        {"Engagements active in the period", absl::StrCat(o.engagements())},
        {"People reached with information", o.people_informed().display()},
        {"Sessions held", absl::StrCat(o.sessions())},
        {"People who took part", o.people_engaged().display()},
        {"Of the registered participants, from priority groups", o.priority_group_people().display()},
        {"Suggestions investigated or actioned (target 60%)",
         o.insights_recorded() == 0
             ? "no insights recorded"
             : absl::StrFormat("%.0f%% of %d", o.percent_investigated_or_actioned(),
                               o.insights_recorded())},
        {"Engagements closed with their aims met", absl::StrCat(o.engagements_with_aims_met())},
        {"Evaluation forms returned", o.evaluation_forms().display()}};
    for (const auto& c : o.people_informed_by_channel()) {
      level_rows.push_back({absl::StrCat("Reached through: ", Escape(c.label())), c.reached().display()});
    }
    for (const auto& m : o.outcomes()) {
      level_rows.push_back(
          {absl::StrCat("\"", Escape(m.label()), "\": agree or strongly agree"),
           absl::StrCat(m.agreed().display(), " of ", m.answered().display(),
                        m.percent_suppressed()        ? " (*)"
                        : m.answered().value() == 0 ? ""
                                                    : absl::StrFormat(" (%.0f%%)", m.percent_agreed()))});
    }
    page.Table(o.label(), {"Measure", "Figure"}, level_rows);
  }
  page.Table(absl::StrCat("Sessions whose activity return or evaluation is missing (",
                          r.sessions_with_complete_record(), " of ", r.sessions_held(),
                          " sessions have a complete record)"),
             {"Session", "Log position"}, FindingRows(r.sessions_missing_return_or_evaluation()));

  page.Heading("Duty to involve, consultation and evaluation");
  page.Table("Decisions where the duty to involve applied but no insight was considered",
             {"Decision", "Log position"}, FindingRows(r.duty_applied_without_insight()));
  page.Table(absl::StrCat("Consultations shorter than ", r.minimum_consultation_days(), " days"),
             {"Consultation", "Log position"}, FindingRows(r.short_consultations()));
  page.Table("Engagements closed without an evaluation", {"Engagement", "Log position"},
             FindingRows(r.closed_without_evaluation()));

  page.Heading("Costs and reimbursements");
  rows.clear();
  for (const auto& a : r.reimbursements_by_category()) {
    rows.push_back({Escape(a.label()), Pounds(a.amount_pence()), absl::StrCat(a.count())});
  }
  page.Table("Reimbursements approved or paid, by category", {"Category", "Amount", "Items"}, rows);
  rows.clear();
  for (const auto& a : r.reimbursements_by_role_type()) {
    rows.push_back({Escape(a.label()), Pounds(a.amount_pence()), absl::StrCat(a.count())});
  }
  page.Table("Reimbursements approved or paid, by PPV partner role type",
             {"Role type", "Amount", "Items"}, rows);

  page.Heading("Evidence against the five assessment domains");
  rows.clear();
  for (const auto& d : r.domains()) {
    std::string lines;
    for (const auto& line : d.evidence()) absl::StrAppend(&lines, Escape(line), "<br>");
    rows.push_back({Escape(d.domain()), lines});
  }
  page.Table("Domains A to E of the NHS England assessment of public involvement",
             {"Domain", "Evidence"}, rows);

  page.Heading("Where these figures come from");
  page.Paragraph(absl::StrCat(
      "<span class=\"note\">Computed from the engagement ledger at log position ",
      r.provenance().position(), ", head hash <code>", ledger::ToHex(r.provenance().head_hash()),
      "</code>, by projection ", Escape(r.provenance().projection()), " version ",
      r.provenance().projection_version(), " and report version ",
      r.provenance().report_version(),
      ". Anyone holding the ledger can compute this report again at that position and check "
      "that the head hash matches.</span>"));
}

std::string YouSaidWeDidHtml(const engagement::v1::GetYouSaidWeDidResponse& r) {
  HtmlPage page;
  page.Begin(absl::StrCat("You said, we did: ", r.engagement_title()));
  page.Paragraph("What people told us, and what was done about it.");
  std::vector<std::vector<std::string>> rows;
  for (const auto& item : r.items()) {
    rows.push_back({Escape(item.engagement_title()), Escape(item.you_said()), Escape(item.we_did())});
  }
  page.Table("You said, we did", {"Engagement", "You said", "We did"}, rows);
  page.Paragraph(absl::StrCat("<span class=\"note\">From the engagement ledger at log position ",
                              r.provenance().position(), ", head hash <code>",
                              ledger::ToHex(r.provenance().head_hash()), "</code>.</span>"));
  return page.Finish();
}

}  // namespace projections
