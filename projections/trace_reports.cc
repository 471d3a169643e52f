#include "projections/trace_reports.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "projections/assurance_report.h"
#include "projections/evidence_snapshot.h"
#include "projections/labels.h"
#include "projections/suppression.h"
#include "projections/uk_time.h"

namespace projections {
namespace {

using engagement::v1::TraceStep;

std::string InfluenceWords(engagement::v1::Influence influence) {
  switch (influence) {
    case engagement::v1::INFLUENCE_ADOPTED: return "adopted";
    case engagement::v1::INFLUENCE_PARTLY_ADOPTED: return "partly adopted";
    case engagement::v1::INFLUENCE_NOT_ADOPTED: return "did not adopt";
    default: return "considered";
  }
}

void Step(TraceStep* step, absl::string_view kind, absl::string_view id, std::string text,
          uint64_t position, int64_t at) {
  step->set_kind(std::string(kind));
  step->set_id(std::string(id));
  step->set_text(std::move(text));
  step->set_position(position);
  step->set_date(FormatDay(at));
}

void AddFeedback(const EvidenceSnapshot& ev, const std::string& feedback_id,
                 std::set<std::string>* seen, engagement::v1::GetTraceabilityResponse* out) {
  auto it = ev.feedback.find(feedback_id);
  if (it == ev.feedback.end() || !seen->insert(feedback_id).second) return;
  Step(out->add_feedback(), "feedback", feedback_id, it->second.summary(), it->second.position(),
       it->second.given_at());
}

}  // namespace

absl::StatusOr<engagement::v1::GetTraceabilityResponse> TraceInsight(const StateReader& evidence,
                                                                     absl::string_view org,
                                                                     absl::string_view insight_id,
                                                                     bool exact) {
  absl::StatusOr<EvidenceSnapshot> loaded = EvidenceSnapshot::Load(evidence, org);
  if (!loaded.ok()) return loaded.status();
  const EvidenceSnapshot& ev = *loaded;
  auto it = ev.insights.find(std::string(insight_id));
  if (it == ev.insights.end()) {
    return absl::NotFoundError(absl::StrCat("insight ", insight_id, " does not exist in ", org));
  }
  const auto& insight = it->second;
  engagement::v1::GetTraceabilityResponse out;
  Step(out.mutable_origin(), "insight", insight_id,
       absl::StrCat(insight.theme(), ": ", insight.summary()), insight.position(),
       insight.recorded_at());
  std::set<std::string> seen;
  for (const auto* link : ev.Decisions(insight)) {
    const auto& decision = ev.decisions.at(link->decision_id());
    Step(out.add_linked(), "decision", link->decision_id(),
         absl::StrCat(decision.body_name(), " (", decision.paper_reference(), "): ",
                      InfluenceWords(link->influence()), ". ", link->reason()),
         link->position(), link->decided_at());
    for (const auto& f : decision.feedback()) AddFeedback(ev, f.feedback_id(), &seen, &out);
  }
  for (const auto& c : insight.considerations()) {
    Step(out.add_linked(), "consideration", "",
         absl::StrCat("considered by ", c.body_name(), " (", c.reference(), ")"), c.position(),
         c.considered_at());
  }
  for (const auto& f : insight.feedback()) AddFeedback(ev, f.feedback_id(), &seen, &out);
  for (const std::string& s : insight.session_ids()) {
    auto session = ev.sessions.find(s);
    if (session == ev.sessions.end()) continue;
    Step(out.add_sessions(), "session", s, session->second.title(), session->second.position(),
         session->second.held_at());
  }
  (void)exact;
  return out;
}

absl::StatusOr<engagement::v1::GetTraceabilityResponse> TraceDecision(const StateReader& evidence,
                                                                      absl::string_view org,
                                                                      absl::string_view decision_id,
                                                                      bool exact) {
  absl::StatusOr<EvidenceSnapshot> loaded = EvidenceSnapshot::Load(evidence, org);
  if (!loaded.ok()) return loaded.status();
  const EvidenceSnapshot& ev = *loaded;
  auto it = ev.decisions.find(std::string(decision_id));
  if (it == ev.decisions.end()) {
    return absl::NotFoundError(absl::StrCat("decision ", decision_id, " does not exist in ", org));
  }
  const auto& decision = it->second;
  engagement::v1::GetTraceabilityResponse out;
  Step(out.mutable_origin(), "decision", decision_id,
       absl::StrCat(decision.body_name(), " (", decision.paper_reference(), "): ",
                    decision.summary()),
       decision.position(), decision.decided_at());
  std::set<std::string> session_ids, seen;
  for (const std::string& id : decision.insight_ids()) {
    auto insight = ev.insights.find(id);
    if (insight == ev.insights.end()) continue;
    Step(out.add_linked(), "insight", id,
         absl::StrCat(insight->second.theme(), ": ", insight->second.summary()),
         insight->second.position(), insight->second.recorded_at());
    for (const std::string& s : insight->second.session_ids()) session_ids.insert(s);
  }
  for (const auto& f : decision.feedback()) AddFeedback(ev, f.feedback_id(), &seen, &out);
  std::set<std::string> people;
  for (const std::string& s : session_ids) {
    auto session = ev.sessions.find(s);
    if (session == ev.sessions.end()) continue;
    Step(out.add_sessions(), "session", s, session->second.title(), session->second.position(),
         session->second.held_at());
    for (const std::string& p : session->second.attendees()) {
      if (ev.participants.contains(p)) people.insert(p);
    }
  }
  *out.mutable_people() = CountPeople(people.size(), exact);
  std::map<std::string, uint64_t> by_group;
  for (const std::string& p : people) {
    for (int g : ev.participants.at(p).priority_groups()) {
      ++by_group[engagement::v1::PriorityGroup_Name(static_cast<engagement::v1::PriorityGroup>(g))];
    }
  }
  for (const auto& [group, n] : by_group) {
    auto* reach = out.add_people_by_priority_group();
    reach->set_group(group);
    reach->set_label(LabelOf(group));
    *reach->mutable_reached() = CountPeople(n, exact);
    reach->set_reached_share_percent(PercentOf(reach->reached(), out.people()));
    reach->set_reached_share_suppressed(reach->reached().suppressed() || out.people().suppressed());
  }
  return out;
}

namespace {

// "We did": what the decisions (by `body` when not empty) did with the insight, in plain English.
std::string WeDid(const EvidenceSnapshot& ev, const records::InsightRecord& insight,
                  absl::string_view body) {
  std::vector<std::string> done;
  for (const auto* link : ev.Decisions(insight)) {
    const auto& d = ev.decisions.at(link->decision_id());
    if (!body.empty() && d.body_name() != body) continue;
    done.push_back(absl::StrCat("On ", FormatUkDate(link->decided_at()), " the ", d.body_name(),
                                " ", InfluenceWords(link->influence()), " this: ", link->reason()));
  }
  if (done.empty()) {
    for (int k = insight.considerations_size() - 1; k >= 0; --k) {
      const auto& c = insight.considerations(k);
      if (!body.empty() && c.body_name() != body) continue;
      done.push_back(absl::StrCat("The ", c.body_name(), " considered this on ",
                                  FormatUkDate(c.considered_at()),
                                  "; no decision has been made yet."));
      break;
    }
  }
  if (done.empty()) done.push_back("No decision has been made on this yet.");
  return absl::StrJoin(done, " ");
}

void AddItem(const EvidenceSnapshot& ev, const std::string& id, absl::string_view body,
             engagement::v1::GetYouSaidWeDidResponse* out) {
  const auto& insight = ev.insights.at(id);
  auto* item = out->add_items();
  item->set_insight_id(id);
  item->set_position(insight.position());
  item->set_you_said(insight.summary());
  item->set_we_did(WeDid(ev, insight, body));
  auto e = ev.engagements.find(insight.engagement_id());
  if (e != ev.engagements.end()) item->set_engagement_title(e->second.title());
}

}  // namespace

absl::StatusOr<engagement::v1::GetYouSaidWeDidResponse> BuildYouSaidWeDid(
    const StateReader& evidence, absl::string_view org, absl::string_view engagement_id) {
  absl::StatusOr<EvidenceSnapshot> loaded = EvidenceSnapshot::Load(evidence, org);
  if (!loaded.ok()) return loaded.status();
  const EvidenceSnapshot& ev = *loaded;
  auto engagement = ev.engagements.find(std::string(engagement_id));
  if (engagement == ev.engagements.end()) {
    return absl::NotFoundError(absl::StrCat("engagement ", engagement_id, " does not exist in ", org));
  }
  engagement::v1::GetYouSaidWeDidResponse out;
  out.set_engagement_title(engagement->second.title());
  std::vector<std::pair<uint64_t, std::string>> order;
  for (const auto& [id, insight] : ev.insights) {
    if (insight.engagement_id() == engagement_id) order.emplace_back(insight.position(), id);
  }
  std::sort(order.begin(), order.end());
  for (const auto& [position, id] : order) AddItem(ev, id, "", &out);
  return out;
}

absl::StatusOr<engagement::v1::GetYouSaidWeDidResponse> BuildYouSaidWeDidForPeriod(
    const StateReader& evidence, absl::string_view org, absl::string_view period_start,
    absl::string_view period_end, absl::string_view body) {
  if (absl::Status zone = CheckUkTimeZone(); !zone.ok()) return zone;
  absl::StatusOr<absl::CivilDay> first = ParseCivilDay(period_start, "period_start");
  if (!first.ok()) return first.status();
  absl::StatusOr<absl::CivilDay> last = ParseCivilDay(period_end, "period_end");
  if (!last.ok()) return last.status();
  if (*last < *first) return absl::InvalidArgumentError("period_end: must not be before period_start");
  const int64_t start = UkMidnight(*first), end = UkMidnight(*last + 1);
  auto in_period = [&](int64_t t) { return t >= start && t < end; };
  absl::StatusOr<EvidenceSnapshot> loaded = EvidenceSnapshot::Load(evidence, org);
  if (!loaded.ok()) return loaded.status();
  const EvidenceSnapshot& ev = *loaded;
  engagement::v1::GetYouSaidWeDidResponse out;
  out.set_engagement_title(body.empty()
                               ? absl::StrCat("Every engagement, ", period_start, " to ", period_end)
                               : absl::StrCat(body, ", ", period_start, " to ", period_end));
  std::vector<std::pair<uint64_t, std::string>> order;
  for (const auto& [id, insight] : ev.insights) {
    // Decided (or considered) in the period by the body asked for, or, for no body, also heard
    // in the period.
    bool acted = false;
    for (const auto* link : ev.Decisions(insight)) {
      const auto& d = ev.decisions.at(link->decision_id());
      acted = acted || (in_period(link->decided_at()) && (body.empty() || d.body_name() == body));
    }
    for (const auto& c : insight.considerations()) {
      acted = acted || (in_period(c.considered_at()) && (body.empty() || c.body_name() == body));
    }
    if (acted || (body.empty() && in_period(insight.recorded_at()))) {
      order.emplace_back(insight.position(), id);
    }
  }
  std::sort(order.begin(), order.end());
  for (const auto& [position, id] : order) AddItem(ev, id, body, &out);
  return out;
}

}  // namespace projections
