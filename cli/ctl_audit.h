// ledgerctl's audit commands: the client side of engagement.v1.AuditService and the offline
// checker of audit bundles (services/audit_bundle.h; docs/audit.md).
//
//   ledgerctl audit pubkey                                  the server's verifier key
//   ledgerctl audit pubkey --key_file=F --origin=NAME       the same, offline, from the key file
//   ledgerctl audit checkpoint [--verifier_key=K] [--save=FILE]
//   ledgerctl audit export --from_position=A [--to_position=B] --out=DIR [--verifier_key=K]
//   ledgerctl audit export --decision=ID --org=ODS --out=DIR [--verifier_key=K]
//   ledgerctl audit check DIR [--verifier_key=K]            no server, no database
//
// And the checkpoint half of `ledgerctl verify` (online): CheckpointVerification.
#ifndef ENGAGEMENT_SERVICES_CTL_AUDIT_H_
#define ENGAGEMENT_SERVICES_CTL_AUDIT_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "engagement/v1/audit.grpc.pb.h"
#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/merkle_tree.h"
#include "cli/ctl_commands.h"

namespace ctl {

// `what` is pubkey, checkpoint, export or check; `args` the words after it (check's DIR).
int AuditCommand(const std::string& what, const std::vector<std::string>& args,
                 const Options& options);

// ctl_audit_export.cc
int AuditExport(const Options& options);

// Shared by the audit commands.
std::unique_ptr<engagement::v1::AuditService::Stub> ConnectAudit(const Options& options);

// A checkpoint fetched from the server and checked against a verifier key.
struct VerifiedCheckpoint {
  ledger::Checkpoint checkpoint;
  std::string note;
  std::string verifier_key;
  bool key_from_server = false;  // no --verifier_key: the key came from GetPublicKey
};

// GetCheckpoint (and SignCheckpoint when that one covers fewer than `covering` events), then the
// key (--verifier_key, else GetPublicKey), then the signature and that the response's tree size
// and root are the note's. Returns an exit code: kExitOk and fills `out`, or reports on
// stderr/stdout and returns 1, 3 (signature or mismatch) or 4.
int FetchCheckpoint(const Options& options, engagement::v1::AuditService::Stub& stub,
                    VerifiedCheckpoint* out, uint64_t covering = 0);

// The key to check signatures with: --verifier_key, else the server's (GetPublicKey); in that
// case the check must be reported with kServerKeyWarning.
int FetchVerifierKey(const Options& options, engagement::v1::AuditService::Stub& stub,
                     std::string* key, bool* from_server);

// Checks a SignedCheckpoint the server sent against `key`: its note's signature, and that the
// response's tree size and root are the note's. kExitOk and fills `out` (all but key_from_server),
// or prints "FAILED: ..." naming the key and returns kExitVerifyFailed.
int CheckSignedCheckpoint(const engagement::v1::SignedCheckpoint& signed_checkpoint,
                          const std::string& key, VerifiedCheckpoint* out);

// Where the key a checkpoint was checked with came from, for the user: "--verifier_key" or "the
// server's own key (GetPublicKey)".
std::string KeySource(const VerifiedCheckpoint& checkpoint);

// Printed whenever a signature was checked with the key the server gave (no --verifier_key).
inline constexpr char kServerKeyWarning[] =
    "WARNING: the verifier key came from the server itself (GetPublicKey), so this check trusts "
    "the server for the key. Give --verifier_key=K, with the key you hold, to check it "
    "independently.";

// The witness policy of --witness_key and --witness_quorum into `policy` (left empty when no key
// is given): kExitOk, or kExitUsage having said why.
int ParseWitnessPolicy(const Options& options, ledger::WitnessPolicy* policy);
// Checks a checkpoint note against the policy, when one is given: prints "witnesses: OK, ..." and
// returns kExitOk, or prints "FAILED: ..." and returns kExitVerifyFailed (kExitUsage for a bad
// policy). Does nothing without --witness_key.
int CheckWitnesses(const Options& options, const std::string& note);

// Whether --verifier_key, when given, is a well-formed verifier key: kExitOk, or kExitUsage having
// said why. Online and offline verify (and so export and checkpoint) call it before using the key.
int CheckGivenVerifierKey(const Options& options);

// Offline `verify --data_dir=DIR` checks every stored checkpoint's signature with the key chosen
// as the other checks choose theirs (docs/audit.md section 1): --verifier_key when given, else the
// key that came with the data, DIR/checkpoint.key (ledgerd's default place for it), with this
// warning; with neither, it refuses when checkpoints are stored.
inline constexpr char kDataKeyWarning[] =
    "WARNING: the checkpoints' signatures were checked with the signing key found beside the data, "
    "so this shows only that the data directory is consistent with itself: whoever could rewrite "
    "the data could also have signed with that key. An auditor should pass the key they trust "
    "with --verifier_key=K (the ledger's published verifier key).";

// The Merkle half of online `ledgerctl verify`: before the log is read, Begin fetches the latest
// signed checkpoint (so its size is at most the head read next) and checks its signature, and
// with --checkpoint=FILE checks the saved note and the server's consistency proof from it. Add
// takes every record the chain verifier accepted, in order, and computes the RFC 9162 root
// client-side; Finish checks the roots at the checkpoints' sizes.
class CheckpointVerification {
 public:
  explicit CheckpointVerification(const Options& options) : options_(options) {}

  // Returns -1 to go on, or the exit code to stop with (having said why).
  int Begin();
  void Add(absl::string_view canonical_record);
  // After the chain verified: DATA_LOSS naming what failed, or OK with `lines` to print.
  absl::Status Finish(std::vector<std::string>* lines);
  // The latest signed checkpoint's note (with any cosignatures), or null when there is none.
  const std::string* latest_note() const { return have_checkpoint_ ? &latest_.note : nullptr; }

 private:
  void Flush();

  const Options& options_;
  bool have_checkpoint_ = false;
  std::string no_checkpoint_reason_;
  VerifiedCheckpoint latest_;
  bool have_saved_ = false;
  ledger::Checkpoint saved_;
  std::string consistency_line_;
  ledger::MerkleAppender appender_;
  std::vector<std::string> pending_;
  std::map<uint64_t, std::string> roots_;  // tree size -> root; wanted sizes map to ""
};

}  // namespace ctl

#endif  // ENGAGEMENT_SERVICES_CTL_AUDIT_H_
