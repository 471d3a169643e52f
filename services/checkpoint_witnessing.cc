#include "services/checkpoint_witnessing.h"

#include <cstdio>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "ledger/tlog_witness.h"
#include "services/logging.h"

namespace services {

struct CheckpointWitnessing::Peer {
  ledger::CosignatureVerifier key;
  std::unique_ptr<WitnessClient> client;
  uint64_t known_size = 0;  // what we believe it last cosigned
  WitnessStatus status;
};

struct CheckpointWitnessing::Outcome {
  enum Kind { kCosigned, kNotNow, kAnotherHistory } kind = kNotNow;
  std::string message;             // kNotNow, kAnotherHistory: what happened
  std::vector<std::string> lines;  // kCosigned: its valid cosignature lines
};

CheckpointWitnessing::~CheckpointWitnessing() = default;

absl::StatusOr<std::unique_ptr<CheckpointWitnessing>> CheckpointWitnessing::Create(
    const std::vector<WitnessEndpoint>& witnesses, const std::string& ca_file,
    const ledger::EventLog* log, ledger::CheckpointStore* store, ServingHealth* health,
    absl::Duration timeout) {
  std::unique_ptr<CheckpointWitnessing> witnessing(new CheckpointWitnessing());
  witnessing->log_ = log;
  witnessing->store_ = store;
  witnessing->health_ = health;
  absl::StatusOr<std::optional<ledger::StoredCheckpoint>> latest = store->LatestCheckpoint();
  if (!latest.ok()) return latest.status();
  for (const WitnessEndpoint& endpoint : witnesses) {
    absl::StatusOr<ledger::CosignatureVerifier> key =
        ledger::CosignatureVerifier::Parse(endpoint.verifier_key);
    if (!key.ok()) return key.status();
    absl::StatusOr<std::unique_ptr<WitnessClient>> client =
        WitnessClient::Create(endpoint.url, ca_file, timeout);
    if (!client.ok()) return client.status();
    auto peer = std::make_unique<Peer>(Peer{*std::move(key), *std::move(client), 0, {}});
    peer->status.name = peer->key.name();
    peer->status.url = endpoint.url;
    // Where it stands, if the newest checkpoint says; otherwise its first answer will.
    if (latest->has_value() && peer->key.Verify((*latest)->note).ok()) {
      peer->known_size = peer->status.cosigned_size = (*latest)->tree_size;
    }
    witnessing->peers_.push_back(std::move(peer));
  }
  return witnessing;
}

CheckpointWitnessing::Outcome CheckpointWitnessing::Push(Peer& peer,
                                                         const ledger::StoredCheckpoint& checkpoint) {
  const std::string who = absl::StrCat("witness ", peer.key.name(), " (", peer.client->url(), ")");
  uint64_t old_size = std::min(peer.known_size, checkpoint.tree_size);
  for (int attempt = 0; attempt < 3; ++attempt) {
    ledger::AddCheckpointRequest request;
    request.old_size = old_size;
    request.note = checkpoint.note;
    if (old_size > 0 && old_size < checkpoint.tree_size) {
      absl::StatusOr<std::vector<std::string>> proof =
          log_->ConsistencyProof(old_size, checkpoint.tree_size);
      if (!proof.ok()) return {Outcome::kNotNow, std::string(proof.status().message()), {}};
      request.proof = *std::move(proof);
    }
    absl::StatusOr<WitnessClient::Reply> reply =
        peer.client->AddCheckpoint(ledger::FormatAddCheckpoint(request));
    if (!reply.ok()) return {Outcome::kNotNow, std::string(reply.status().message()), {}};
    const std::string said(absl::StripAsciiWhitespace(reply->body).substr(0, 300));
    switch (reply->status) {
      case 200: {
        Outcome cosigned{Outcome::kCosigned, "", {}};
        for (absl::string_view line : absl::StrSplit(reply->body, '\n', absl::SkipEmpty())) {
          std::string with_newline = absl::StrCat(line, "\n");
          if (peer.key.Verify(checkpoint.note + with_newline).ok()) {
            cosigned.lines.push_back(with_newline);
          }
        }
        if (cosigned.lines.empty()) {
          return {Outcome::kNotNow, absl::StrCat(who, " answered 200 without a valid cosignature"),
                  {}};
        }
        peer.known_size = checkpoint.tree_size;
        return cosigned;
      }
      case 409: {
        uint64_t size = 0;
        if (absl::StartsWith(reply->content_type, ledger::kTlogSizeContentType) &&
            absl::SimpleAtoi(said, &size)) {
          if (size > checkpoint.tree_size) {
            return {Outcome::kAnotherHistory,
                    absl::StrCat(who, " has cosigned a tree of size ", size,
                                 ", larger than this ledger's checkpoint of size ",
                                 checkpoint.tree_size,
                                 ": the log was rolled back or its later checkpoints deleted"),
                    {}};
          }
          if (size == old_size) break;  // it contradicts itself; try later
          old_size = size;  // the protocol's catch-up: prove consistency from where it is
          peer.known_size = size;
          continue;
        }
        return {Outcome::kAnotherHistory,
                absl::StrCat(who, " has cosigned another tree of size ", checkpoint.tree_size,
                             ": ", said),
                {}};
      }
      case 422:
        return {Outcome::kAnotherHistory,
                absl::StrCat(who, " says the checkpoint of size ", checkpoint.tree_size,
                             " is not consistent with the tree of size ", old_size,
                             " it cosigned before: the log's history was changed (", said, ")"),
                {}};
      default:
        return {Outcome::kNotNow,
                absl::StrCat(who, " answered HTTP ", reply->status, ": ", said), {}};
    }
    break;
  }
  return {Outcome::kNotNow, absl::StrCat(who, " keeps answering 409 for the size it names"), {}};
}

absl::Status CheckpointWitnessing::CheckAtStart(const ledger::StoredCheckpoint& probe,
                                                bool stored) {
  for (const std::unique_ptr<Peer>& peer : peers_) {
    Outcome outcome = Push(*peer, probe);
    absl::MutexLock lock(&status_mu_);
    switch (outcome.kind) {
      case Outcome::kCosigned:
        if (stored) store_->AddCosignatures(probe.tree_size, outcome.lines).IgnoreError();
        peer->status.cosigned_size = std::max(peer->status.cosigned_size, probe.tree_size);
        peer->status.last_cosigned = absl::Now();
        peer->status.last_error.clear();
        break;
      case Outcome::kNotNow:
        peer->status.last_error = outcome.message;
        LogWarning(absl::StrCat("could not check with ", peer->key.name(), " at start: ",
                                outcome.message));
        break;
      case Outcome::kAnotherHistory:
        return absl::FailedPreconditionError(absl::StrCat(
            outcome.message, ". The newest checkpoint stored here is of size ", probe.tree_size,
            "; ledgerd will not sign over the gap. Restore the data directory from a backup that "
            "holds what the witness cosigned, and find out who changed this one "
            "(docs/audit.md section 7)"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckpointWitnessing::Witness(const ledger::StoredCheckpoint& checkpoint) {
  std::string halted;
  for (const std::unique_ptr<Peer>& peer : peers_) {
    Outcome outcome = Push(*peer, checkpoint);
    if (outcome.kind == Outcome::kCosigned) {
      absl::Status saved = store_->AddCosignatures(checkpoint.tree_size, outcome.lines);
      if (!saved.ok()) outcome = {Outcome::kNotNow, std::string(saved.message()), {}};
    }
    absl::MutexLock lock(&status_mu_);
    switch (outcome.kind) {
      case Outcome::kCosigned:
        peer->status.cosigned_size = checkpoint.tree_size;
        peer->status.last_cosigned = absl::Now();
        peer->status.last_error.clear();
        break;
      case Outcome::kNotNow:
        peer->status.last_error = outcome.message;
        break;
      case Outcome::kAnotherHistory:
        peer->status.last_error = outcome.message;
        health_->Set(absl::StrCat("witness ", peer->key.name()),
                     absl::StrCat(outcome.message, "; checkpoint signing is halted"));
        if (halted.empty()) halted = outcome.message;
        break;
    }
  }
  if (!halted.empty()) return absl::AbortedError(halted);
  return absl::OkStatus();
}

std::vector<WitnessStatus> CheckpointWitnessing::Statuses() const {
  absl::MutexLock lock(&status_mu_);
  std::vector<WitnessStatus> statuses;
  for (const std::unique_ptr<Peer>& peer : peers_) statuses.push_back(peer->status);
  return statuses;
}

}  // namespace services
