// SessionStore: who is signed in to the console, in memory. A session is a random 256-bit id
// (OpenSSL's RAND_bytes) sent as an HttpOnly, SameSite=Lax cookie (Secure over TLS), and
// holds the person's bearer token, which never reaches the browser. Each session also has a
// form token that every POST must carry back (csrf), against cross-site requests. Sessions end
// at sign-out, after 8 hours, when the token expires, or when ledgerd restarts.
// Thread safety: all methods may be called concurrently.
#ifndef ENGAGEMENT_WEB_SESSION_STORE_H_
#define ENGAGEMENT_WEB_SESSION_STORE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace web {

struct Session {
  std::string token;     // the bearer token the console calls the services with
  std::string identity;  // as GetCaller says it
  std::string csrf;
  absl::Time expires;
  // From the person's grants (GetCaller) at sign-in.
  bool may_record = false;
  bool may_audit = false;
  bool may_read_reports = false;
  std::vector<std::string> organisations;  // every organisation of any grant ("*": all)
};

class SessionStore {
 public:
  // A new session; returns its id.
  std::string Create(Session session);
  std::optional<Session> Find(const std::string& id);
  void Remove(const std::string& id);

  // Pending sign-ins through the identity provider: state -> (PKCE verifier, return path).
  std::string BeginSignIn(const std::string& verifier);
  std::optional<std::string> FinishSignIn(const std::string& state);

 private:
  absl::Mutex mu_;
  std::map<std::string, Session> sessions_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::pair<std::string, absl::Time>> pending_ ABSL_GUARDED_BY(mu_);
};

// 32 random bytes, base64url without padding.
std::string RandomToken();

}  // namespace web

#endif  // ENGAGEMENT_WEB_SESSION_STORE_H_
