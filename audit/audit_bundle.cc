#include "audit/audit_bundle.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "audit/bundle_records.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "ledger/canonical_record.h"
#include "ledger/hash_chain.h"
#include "ledger/merkle_tree.h"
#include "ledger/signed_note.h"

namespace audit {
namespace {

namespace fs = std::filesystem;
namespace records = engagement::audit::v1;

// Protobuf JSON with the .proto's field names, on one line, every field present (a leaf index
// of 0 is written, not left out).
std::string ToJson(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  print.always_print_primitive_fields = true;
  (void)google::protobuf::util::MessageToJsonString(message, &json, print);
  return json;
}

// Parses one JSON object into `message`, refusing unknown fields.
absl::Status FromJson(absl::string_view file, const std::string& json,
                      google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto parsed = google::protobuf::util::JsonStringToMessage(json, message, options);
  if (!parsed.ok()) {
    return absl::DataLossError(absl::StrCat(file, ": not a ", message->GetDescriptor()->name(),
                                            " in protobuf JSON: ", parsed.message().ToString()));
  }
  return absl::OkStatus();
}

absl::Status WriteFile(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path.string()));
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::DataLossError(absl::StrCat(path.filename().string(), ": missing or unreadable"));
  }
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The lines of a file; every line must end in '\n' and none may be empty.
absl::StatusOr<std::vector<std::string>> ReadLines(const fs::path& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  std::vector<std::string> lines;
  if (text->empty()) return lines;
  const std::string name = path.filename().string();
  if (text->back() != '\n') {
    return absl::DataLossError(absl::StrCat(name, ": the last line does not end in a newline"));
  }
  lines = absl::StrSplit(absl::string_view(*text).substr(0, text->size() - 1), '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) return absl::DataLossError(absl::StrCat(name, ": line ", i + 1, " is empty"));
  }
  return lines;
}

// Checks one event (its events.jsonl and proofs.jsonl lines) against the verified checkpoint.
// Returns the event's position through `position` as soon as it is known.
absl::Status CheckEvent(const std::string& event_line, const std::string& proof_line,
                        const ledger::Checkpoint& checkpoint, uint64_t* position) {
  records::BundleEvent line;
  absl::Status s = FromJson(kEventsFile, event_line, &line);
  if (!s.ok()) return s;
  *position = line.position();
  records::BundleProof proof;
  s = FromJson(kProofsFile, proof_line, &proof);
  if (!s.ok()) return s;
  if (proof.position() != line.position()) {
    return absl::DataLossError(absl::StrCat("proofs.jsonl names position ", proof.position(),
                                            " on the same line"));
  }
  if (line.position() == 0 || proof.leaf_index() != line.position() - 1) {
    return absl::DataLossError(absl::StrCat("the proof is for leaf ", proof.leaf_index(),
                                            " but position ", line.position(), " is leaf ",
                                            line.position() - 1));
  }
  if (proof.tree_size() != checkpoint.tree_size) {
    return absl::DataLossError(absl::StrCat("the proof is for tree size ", proof.tree_size(),
                                            " but the checkpoint's tree size is ",
                                            checkpoint.tree_size));
  }
  std::vector<std::string> hashes(proof.proof().begin(), proof.proof().end());
  const std::string& record = line.canonical_record();
  absl::Status included = ledger::VerifyInclusion(ledger::MerkleLeafHash(record),
                                                  proof.leaf_index(), proof.tree_size(), hashes,
                                                  checkpoint.root_hash);
  if (!included.ok()) {
    return absl::DataLossError(absl::StrCat(
        "the record is not proved to be in the log of the checkpoint (inclusion proof: ",
        included.message(), ")"));
  }
  absl::StatusOr<engagement::v1::Event> stored = ledger::DecodeCanonicalRecord(record);
  if (!stored.ok()) {
    return absl::DataLossError(absl::StrCat("the canonical record does not decode: ",
                                            stored.status().message()));
  }
  if (stored->position() != line.position()) {
    return absl::DataLossError(absl::StrCat("the canonical record says position ",
                                            stored->position()));
  }
  if (line.event_id() != stored->event_id()) {
    return absl::DataLossError(absl::StrCat("the line says event id ", line.event_id(),
                                            " but the canonical record says ",
                                            stored->event_id()));
  }
  if (!line.has_event()) return absl::DataLossError("events.jsonl: \"event\" is missing");
  engagement::v1::Event expected = *stored;
  expected.set_hash(ledger::ChainHash(stored->previous_hash(), record));
  std::string difference;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&difference);
  if (!differencer.Compare(expected, line.event())) {
    return absl::DataLossError(absl::StrCat(
        "the event shown in JSON differs from its canonical record (expected first, shown "
        "second): ", absl::StripTrailingAsciiWhitespace(difference)));
  }
  return absl::OkStatus();
}

}  // namespace

std::string EventLine(const BundleEntry& entry) {
  records::BundleEvent line;
  line.set_position(entry.event.position());
  line.set_event_id(entry.event.event_id());
  line.set_canonical_record(entry.canonical_record);
  *line.mutable_event() = entry.event;
  return ToJson(line);
}

std::string ProofLine(const BundleEntry& entry) {
  records::BundleProof line;
  line.set_position(entry.event.position());
  line.set_leaf_index(entry.leaf_index);
  line.set_tree_size(entry.tree_size);
  for (const std::string& hash : entry.proof) line.add_proof(hash);
  return ToJson(line);
}

absl::Status WriteBundle(const std::string& directory, const Bundle& bundle) {
  fs::path dir(directory);
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec)) {
    return absl::AlreadyExistsError(absl::StrCat(directory, " exists and is not empty"));
  }
  fs::create_directories(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", directory, ": ", ec.message()));
  std::string events, proofs;
  for (const BundleEntry& entry : bundle.entries) {
    absl::StrAppend(&events, EventLine(entry), "\n");
    absl::StrAppend(&proofs, ProofLine(entry), "\n");
  }
  std::vector<std::string> note_lines = absl::StrSplit(bundle.checkpoint_note, '\n');
  note_lines.resize(std::max<size_t>(note_lines.size(), 2));
  std::string positions = "none";
  if (!bundle.entries.empty()) {
    positions = absl::StrCat(bundle.entries.front().event.position(), " to ",
                             bundle.entries.back().event.position());
  }
  std::string readme = absl::StrCat(
      "Audit bundle of the engagement ledger\n\n", bundle.description,
      bundle.description.empty() || bundle.description.back() == '\n' ? "" : "\n",
      "\nEvents: ", bundle.entries.size(), " (positions ", positions, "), each with its own proof.\n",
      "Proved against: the checkpoint in checkpoint.note (origin ", note_lines[0], ", tree size ",
      note_lines[1], "),\nsigned by the key in verifier_key.txt:\n  ", bundle.verifier_key,
      "\n\n"
      "CHECK IT (no server or database needed):\n\n"
      "  ledgerctl audit check DIR --verifier_key='<the ledger's key, obtained from a source you "
      "trust>'\n\n"
      "verifier_key.txt came with the bundle, so it proves nothing by itself: compare it with the key\n"
      "the ledger's operator publishes (`ledgerctl audit pubkey` against the live server) through a\n"
      "channel you trust.\n\n"
      "BY HAND, in any language (docs/audit.md of the ledger gives every detail):\n"
      "  1. checkpoint.note is a C2SP signed note (https://c2sp.org/signed-note) holding a C2SP\n"
      "     tlog-checkpoint: origin, tree size, base64 root hash. Check its Ed25519 signature\n"
      "     with the verifier key.\n"
      "  2. For line i of events.jsonl and line i of proofs.jsonl: base64-decode canonical_record;\n"
      "     leaf = SHA-256(0x00 || record); check the RFC 9162 (section 2.1.3.2) inclusion proof\n"
      "     (leaf_index = position - 1, tree_size = the checkpoint's, proof hashes base64) leads to\n"
      "     the checkpoint's root.\n"
      "  3. The record is a protobuf engagement.v1.Event: its position and event_id must be the\n"
      "     line's, and \"event\" must show the same fields, with hash = SHA-256(previous_hash ||\n"
      "     record).\n"
      "The lines are protobuf JSON (audit/bundle_records.proto, format 2 in manifest.json): 64-bit\n"
      "numbers are JSON strings, bytes are base64.\n");
  records::BundleManifest manifest;
  manifest.set_format(kBundleFormat);
  manifest.set_description(bundle.description);
  manifest.set_events(bundle.entries.size());
  if (!bundle.entries.empty()) {
    manifest.set_first_position(bundle.entries.front().event.position());
    manifest.set_last_position(bundle.entries.back().event.position());
    manifest.set_tree_size(bundle.entries.front().tree_size);
  }
  for (const std::string& witness : bundle.cosigned_by) manifest.add_cosigned_by(witness);
  for (const auto& [name, content] :
       std::vector<std::pair<const char*, std::string>>{
           {kManifestFile, ToJson(manifest) + "\n"},
           {kEventsFile, events},
           {kProofsFile, proofs},
           {kCheckpointFile, bundle.checkpoint_note},
           {kVerifierKeyFile, bundle.verifier_key + "\n"},
           {kReadmeFile, readme}}) {
    absl::Status written = WriteFile(dir / name, content);
    if (!written.ok()) return written;
  }
  return absl::OkStatus();
}

absl::StatusOr<CheckSummary> CheckBundle(const std::string& directory,
                                         absl::string_view trusted_verifier_key) {
  fs::path dir(directory);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return absl::NotFoundError(absl::StrCat(directory, " is not a directory"));
  }
  CheckSummary summary;
  std::string bundle_key;
  {
    std::ifstream in(dir / kVerifierKeyFile, std::ios::binary);
    if (in) bundle_key = std::string(absl::StripAsciiWhitespace(
                std::string(std::istreambuf_iterator<char>(in), {})));
  }
  if (trusted_verifier_key.empty()) {
    if (bundle_key.empty()) {
      return absl::DataLossError("verifier_key.txt: missing or empty, and no trusted key was given");
    }
    summary.verifier_key = bundle_key;
    summary.key_from_bundle = true;
  } else {
    absl::StatusOr<ledger::NoteVerifier> trusted = ledger::NoteVerifier::Parse(trusted_verifier_key);
    if (!trusted.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("the verifier key given is malformed: ",
                                                     trusted.status().message()));
    }
    summary.verifier_key = std::string(trusted_verifier_key);
    summary.bundle_key_differs = !bundle_key.empty() && bundle_key != summary.verifier_key;
  }
  absl::StatusOr<std::string> note = ReadFile(dir / kCheckpointFile);
  if (!note.ok()) return note.status();
  absl::StatusOr<ledger::Checkpoint> checkpoint = ledger::ParseAndVerify(*note, summary.verifier_key);
  if (!checkpoint.ok()) {
    return absl::DataLossError(absl::StrCat("checkpoint.note: not a checkpoint signed by ",
                                            summary.verifier_key, ": ",
                                            checkpoint.status().message()));
  }
  summary.checkpoint = *checkpoint;
  // Format 2 has a manifest; format 1 (numbers as JSON numbers) had none.
  records::BundleManifest manifest;
  summary.format = 1;
  if (fs::exists(dir / kManifestFile, ec)) {
    absl::StatusOr<std::string> text = ReadFile(dir / kManifestFile);
    if (!text.ok()) return text.status();
    absl::Status parsed = FromJson(kManifestFile, *text, &manifest);
    if (!parsed.ok()) return parsed;
    if (manifest.format() != kBundleFormat) {
      return absl::DataLossError(absl::StrCat(kManifestFile, ": format \"", manifest.format(),
                                              "\" is not ", kBundleFormat));
    }
    summary.format = 2;
  }
  absl::StatusOr<std::vector<std::string>> events = ReadLines(dir / kEventsFile);
  if (!events.ok()) return events.status();
  absl::StatusOr<std::vector<std::string>> proofs = ReadLines(dir / kProofsFile);
  if (!proofs.ok()) return proofs.status();
  if (events->size() != proofs->size()) {
    return absl::DataLossError(absl::StrCat("events.jsonl has ", events->size(),
                                            " lines but proofs.jsonl has ", proofs->size()));
  }
  uint64_t previous = 0;
  for (size_t i = 0; i < events->size(); ++i) {
    uint64_t position = 0;
    absl::Status checked = CheckEvent((*events)[i], (*proofs)[i], summary.checkpoint, &position);
    if (checked.ok() && position <= previous) {
      checked = absl::DataLossError(absl::StrCat("positions must increase; the line before is ",
                                                 previous));
    }
    if (!checked.ok()) {
      if (position == 0) {
        return absl::DataLossError(absl::StrCat("event on line ", i + 1, ": ", checked.message()));
      }
      return absl::DataLossError(absl::StrCat("event at position ", position, " (line ", i + 1,
                                              "): ", checked.message()));
    }
    if (i == 0) summary.first_position = position;
    summary.last_position = previous = position;
    ++summary.events;
  }
  if (summary.format == 2 &&
      (manifest.events() != summary.events || manifest.first_position() != summary.first_position ||
       manifest.last_position() != summary.last_position ||
       (summary.events > 0 && manifest.tree_size() != summary.checkpoint.tree_size))) {
    return absl::DataLossError(absl::StrCat(
        kManifestFile, ": says ", manifest.events(), " events (positions ",
        manifest.first_position(), " to ", manifest.last_position(), ", tree size ",
        manifest.tree_size(), ") but the bundle holds ", summary.events, " (",
        summary.first_position, " to ", summary.last_position, ", tree size ",
        summary.checkpoint.tree_size, "): events were added or removed"));
  }
  return summary;
}

}  // namespace audit
