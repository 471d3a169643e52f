#include "projections/evidence_snapshot.h"

#include <openssl/evp.h>

#include <memory>

#include "ledger/log_format.h"
#include "projections/evidence_projection.h"

namespace projections {
namespace {

template <typename Record>
absl::Status LoadKind(const StateReader& state, char kind, absl::string_view org,
                      std::map<std::string, Record>* out) {
  std::string prefix = KindPrefix(kind, org);
  absl::Status parse_error;
  absl::Status s = state.Scan(prefix, [&](absl::string_view key, absl::string_view value) {
    Record record;
    if (!record.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      parse_error = absl::DataLossError("a projection record does not parse");
      return false;
    }
    if (!record.retracted()) (*out)[std::string(key.substr(prefix.size()))] = std::move(record);
    return true;
  });
  return s.ok() ? parse_error : s;
}

}  // namespace

absl::StatusOr<EvidenceSnapshot> EvidenceSnapshot::Load(const StateReader& state,
                                                         absl::string_view org) {
  EvidenceSnapshot snapshot;
  absl::Status s;
  if (s.ok()) s = LoadKind(state, 'e', org, &snapshot.engagements);
  if (s.ok()) s = LoadKind(state, 's', org, &snapshot.sessions);
  if (s.ok()) s = LoadKind(state, 'p', org, &snapshot.participants);
  if (s.ok()) s = LoadKind(state, 'i', org, &snapshot.insights);
  if (s.ok()) s = LoadKind(state, 'd', org, &snapshot.decisions);
  if (s.ok()) s = LoadKind(state, 'f', org, &snapshot.feedback);
  if (s.ok()) s = LoadKind(state, 'r', org, &snapshot.reimbursements);
  if (s.ok()) s = LoadKind(state, 'c', org, &snapshot.consultations);
  if (s.ok()) s = LoadKind(state, 'a', org, &snapshot.assessments);
  if (s.ok()) s = LoadKind(state, 'n', org, &snapshot.information);
  if (s.ok()) s = LoadKind(state, 'v', org, &snapshot.forms);
  if (s.ok()) s = LoadKind(state, 'w', org, &snapshot.returns);
  if (s.ok()) s = LoadKind(state, 'k', org, &snapshot.case_studies);
  if (s.ok()) s = LoadKind(state, 'j', org, &snapshot.invitations);
  if (!s.ok()) return s;
  // A decision record made only by an earlier duty assessment is not a decision yet.
  for (auto it = snapshot.decisions.begin(); it != snapshot.decisions.end();) {
    it = it->second.position() == 0 ? snapshot.decisions.erase(it) : std::next(it);
  }
  return snapshot;
}

std::vector<const records::InsightDecisionLink*> EvidenceSnapshot::Decisions(
    const records::InsightRecord& insight) const {
  std::vector<const records::InsightDecisionLink*> out;
  for (const auto& link : insight.decisions()) {
    if (decisions.contains(link.decision_id())) out.push_back(&link);
  }
  return out;
}

int64_t EvidenceSnapshot::FirstFeedback(const records::DecisionRecord& decision) const {
  int64_t first = 0;
  for (const auto& link : decision.feedback()) {
    if (!feedback.contains(link.feedback_id())) continue;
    if (first == 0 || link.given_at() < first) first = link.given_at();
  }
  return first;
}

int64_t EvidenceSnapshot::FirstFeedback(const records::InsightRecord& insight) const {
  int64_t first = 0;
  auto consider = [&](int64_t at) {
    if (at != 0 && (first == 0 || at < first)) first = at;
  };
  for (const auto& link : insight.feedback()) {
    if (feedback.contains(link.feedback_id())) consider(link.given_at());
  }
  for (const auto* link : Decisions(insight)) {
    consider(FirstFeedback(decisions.at(link->decision_id())));
  }
  return first;
}

absl::StatusOr<std::string> EvidenceStateDigest(const StateReader& state, absl::string_view org) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                    &EVP_MD_CTX_free);
  if (context == nullptr || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1) {
    return absl::InternalError("cannot start SHA-256");
  }
  auto add = [&](absl::string_view bytes) {
    std::string length = ledger::log_format::EncodeFixed64BE(bytes.size()).substr(4);
    EVP_DigestUpdate(context.get(), length.data(), length.size());
    EVP_DigestUpdate(context.get(), bytes.data(), bytes.size());
  };
  for (char kind : absl::string_view("espidfrcanvwkj")) {
    absl::Status s = state.Scan(KindPrefix(kind, org), [&](absl::string_view key,
                                                           absl::string_view value) {
      add(key);
      add(value);
      return true;
    });
    if (!s.ok()) return s;
  }
  std::string digest(32, '\0');
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context.get(), reinterpret_cast<unsigned char*>(digest.data()),
                         &length) != 1 ||
      length != digest.size()) {
    return absl::InternalError("cannot finish SHA-256");
  }
  return digest;
}

}  // namespace projections
