#include "services/report_service.h"

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ledger/envelope_validation.h"
#include "ledger/hash_chain.h"
#include "ledger/uuid.h"
#include "projections/annual_report.h"
#include "projections/assurance_report.h"
#include "projections/session_summary.h"
#include "projections/evidence_projection.h"
#include "projections/evidence_snapshot.h"
#include "projections/trace_reports.h"
#include "services/grpc_status.h"

namespace services {
namespace {

absl::Status CheckOrganisation(const std::string& org) {
  if (!ledger::IsOdsCode(org)) {
    return absl::InvalidArgumentError(
        "organisation: must be an ODS code (3 to 10 capital letters or digits, e.g. \"QWE\")");
  }
  return absl::OkStatus();
}

absl::Status CheckUuid(const std::string& id, absl::string_view field) {
  if (!ledger::IsUuid(id)) return absl::InvalidArgumentError(absl::StrCat(field, ": must be a UUID"));
  return absl::OkStatus();
}

}  // namespace

absl::Status ReportServiceImpl::AuthorizeReport(const grpc::ServerContext& context,
                                                const std::string& organisation,
                                                bool exact) const {
  absl::StatusOr<CallerPtr> caller = auth_->Authenticate(context);
  if (!caller.ok()) return caller.status();
  absl::Status valid = CheckOrganisation(organisation);
  if (!valid.ok()) return valid;
  absl::Status allowed = (*caller)->RequireOneOf(
      {engagement::v1::ROLE_READER, engagement::v1::ROLE_AUDITOR}, organisation);
  if (allowed.ok() && exact) {
    // Readers always get suppressed figures: exact ones could single a person out.
    allowed = (*caller)->Require(engagement::v1::ROLE_AUDITOR, organisation);
  }
  return allowed;
}

absl::StatusOr<uint64_t> ReportServiceImpl::PositionAt(
    const google::protobuf::Timestamp& time) const {
  // recorded_at does not decrease along the log, so binary search over positions.
  auto nanos = [](const google::protobuf::Timestamp& t) {
    return static_cast<__int128>(t.seconds()) * 1000000000 + t.nanos();
  };
  auto recorded = [&](uint64_t position) -> absl::StatusOr<__int128> {
    ledger::LogReadOptions options;
    options.from_position = position;
    options.to_position = position;
    __int128 at = 0;
    absl::Status s = log_->ReadLog(options, [&](const engagement::v1::Event& e, absl::string_view) {
      at = nanos(e.recorded_at());
      return false;
    });
    if (!s.ok()) return s;
    return at;
  };
  uint64_t low = 0, high = log_->Head().position;  // answer in [low, high]
  while (low < high) {
    uint64_t mid = low + (high - low + 1) / 2;
    absl::StatusOr<__int128> at = recorded(mid);
    if (!at.ok()) return at.status();
    if (*at <= nanos(time)) {
      low = mid;
    } else {
      high = mid - 1;
    }
  }
  return low;
}

absl::Status ReportServiceImpl::TakeReplaySlot() {
  int running = replays_.fetch_add(1);
  if (running < max_replays_) return absl::OkStatus();
  replays_.fetch_sub(1);
  return absl::ResourceExhaustedError(absl::StrCat(
      "as_of: ", running, " reports as of an earlier point are being computed, the server's limit "
      "(ledgerd --max_concurrent_replays); retry shortly, or ask for the report at the head"));
}

void ReportServiceImpl::ReturnReplaySlot() { replays_.fetch_sub(1); }

absl::Status ReportServiceImpl::WithEvidence(
    const std::string& organisation, const engagement::v1::AsOf* as_of, bool exact,
    engagement::v1::Provenance* provenance,
    absl::FunctionRef<absl::Status(const projections::StateReader&)> build) {
  uint64_t position = 0;
  std::string digest;
  // The digest is taken from the very state the report is built from.
  auto digest_and_build = [&](const projections::StateReader& state) {
    absl::StatusOr<std::string> taken = projections::EvidenceStateDigest(state, organisation);
    if (!taken.ok()) return taken.status();
    digest = *std::move(taken);
    return build(state);
  };
  absl::Status built;
  bool historical = as_of != nullptr && as_of->point_case() != engagement::v1::AsOf::POINT_NOT_SET;
  if (historical) {
    if (as_of->has_recorded_at()) {
      absl::StatusOr<uint64_t> found = PositionAt(as_of->recorded_at());
      if (!found.ok()) return found.status();
      position = *found;
    } else {
      position = as_of->position();
      if (position > log_->Head().position) {
        return absl::InvalidArgumentError(absl::StrCat("as_of.position: beyond the head (",
                                                       log_->Head().position, ")"));
      }
    }
    if (absl::Status slot = TakeReplaySlot(); !slot.ok()) return slot;
    absl::Cleanup give_back = [this] { ReturnReplaySlot(); };
    // From the projection's history when it reaches that far and the caller did not ask for the
    // log itself; else by replaying the log.
    bool from_history = !as_of->from_log();
    if (from_history) {
      built = runner_->ReadAsOf("evidence", position, digest_and_build);
      from_history = !absl::IsUnavailable(built);  // UNAVAILABLE: no history reaches that far
    }
    if (!from_history) {
      projections::EvidenceProjection projection(keys_);
      projections::MemoryState state;
      absl::Status replayed = projections::ReplayInMemory(*log_, projection, position, state);
      if (!replayed.ok()) return replayed;
      built = digest_and_build(state);
    }
  } else {
    built = runner_->ReadAtHead("evidence", [&](const projections::StateReader& state,
                                                uint64_t at) {
      position = at;
      return digest_and_build(state);
    });
  }
  if (!built.ok()) return built;
  provenance->set_position(position);
  provenance->set_projection("evidence");
  provenance->set_projection_version(projections::EvidenceProjection::kVersion);
  provenance->set_report_version(projections::kReportVersion);
  provenance->set_exact_figures(exact);
  provenance->set_state_digest(digest);
  std::string hash = ledger::GenesisHash();
  if (position > 0) {
    ledger::LogReadOptions options;
    options.from_position = position;
    options.to_position = position;
    absl::Status s = log_->ReadLog(options, [&](const engagement::v1::Event& e, absl::string_view) {
      hash = e.hash();
      return false;
    });
    if (!s.ok()) return s;
  }
  provenance->set_head_hash(hash);
  return absl::OkStatus();
}

grpc::Status ReportServiceImpl::GetAssuranceReport(
    grpc::ServerContext* context, const engagement::v1::GetAssuranceReportRequest* request,
    engagement::v1::GetAssuranceReportResponse* response) {
  absl::Status valid =
      AuthorizeReport(*context, request->organisation(), request->exact_figures());
  if (!valid.ok()) return ToGrpcStatus(valid);
  projections::AssuranceQuery query;
  query.organisation = request->organisation();
  query.period_start = request->period_start();
  query.period_end = request->period_end();
  query.exact_figures = request->exact_figures();
  if (request->open_loop_days() != 0) query.open_loop_days = request->open_loop_days();
  if (request->minimum_consultation_days() != 0) {
    query.minimum_consultation_days = request->minimum_consultation_days();
  }
  query.core20_population_percent = request->core20_population_percent();
  // Written so that NaN fails too (every comparison with NaN is false).
  if (!(query.core20_population_percent >= 0 && query.core20_population_percent <= 100)) {
    return ToGrpcStatus(
        absl::InvalidArgumentError("core20_population_percent: must be a number from 0 to 100"));
  }
  for (const auto& [group, share] : request->population_share_percent()) {
    if (!(share >= 0 && share <= 100)) {
      return ToGrpcStatus(absl::InvalidArgumentError(absl::StrCat(
          "population_share_percent[", Shown(group), "]: must be a number from 0 to 100")));
    }
    query.population_share_percent[group] = share;
  }
  // Check the dates before any work.
  for (auto [text, field] : {std::pair{&query.period_start, "period_start"},
                             std::pair{&query.period_end, "period_end"}}) {
    absl::StatusOr<int64_t> day = projections::ParseDay(*text, field);
    if (!day.ok()) return ToGrpcStatus(day.status());
  }
  engagement::v1::Provenance provenance;
  absl::Status s = WithEvidence(
      request->organisation(), request->has_as_of() ? &request->as_of() : nullptr, query.exact_figures, &provenance,
      [&](const projections::StateReader& state) {
        absl::StatusOr<engagement::v1::AssuranceReport> report =
            projections::BuildAssuranceReport(state, query);
        if (!report.ok()) return report.status();
        *response->mutable_report() = *std::move(report);
        return absl::OkStatus();
      });
  if (!s.ok()) return ToGrpcStatus(s);
  *response->mutable_report()->mutable_provenance() = provenance;
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::GetTraceability(
    grpc::ServerContext* context, const engagement::v1::GetTraceabilityRequest* request,
    engagement::v1::GetTraceabilityResponse* response) {
  absl::Status valid =
      AuthorizeReport(*context, request->organisation(), request->exact_figures());
  if (valid.ok()) {
    switch (request->from_case()) {
      case engagement::v1::GetTraceabilityRequest::kInsightId:
        valid = CheckUuid(request->insight_id(), "insight_id");
        break;
      case engagement::v1::GetTraceabilityRequest::kDecisionId:
        valid = CheckUuid(request->decision_id(), "decision_id");
        break;
      default:
        valid = absl::InvalidArgumentError("from: set insight_id or decision_id");
    }
  }
  if (!valid.ok()) return ToGrpcStatus(valid);
  engagement::v1::Provenance provenance;
  absl::Status s = WithEvidence(
      request->organisation(), request->has_as_of() ? &request->as_of() : nullptr, request->exact_figures(), &provenance,
      [&](const projections::StateReader& state) {
        absl::StatusOr<engagement::v1::GetTraceabilityResponse> trace =
            request->has_insight_id()
                ? projections::TraceInsight(state, request->organisation(), request->insight_id(),
                                            request->exact_figures())
                : projections::TraceDecision(state, request->organisation(),
                                             request->decision_id(), request->exact_figures());
        if (!trace.ok()) return trace.status();
        *response = *std::move(trace);
        return absl::OkStatus();
      });
  if (!s.ok()) return ToGrpcStatus(s);
  *response->mutable_provenance() = provenance;
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::GetYouSaidWeDid(
    grpc::ServerContext* context, const engagement::v1::GetYouSaidWeDidRequest* request,
    engagement::v1::GetYouSaidWeDidResponse* response) {
  absl::Status valid = AuthorizeReport(*context, request->organisation(), false);
  const bool by_period = request->engagement_id().empty() &&
                         (!request->period_start().empty() || !request->period_end().empty());
  if (valid.ok() && !by_period) valid = CheckUuid(request->engagement_id(), "engagement_id");
  if (valid.ok() && by_period) {
    for (auto [text, field] : {std::pair{&request->period_start(), "period_start"},
                               std::pair{&request->period_end(), "period_end"}}) {
      if (valid.ok()) valid = projections::ParseDay(*text, field).status();
    }
  }
  if (!valid.ok()) return ToGrpcStatus(valid);
  engagement::v1::Provenance provenance;
  absl::Status s = WithEvidence(
      request->organisation(), request->has_as_of() ? &request->as_of() : nullptr, false, &provenance,
      [&](const projections::StateReader& state) {
        absl::StatusOr<engagement::v1::GetYouSaidWeDidResponse> built =
            by_period ? projections::BuildYouSaidWeDidForPeriod(
                            state, request->organisation(), request->period_start(),
                            request->period_end(), request->deciding_body_name())
                      : projections::BuildYouSaidWeDid(state, request->organisation(),
                                                       request->engagement_id());
        if (!built.ok()) return built.status();
        *response = *std::move(built);
        return absl::OkStatus();
      });
  if (!s.ok()) return ToGrpcStatus(s);
  *response->mutable_provenance() = provenance;
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::GetSessionSummary(
    grpc::ServerContext* context, const engagement::v1::GetSessionSummaryRequest* request,
    engagement::v1::GetSessionSummaryResponse* response) {
  absl::Status valid =
      AuthorizeReport(*context, request->organisation(), request->exact_figures());
  if (valid.ok()) valid = CheckUuid(request->session_id(), "session_id");
  if (!valid.ok()) return ToGrpcStatus(valid);
  engagement::v1::Provenance provenance;
  absl::Status s = WithEvidence(
      request->organisation(), request->has_as_of() ? &request->as_of() : nullptr, request->exact_figures(), &provenance,
      [&](const projections::StateReader& state) {
        absl::StatusOr<engagement::v1::SessionSummary> built = projections::BuildSessionSummary(
            state, request->organisation(), request->session_id(), request->exact_figures());
        if (!built.ok()) return built.status();
        *response->mutable_summary() = *std::move(built);
        return absl::OkStatus();
      });
  if (!s.ok()) return ToGrpcStatus(s);
  *response->mutable_provenance() = provenance;
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::GetAnnualReport(
    grpc::ServerContext* context, const engagement::v1::GetAnnualReportRequest* request,
    engagement::v1::GetAnnualReportResponse* response) {
  absl::Status valid =
      AuthorizeReport(*context, request->organisation(), request->exact_figures());
  if (!valid.ok()) return ToGrpcStatus(valid);
  projections::AssuranceQuery query;
  query.organisation = request->organisation();
  query.period_start = request->period_start();
  query.period_end = request->period_end();
  query.exact_figures = request->exact_figures();
  for (auto [text, field] : {std::pair{&query.period_start, "period_start"},
                             std::pair{&query.period_end, "period_end"}}) {
    absl::StatusOr<int64_t> day = projections::ParseDay(*text, field);
    if (!day.ok()) return ToGrpcStatus(day.status());
  }
  engagement::v1::Provenance provenance;
  absl::Status s = WithEvidence(
      request->organisation(), request->has_as_of() ? &request->as_of() : nullptr, query.exact_figures, &provenance,
      [&](const projections::StateReader& state) {
        absl::StatusOr<engagement::v1::AnnualReport> built =
            projections::BuildAnnualReport(state, query);
        if (!built.ok()) return built.status();
        *response->mutable_report() = *std::move(built);
        return absl::OkStatus();
      });
  if (!s.ok()) return ToGrpcStatus(s);
  *response->mutable_report()->mutable_provenance() = provenance;
  *response->mutable_report()->mutable_figures()->mutable_provenance() = provenance;
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::ListProjections(
    grpc::ServerContext* context, const engagement::v1::ListProjectionsRequest* request,
    engagement::v1::ListProjectionsResponse* response) {
  absl::StatusOr<CallerPtr> caller = auth_->Authenticate(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status allowed =
      (*caller)->RequireAnywhere({engagement::v1::ROLE_ADMIN, engagement::v1::ROLE_AUDITOR});
  if (!allowed.ok()) return ToGrpcStatus(allowed);
  uint64_t head = log_->Head().position;
  for (const projections::ProjectionStatus& status : runner_->Statuses()) {
    auto* info = response->add_projections();
    info->set_name(status.name);
    info->set_version(status.version);
    info->set_position(status.position);
    info->set_head_position(head);
    if (!status.error.ok()) info->set_error(std::string(status.error.message()));
    info->set_failed_position(status.failed_position);
    if (!status.check.ok()) info->set_check_error(std::string(status.check.message()));
    if (status.checked_at != absl::InfinitePast()) {
      info->mutable_checked_at()->set_seconds(absl::ToUnixSeconds(status.checked_at));
    }
  }
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::VerifyProjections(
    grpc::ServerContext* context, const engagement::v1::VerifyProjectionsRequest* request,
    engagement::v1::VerifyProjectionsResponse* response) {
  absl::StatusOr<CallerPtr> caller = auth_->Authenticate(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status allowed =
      (*caller)->RequireAnywhere({engagement::v1::ROLE_ADMIN, engagement::v1::ROLE_AUDITOR});
  if (!allowed.ok()) return ToGrpcStatus(allowed);
  absl::StatusOr<std::vector<projections::ProjectionCheck>> checks = runner_->Verify();
  if (!checks.ok()) return ToGrpcStatus(checks.status());
  for (const projections::ProjectionCheck& check : *checks) {
    auto* out = response->add_checks();
    out->set_name(check.name);
    out->set_position(check.position);
    out->set_records(check.records);
    out->set_versions(check.versions);
    out->set_matches(check.result.ok());
    if (!check.result.ok()) out->set_mismatch(std::string(check.result.message()));
  }
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::RebuildProjection(
    grpc::ServerContext* context, const engagement::v1::RebuildProjectionRequest* request,
    grpc::ServerWriter<engagement::v1::RebuildProjectionResponse>* writer) {
  absl::StatusOr<CallerPtr> caller = auth_->Authenticate(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status allowed = (*caller)->RequireAnywhere({engagement::v1::ROLE_ADMIN});
  if (!allowed.ok()) return ToGrpcStatus(allowed);
  if (request->name().empty()) {
    return ToGrpcStatus(absl::InvalidArgumentError("name: is required, e.g. \"evidence\""));
  }
  bool known = false;
  for (const projections::ProjectionStatus& status : runner_->Statuses()) {
    known |= status.name == request->name();
  }
  if (!known) {
    return ToGrpcStatus(absl::NotFoundError(
        absl::StrCat("name: no projection named ", Shown(request->name()), " (try \"evidence\")")));
  }
  engagement::v1::RebuildProjectionResponse progress;
  bool caller_gone = false;
  absl::Status s = runner_->Rebuild(
      request->name(),
      [&](uint64_t done, uint64_t total, double per_second) {
        progress.set_done(done);
        progress.set_total(total);
        progress.set_events_per_second(per_second);
        if (!writer->Write(progress)) caller_gone = true;
      },
      // A caller that hung up (or a shutdown) stops the rebuild after its current chunk.
      [&] { return caller_gone || context->IsCancelled(); });
  if (!s.ok()) return ToGrpcStatus(s);
  if (progress.total() == 0) writer->Write(progress);  // an empty log: say it is done
  return grpc::Status::OK;
}

}  // namespace services
