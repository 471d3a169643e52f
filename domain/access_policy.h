// AccessPolicy: which callers hold which roles for which organisations, and the checks every
// service makes before it serves a call. Deny by default: a caller holds only what a grant names.
//
// The policy is an engagement.v1.AccessPolicy message in protobuf text format (the format and the
// roles are documented in proto/engagement/v1/access_policy.proto and docs/security.md). A
// refusal is PERMISSION_DENIED naming the role and the organisation missing, never any data.
//
// Thread safety: a parsed AccessPolicy and the Callers it resolves are immutable.
#ifndef ENGAGEMENT_DOMAIN_ACCESS_POLICY_H_
#define ENGAGEMENT_DOMAIN_ACCESS_POLICY_H_

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engagement/v1/access_policy.pb.h"

namespace domain {

using engagement::v1::Role;

// "recorder", "privacy_officer"...: the role's name as people write it.
std::string RoleName(Role role);

// The organisations a caller holds some roles for: a set of ODS codes, or every organisation.
struct OrganisationScope {
  bool every = false;
  absl::flat_hash_set<std::string> codes;

  bool Contains(absl::string_view organisation) const {
    return every || codes.contains(organisation);
  }
  bool empty() const { return !every && codes.empty(); }
};

// An authenticated caller and its grants.
class Caller {
 public:
  Caller() = default;
  Caller(std::string identity, std::vector<engagement::v1::Grant> grants);

  // "token:<sub>" or "certificate:<san>"; also the actor of events the ledger records for it.
  const std::string& identity() const { return identity_; }
  const std::vector<engagement::v1::Grant>& grants() const { return grants_; }

  bool Has(Role role, absl::string_view organisation) const;
  // Holds `role` for at least one organisation.
  bool HasAnywhere(Role role) const;
  // Holds some role at all.
  bool HasAnyRole() const { return !grants_.empty(); }
  // The organisations for which the caller holds at least one of `roles`.
  OrganisationScope ScopeOf(std::initializer_list<Role> roles) const;

  // OK when the caller holds `role` for `organisation`; else PERMISSION_DENIED saying so.
  absl::Status Require(Role role, absl::string_view organisation) const;
  // OK when the caller holds one of `roles` for `organisation`.
  absl::Status RequireOneOf(std::initializer_list<Role> roles, absl::string_view organisation) const;
  // OK when the caller holds one of `roles` for some organisation.
  absl::Status RequireAnywhere(std::initializer_list<Role> roles) const;

 private:
  std::string identity_;
  std::vector<engagement::v1::Grant> grants_;
  absl::flat_hash_map<Role, OrganisationScope> scopes_;
};

class AccessPolicy {
 public:
  // Parses and checks a policy in protobuf text format. INVALID_ARGUMENT saying what is wrong
  // and where (a principal without an identity, an identity given twice, an unknown role, an
  // organisation that is not an ODS code or "*").
  static absl::StatusOr<AccessPolicy> Parse(absl::string_view text);
  // Reads and parses a file.
  static absl::StatusOr<AccessPolicy> Load(const std::string& path);
  // From a message (local mode builds its policy in code).
  static absl::StatusOr<AccessPolicy> FromMessage(const engagement::v1::AccessPolicy& policy);

  // The caller for a verified token subject or certificate SAN, or null when the policy does not
  // know it. Callers are built once, when the policy is parsed.
  std::shared_ptr<const Caller> ForTokenSubject(absl::string_view subject) const;
  std::shared_ptr<const Caller> ForCertificateSan(absl::string_view san) const;

  size_t principal_count() const { return by_token_.size() + by_certificate_.size(); }

 private:
  absl::flat_hash_map<std::string, std::shared_ptr<const Caller>> by_token_;
  absl::flat_hash_map<std::string, std::shared_ptr<const Caller>> by_certificate_;
};

}  // namespace domain

#endif  // ENGAGEMENT_DOMAIN_ACCESS_POLICY_H_
