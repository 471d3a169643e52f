// SubjectKeyStore: one data key per data subject, wrapped by the master key, and destroyed on
// erasure (crypto-shredding).
//
// Personal data is sealed under its subject's data key before it reaches the log
// (sealed_box.h), so the hash chain covers only ciphertext. Destroying the key makes that
// ciphertext unreadable for ever while every hash, proof and checkpoint stays valid.
//
// The store is its own RocksDB database (DATA_DIR/keys), small, apart from the log, so that
// erasing a key can flush and compact it out of every file at once. Stored format (one column
// family):
//   "k" || subject   -> master key id (16 hex digits) || Seal(master key,
//                       "subject-key/1:" || subject, data key (64 bytes))
//   "x" || subject   -> the erasure's Unix time in seconds, decimal; the key is gone
//   "p" || subject   -> empty: an erasure has begun (BeginErasure) and not yet been completed
//                       or cancelled; the caller resolves these at start (PendingErasures)
//   "meta:check"     -> Seal(master key, "master-key-check", "engagement-ledger"): opening with
//                       another master key fails at once, not at the first read
// A data key is 32 bytes of AES-256 key and 32 bytes of HMAC key for synthetic nonces.
//
// Erase writes the marker and deletes the key in one synced batch, then flushes the memtable (the
// WAL holding the key becomes obsolete and is deleted: archiving and recycling are off) and
// compacts every level, so that no file under the directory holds the wrapped key afterwards.
//
// Thread safety: every method may be called concurrently. Ownership: Open returns the only handle
// to the directory (RocksDB's LOCK file).
#ifndef ENGAGEMENT_LEDGER_SUBJECT_KEY_STORE_H_
#define ENGAGEMENT_LEDGER_SUBJECT_KEY_STORE_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "ledger/master_key.h"
#include "ledger/shared_key_directory.h"

namespace rocksdb {
class DB;
}

namespace ledger {

// A subject's unwrapped data key. Wiped when destroyed.
struct DataKey {
  std::string encryption_key;  // 32 bytes, AES-256-GCM
  std::string nonce_key;       // 32 bytes, HMAC-SHA256 for synthetic nonces
  DataKey() = default;
  DataKey(const DataKey&) = default;
  DataKey& operator=(const DataKey&) = default;
  ~DataKey();
};

// What the store knows of a subject.
enum class SubjectKeyState { kNone, kPresent, kErased };

struct SubjectKeyLookup {
  SubjectKeyState state = SubjectKeyState::kNone;
  DataKey key;  // kPresent only
};

class SubjectKeyStore {
 public:
  struct Options {
    bool create_if_missing = true;
    bool read_only = false;
    // Sync every write (keys must be durable before the events sealed under them). Only bulk
    // tools that rebuild from scratch on failure (generate_log) turn it off; the store is
    // flushed when closed.
    bool sync = true;
  };

  // Opens or creates the store in `directory`. FAILED_PRECONDITION when `master` is not the key
  // the store was made with (the message gives both key ids), or another process holds it.
  static absl::StatusOr<std::unique_ptr<SubjectKeyStore>> Open(const std::string& directory,
                                                               const MasterKey& master,
                                                               const Options& options);
  ~SubjectKeyStore();

  // Whether `directory` holds a key store.
  static bool Exists(const std::string& directory);

  // The subject's key, made and stored durably first if it has none. FAILED_PRECONDITION when the
  // subject was erased: an erased person's id is never given a new key.
  absl::StatusOr<DataKey> GetOrCreate(absl::string_view subject);
  // The subject's key, or that it has none, or that it was erased.
  absl::StatusOr<SubjectKeyLookup> Find(absl::string_view subject) const;
  // Destroys the subject's key as described above; idempotent. The marker records `when`.
  absl::Status Erase(absl::string_view subject, absl::Time when);
  // Marks an erasure as begun, durably, before the caller records it elsewhere (the log); Erase
  // or CancelErasure ends it. After a crash, PendingErasures lists the subjects whose erasure
  // must be completed or cancelled, whichever the log says.
  absl::Status BeginErasure(absl::string_view subject);
  absl::Status CancelErasure(absl::string_view subject);
  absl::StatusOr<std::vector<std::string>> PendingErasures() const;
  // A replicated ledger: share keys and erasures with the other nodes through `shared` (not owned;
  // must outlive the store, or be replaced by null first). See shared_key_directory.h.
  void SetShared(SharedKeyDirectory* shared) { shared_.store(shared, std::memory_order_release); }
  // Records an erasure made on another node: as Erase, without telling the shared directory.
  absl::Status ForgetErased(absl::string_view subject, absl::Time when);
  // A consistent copy of the store in `directory` (which must not exist), by RocksDB checkpoint.
  absl::Status CopyTo(const std::string& directory);
  // How many subjects have a key; how many were erased (a full scan: for tools and tests).
  absl::StatusOr<std::pair<uint64_t, uint64_t>> Count() const;

 private:
  SubjectKeyStore(std::unique_ptr<rocksdb::DB> db, MasterKey master, bool sync);

  // Find in this store only.
  absl::StatusOr<SubjectKeyLookup> FindLocal(absl::string_view subject) const;
  // Stores what the shared directory holds for a subject this store does not know.
  absl::Status Adopt(absl::string_view subject, absl::string_view shared_value) const;

  std::unique_ptr<rocksdb::DB> db_;
  std::atomic<SharedKeyDirectory*> shared_{nullptr};
  MasterKey master_;
  bool sync_;
  // Serialises the read-then-write of GetOrCreate and Erase.
  absl::Mutex write_mu_;
};

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_SUBJECT_KEY_STORE_H_
