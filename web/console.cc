#include "web/console.h"

#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "engagement/v1/privacy.grpc.pb.h"
#include "web/assets.h"
#include "web/oidc_sign_in.h"

namespace web {
namespace {

constexpr char kCookie[] = "ledger_session";
constexpr absl::Duration kSessionLifetime = absl::Hours(8);

std::string CookieValue(const httplib::Request& request, absl::string_view name) {
  for (absl::string_view part : absl::StrSplit(request.get_header_value("Cookie"), ';')) {
    part = absl::StripAsciiWhitespace(part);
    if (absl::ConsumePrefix(&part, name) && absl::ConsumePrefix(&part, "=")) {
      return std::string(part);
    }
  }
  return "";
}

void Redirect(httplib::Response& response, const std::string& to) {
  response.status = 303;
  response.set_header("Location", to);
}

// The page's security headers: nothing from elsewhere, no framing, no script at all.
void SecurityHeaders(httplib::Response& response) {
  response.set_header("Content-Security-Policy",
                      "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                      "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  response.set_header("X-Frame-Options", "DENY");
  response.set_header("Cache-Control", "no-store");
}

std::string LocalTokenFile(const std::string& directory, const std::string& who) {
  if (who == "operator") return directory + "/operator.token";
  if (who == "privacy-officer") return directory + "/privacy-officer.token";
  return "";
}

}  // namespace

Console::Console(std::shared_ptr<grpc::Channel> channel, ConsoleOptions options)
    : channel_(std::move(channel)), options_(std::move(options)) {}

Console::~Console() = default;

void Console::Register(httplib::Server& http) {
  for (const Asset& asset : EmbeddedAssets()) {
    http.Get(std::string(asset.path), [&asset](const httplib::Request&, httplib::Response& r) {
      r.set_header("Cache-Control", "public, max-age=86400");
      r.set_content(std::string(asset.body), std::string(asset.content_type));
    });
  }
  http.Get("/sign-in", [this](const httplib::Request& q, httplib::Response& r) {
    SignInPage(q, r, "");
  });
  http.Post("/sign-in", [this](const httplib::Request& q, httplib::Response& r) { SignIn(q, r); });
  http.Get("/sign-in/callback", [this](const httplib::Request& q, httplib::Response& r) {
    SignInCallback(q, r);
  });
  auto route = [this, &http](const char* verb, const std::string& pattern, Handler handler) {
    auto serve = [this, handler](const httplib::Request& q, httplib::Response& r) {
      Guarded(q, r, handler);
    };
    if (std::string(verb) == "GET") {
      http.Get(pattern, serve);
    } else {
      http.Post(pattern, serve);
    }
  };
  route("GET", "/", &Console::Home);
  route("POST", "/sign-out", &Console::SignOut);
  route("GET", "/engagements", &Console::Engagements);
  route("GET", "/engagements/new", &Console::RecordForm);
  route("POST", "/engagements/new", &Console::RecordForm);
  route("GET", "/engagements/([A-Za-z0-9._-]+)", &Console::Engagement);
  route("GET", "/engagements/([A-Za-z0-9._-]+)/record/([a-z]+)", &Console::RecordForm);
  route("POST", "/engagements/([A-Za-z0-9._-]+)/record/([a-z]+)", &Console::RecordForm);
  route("GET", "/reports/assurance", &Console::AssuranceReport);
  route("GET", "/reports/assurance/download", &Console::AssuranceDownload);
  route("GET", "/decisions/([A-Za-z0-9._-]+)/trace", &Console::Trace);
  route("GET", "/insights/([A-Za-z0-9._-]+)/trace", &Console::Trace);
  route("GET", "/decisions/([A-Za-z0-9._-]+)/evidence", &Console::EvidenceDownload);
  route("GET", "/audit/bundle", &Console::BundleDownload);
  route("GET", "/audit", &Console::Audit);
  route("POST", "/audit", &Console::Audit);
}

// In local mode (sign-in without a password), only pages asked for by a loopback name: a web
// page that rebinds its own name to 127.0.0.1 cannot drive the console.
bool Console::RefusedHost(const httplib::Request& request, httplib::Response& response) const {
  if (options_.local_credentials_directory.empty()) return false;
  std::string host = request.get_header_value("Host");
  if (size_t colon = host.rfind(':'); colon != std::string::npos && host.back() != ']') {
    host.resize(colon);
  }
  if (host == "127.0.0.1" || host == "localhost" || host == "[::1]") return false;
  response.status = 421;
  response.set_content("local mode serves the console to loopback names only\n", "text/plain");
  return true;
}

void Console::Guarded(const httplib::Request& request, httplib::Response& response,
                      Handler handler) {
  SecurityHeaders(response);
  if (RefusedHost(request, response)) return;
  const std::string id = CookieValue(request, kCookie);
  std::optional<Session> session = id.empty() ? std::nullopt : sessions_.Find(id);
  if (!session.has_value()) return Redirect(response, "/sign-in");
  Visit visit{request, response, *session, Viewer{}};
  visit.viewer.identity = session->identity;
  visit.viewer.csrf = session->csrf;
  visit.viewer.may_record = session->may_record;
  visit.viewer.may_audit = session->may_audit;
  visit.viewer.may_read_reports = session->may_read_reports;
  if (request.method == "POST" && request.get_param_value("csrf") != session->csrf) {
    return Respond(visit, 403, "This form has expired",
                   Paragraph("Go back, reload the page and try again."));
  }
  if (handler == &Console::SignOut) sessions_.Remove(id);
  (this->*handler)(visit);
}

void Console::Prepare(grpc::ClientContext& context, const Visit& visit) const {
  context.AddMetadata("authorization", "Bearer " + visit.session.token);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(2));
}

void Console::Respond(Visit& visit, int status, const std::string& title,
                      const std::string& html) {
  visit.response.status = status;
  visit.response.set_content(RenderPage(visit.viewer, title, html), "text/html; charset=utf-8");
}

void Console::RespondRefusal(Visit& visit, int grpc_code, const std::string& message) {
  switch (static_cast<grpc::StatusCode>(grpc_code)) {
    case grpc::StatusCode::UNAUTHENTICATED:
      return Redirect(visit.response, "/sign-in");
    case grpc::StatusCode::PERMISSION_DENIED:
      return Respond(visit, 403, "You cannot see this",
                     Paragraph(message) +
                         Paragraph("Ask whoever manages the ledger's access policy for the role."));
    case grpc::StatusCode::NOT_FOUND:
      return Respond(visit, 404, "Not found", Paragraph(message));
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
      return Respond(visit, 400, "That cannot be shown", Paragraph(message));
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return Respond(visit, 429, "The ledger is busy",
                     Paragraph(message) + Paragraph("Try again in a minute."));
    case grpc::StatusCode::UNAVAILABLE:
      return Respond(visit, 503, "Sorry, there is a problem with the service",
                     Paragraph(message) + Paragraph("Try again later."));
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return Respond(visit, 504, "That took too long",
                     Paragraph(message) + Paragraph("Try again, or ask for less."));
    default:  // DATA_LOSS (what the ledger sent does not verify), INTERNAL and the rest
      return Respond(visit, 500, "Sorry, there is a problem with the service",
                     Paragraph(message) +
                         Paragraph("Tell whoever runs the ledger; trying again will not help."));
  }
}

void Console::SignInPage(const httplib::Request& request, httplib::Response& response,
                         const std::string& error) {
  SecurityHeaders(response);
  if (RefusedHost(request, response)) return;
  std::string html;
  if (!error.empty()) html += ErrorSummary({{"", error}});
  if (!options_.local_credentials_directory.empty()) {
    html += absl::StrCat(
        InsetText("This ledger runs in local mode (a trial on one machine): choose who to be."),
        "<form action=\"/sign-in\" method=\"post\" novalidate>\n"
        "<div class=\"nhsuk-form-group\">\n<fieldset class=\"nhsuk-fieldset\">\n"
        "<legend class=\"nhsuk-fieldset__legend nhsuk-fieldset__legend--m\">"
        "<h2 class=\"nhsuk-fieldset__heading\">Sign in as</h2></legend>\n"
        "<div class=\"nhsuk-radios\">\n"
        "<div class=\"nhsuk-radios__item\"><input class=\"nhsuk-radios__input\" id=\"who\" "
        "name=\"who\" type=\"radio\" value=\"operator\" checked>"
        "<label class=\"nhsuk-label nhsuk-radios__label\" for=\"who\">Local operator (records, "
        "reads reports, audits and administers)</label></div>\n"
        "<div class=\"nhsuk-radios__item\"><input class=\"nhsuk-radios__input\" id=\"who-2\" "
        "name=\"who\" type=\"radio\" value=\"privacy-officer\">"
        "<label class=\"nhsuk-label nhsuk-radios__label\" for=\"who-2\">Local privacy officer"
        "</label></div>\n</div>\n</fieldset>\n</div>\n",
        FormEnd("Sign in"));
  }
  if (!options_.oidc_issuer.empty()) {
    html += absl::StrCat("<h2 class=\"nhsuk-heading-m\">Your organisation's account</h2>\n",
                         "<form action=\"/sign-in\" method=\"post\" novalidate>\n"
                         "<input type=\"hidden\" name=\"who\" value=\"oidc\">\n",
                         FormEnd("Sign in with your organisation's account"));
  }
  html += absl::StrCat(
      "<details class=\"nhsuk-details\">\n<summary class=\"nhsuk-details__summary\">"
      "<span class=\"nhsuk-details__summary-text\">Sign in with an access token</span>"
      "</summary>\n<div class=\"nhsuk-details__text\">\n"
      "<form action=\"/sign-in\" method=\"post\" novalidate>\n"
      "<input type=\"hidden\" name=\"who\" value=\"token\">\n",
      TextArea("token", "Access token", "A bearer token the ledger accepts (as ledgerctl uses)",
               {}),
      FormEnd("Sign in with the token"), "</div>\n</details>\n");
  response.status = error.empty() ? 200 : 401;
  response.set_content(RenderPage(Viewer{}, "Sign in", html), "text/html; charset=utf-8");
}

void Console::SignIn(const httplib::Request& request, httplib::Response& response) {
  SecurityHeaders(response);
  if (RefusedHost(request, response)) return;
  const std::string who = request.get_param_value("who");
  std::string token;
  if (who == "token") {
    absl::string_view given = absl::StripAsciiWhitespace(request.get_param_value("token"));
    absl::ConsumePrefix(&given, "Bearer ");
    token = std::string(given);
  } else if (who == "oidc" && !options_.oidc_issuer.empty()) {
    absl::StatusOr<std::string> to = BeginOidcSignIn(options_, sessions_);
    if (!to.ok()) return SignInPage(request, response, std::string(to.status().message()));
    return Redirect(response, *to);
  } else if (!options_.local_credentials_directory.empty()) {
    std::ifstream in(LocalTokenFile(options_.local_credentials_directory, who));
    std::stringstream text;
    text << in.rdbuf();
    token = std::string(absl::StripAsciiWhitespace(text.str()));
  }
  if (token.empty()) return SignInPage(request, response, "Choose how to sign in");
  for (unsigned char c : token) {  // gRPC refuses (aborts on) anything else in metadata
    if (c < 0x21 || c > 0x7E) return SignInPage(request, response, "That is not an access token");
  }
  std::string error;
  StartSession(token, response, &error);
  if (!error.empty()) SignInPage(request, response, error);
}

void Console::SignInCallback(const httplib::Request& request, httplib::Response& response) {
  SecurityHeaders(response);
  if (RefusedHost(request, response)) return;
  absl::StatusOr<std::string> token = FinishOidcSignIn(options_, sessions_, request);
  if (!token.ok()) return SignInPage(request, response, std::string(token.status().message()));
  std::string error;
  StartSession(*token, response, &error);
  if (!error.empty()) SignInPage(request, response, error);
}

void Console::StartSession(const std::string& token, httplib::Response& response,
                           std::string* error) {
  auto privacy = engagement::v1::PrivacyService::NewStub(channel_);
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + token);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  engagement::v1::GetCallerResponse caller;
  grpc::Status status = privacy->GetCaller(&context, {}, &caller);
  if (!status.ok()) {
    *error = status.error_code() == grpc::StatusCode::UNAUTHENTICATED
                 ? "The ledger did not accept those credentials"
                 : status.error_message();
    return;
  }
  Session session;
  session.token = token;
  session.identity = caller.identity();
  session.expires = absl::Now() + kSessionLifetime;
  std::set<std::string> organisations;
  for (const engagement::v1::Grant& grant : caller.grants()) {
    switch (grant.role()) {
      case engagement::v1::ROLE_RECORDER: session.may_record = true; break;
      case engagement::v1::ROLE_AUDITOR: session.may_audit = session.may_read_reports = true; break;
      case engagement::v1::ROLE_READER: session.may_read_reports = true; break;
      default: break;
    }
    organisations.insert(grant.organisations().begin(), grant.organisations().end());
  }
  session.organisations.assign(organisations.begin(), organisations.end());
  const std::string id = sessions_.Create(std::move(session));
  response.set_header("Set-Cookie",
                      absl::StrCat(kCookie, "=", id, "; Path=/; HttpOnly; SameSite=Lax",
                                   options_.tls ? "; Secure" : ""));
  Redirect(response, "/");
}

void Console::SignOut(Visit& visit) {
  visit.response.set_header("Set-Cookie", absl::StrCat(kCookie, "=; Path=/; Max-Age=0"));
  Redirect(visit.response, "/sign-in");
}

void Console::Home(Visit& visit) {
  std::vector<std::pair<std::string, std::string>> rows = {
      {"Signed in as", Escape(visit.session.identity)},
      {"Organisations",
       visit.session.organisations == std::vector<std::string>{"*"}
           ? "All"
           : Escape(absl::StrJoin(visit.session.organisations, ", "))}};
  std::string html = SummaryList(rows);
  html += "<h2 class=\"nhsuk-heading-m\">What you can do</h2>\n<ul class=\"nhsuk-list\">\n";
  if (visit.viewer.may_record) {
    absl::StrAppend(&html, "<li>", Link("/engagements/new", "Open an engagement"), "</li>\n");
  }
  if (visit.viewer.may_audit) {
    absl::StrAppend(&html, "<li>", Link("/engagements", "See the engagements recorded"),
                    "</li>\n");
  }
  if (visit.viewer.may_read_reports) {
    absl::StrAppend(&html, "<li>", Link("/reports/assurance", "Read the assurance report"),
                    "</li>\n");
  }
  if (visit.viewer.may_audit) {
    absl::StrAppend(&html, "<li>", Link("/audit", "Check the checkpoints and witnesses"),
                    "</li>\n");
  }
  absl::StrAppend(&html, "</ul>\n");
  if (!visit.viewer.may_record && !visit.viewer.may_audit && !visit.viewer.may_read_reports) {
    html += InsetText("Your roles give you nothing to do here yet.");
  }
  Respond(visit, 200, "Engagement ledger", html);
}

}  // namespace web
