#include "audit/audit_bundle.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "ledger/canonical_record.h"
#include "ledger/hash_chain.h"
#include "ledger/merkle_tree.h"
#include "ledger/signed_note.h"

namespace audit {
namespace {

namespace fs = std::filesystem;
using google::protobuf::Struct;
using google::protobuf::Value;

std::string JsonQuote(absl::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          absl::StrAppend(&out, "\\u00", absl::BytesToHexString(std::string(1, c)));
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string EventJson(const engagement::v1::Event& event) {
  std::string json;
  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(event, &json, print);
  return json;
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

absl::StatusOr<Struct> ParseObject(const std::string& line) {
  Struct object;
  auto parsed = google::protobuf::util::JsonStringToMessage(line, &object);
  if (!parsed.ok()) return absl::DataLossError(absl::StrCat("not a JSON object: ", parsed.ToString()));
  return object;
}

const Value* Field(const Struct& object, const std::string& name) {
  auto it = object.fields().find(name);
  return it == object.fields().end() ? nullptr : &it->second;
}

// An integer field: a JSON number, whole, 0 <= n < 2^53.
absl::StatusOr<uint64_t> UintField(const Struct& object, const std::string& name) {
  const Value* value = Field(object, name);
  if (value == nullptr || value->kind_case() != Value::kNumberValue) {
    return absl::DataLossError(absl::StrCat("\"", name, "\" is missing or not a number"));
  }
  double n = value->number_value();
  if (n < 0 || n >= 9007199254740992.0 || std::floor(n) != n) {
    return absl::DataLossError(absl::StrCat("\"", name, "\" is not a whole number >= 0"));
  }
  return static_cast<uint64_t>(n);
}

absl::StatusOr<std::string> StringField(const Struct& object, const std::string& name) {
  const Value* value = Field(object, name);
  if (value == nullptr || value->kind_case() != Value::kStringValue) {
    return absl::DataLossError(absl::StrCat("\"", name, "\" is missing or not a string"));
  }
  return value->string_value();
}

absl::StatusOr<std::string> Base64Field(const Struct& object, const std::string& name) {
  absl::StatusOr<std::string> text = StringField(object, name);
  if (!text.ok()) return text.status();
  std::string bytes;
  if (!absl::Base64Unescape(*text, &bytes)) {
    return absl::DataLossError(absl::StrCat("\"", name, "\" is not base64"));
  }
  return bytes;
}

// Checks one event (its events.jsonl and proofs.jsonl lines) against the verified checkpoint.
// Returns the event's position through `position` as soon as it is known.
absl::Status CheckEvent(const std::string& event_line, const std::string& proof_line,
                        const ledger::Checkpoint& checkpoint, uint64_t* position) {
  absl::StatusOr<Struct> line = ParseObject(event_line);
  if (!line.ok()) return absl::DataLossError(absl::StrCat("events.jsonl: ", line.status().message()));
  absl::StatusOr<uint64_t> pos = UintField(*line, "position");
  if (!pos.ok()) return absl::DataLossError(absl::StrCat("events.jsonl: ", pos.status().message()));
  *position = *pos;
  absl::StatusOr<Struct> proof_object = ParseObject(proof_line);
  if (!proof_object.ok()) {
    return absl::DataLossError(absl::StrCat("proofs.jsonl: ", proof_object.status().message()));
  }
  absl::StatusOr<uint64_t> proof_position = UintField(*proof_object, "position");
  absl::StatusOr<uint64_t> leaf_index = UintField(*proof_object, "leaf_index");
  absl::StatusOr<uint64_t> tree_size = UintField(*proof_object, "tree_size");
  for (const auto* field : {&proof_position, &leaf_index, &tree_size}) {
    if (!field->ok()) return absl::DataLossError(absl::StrCat("proofs.jsonl: ", field->status().message()));
  }
  if (*proof_position != *pos) {
    return absl::DataLossError(absl::StrCat("proofs.jsonl names position ", *proof_position,
                                            " on the same line"));
  }
  if (*pos == 0 || *leaf_index != *pos - 1) {
    return absl::DataLossError(absl::StrCat("the proof is for leaf ", *leaf_index,
                                            " but position ", *pos, " is leaf ", *pos - 1));
  }
  if (*tree_size != checkpoint.tree_size) {
    return absl::DataLossError(absl::StrCat("the proof is for tree size ", *tree_size,
                                            " but the checkpoint's tree size is ",
                                            checkpoint.tree_size));
  }
  const Value* hashes = Field(*proof_object, "proof");
  if (hashes == nullptr || hashes->kind_case() != Value::kListValue) {
    return absl::DataLossError("proofs.jsonl: \"proof\" is missing or not a list");
  }
  std::vector<std::string> proof;
  for (const Value& hash : hashes->list_value().values()) {
    std::string bytes;
    if (hash.kind_case() != Value::kStringValue || !absl::Base64Unescape(hash.string_value(), &bytes)) {
      return absl::DataLossError("proofs.jsonl: a proof hash is not a base64 string");
    }
    proof.push_back(std::move(bytes));
  }
  absl::StatusOr<std::string> record = Base64Field(*line, "canonical_record");
  if (!record.ok()) return absl::DataLossError(absl::StrCat("events.jsonl: ", record.status().message()));
  absl::Status included = ledger::VerifyInclusion(ledger::MerkleLeafHash(*record), *leaf_index,
                                                  *tree_size, proof, checkpoint.root_hash);
  if (!included.ok()) {
    return absl::DataLossError(absl::StrCat(
        "the record is not proved to be in the log of the checkpoint (inclusion proof: ",
        included.message(), ")"));
  }
  absl::StatusOr<engagement::v1::Event> stored = ledger::DecodeCanonicalRecord(*record);
  if (!stored.ok()) {
    return absl::DataLossError(absl::StrCat("the canonical record does not decode: ",
                                            stored.status().message()));
  }
  if (stored->position() != *pos) {
    return absl::DataLossError(absl::StrCat("the canonical record says position ",
                                            stored->position()));
  }
  absl::StatusOr<std::string> event_id = StringField(*line, "event_id");
  if (!event_id.ok()) return absl::DataLossError(absl::StrCat("events.jsonl: ", event_id.status().message()));
  if (*event_id != stored->event_id()) {
    return absl::DataLossError(absl::StrCat("the line says event id ", *event_id,
                                            " but the canonical record says ", stored->event_id()));
  }
  const Value* shown = Field(*line, "event");
  if (shown == nullptr || shown->kind_case() != Value::kStructValue) {
    return absl::DataLossError("events.jsonl: \"event\" is missing or not an object");
  }
  std::string shown_json;
  (void)google::protobuf::util::MessageToJsonString(shown->struct_value(), &shown_json);
  engagement::v1::Event shown_event;
  auto parsed = google::protobuf::util::JsonStringToMessage(shown_json, &shown_event);
  if (!parsed.ok()) {
    return absl::DataLossError(absl::StrCat("the event shown is not an Event in protobuf JSON: ",
                                            parsed.ToString()));
  }
  engagement::v1::Event expected = *stored;
  expected.set_hash(ledger::ChainHash(stored->previous_hash(), *record));
  std::string difference;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&difference);
  if (!differencer.Compare(expected, shown_event)) {
    return absl::DataLossError(absl::StrCat(
        "the event shown in JSON differs from its canonical record (expected first, shown "
        "second): ", absl::StripTrailingAsciiWhitespace(difference)));
  }
  return absl::OkStatus();
}

}  // namespace

std::string EventLine(const BundleEntry& entry) {
  return absl::StrCat("{\"position\":", entry.event.position(),
                      ",\"event_id\":", JsonQuote(entry.event.event_id()),
                      ",\"canonical_record\":\"", absl::Base64Escape(entry.canonical_record),
                      "\",\"event\":", EventJson(entry.event), "}");
}

std::string ProofLine(const BundleEntry& entry) {
  std::string line = absl::StrCat("{\"position\":", entry.event.position(),
                                  ",\"leaf_index\":", entry.leaf_index,
                                  ",\"tree_size\":", entry.tree_size, ",\"proof\":[");
  for (size_t i = 0; i < entry.proof.size(); ++i) {
    absl::StrAppend(&line, i == 0 ? "" : ",", "\"", absl::Base64Escape(entry.proof[i]), "\"");
  }
  return line + "]}";
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
      "     record).\n");
  for (const auto& [name, content] :
       std::vector<std::pair<const char*, std::string>>{
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
  return summary;
}

}  // namespace audit
