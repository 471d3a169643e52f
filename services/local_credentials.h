// Local mode's credentials: what `make run` needs to serve authenticated callers on loopback
// without an identity provider, a PKI or a secret store.
//
// On every start in local mode, ledgerd makes (or keeps) in DATA_DIR/local (mode 0700):
//   issuer.key            an ES256 private key: ledgerd's own local token issuer (0600)
//   jwks.json             its public key, as an identity provider publishes it
//   policy.textproto      the access policy (written once; edit it and send SIGHUP)
//   operator.token        subject "local-operator": recorder, reader, auditor and admin for
//                         every organisation (what ledgerctl uses by default)
//   privacy-officer.token subject "local-privacy-officer": privacy officer for every organisation
//   master.key            the master key that wraps participants' data keys (0600)
// Tokens are issued afresh at every start and last 30 days. Every call is still authenticated
// and authorised exactly as in production: local mode only saves the set-up. Outside local mode
// none of this is made: the flags name the real issuer, policy and master key.
#ifndef ENGAGEMENT_SERVICES_LOCAL_CREDENTIALS_H_
#define ENGAGEMENT_SERVICES_LOCAL_CREDENTIALS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/token_verifier.h"

namespace services {

inline constexpr char kLocalIssuer[] = "ledgerd-local";
inline constexpr char kLedgerAudience[] = "engagement-ledger";
inline constexpr char kLocalOperator[] = "local-operator";
inline constexpr char kLocalPrivacyOfficer[] = "local-privacy-officer";

struct LocalCredentials {
  std::string directory;            // DATA_DIR/local
  TokenVerifierOptions tokens;      // the local issuer, audience and JWKS file
  std::string policy_file;
  std::string master_key_file;
  std::string operator_token_file;
  std::string privacy_officer_token_file;
};

// The local credentials directory of a data directory.
std::string LocalCredentialsDirectory(const std::string& data_dir);

// Makes or refreshes the files above; `now` dates the tokens.
absl::StatusOr<LocalCredentials> PrepareLocalCredentials(const std::string& data_dir, absl::Time now);

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_LOCAL_CREDENTIALS_H_
