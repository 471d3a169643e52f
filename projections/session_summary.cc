#include "projections/session_summary.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/hash_chain.h"
#include "projections/csv_writer.h"
#include "projections/evidence_snapshot.h"
#include "projections/html_page.h"
#include "projections/labels.h"
#include "projections/outcomes_report.h"
#include "projections/suppression.h"
#include "projections/uk_time.h"

namespace projections {
namespace {

std::string InfluenceWords(engagement::v1::Influence influence) {
  switch (influence) {
    case engagement::v1::INFLUENCE_ADOPTED: return "adopted";
    case engagement::v1::INFLUENCE_PARTLY_ADOPTED: return "partly adopted";
    case engagement::v1::INFLUENCE_NOT_ADOPTED: return "did not adopt";
    default: return "considered";
  }
}

std::string MeasureText(const engagement::v1::OutcomeMeasure& m) {
  return absl::StrCat(m.agreed().display(), " of ", m.answered().display(),
                      m.percent_suppressed() || m.answered().value() == 0
                          ? ""
                          : absl::StrFormat(" (%.0f%%)", m.percent_agreed()));
}

}  // namespace

absl::StatusOr<engagement::v1::SessionSummary> BuildSessionSummary(const StateReader& evidence,
                                                                   absl::string_view org,
                                                                   absl::string_view session_id,
                                                                   bool exact) {
  if (absl::Status zone = CheckUkTimeZone(); !zone.ok()) return zone;
  absl::StatusOr<EvidenceSnapshot> loaded = EvidenceSnapshot::Load(evidence, org);
  if (!loaded.ok()) return loaded.status();
  const EvidenceSnapshot& ev = *loaded;
  auto found = ev.sessions.find(std::string(session_id));
  if (found == ev.sessions.end()) {
    return absl::NotFoundError(absl::StrCat("session ", session_id, " does not exist in ", org));
  }
  const records::SessionRecord& s = found->second;
  engagement::v1::SessionSummary out;
  out.set_session_id(std::string(session_id));
  out.set_title(s.title());
  out.set_date(FormatUkDate(s.held_at()));
  out.set_method(LabelOf(CodeOf(engagement::v1::EngagementMethod_descriptor(), s.method())));
  auto engagement = ev.engagements.find(s.engagement_id());
  if (engagement != ev.engagements.end()) out.set_engagement_title(engagement->second.title());
  uint64_t registered = 0;
  for (const std::string& p : s.attendees()) registered += ev.participants.contains(p);
  *out.mutable_people_took_part() = CountPeople(registered + s.unregistered(), exact);
  out.set_independent_facilitator(s.independent_facilitator());

  // What was heard, in the order it was recorded, and what became of it.
  std::vector<const records::InsightRecord*> heard;
  std::vector<std::string> heard_ids;
  for (const auto& [id, i] : ev.insights) {
    if (std::find(i.session_ids().begin(), i.session_ids().end(), session_id) != i.session_ids().end()) {
      heard.push_back(&i);
      heard_ids.push_back(id);
    }
  }
  std::vector<size_t> order(heard.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return heard[a]->position() < heard[b]->position(); });
  std::vector<std::string> next;
  auto ret = ev.returns.find(std::string(session_id));
  if (ret != ev.returns.end() && !ret->second.next_steps().empty()) {
    next.push_back(ret->second.next_steps());
  }
  for (size_t k : order) {
    const auto& insight = *heard[k];
    auto* item = out.add_heard();
    item->set_insight_id(heard_ids[k]);
    item->set_theme(insight.theme());
    item->set_summary(insight.summary());
    for (const auto* link : ev.Decisions(insight)) {
      const auto& d = ev.decisions.at(link->decision_id());
      next.push_back(absl::StrCat("On ", FormatUkDate(link->decided_at()), " the ", d.body_name(),
                                  " ", InfluenceWords(link->influence()), " \"", insight.theme(),
                                  "\": ", link->reason()));
    }
  }
  // The engagement's later sessions.
  std::vector<const records::SessionRecord*> later;
  for (const auto& [id, other] : ev.sessions) {
    if (other.engagement_id() == s.engagement_id() && other.held_at() > s.held_at()) {
      later.push_back(&other);
    }
  }
  std::sort(later.begin(), later.end(),
            [](const auto* a, const auto* b) { return a->held_at() < b->held_at(); });
  for (const auto* other : later) {
    next.push_back(absl::StrCat("Next session: ", other->title(), " on ",
                                FormatUkDate(other->held_at()), "."));
  }
  if (next.empty()) next.push_back("Nothing has been recorded yet about what happens next.");
  for (std::string& line : next) out.add_what_happens_next(std::move(line));

  std::vector<const records::EvaluationFormRecord*> forms;
  for (const auto& [id, form] : ev.forms) {
    if (form.session_id() == session_id) forms.push_back(&form);
  }
  *out.mutable_evaluation_forms() = CountPeople(forms.size(), exact);
  AddFormOutcomes(forms, exact, out.mutable_outcomes());
  return out;
}

std::string SessionSummaryHtml(const engagement::v1::SessionSummary& s,
                               const engagement::v1::Provenance& provenance) {
  HtmlPage page;
  page.Begin(absl::StrCat("Summary of the session: ", s.title(), ", ", s.date()));
  page.Paragraph(absl::StrCat(
      "Thank you for taking part. This is what we heard at the ", Escape(s.method()),
      " on ", Escape(s.date()), " (", Escape(s.engagement_title()), "), and what happens next. ",
      "Numbers of people from 1 to 7 are shown as *, and others are rounded to the nearest 5, so "
      "that no one can be recognised."));
  page.Table("About the session", {"Measure", "Figure"},
             {{"People who took part", s.people_took_part().display()},
              {"Independently facilitated", s.independent_facilitator() ? "Yes" : "No"},
              {"Evaluation forms returned", s.evaluation_forms().display()}});
  page.Heading("What we heard");
  std::vector<std::vector<std::string>> rows;
  for (const auto& h : s.heard()) rows.push_back({Escape(h.theme()), Escape(h.summary())});
  page.Table("What people said", {"Theme", "What we heard"}, rows);
  page.Heading("What happens next");
  rows.clear();
  for (const auto& line : s.what_happens_next()) rows.push_back({Escape(line)});
  page.Table("Next steps", {"What happens next"}, rows);
  page.Heading("What you told us about the session");
  rows.clear();
  for (const auto& m : s.outcomes()) rows.push_back({Escape(m.label()), MeasureText(m)});
  page.Table("Evaluation forms: people who agreed or strongly agreed", {"Statement", "People"},
             rows);
  page.Paragraph(absl::StrCat("<span class=\"note\">From the engagement ledger at log position ",
                              provenance.position(), ", head hash <code>",
                              ledger::ToHex(provenance.head_hash()), "</code>.</span>"));
  return page.Finish();
}

std::string SessionSummaryCsv(const engagement::v1::SessionSummary& s) {
  CsvWriter csv;
  csv.Table("Session", {"measure", "label", "value"});
  csv.Row({"session_id", "Session", s.session_id()});
  csv.Row({"title", "Title", s.title()});
  csv.Row({"date", "Date", s.date()});
  csv.Row({"method", "Method", s.method()});
  csv.Row({"engagement_title", "Engagement", s.engagement_title()});
  csv.Row({"people_took_part", "People who took part", s.people_took_part().display()});
  csv.Row({"independent_facilitator", "Independently facilitated",
           s.independent_facilitator() ? "true" : "false"});
  csv.Row({"evaluation_forms", "Evaluation forms returned", s.evaluation_forms().display()});
  csv.Table("What we heard", {"insight_id", "theme", "summary"});
  for (const auto& h : s.heard()) csv.Row({h.insight_id(), h.theme(), h.summary()});
  csv.Table("What happens next", {"step"});
  for (const auto& line : s.what_happens_next()) csv.Row({line});
  csv.Table("Evaluation forms", {"code", "label", "agreed", "answered", "percent_agreed"});
  for (const auto& m : s.outcomes()) {
    csv.Row({m.code(), m.label(), m.agreed().display(), m.answered().display(),
             m.percent_suppressed() ? "*" : absl::StrFormat("%.1f", m.percent_agreed())});
  }
  return csv.Take();
}

}  // namespace projections
