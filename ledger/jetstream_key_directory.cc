#include "ledger/jetstream_key_directory.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace ledger {
namespace {

// Bucket keys allow only some characters: the subject, hex-encoded.
std::string BucketKey(absl::string_view subject) { return absl::BytesToHexString(subject); }

struct KvWatcherDeleter {
  void operator()(kvWatcher* w) const { kvWatcher_Destroy(w); }
};

}  // namespace

absl::StatusOr<std::unique_ptr<JetStreamKeyDirectory>> JetStreamKeyDirectory::Start(
    JetStreamReplica* replica, SubjectKeyStore* store) {
  std::unique_ptr<JetStreamKeyDirectory> directory(new JetStreamKeyDirectory(store));
  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.Wait = absl::ToInt64Milliseconds(replica->options().publish_timeout);
  jsCtx* js = nullptr;
  natsStatus s = natsConnection_JetStream(&js, replica->connection(), &js_options);
  if (s != NATS_OK) return NatsError(s, "opening JetStream for the key directory");
  directory->js_.reset(js);
  kvConfig config;
  kvConfig_Init(&config);
  const std::string name = absl::StrCat(replica->options().stream, "_keys");
  config.Bucket = name.c_str();
  config.History = 1;
  config.Replicas = replica->options().replicas;
  config.StorageType = js_FileStorage;
  kvStore* kv = nullptr;
  s = js_CreateKeyValue(&kv, js, &config);
  if (s != NATS_OK) s = js_KeyValue(&kv, js, name.c_str());
  if (s != NATS_OK) return NatsError(s, "creating the shared key directory's bucket");
  directory->bucket_.reset(kv);
  JetStreamKeyDirectory* raw = directory.get();
  directory->watcher_ = std::thread([raw] {
    pthread_setname_np(pthread_self(), "ledger-keys");
    raw->WatchErasures();
  });
  store->SetShared(directory.get());
  return directory;
}

JetStreamKeyDirectory::~JetStreamKeyDirectory() {
  store_->SetShared(nullptr);
  stop_.Notify();
  if (watcher_.joinable()) watcher_.join();
}

absl::StatusOr<std::optional<std::string>> JetStreamKeyDirectory::Get(absl::string_view subject) {
  kvEntry* raw = nullptr;
  natsStatus s = kvStore_Get(&raw, bucket_.get(), BucketKey(subject).c_str());
  KvEntry entry(raw);
  if (s == NATS_NOT_FOUND) return std::nullopt;
  if (s != NATS_OK) return NatsError(s, "reading the shared key directory");
  return std::string(static_cast<const char*>(kvEntry_Value(raw)), kvEntry_ValueLen(raw));
}

absl::StatusOr<std::string> JetStreamKeyDirectory::PutIfAbsent(absl::string_view subject,
                                                               absl::string_view value) {
  uint64_t revision = 0;
  natsStatus s = kvStore_Create(&revision, bucket_.get(), BucketKey(subject).c_str(),
                                value.data(), static_cast<int>(value.size()));
  if (s == NATS_OK) return std::string(value);
  // Taken already (by another node, or an erasure): what holds is what everyone uses.
  absl::StatusOr<std::optional<std::string>> holds = Get(subject);
  if (!holds.ok()) return holds.status();
  if (!holds->has_value()) return NatsError(s, "storing a data key in the shared directory");
  return **holds;
}

absl::Status JetStreamKeyDirectory::Replace(absl::string_view subject, absl::string_view value) {
  uint64_t revision = 0;
  natsStatus s = kvStore_Put(&revision, bucket_.get(), BucketKey(subject).c_str(), value.data(),
                             static_cast<int>(value.size()));
  if (s != NATS_OK) return NatsError(s, "recording an erasure in the shared key directory");
  return absl::OkStatus();
}

void JetStreamKeyDirectory::WatchErasures() {
  while (!stop_.HasBeenNotified()) {
    kvWatchOptions options;
    kvWatchOptions_Init(&options);
    options.IgnoreDeletes = true;
    kvWatcher* raw = nullptr;
    if (kvStore_WatchAll(&raw, bucket_.get(), &options) != NATS_OK) {
      stop_.WaitForNotificationWithTimeout(absl::Seconds(1));
      continue;
    }
    std::unique_ptr<kvWatcher, KvWatcherDeleter> watcher(raw);
    while (!stop_.HasBeenNotified()) {
      kvEntry* next = nullptr;
      natsStatus s = kvWatcher_Next(&next, watcher.get(), 200);
      if (s == NATS_TIMEOUT) continue;
      if (s != NATS_OK) break;
      KvEntry entry(next);
      if (next == nullptr) continue;  // the end of the initial values
      absl::string_view value(static_cast<const char*>(kvEntry_Value(next)),
                              kvEntry_ValueLen(next));
      int64_t seconds = 0;
      if (!absl::StartsWith(value, "x:") || !absl::SimpleAtoi(value.substr(2), &seconds)) continue;
      const std::string subject = absl::HexStringToBytes(kvEntry_Key(next));
      absl::StatusOr<SubjectKeyLookup> known = store_->Find(subject);
      if (known.ok() && known->state == SubjectKeyState::kPresent) {
        store_->ForgetErased(subject, absl::FromUnixSeconds(seconds)).IgnoreError();
      }
    }
    kvWatcher_Stop(watcher.get());
  }
}

}  // namespace ledger
