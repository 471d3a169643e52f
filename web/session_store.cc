#include "web/session_store.h"

#include <openssl/rand.h>

#include "absl/strings/escaping.h"

namespace web {

std::string RandomToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) abort();  // no randomness: nothing is safe to do
  return absl::WebSafeBase64Escape(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

std::string SessionStore::Create(Session session) {
  std::string id = RandomToken();
  session.csrf = RandomToken();
  absl::MutexLock lock(&mu_);
  // Forget the expired ones now and then (sign-ins are rare; this keeps the map small).
  const absl::Time now = absl::Now();
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = it->second.expires < now ? sessions_.erase(it) : std::next(it);
  }
  sessions_[id] = std::move(session);
  return id;
}

std::optional<Session> SessionStore::Find(const std::string& id) {
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::nullopt;
  if (it->second.expires < absl::Now()) {
    sessions_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void SessionStore::Remove(const std::string& id) {
  absl::MutexLock lock(&mu_);
  sessions_.erase(id);
}

std::string SessionStore::BeginSignIn(const std::string& verifier) {
  std::string state = RandomToken();
  absl::MutexLock lock(&mu_);
  const absl::Time now = absl::Now();
  for (auto it = pending_.begin(); it != pending_.end();) {
    it = it->second.second < now ? pending_.erase(it) : std::next(it);
  }
  pending_[state] = {verifier, now + absl::Minutes(10)};
  return state;
}

std::optional<std::string> SessionStore::FinishSignIn(const std::string& state) {
  absl::MutexLock lock(&mu_);
  auto it = pending_.find(state);
  if (it == pending_.end() || it->second.second < absl::Now()) return std::nullopt;
  std::string verifier = it->second.first;
  pending_.erase(it);
  return verifier;
}

}  // namespace web
