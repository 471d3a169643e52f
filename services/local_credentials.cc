#include "services/local_credentials.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "ledger/master_key.h"
#include "services/token_signer.h"

namespace services {
namespace {

namespace fs = std::filesystem;

constexpr char kLocalKeyId[] = "ledgerd-local-1";
constexpr absl::Duration kTokenLifetime = absl::Hours(24 * 30);

constexpr char kLocalPolicy[] = R"policy(# The access policy of this local ledger (protobuf text format: engagement.v1.AccessPolicy,
# documented in docs/security.md). Edit it and send ledgerd SIGHUP to reload it.
principals {
  token_subject: "local-operator"
  description: "ledgerctl on this machine (operator.token)"
  grants { role: ROLE_RECORDER organisations: "*" }
  grants { role: ROLE_READER organisations: "*" }
  grants { role: ROLE_AUDITOR organisations: "*" }
  grants { role: ROLE_ADMIN organisations: "*" }
}
principals {
  token_subject: "local-privacy-officer"
  description: "a privacy officer on this machine (privacy-officer.token)"
  grants { role: ROLE_PRIVACY_OFFICER organisations: "*" }
}
)policy";

// Writes `contents` to `path` atomically (a temporary file renamed over it) with `mode`.
absl::Status WriteFile(const std::string& path, const std::string& contents, mode_t mode) {
  std::string temporary = absl::StrCat(path, ".tmp");
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return absl::FailedPreconditionError(absl::StrCat("cannot create ", temporary));
  bool ok = ::write(fd, contents.data(), contents.size()) ==
                static_cast<ssize_t>(contents.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(temporary.c_str(), path.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("cannot write ", path));
  }
  return absl::OkStatus();
}

}  // namespace

std::string LocalCredentialsDirectory(const std::string& data_dir) {
  return (fs::path(data_dir) / "local").string();
}

absl::StatusOr<LocalCredentials> PrepareLocalCredentials(const std::string& data_dir,
                                                         absl::Time now) {
  LocalCredentials local;
  local.directory = LocalCredentialsDirectory(data_dir);
  std::error_code error;
  fs::create_directories(local.directory, error);
  if (error) return absl::FailedPreconditionError(absl::StrCat("cannot create ", local.directory));
  fs::permissions(local.directory, fs::perms::owner_all, error);

  auto in_dir = [&](const char* name) { return (fs::path(local.directory) / name).string(); };
  std::string key_file = in_dir("issuer.key");
  std::unique_ptr<TokenSigner> signer;
  if (fs::exists(key_file)) {
    absl::StatusOr<std::unique_ptr<TokenSigner>> loaded = TokenSigner::LoadPemFile(key_file, kLocalKeyId);
    if (!loaded.ok()) return loaded.status();
    signer = *std::move(loaded);
  } else {
    absl::StatusOr<std::unique_ptr<TokenSigner>> made = TokenSigner::GenerateEs256(kLocalKeyId);
    if (!made.ok()) return made.status();
    signer = *std::move(made);
    if (absl::Status saved = signer->SavePemFile(key_file); !saved.ok()) return saved;
  }
  absl::StatusOr<std::string> jwks = signer->Jwks();
  if (!jwks.ok()) return jwks.status();
  local.tokens.issuer = kLocalIssuer;
  local.tokens.audience = kLedgerAudience;
  local.tokens.jwks_file = in_dir("jwks.json");
  if (absl::Status s = WriteFile(local.tokens.jwks_file, *jwks, 0644); !s.ok()) return s;

  local.policy_file = in_dir("policy.textproto");
  if (!fs::exists(local.policy_file)) {
    if (absl::Status s = WriteFile(local.policy_file, kLocalPolicy, 0600); !s.ok()) return s;
  }
  local.master_key_file = in_dir("master.key");
  if (!fs::exists(local.master_key_file)) {
    if (absl::Status s = ledger::MasterKey::GenerateFile(local.master_key_file); !s.ok()) return s;
  }

  local.operator_token_file = in_dir("operator.token");
  local.privacy_officer_token_file = in_dir("privacy-officer.token");
  for (const auto& [subject, file] :
       {std::pair<const char*, const std::string*>{kLocalOperator, &local.operator_token_file},
        {kLocalPrivacyOfficer, &local.privacy_officer_token_file}}) {
    TokenClaims claims;
    claims.issuer = kLocalIssuer;
    claims.audience = kLedgerAudience;
    claims.subject = subject;
    claims.issued_at = now;
    claims.expires = now + kTokenLifetime;
    absl::StatusOr<std::string> token = signer->Sign(claims);
    if (!token.ok()) return token.status();
    if (absl::Status s = WriteFile(*file, *token + "\n", 0600); !s.ok()) return s;
  }
  return local;
}

}  // namespace services
