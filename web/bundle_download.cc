#include "web/bundle_download.h"

#include <archive.h>
#include <archive_entry.h>
#include <grpcpp/grpcpp.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "engagement/v1/audit.grpc.pb.h"
#include "ledger/checkpoint.h"
#include "ledger/signed_note.h"

namespace web {
namespace {

namespace fs = std::filesystem;

absl::Status FromGrpc(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

// The latest signed checkpoint and the ledger's verifier key, into `bundle`; the tree size.
absl::StatusOr<ledger::Checkpoint> LatestCheckpoint(const std::shared_ptr<grpc::Channel>& channel,
                                                    const audit::PrepareCall& prepare,
                                                    uint64_t covering, audit::Bundle* bundle) {
  auto stub = engagement::v1::AuditService::NewStub(channel);
  engagement::v1::GetCheckpointResponse latest;
  {
    grpc::ClientContext context;
    prepare(context);
    grpc::Status status = stub->GetCheckpoint(&context, {}, &latest);
    if (!status.ok()) return FromGrpc(status);
  }
  // Trailing the events wanted: an administrator may sign a checkpoint of the head now.
  {
    if (latest.checkpoint().tree_size() < covering) {
      grpc::ClientContext context;
      prepare(context);
      engagement::v1::SignCheckpointResponse signed_now;
      if (stub->SignCheckpoint(&context, {}, &signed_now).ok()) {
        *latest.mutable_checkpoint() = signed_now.checkpoint();
      }
    }
  }
  engagement::v1::GetPublicKeyResponse key;
  {
    grpc::ClientContext context;
    prepare(context);
    grpc::Status status = stub->GetPublicKey(&context, {}, &key);
    if (!status.ok()) return FromGrpc(status);
  }
  absl::StatusOr<ledger::SplitNote> note = ledger::SplitSignedNote(latest.checkpoint().note());
  if (!note.ok()) return absl::DataLossError("the ledger's checkpoint is not a signed note");
  absl::StatusOr<ledger::Checkpoint> checkpoint = ledger::ParseCheckpoint(note->text);
  if (!checkpoint.ok()) return absl::DataLossError("the ledger's checkpoint cannot be read");
  if (checkpoint->tree_size < covering) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the latest checkpoint covers the log up to position ", checkpoint->tree_size,
        ", not yet ", covering, ": checkpoints are signed every minute, so try again shortly"));
  }
  bundle->checkpoint_note = latest.checkpoint().note();
  bundle->verifier_key = key.verifier_key();
  bundle->cosigned_by = audit::CosignersOf(bundle->checkpoint_note, checkpoint->origin);
  return checkpoint;
}

// Writes and checks `bundle` in a fresh temporary directory, then zips it under `top`.
absl::StatusOr<std::string> WriteCheckAndZip(const audit::Bundle& bundle, const std::string& top) {
  std::string pattern = (fs::temp_directory_path() / "ledger-console-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return absl::InternalError("no temporary directory");
  const fs::path work(pattern);
  const std::string directory = (work / top).string();
  absl::StatusOr<std::string> zip = [&]() -> absl::StatusOr<std::string> {
    absl::Status written = audit::WriteBundle(directory, bundle);
    if (!written.ok()) return written;
    absl::StatusOr<audit::CheckSummary> checked = audit::CheckBundle(directory, bundle.verifier_key);
    if (!checked.ok()) {
      return absl::DataLossError(absl::StrCat("the ledger's answers do not verify: ",
                                              checked.status().message()));
    }
    return ZipDirectory(directory, top);
  }();
  std::error_code ignored;
  fs::remove_all(work, ignored);
  return zip;
}

std::string Now() {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", absl::Now(), absl::UTCTimeZone());
}

}  // namespace

absl::StatusOr<std::string> ZipDirectory(const std::string& directory, const std::string& top) {
  std::vector<fs::path> files;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory, error)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  if (error) return absl::InternalError(absl::StrCat("cannot list ", directory));
  std::sort(files.begin(), files.end());
  std::string out;
  struct archive* zip = archive_write_new();
  archive_write_set_format_zip(zip);
  archive_write_set_bytes_in_last_block(zip, 1);
  auto write = [](struct archive*, void* sink, const void* data, size_t length) -> la_ssize_t {
    static_cast<std::string*>(sink)->append(static_cast<const char*>(data), length);
    return static_cast<la_ssize_t>(length);
  };
  absl::Status status;
  if (archive_write_open(zip, &out, nullptr, write, nullptr) != ARCHIVE_OK) {
    status = absl::InternalError(archive_error_string(zip));
  }
  for (const fs::path& file : files) {
    if (!status.ok()) break;
    std::ifstream in(file, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    const std::string bytes = content.str();
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, (top + "/" + file.filename().string()).c_str());
    archive_entry_set_size(entry, static_cast<la_int64_t>(bytes.size()));
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_entry_set_mtime(entry, absl::ToUnixSeconds(absl::Now()), 0);
    if (archive_write_header(zip, entry) != ARCHIVE_OK ||
        archive_write_data(zip, bytes.data(), bytes.size()) < 0) {
      status = absl::InternalError(archive_error_string(zip));
    }
    archive_entry_free(entry);
  }
  if (archive_write_close(zip) != ARCHIVE_OK && status.ok()) {
    status = absl::InternalError(archive_error_string(zip));
  }
  archive_write_free(zip);
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<Download> EvidencePackZip(const std::shared_ptr<grpc::Channel>& channel,
                                         const audit::PrepareCall& prepare,
                                         const std::string& organisation,
                                         const std::string& decision) {
  absl::StatusOr<std::set<uint64_t>> positions =
      audit::EvidencePositions(channel, prepare, organisation, decision);
  if (!positions.ok()) return positions.status();
  audit::Bundle bundle;
  absl::StatusOr<ledger::Checkpoint> checkpoint = LatestCheckpoint(
      channel, prepare, positions->empty() ? 0 : *positions->rbegin(), &bundle);
  if (!checkpoint.ok()) return checkpoint.status();
  bundle.description = audit::EvidencePackDescription(decision, organisation, checkpoint->origin,
                                                      "the web console", Now());
  uint64_t excluded = 0;
  absl::Status fetched = audit::FetchEntries(channel, prepare, checkpoint->tree_size,
                                             {positions->begin(), positions->end()}, true, &bundle,
                                             &excluded);
  if (!fetched.ok()) return fetched;
  const std::string top = "evidence-" + decision;
  absl::StatusOr<std::string> zip = WriteCheckAndZip(bundle, top);
  if (!zip.ok()) return zip.status();
  return Download{top + ".zip", *std::move(zip)};
}

absl::StatusOr<Download> AuditBundleZip(const std::shared_ptr<grpc::Channel>& channel,
                                        const audit::PrepareCall& prepare, uint64_t from,
                                        uint64_t to) {
  if (from == 0 || to < from) {
    return absl::InvalidArgumentError("give the first and last positions, the first from 1");
  }
  if (to - from + 1 > kMaxBundleEvents) {
    return absl::InvalidArgumentError(absl::StrCat(
        "at most ", kMaxBundleEvents, " events in one download: use ledgerctl audit export for more"));
  }
  audit::Bundle bundle;
  absl::StatusOr<ledger::Checkpoint> checkpoint = LatestCheckpoint(channel, prepare, to, &bundle);
  if (!checkpoint.ok()) return checkpoint.status();
  bundle.description = absl::StrCat("The events at positions ", from, " to ", to, " of the log ",
                                    checkpoint->origin, ", exported from the web console on ",
                                    Now(), ".\n");
  std::vector<uint64_t> positions;
  for (uint64_t p = from; p <= to; ++p) positions.push_back(p);
  uint64_t excluded = 0;
  absl::Status fetched = audit::FetchEntries(channel, prepare, checkpoint->tree_size, positions,
                                             false, &bundle, &excluded);
  if (!fetched.ok()) return fetched;
  const std::string top = absl::StrCat("audit-bundle-", from, "-", to);
  absl::StatusOr<std::string> zip = WriteCheckAndZip(bundle, top);
  if (!zip.ok()) return zip.status();
  return Download{top + ".zip", *std::move(zip)};
}

}  // namespace web
