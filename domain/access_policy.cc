#include "domain/access_policy.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ledger/envelope_validation.h"

namespace domain {
namespace {

// Collects text-format parse errors with their line and column.
class ErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (first.empty()) first = absl::StrCat("line ", line + 1, ", column ", column + 1, ": ", message);
  }
  std::string first;
};

}  // namespace

std::string RoleName(Role role) {
  std::string name = engagement::v1::Role_Name(role);
  absl::string_view view(name);
  if (absl::ConsumePrefix(&view, "ROLE_")) return absl::AsciiStrToLower(view);
  return name;
}

Caller::Caller(std::string identity, std::vector<engagement::v1::Grant> grants)
    : identity_(std::move(identity)), grants_(std::move(grants)) {
  for (const auto& grant : grants_) {
    OrganisationScope& scope = scopes_[grant.role()];
    for (const std::string& organisation : grant.organisations()) {
      if (organisation == "*") {
        scope.every = true;
      } else {
        scope.codes.insert(organisation);
      }
    }
  }
}

bool Caller::Has(Role role, absl::string_view organisation) const {
  auto it = scopes_.find(role);
  return it != scopes_.end() && it->second.Contains(organisation);
}

bool Caller::HasAnywhere(Role role) const {
  auto it = scopes_.find(role);
  return it != scopes_.end() && !it->second.empty();
}

OrganisationScope Caller::ScopeOf(std::initializer_list<Role> roles) const {
  OrganisationScope scope;
  for (Role role : roles) {
    auto it = scopes_.find(role);
    if (it == scopes_.end()) continue;
    scope.every = scope.every || it->second.every;
    scope.codes.insert(it->second.codes.begin(), it->second.codes.end());
  }
  return scope;
}

absl::Status Caller::Require(Role role, absl::string_view organisation) const {
  return RequireOneOf({role}, organisation);
}

absl::Status Caller::RequireOneOf(std::initializer_list<Role> roles,
                                  absl::string_view organisation) const {
  std::vector<std::string> names;
  for (Role role : roles) {
    if (Has(role, organisation)) return absl::OkStatus();
    names.push_back(RoleName(role));
  }
  return absl::PermissionDeniedError(absl::StrCat("this needs the role ", absl::StrJoin(names, " or "),
                                                  " for organisation ", organisation, "; ",
                                                  identity_, " does not hold it"));
}

absl::Status Caller::RequireAnywhere(std::initializer_list<Role> roles) const {
  std::vector<std::string> names;
  for (Role role : roles) {
    if (HasAnywhere(role)) return absl::OkStatus();
    names.push_back(RoleName(role));
  }
  return absl::PermissionDeniedError(absl::StrCat("this needs the role ", absl::StrJoin(names, " or "),
                                                  " for some organisation; ", identity_,
                                                  " holds it for none"));
}

absl::StatusOr<AccessPolicy> AccessPolicy::Parse(absl::string_view text) {
  engagement::v1::AccessPolicy message;
  google::protobuf::TextFormat::Parser parser;
  ErrorCollector errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), &message)) {
    return absl::InvalidArgumentError(absl::StrCat("policy: ", errors.first));
  }
  return FromMessage(message);
}

absl::StatusOr<AccessPolicy> AccessPolicy::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("policy file ", path, " cannot be read"));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<AccessPolicy> policy = Parse(text.str());
  if (!policy.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", policy.status().message()));
  }
  return policy;
}

absl::StatusOr<AccessPolicy> AccessPolicy::FromMessage(const engagement::v1::AccessPolicy& message) {
  AccessPolicy policy;
  for (int i = 0; i < message.principals_size(); ++i) {
    const auto& principal = message.principals(i);
    std::string where = absl::StrCat("policy: principals[", i, "]");
    absl::flat_hash_map<std::string, std::shared_ptr<const Caller>>* index = nullptr;
    std::string name, prefix;
    switch (principal.identity_case()) {
      case engagement::v1::Principal::kTokenSubject:
        index = &policy.by_token_;
        name = principal.token_subject();
        prefix = "token:";
        break;
      case engagement::v1::Principal::kCertificateSan:
        index = &policy.by_certificate_;
        name = principal.certificate_san();
        prefix = "certificate:";
        break;
      default:
        break;
    }
    if (index == nullptr || name.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": needs a token_subject or a certificate_san"));
    }
    if (index->contains(name)) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": \"", name, "\" is named twice"));
    }
    for (int g = 0; g < principal.grants_size(); ++g) {
      const auto& grant = principal.grants(g);
      std::string at = absl::StrCat(where, ".grants[", g, "]");
      if (grant.role() == engagement::v1::ROLE_UNSPECIFIED) {
        return absl::InvalidArgumentError(absl::StrCat(at, ".role: is required"));
      }
      if (!engagement::v1::Role_IsValid(grant.role())) {
        return absl::InvalidArgumentError(
            absl::StrCat(at, ".role: ", static_cast<int>(grant.role()), " is not a role"));
      }
      if (grant.organisations().empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(at, ".organisations: name at least one ODS code, or \"*\""));
      }
      for (const std::string& organisation : grant.organisations()) {
        if (organisation != "*" && !ledger::IsOdsCode(organisation)) {
          return absl::InvalidArgumentError(absl::StrCat(
              at, ".organisations: \"", organisation, "\" is not an ODS code (or \"*\")"));
        }
      }
    }
    (*index)[name] = std::make_shared<const Caller>(
        absl::StrCat(prefix, name),
        std::vector<engagement::v1::Grant>(principal.grants().begin(), principal.grants().end()));
  }
  return policy;
}

std::shared_ptr<const Caller> AccessPolicy::ForTokenSubject(absl::string_view subject) const {
  auto it = by_token_.find(subject);
  return it == by_token_.end() ? nullptr : it->second;
}

std::shared_ptr<const Caller> AccessPolicy::ForCertificateSan(absl::string_view san) const {
  auto it = by_certificate_.find(san);
  return it == by_certificate_.end() ? nullptr : it->second;
}

}  // namespace domain
