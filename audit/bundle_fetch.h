// Bundle fetch: what an audit bundle or an evidence pack holds, fetched from a ledger over gRPC.
// Shared by `ledgerctl audit export` and the web console's downloads; the format itself is in
// audit_bundle.h (no gRPC there).
//
// Every call is prepared by `prepare` (credentials, deadline). Errors are the services' statuses,
// unchanged, or FAILED_PRECONDITION when a position is not in the checkpoint.
#ifndef ENGAGEMENT_AUDIT_BUNDLE_FETCH_H_
#define ENGAGEMENT_AUDIT_BUNDLE_FETCH_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "audit/audit_bundle.h"

namespace grpc {
class Channel;
class ClientContext;
}  // namespace grpc

namespace audit {

using PrepareCall = std::function<void(grpc::ClientContext&)>;

// The positions of an evidence pack of `decision`: the decision's trace (the decision, the
// insights it considered, the sessions they came from, the feedback given on it), the
// duty-to-involve assessments naming it, and the invitations to those sessions and their
// engagements, with the answers to them.
absl::StatusOr<std::set<uint64_t>> EvidencePositions(const std::shared_ptr<grpc::Channel>& channel,
                                                     const PrepareCall& prepare,
                                                     const std::string& organisation,
                                                     const std::string& decision);

// Each position's event, canonical record and inclusion proof against the checkpoint of
// `tree_size`, appended to `bundle->entries`. participant_registered events are left out (and
// counted in `excluded`) when `drop_personal`. `progress` (may be empty) is told every 1000.
absl::Status FetchEntries(const std::shared_ptr<grpc::Channel>& channel, const PrepareCall& prepare,
                          uint64_t tree_size, const std::vector<uint64_t>& positions,
                          bool drop_personal, Bundle* bundle, uint64_t* excluded,
                          const std::function<void(size_t fetched)>& progress = {});

// The witnesses whose cosignatures `note` carries: every signature line but `origin`'s own.
std::vector<std::string> CosignersOf(const std::string& note, const std::string& origin);

// What an evidence pack says of itself (README.txt), for `decision` of `organisation`, made by
// `who` (a server address or "the web console") at `when`.
std::string EvidencePackDescription(const std::string& decision, const std::string& organisation,
                                    const std::string& origin, const std::string& who,
                                    const std::string& when);

}  // namespace audit

#endif  // ENGAGEMENT_AUDIT_BUNDLE_FETCH_H_
