// Audit bundles: a directory that lets an auditor check, with no server and no database, that a
// set of events is in the ledger's log exactly as shown, against a checkpoint the ledger signed.
//
//   manifest.json     the format ("engagement-ledger-audit-bundle/2"), what it holds, how many
//                     events, which witnesses cosigned the checkpoint
//   events.jsonl      one line per event, in position order:
//                     {"position":"N","event_id":"...","canonical_record":"<base64>","event":{...}}
//                     "event" is the event as protobuf JSON (field names as in the .proto),
//                     for people to read; the checker requires it to say exactly what the
//                     canonical record says (and its hash to be the record's chain hash).
//   proofs.jsonl      one line per event, same order:
//                     {"position":"N","leaf_index":"N-1","tree_size":"T","proof":["<base64>",...]}
//   checkpoint.note   the C2SP signed checkpoint (tree size T and its root) the proofs are for,
//                     with the witnesses' C2SP tlog-cosignature lines after the ledger's
//                     signature
//   verifier_key.txt  the ledger's signed-note verifier key, one line
//   README.txt        what the bundle holds and how to check it
//
// The records are the messages of bundle_records.proto in protobuf's JSON mapping (format 2:
// 64-bit numbers are JSON strings); a bundle without manifest.json is format 1, whose numbers were
// JSON numbers, and reads the same.
//
// Each event is proved on its own (leaf = SHA-256(0x00 || canonical record), RFC 9162 inclusion
// proof against the checkpoint's root), so a bundle may hold any subset of the log: leaving an
// event out (e.g. one holding personal data) does not weaken the proofs of the others.
// docs/audit.md describes the format for checkers written in other languages.
//
// No gRPC here: services/ctl_audit*.cc fetch what goes in; this file writes and checks it.
#ifndef ENGAGEMENT_SERVICES_AUDIT_BUNDLE_H_
#define ENGAGEMENT_SERVICES_AUDIT_BUNDLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engagement/v1/event.pb.h"
#include "ledger/checkpoint.h"

namespace audit {

inline constexpr char kBundleFormat[] = "engagement-ledger-audit-bundle/2";
inline constexpr char kManifestFile[] = "manifest.json";
inline constexpr char kEventsFile[] = "events.jsonl";
inline constexpr char kProofsFile[] = "proofs.jsonl";
inline constexpr char kCheckpointFile[] = "checkpoint.note";
inline constexpr char kVerifierKeyFile[] = "verifier_key.txt";
inline constexpr char kReadmeFile[] = "README.txt";

// One event of a bundle and its inclusion proof.
struct BundleEntry {
  engagement::v1::Event event;   // as served, hash included; its position and id are written
  std::string canonical_record;  // the stored bytes the leaf hash covers
  uint64_t leaf_index = 0;       // position - 1
  uint64_t tree_size = 0;        // the checkpoint's tree size
  std::vector<std::string> proof;  // 32-byte hashes, from the leaf upwards
};

struct Bundle {
  std::string checkpoint_note;  // signed note text
  std::string verifier_key;     // the ledger's verifier key string
  std::string description;      // what it holds, for README.txt (one or more lines)
  std::vector<std::string> cosigned_by;  // the witnesses whose cosignatures the note carries
  std::vector<BundleEntry> entries;  // in position order
};

// Writes `bundle` into `directory`, creating it. ALREADY_EXISTS when the directory exists and is
// not empty (a bundle is never mixed with another); INTERNAL when a file cannot be written.
absl::Status WriteBundle(const std::string& directory, const Bundle& bundle);

// The JSON lines WriteBundle writes for one entry (no trailing newline).
std::string EventLine(const BundleEntry& entry);
std::string ProofLine(const BundleEntry& entry);

// What CheckBundle checked.
struct CheckSummary {
  ledger::Checkpoint checkpoint;     // verified
  std::string verifier_key;          // the key the signature was checked against
  bool key_from_bundle = false;      // true: no trusted key was given; the bundle's own was used
  bool bundle_key_differs = false;   // a trusted key was given; verifier_key.txt holds another
  uint64_t events = 0;
  uint64_t first_position = 0, last_position = 0;
  int format = 0;  // 1 (no manifest.json) or 2
};

// Checks the bundle in `directory`: the checkpoint's signature (against `trusted_verifier_key`,
// or when that is empty against the bundle's verifier_key.txt), then every event in order: its
// proof is for the checkpoint's tree size and leaf position - 1, its leaf hash and inclusion
// proof lead to the checkpoint's root, its canonical record decodes and carries the same
// position and event id as its line, and the JSON shown equals the decoded record (hash
// included: SHA-256(previous_hash || canonical record)). Positions must increase.
//
// Errors: NOT_FOUND when `directory` does not exist; INVALID_ARGUMENT when the trusted key is
// malformed; DATA_LOSS for anything wrong in the bundle, the message naming the file, and for an
// event its position and line ("event at position 12 (line 3): ...").
absl::StatusOr<CheckSummary> CheckBundle(const std::string& directory,
                                         absl::string_view trusted_verifier_key);

}  // namespace audit

#endif  // ENGAGEMENT_SERVICES_AUDIT_BUNDLE_H_
