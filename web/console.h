// Console: the web console, for people: engagement teams record the cycle in forms, lay members
// and boards read the assurance report, auditors follow a decision back to the people behind it
// and check checkpoints and witnesses. Built with NHS.UK frontend; no JavaScript.
//
//   /sign-in, /sign-out             local sign-in (local mode), a pasted access token, or the
//                                   OpenID Connect issuer (authorization code flow with PKCE)
//   /                               who you are and what you may do
//   /engagements[/new]              the engagements you may see; open one
//   /engagements/{id}               what is recorded, with the forms to record more
//   /engagements/{id}/record/{form} session, insight, decision, feedback (event_forms.h)
//   /reports/assurance              the assurance report for an organisation and period, as of
//                                   any date; downloads as HTML and CSV
//   /decisions/{id}/trace           from a decision to its insights, sessions and people
//   /insights/{id}/trace            and back: from an insight to the decisions and feedback
//   /decisions/{id}/evidence        the decision's evidence pack, a zip (bundle_download.h)
//   /audit                          checkpoints, witnesses, projection checks
//   /audit/bundle?from=&to=         an audit bundle of those positions, a zip
//   /assets/...                     NHS.UK frontend's stylesheet and icons (assets.h)
//
// Every page calls the public services over the in-process channel with the signed-in person's
// bearer token: what a person sees and may do is what their roles allow over gRPC, and a refused
// append is explained beside the field it names, with nothing written.
//
// Ownership: keeps the channel. Register() adds handlers to `http`; this must outlive it.
#ifndef ENGAGEMENT_WEB_CONSOLE_H_
#define ENGAGEMENT_WEB_CONSOLE_H_

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "engagement/v1/reports.pb.h"
#include "web/bundle_download.h"
#include "web/page.h"
#include "web/session_store.h"

namespace grpc {
class Channel;
class ClientContext;
}  // namespace grpc
namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace web {

struct ConsoleOptions {
  // Cookies are marked Secure (the listener serves TLS).
  bool tls = false;
  // Local mode: DATA_DIR/local, whose tokens the local sign-in uses; empty outside local mode.
  std::string local_credentials_directory;
  // Sign-in through an OpenID Connect issuer (oidc_sign_in.h); empty issuer: not offered.
  std::string oidc_issuer;
  std::string oidc_client_id;
  std::string oidc_redirect_uri;  // https://<console>/sign-in/callback
  std::string oidc_ca_file;       // the issuer's CA (empty: the system's)
};

class Console {
 public:
  Console(std::shared_ptr<grpc::Channel> channel, ConsoleOptions options);
  ~Console();
  void Register(httplib::Server& http);

  // One request of a signed-in person.
  struct Visit {
    const httplib::Request& http;
    httplib::Response& response;
    Session session;
    Viewer viewer;
  };

 private:
  using Handler = void (Console::*)(Visit&);
  // Runs `handler` for a signed-in person (others are sent to /sign-in); a POST must carry the
  // session's form token.
  void Guarded(const httplib::Request& request, httplib::Response& response, Handler handler);
  void Prepare(grpc::ClientContext& context, const Visit& visit) const;
  // True (having answered 421) when local mode is asked by a name that is not loopback.
  bool RefusedHost(const httplib::Request& request, httplib::Response& response) const;
  void Respond(Visit& visit, int status, const std::string& title, const std::string& html);
  void RespondRefusal(Visit& visit, int grpc_code, const std::string& message);

  // console.cc: sign-in and the home page.
  void SignInPage(const httplib::Request& request, httplib::Response& response,
                  const std::string& error);
  void SignIn(const httplib::Request& request, httplib::Response& response);
  void SignInCallback(const httplib::Request& request, httplib::Response& response);
  void StartSession(const std::string& token, httplib::Response& response, std::string* error);
  void SignOut(Visit& visit);
  void Home(Visit& visit);

  // console_engagements.cc
  void Engagements(Visit& visit);
  void Engagement(Visit& visit);
  void RecordForm(Visit& visit);

  // console_reports.cc
  // The report, or false having answered the refusal.
  bool FetchAssuranceReport(Visit& visit, const engagement::v1::GetAssuranceReportRequest& request,
                            engagement::v1::GetAssuranceReportResponse* answer);
  void AssuranceReport(Visit& visit);
  void AssuranceDownload(Visit& visit);
  void Trace(Visit& visit);
  void Audit(Visit& visit);

  // console_downloads.cc
  void EvidenceDownload(Visit& visit);
  void BundleDownload(Visit& visit);
  void SendDownload(Visit& visit, const absl::StatusOr<Download>& download);

  std::shared_ptr<grpc::Channel> channel_;
  ConsoleOptions options_;
  SessionStore sessions_;
};

}  // namespace web

#endif  // ENGAGEMENT_WEB_CONSOLE_H_
