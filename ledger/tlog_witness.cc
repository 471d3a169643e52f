#include "ledger/tlog_witness.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ledger/checkpoint.h"
#include "ledger/hash_chain.h"
#include "ledger/merkle_tree.h"

namespace ledger {
namespace {

// A decimal without leading zeros ("0" alone for zero).
bool ParseCanonicalSize(absl::string_view text, uint64_t* out) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return absl::SimpleAtoi(text, out);
}

WitnessResponse Answer(int status, std::string body) {
  WitnessResponse response;
  response.http_status = status;
  response.body = std::move(body);
  if (!response.body.empty() && response.body.back() != '\n') response.body += '\n';
  return response;
}

absl::Status WriteDurably(const std::string& path, const std::string& content) {
  const std::string temp = path + ".tmp";
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("creating ", temp));
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      close(fd);
      return absl::ErrnoToStatus(e, absl::StrCat("writing ", temp));
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) {
    int e = errno;
    close(fd);
    return absl::ErrnoToStatus(e, absl::StrCat("syncing ", temp));
  }
  close(fd);
  if (rename(temp.c_str(), path.c_str()) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("renaming ", temp));
  }
  const std::string directory = std::filesystem::path(path).parent_path().string();
  int dir = open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return absl::ErrnoToStatus(errno, absl::StrCat("opening ", directory));
  int rc = fsync(dir);
  int e = errno;
  close(dir);
  if (rc != 0) return absl::ErrnoToStatus(e, absl::StrCat("syncing ", directory));
  return absl::OkStatus();
}

}  // namespace

std::string FormatAddCheckpoint(const AddCheckpointRequest& request) {
  std::string body = absl::StrCat("old ", request.old_size, "\n");
  for (const std::string& hash : request.proof) absl::StrAppend(&body, absl::Base64Escape(hash), "\n");
  return absl::StrCat(body, "\n", request.note);
}

absl::StatusOr<AddCheckpointRequest> ParseAddCheckpoint(absl::string_view body) {
  const size_t blank = body.find("\n\n");
  if (blank == absl::string_view::npos) {
    return absl::InvalidArgumentError("no blank line between the old size and proof, and the note");
  }
  AddCheckpointRequest request;
  std::vector<absl::string_view> lines = absl::StrSplit(body.substr(0, blank), '\n');
  if (lines.empty() || lines[0].substr(0, 4) != "old " ||
      !ParseCanonicalSize(lines[0].substr(4), &request.old_size)) {
    return absl::InvalidArgumentError("the first line is not \"old <size>\"");
  }
  if (lines.size() - 1 > kMaxWitnessProofHashes) {
    return absl::InvalidArgumentError(
        absl::StrCat("more than ", kMaxWitnessProofHashes, " proof hashes"));
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string hash;
    if (!absl::Base64Unescape(lines[i], &hash) || hash.size() != 32 ||
        absl::Base64Escape(hash) != lines[i]) {
      return absl::InvalidArgumentError(absl::StrCat("proof line ", i, " is not a base64 hash"));
    }
    request.proof.push_back(std::move(hash));
  }
  request.note = std::string(body.substr(blank + 2));
  return request;
}

absl::StatusOr<std::unique_ptr<FileWitnessStateStore>> FileWitnessStateStore::Open(
    const std::string& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create the witness state directory ", directory, ": ",
                     error.message()));
  }
  return std::unique_ptr<FileWitnessStateStore>(new FileWitnessStateStore(directory));
}

std::string FileWitnessStateStore::PathOf(absl::string_view origin) const {
  return absl::StrCat(directory_, "/", ToHex(Sha256(origin)));
}

absl::StatusOr<std::optional<WitnessedTree>> FileWitnessStateStore::Get(
    absl::string_view origin) const {
  std::ifstream in(PathOf(origin), std::ios::binary);
  if (!in) return std::optional<WitnessedTree>();
  std::stringstream text;
  text << in.rdbuf();
  std::vector<std::string> lines = absl::StrSplit(text.str(), '\n');
  WitnessedTree tree;
  if (lines.size() != 4 || lines[0] != origin || !ParseCanonicalSize(lines[1], &tree.size) ||
      !absl::Base64Unescape(lines[2], &tree.root_hash) || tree.root_hash.size() != 32 ||
      !lines[3].empty()) {
    return absl::DataLossError(absl::StrCat("the witness state of ", origin, " (", PathOf(origin),
                                            ") is malformed"));
  }
  return std::optional<WitnessedTree>(tree);
}

absl::Status FileWitnessStateStore::Put(absl::string_view origin, const WitnessedTree& tree) {
  return WriteDurably(PathOf(origin), absl::StrCat(origin, "\n", tree.size, "\n",
                                                   absl::Base64Escape(tree.root_hash), "\n"));
}

Witness::Witness(Cosigner cosigner, std::vector<NoteVerifier> logs, WitnessStateStore* state,
                 std::function<uint64_t()> now)
    : cosigner_(std::move(cosigner)), state_(state), now_(std::move(now)) {
  for (NoteVerifier& log : logs) {
    std::string origin = log.key_name();
    logs_.emplace(std::move(origin), std::move(log));
  }
}

WitnessResponse Witness::AddCheckpoint(absl::string_view body) {
  absl::StatusOr<AddCheckpointRequest> request = ParseAddCheckpoint(body);
  if (!request.ok()) return Answer(400, std::string(request.status().message()));
  const std::string origin = request->note.substr(0, request->note.find('\n'));
  auto log = logs_.find(origin);
  if (log == logs_.end()) return Answer(404, absl::StrCat("unknown log \"", origin, "\""));
  absl::StatusOr<std::string> text = log->second.Open(request->note);
  if (!text.ok()) {
    return Answer(absl::IsUnauthenticated(text.status()) ? 403 : 400,
                  std::string(text.status().message()));
  }
  absl::StatusOr<Checkpoint> checkpoint = ParseCheckpoint(*text);
  if (!checkpoint.ok()) return Answer(400, std::string(checkpoint.status().message()));
  if (request->old_size > checkpoint->tree_size) {
    return Answer(400, absl::StrCat("old size ", request->old_size, " is larger than the checkpoint's ",
                                    checkpoint->tree_size));
  }
  absl::MutexLock lock(&mu_);
  absl::StatusOr<std::optional<WitnessedTree>> stored = state_->Get(origin);
  if (!stored.ok()) return Answer(500, std::string(stored.status().message()));
  const WitnessedTree known = stored->value_or(WitnessedTree{0, MerkleEmptyRootHash()});
  if (request->old_size != known.size) {
    WitnessResponse conflict = Answer(409, absl::StrCat(known.size));
    conflict.content_type = kTlogSizeContentType;
    return conflict;
  }
  if (checkpoint->tree_size == known.size) {
    if (checkpoint->root_hash != known.root_hash) {
      return Answer(409, absl::StrCat("a checkpoint of size ", known.size,
                                      " with another root was cosigned before"));
    }
    if (!request->proof.empty()) return Answer(422, "the proof must be empty for the same size");
  } else {
    if (known.size == 0 && !request->proof.empty()) {
      return Answer(422, "the proof must be empty when the old size is 0");
    }
    absl::Status consistent = VerifyConsistency(known.size, checkpoint->tree_size, request->proof,
                                                known.root_hash, checkpoint->root_hash);
    if (!consistent.ok()) {
      return Answer(422, absl::StrCat("the checkpoint of size ", checkpoint->tree_size,
                                      " is not proved consistent with the one of size ",
                                      known.size, " cosigned before: ", consistent.message()));
    }
    absl::Status saved = state_->Put(origin, {checkpoint->tree_size, checkpoint->root_hash});
    if (!saved.ok()) return Answer(500, std::string(saved.message()));
  }
  absl::StatusOr<std::string> line = cosigner_.Cosign(*text, now_());
  if (!line.ok()) return Answer(500, std::string(line.status().message()));
  return Answer(200, *line);
}

}  // namespace ledger
