#include "projections/annual_report.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "ledger/hash_chain.h"
#include "projections/csv_writer.h"
#include "projections/evidence_snapshot.h"
#include "projections/html_page.h"
#include "projections/labels.h"
#include "projections/uk_time.h"

namespace projections {
namespace {

using engagement::v1::AnnualReport;
using engagement::v1::AssuranceReport;

// The ten principles, in short (NHS England, "Working in partnership with people and
// communities: statutory guidance", 2022).
constexpr const char* kPrinciples[10] = {
    "Put the voices of people and communities at the centre of decision-making and governance",
    "Start engagement early, involve people at every stage, and feed back how their engagement "
    "influenced decisions",
    "Understand communities' needs, experience, ideas and aspirations, and find out whether "
    "change is working",
    "Build relationships with excluded groups, especially those affected by inequalities",
    "Work with Healthwatch and the voluntary, community and social enterprise sector as key "
    "partners",
    "Provide clear and accessible public information about vision, plans and progress",
    "Use community development approaches that empower people and communities",
    "Use co-production, insight and engagement to achieve accountable health and care services",
    "Co-produce and redesign services and tackle system priorities in partnership with people "
    "and communities",
    "Learn from what works and build on the assets of all partners",
};

// "1 session", "3 sessions".
std::string Plural(uint64_t n, absl::string_view one, absl::string_view many) {
  return absl::StrCat(n, " ", n == 1 ? one : many);
}

uint64_t CountOf(const google::protobuf::RepeatedPtrField<engagement::v1::LabelCount>& list,
                 absl::string_view code) {
  for (const auto& c : list) {
    if (c.code() == code) return c.count();
  }
  return 0;
}

// What the evidence holds beyond the assurance report's figures, for the principles.
struct Extras {
  std::set<std::string> themes;
  std::map<std::string, uint64_t> invitations_by_channel;  // channel code -> invitations
  uint64_t channel_invitations = 0;
  uint64_t feedback_given = 0;
  uint64_t evaluated = 0, aims_met = 0, aims_partly = 0, aims_not_met = 0;
  uint64_t decisions_with_insights = 0;
  std::set<std::string> topics;
  std::vector<engagement::v1::CaseStudy> case_studies;
};

Extras Gather(const EvidenceSnapshot& ev, int64_t start, int64_t end) {
  auto in_period = [&](int64_t t) { return t >= start && t < end; };
  Extras x;
  for (const auto& [id, i] : ev.insights) {
    if (in_period(i.recorded_at())) x.themes.insert(i.theme());
  }
  for (const auto& [id, inv] : ev.invitations) {
    if (!in_period(inv.sent_at()) || inv.channel() == engagement::v1::INVITATION_CHANNEL_UNSPECIFIED) {
      continue;
    }
    ++x.channel_invitations;
    ++x.invitations_by_channel[CodeOf(engagement::v1::InvitationChannel_descriptor(), inv.channel())];
  }
  for (const auto& [id, f] : ev.feedback) x.feedback_given += in_period(f.given_at());
  for (const auto& [id, e] : ev.engagements) {
    bool active = e.opened_at() < end && (e.closed_at() == 0 || e.closed_at() >= start);
    if (!active) continue;
    x.topics.insert(e.topic());
    if (!e.evaluated()) continue;
    ++x.evaluated;
    x.aims_met += e.aims_met() == engagement::v1::AIMS_MET_MET;
    x.aims_partly += e.aims_met() == engagement::v1::AIMS_MET_PARTLY;
    x.aims_not_met += e.aims_met() == engagement::v1::AIMS_MET_NOT_MET;
  }
  for (const auto& [id, d] : ev.decisions) {
    if (!in_period(d.decided_at())) continue;
    bool any = false;
    for (const std::string& i : d.insight_ids()) any = any || ev.insights.contains(i);
    x.decisions_with_insights += any;
  }
  for (const auto& [id, c] : ev.case_studies) {
    if (!in_period(c.recorded_at())) continue;
    engagement::v1::CaseStudy study;
    study.set_case_study_id(id);
    auto e = ev.engagements.find(c.engagement_id());
    if (e != ev.engagements.end()) study.set_engagement_title(e->second.title());
    study.set_title(c.title());
    study.set_beginning(c.beginning());
    study.set_middle(c.middle());
    study.set_end(c.end());
    study.set_impact(c.impact());
    x.case_studies.push_back(std::move(study));
  }
  return x;
}

std::string Median(const AssuranceReport& r, bool to_decision) {
  bool has = to_decision ? r.has_median_days_insight_to_decision()
                         : r.has_median_days_decision_to_feedback();
  double days = to_decision ? r.median_days_insight_to_decision()
                            : r.median_days_decision_to_feedback();
  if (!has) return "no data yet";
  return days == static_cast<int64_t>(days) ? absl::StrFormat("%d days", static_cast<int64_t>(days))
                                            : absl::StrFormat("%.1f days", days);
}

void AddPrinciples(const AssuranceReport& r, const Extras& x, AnnualReport& out) {
  std::vector<std::vector<std::string>> evidence(10);
  evidence[0] = {
      absl::StrCat(r.decisions(), " decisions recorded; ", x.decisions_with_insights,
                   " of them considered what people had said"),
      absl::StrCat(r.duty_applied_without_insight_size(),
                   " decisions where the duty to involve applied but no insight was considered")};
  evidence[1] = {
      absl::StrCat("engagements by commissioning stage: needs assessment ",
                   CountOf(r.engagements_by_stage(), "COMMISSIONING_STAGE_NEEDS_ASSESSMENT"),
                   ", planning ", CountOf(r.engagements_by_stage(), "COMMISSIONING_STAGE_PLANNING"),
                   ", service design ",
                   CountOf(r.engagements_by_stage(), "COMMISSIONING_STAGE_SERVICE_DESIGN"),
                   ", monitoring ", CountOf(r.engagements_by_stage(), "COMMISSIONING_STAGE_MONITORING")),
      absl::StrFormat("%d of %d insights fed back to the people who raised them (%.0f%%); median "
                      "time from decision to feedback %s",
                      r.insights_fed_back(), r.insights_recorded(), r.percent_fed_back(),
                      Median(r, false))};
  evidence[2] = {absl::StrCat(r.insights_recorded(), " insights recorded, on ", x.themes.size(),
                              " themes"),
                 absl::StrCat(x.evaluated, " of ", r.engagements(),
                              " engagements evaluated (finishing properly)")};
  std::vector<std::string> groups;
  for (const auto& g : r.reach_by_priority_group()) {
    groups.push_back(absl::StrCat(g.label(), " ", g.reached().display(), " reached of ",
                                  g.planned().display(), " planned"));
  }
  evidence[3] = {absl::StrCat("people from the most deprived 20% of areas (Core20): ",
                              r.reach_core20().reached().display(), " reached")};
  if (!groups.empty()) evidence[3].push_back(absl::StrJoin(groups, "; "));
  std::vector<std::string> channels;
  for (const auto& [code, n] : x.invitations_by_channel) {
    channels.push_back(absl::StrCat(LabelOf(code), " ", n));
  }
  evidence[4] = {absl::StrCat(
      x.channel_invitations, " invitations through partners and channels",
      channels.empty() ? "" : absl::StrCat(": ", absl::StrJoin(channels, "; ")))};
  uint64_t informed = 0;
  bool suppressed = false;
  for (const auto& o : r.outcomes()) {
    informed += o.people_informed().value();
    suppressed = suppressed || o.people_informed().suppressed();
  }
  evidence[5] = {absl::StrCat("people reached with information: ", informed,
                              suppressed ? " (and some small numbers not shown)" : ""),
                 absl::StrCat(x.feedback_given, " pieces of feedback given to participants and "
                                                "the public")};
  uint64_t paid = 0;
  for (const auto& a : r.reimbursements_by_role_type()) {
    if (a.code() == "PPV_ROLE_TYPE_3" || a.code() == "PPV_ROLE_TYPE_4") paid += a.count();
  }
  evidence[6] = {absl::StrCat(CountOf(r.sessions_by_method(), "ENGAGEMENT_METHOD_COMMUNITY_OUTREACH"),
                              " community outreach sessions"),
                 absl::StrCat(paid, " reimbursements to Patient and Public Voice partners in "
                                    "regular or strategic roles (role types 3 and 4)")};
  evidence[7] = {absl::StrFormat("%d insights adopted or partly adopted (%.0f%% of the insights "
                                 "recorded)",
                                 r.insights_adopted_or_partly(),
                                 r.percent_adopted_or_partly_of_recorded()),
                 absl::StrCat(CountOf(r.engagements_by_spectrum(), "SPECTRUM_LEVEL_INVOLVE") +
                                  CountOf(r.engagements_by_spectrum(), "SPECTRUM_LEVEL_CO_PRODUCE"),
                              " of ", r.engagements(),
                              " engagements at 'involve' or 'co-produce' on the spectrum")};
  uint64_t co_aims = 0;
  for (const auto& o : r.outcomes()) {
    if (o.level() == "SPECTRUM_LEVEL_CO_PRODUCE") co_aims = o.engagements_with_aims_met();
  }
  evidence[8] = {absl::StrCat(CountOf(r.engagements_by_spectrum(), "SPECTRUM_LEVEL_CO_PRODUCE"),
                              " co-production engagements; ", co_aims,
                              " closed in the year with their aims met")};
  evidence[9] = {absl::StrCat(x.evaluated, " engagements evaluated: aims met ", x.aims_met,
                              ", partly met ", x.aims_partly, ", not met ", x.aims_not_met),
                 absl::StrCat(x.case_studies.size(), " case studies written"),
                 absl::StrCat(r.sessions_with_complete_record(), " of ", r.sessions_held(),
                              " sessions with a complete record (activity return and evaluation)")};
  for (int n = 0; n < 10; ++n) {
    auto* p = out.add_principles();
    p->set_number(n + 1);
    p->set_principle(kPrinciples[n]);
    for (std::string& line : evidence[n]) p->add_evidence(std::move(line));
  }
}

void AddDraftText(const AssuranceReport& r, const Extras& x, AnnualReport& out) {
  std::vector<std::string> topics(x.topics.begin(), x.topics.end());
  if (topics.size() > 6) topics.resize(6);
  out.add_draft_text(absl::StrCat(
      "Between ", FormatUkDate(UkMidnight(*ParseCivilDay(r.period_start(), "period_start"))),
      " and ", FormatUkDate(UkMidnight(*ParseCivilDay(r.period_end(), "period_end"))), ", ",
      r.organisation(), " involved the public in ",
      Plural(r.engagements(), "piece of engagement", "pieces of engagement"),
      topics.empty() ? "" : absl::StrCat(", on ", absl::StrJoin(topics, ", ")), ". We held ",
      Plural(r.sessions_held(), "session", "sessions"), ", at which ",
      r.participants_reached().display(),
      " registered participants and ", r.unregistered_attendees().display(),
      " other people took part."));
  out.add_draft_text(absl::StrFormat(
      "People told us %s that we recorded as insights. %.0f%% of them were considered by a "
      "body that made a decision, %.0f%% were adopted or partly adopted, and %.0f%% were reported "
      "back to the people who raised them. The median time from hearing something to a decision "
      "on it was %s, and from a decision to telling people about it %s.",
      Plural(r.insights_recorded(), "thing", "things"), r.percent_considered(),
      r.percent_adopted_or_partly_of_recorded(),
      r.percent_fed_back(), Median(r, true), Median(r, false)));
  out.add_draft_text(
      r.duty_applied_without_insight_size() == 0
          ? absl::StrCat("Where the duty to involve the public applied (section 14Z45 of the NHS "
                         "Act 2006), every decision recorded in the year considered what people had "
                         "said.")
          : absl::StrCat("Where the duty to involve the public applied (section 14Z45 of the NHS "
                         "Act 2006), ",
                         r.duty_applied_without_insight_size() == 1
                             ? "1 decision was"
                             : absl::StrCat(r.duty_applied_without_insight_size(), " decisions were"),
                         " taken without considering any insight from the public; the evidence "
                         "lists them."));
  out.add_draft_text(absl::StrCat(
      "We reached ", r.reach_core20().reached().display(),
      " people from the most deprived fifth of areas, and we worked through ", x.channel_invitations,
      " invitations sent through GP practices, patient participation groups, Healthwatch and "
      "voluntary and community organisations."));
  for (const auto& o : r.outcomes()) {
    if (o.evaluation_forms().value() == 0) continue;
    std::vector<std::string> said;
    for (const auto& m : o.outcomes()) {
      if (!m.percent_suppressed()) {
        said.push_back(absl::StrFormat("%.0f%% agreed that \"%s\"", m.percent_agreed(), m.label()));
      }
    }
    if (said.empty()) continue;
    out.add_draft_text(absl::StrCat("Of the people who filled in an evaluation form after taking "
                                    "part at the '", o.label(), "' level (",
                                    o.evaluation_forms().display(), " forms), ",
                                    absl::StrJoin(said, "; "), "."));
  }
  if (!x.case_studies.empty()) {
    std::vector<std::string> titles;
    for (const auto& c : x.case_studies) titles.push_back(absl::StrCat("\"", c.title(), "\""));
    out.add_draft_text(absl::StrCat("The case studies below tell the story of ",
                                    absl::StrJoin(titles, ", "), "."));
  }
  out.add_draft_text(
      "Numbers of people from 1 to 7 are shown as *, and other numbers of people are rounded to the "
      "nearest 5, so that no one can be recognised.");
}

}  // namespace

absl::StatusOr<AnnualReport> BuildAnnualReport(const StateReader& evidence,
                                               const AssuranceQuery& query) {
  absl::StatusOr<AssuranceReport> figures = BuildAssuranceReport(evidence, query);
  if (!figures.ok()) return figures.status();
  absl::StatusOr<EvidenceSnapshot> loaded = EvidenceSnapshot::Load(evidence, query.organisation);
  if (!loaded.ok()) return loaded.status();
  const int64_t start = UkMidnight(*ParseCivilDay(query.period_start, "period_start"));
  const int64_t end = UkMidnight(*ParseCivilDay(query.period_end, "period_end") + 1);
  Extras extras = Gather(*loaded, start, end);
  AnnualReport out;
  out.set_organisation(query.organisation);
  out.set_period_start(query.period_start);
  out.set_period_end(query.period_end);
  AddDraftText(*figures, extras, out);
  AddPrinciples(*figures, extras, out);
  *out.mutable_domains() = figures->domains();
  for (auto& study : extras.case_studies) *out.add_case_studies() = std::move(study);
  *out.mutable_figures() = *std::move(figures);
  return out;
}

std::string AnnualReportHtml(const AnnualReport& r) {
  HtmlPage page;
  page.Begin(absl::StrCat("Annual report: how ", r.organisation(),
                          " involved the public, ", r.period_start(), " to ", r.period_end()));
  page.Paragraph(
      "<span class=\"note\">A draft of the annual report's section on the duty to involve the "
      "public (NHS Act 2006, sections 14Z45 and 14Z58). Every figure comes from the engagement "
      "ledger; edit the words, not the figures.</span>");
  page.Heading("Draft text");
  for (const auto& paragraph : r.draft_text()) page.Paragraph(Escape(paragraph));
  page.Heading("Evidence against the ten principles");
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : r.principles()) {
    std::string lines;
    for (const auto& line : p.evidence()) absl::StrAppend(&lines, Escape(line), "<br>");
    rows.push_back({absl::StrCat(p.number()), Escape(p.principle()), lines});
  }
  page.Table("NHS England's ten principles for working in partnership with people and communities "
             "(statutory guidance, 2022)",
             {"No.", "Principle", "Evidence"}, rows);
  page.Heading("Evidence against the five assessment domains");
  rows.clear();
  for (const auto& d : r.domains()) {
    std::string lines;
    for (const auto& line : d.evidence()) absl::StrAppend(&lines, Escape(line), "<br>");
    rows.push_back({Escape(d.domain()), lines});
  }
  page.Table("Domains A to E of the NHS England assessment of public involvement",
             {"Domain", "Evidence"}, rows);
  page.Heading("Case studies");
  if (r.case_studies().empty()) page.Paragraph("No case studies were written in the year.");
  for (const auto& c : r.case_studies()) {
    page.Table(absl::StrCat(c.title(), " (", c.engagement_title(), ")"), {"Part", "What happened"},
               {{"The beginning", Escape(c.beginning())},
                {"The middle", Escape(c.middle())},
                {"The end", Escape(c.end())},
                {"The impact", Escape(c.impact())}});
  }
  page.Paragraph(absl::StrCat("<span class=\"note\">From the engagement ledger at log position ",
                              r.provenance().position(), ", head hash <code>",
                              ledger::ToHex(r.provenance().head_hash()), "</code>.</span>"));
  return page.Finish();
}

std::string AnnualReportCsv(const AnnualReport& r) {
  CsvWriter csv;
  csv.Table("Draft text", {"paragraph", "text"});
  for (int i = 0; i < r.draft_text_size(); ++i) csv.Row({absl::StrCat(i + 1), r.draft_text(i)});
  csv.Table("Ten principles", {"number", "principle", "evidence"});
  for (const auto& p : r.principles()) {
    for (const auto& line : p.evidence()) csv.Row({absl::StrCat(p.number()), p.principle(), line});
  }
  csv.Table("Assessment domains", {"domain", "evidence"});
  for (const auto& d : r.domains()) {
    for (const auto& line : d.evidence()) csv.Row({d.domain(), line});
  }
  csv.Table("Case studies", {"case_study_id", "engagement", "title", "beginning", "middle", "end",
                             "impact"});
  for (const auto& c : r.case_studies()) {
    csv.Row({c.case_study_id(), c.engagement_title(), c.title(), c.beginning(), c.middle(), c.end(),
             c.impact()});
  }
  csv.Table("Provenance", {"log_position", "head_hash"});
  csv.Row({absl::StrCat(r.provenance().position()), ledger::ToHex(r.provenance().head_hash())});
  return csv.Take();
}

}  // namespace projections
