// JetStreamKeyDirectory: the replicated ledger's shared key directory (shared_key_directory.h),
// a JetStream key-value bucket "<stream>_keys" keeping one value per subject (history 1, so an
// erasure marker leaves no earlier revision in the bucket), with as many replicas as the stream.
// Subjects are hex-encoded into the bucket's keys.
//
// It also watches the bucket, and records in the local store every erasure another node makes
// (SubjectKeyStore::ForgetErased), so that a key erased anywhere is forgotten everywhere.
//
// Ownership: holds the replica (for its connection) and the store (not owned; both must outlive
// it). Destroying it stops the watch.
#ifndef ENGAGEMENT_LEDGER_JETSTREAM_KEY_DIRECTORY_H_
#define ENGAGEMENT_LEDGER_JETSTREAM_KEY_DIRECTORY_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "ledger/jetstream_replica.h"
#include "ledger/nats_handles.h"
#include "ledger/shared_key_directory.h"
#include "ledger/subject_key_store.h"

namespace ledger {

class JetStreamKeyDirectory final : public SharedKeyDirectory {
 public:
  // Creates the bucket if it does not exist, starts watching it, and gives itself to `store`.
  static absl::StatusOr<std::unique_ptr<JetStreamKeyDirectory>> Start(JetStreamReplica* replica,
                                                                      SubjectKeyStore* store);
  ~JetStreamKeyDirectory() override;

  absl::StatusOr<std::optional<std::string>> Get(absl::string_view subject) override;
  absl::StatusOr<std::string> PutIfAbsent(absl::string_view subject,
                                          absl::string_view value) override;
  absl::Status Replace(absl::string_view subject, absl::string_view value) override;

 private:
  JetStreamKeyDirectory(SubjectKeyStore* store) : store_(store) {}
  // Applies erasures made elsewhere until stopped.
  void WatchErasures();

  SubjectKeyStore* const store_;
  JsCtx js_;
  KvStore bucket_;
  absl::Notification stop_;
  std::thread watcher_;
};

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_JETSTREAM_KEY_DIRECTORY_H_
