// WitnessClient: posts C2SP tlog-witness add-checkpoint requests (ledger/tlog_witness.h) to one
// witness over HTTP or HTTPS, and the witnesses file that names them.
//
// The witnesses file has one witness per line, "<verifier key> <URL>", the URL being the
// witness's submission prefix (the request goes to <URL>/add-checkpoint); blank lines and lines
// starting with '#' are skipped:
//
//   # the ICB's auditor
//   auditor.example.nhs.uk/witness+1a2b3c4d+BE3x... https://witness.auditor.example.nhs.uk
//
// Thread safety: a client makes one request at a time (calls are serialised).
#ifndef ENGAGEMENT_SERVICES_WITNESS_CLIENT_H_
#define ENGAGEMENT_SERVICES_WITNESS_CLIENT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace httplib {
class Client;
}

namespace services {

struct WitnessEndpoint {
  std::string verifier_key;  // a cosignature (0x04) verifier key
  std::string url;           // http(s)://host[:port][/prefix]
};

// INVALID_ARGUMENT naming the line when the file is malformed; NOT_FOUND when it cannot be read.
absl::StatusOr<std::vector<WitnessEndpoint>> ReadWitnessesFile(const std::string& path);

class WitnessClient {
 public:
  // `ca_file`: the CA certificates that HTTPS witnesses' certificates must chain to (empty: the
  // system's). INVALID_ARGUMENT for a URL that is not http(s)://host[:port][/prefix].
  static absl::StatusOr<std::unique_ptr<WitnessClient>> Create(const std::string& url,
                                                               const std::string& ca_file,
                                                               absl::Duration timeout);
  ~WitnessClient();

  struct Reply {
    int status = 0;
    std::string content_type;
    std::string body;
  };
  // POSTs `body` to <URL>/add-checkpoint. UNAVAILABLE, saying why, when no HTTP answer came.
  absl::StatusOr<Reply> AddCheckpoint(const std::string& body);

  const std::string& url() const { return url_; }

 private:
  WitnessClient() = default;
  std::string url_;
  std::string path_;  // <prefix>/add-checkpoint
  absl::Mutex mu_;
  std::unique_ptr<httplib::Client> client_ ABSL_GUARDED_BY(mu_);
};

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_WITNESS_CLIENT_H_
