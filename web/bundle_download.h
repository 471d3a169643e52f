// Bundle downloads: an evidence pack of a decision, or an audit bundle of a range of positions,
// as one zip file a person can download from the console. The bundle is fetched over gRPC with
// the person's credentials (audit/bundle_fetch.h), written in the audit bundle format
// (audit/audit_bundle.h) into a fresh temporary directory, checked there as an auditor would
// check it (CheckBundle, against the ledger's verifier key), and zipped with libarchive.
//
// Errors are statuses a page can show: the services' refusals unchanged; FAILED_PRECONDITION
// when the latest checkpoint does not yet cover the events (checkpoints are signed every
// minute); INVALID_ARGUMENT for a range that is empty or too long; DATA_LOSS when the ledger's
// answers do not verify.
#ifndef ENGAGEMENT_WEB_BUNDLE_DOWNLOAD_H_
#define ENGAGEMENT_WEB_BUNDLE_DOWNLOAD_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "audit/bundle_fetch.h"

namespace web {

// Most events one downloaded audit bundle may hold.
inline constexpr uint64_t kMaxBundleEvents = 10000;

struct Download {
  std::string filename;  // as "evidence-<decision>.zip"
  std::string zip;
};

absl::StatusOr<Download> EvidencePackZip(const std::shared_ptr<grpc::Channel>& channel,
                                         const audit::PrepareCall& prepare,
                                         const std::string& organisation,
                                         const std::string& decision);

absl::StatusOr<Download> AuditBundleZip(const std::shared_ptr<grpc::Channel>& channel,
                                        const audit::PrepareCall& prepare, uint64_t from,
                                        uint64_t to);

// The regular files of `directory` (not recursive), zipped under `top`/ in name order.
absl::StatusOr<std::string> ZipDirectory(const std::string& directory, const std::string& top);

}  // namespace web

#endif  // ENGAGEMENT_WEB_BUNDLE_DOWNLOAD_H_
