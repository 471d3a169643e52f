#!/usr/bin/python3
"""The web console's sign-in through an OpenID Connect issuer, end to end, with PKCE.

    /usr/bin/python3 tests/interop/console_sign_in_test.py \\
        --ledgerd build/services/ledgerd --work-dir "$(mktemp -d)"

A stand-in identity provider runs here (Python's http.server on 127.0.0.1): a discovery
document, an authorization endpoint that sends the browser back with a code, and a token
endpoint that gives the access token only for the code verifier whose S256 challenge came with
the authorization request (RFC 7636). ledgerd runs as for real (TLS, the issuer's JWKS, a policy)
with the console's OAuth client id. A browser is played with urllib, one redirect at a time:
sign-in page, redirect to the issuer with a challenge, back to /sign-in/callback, a session
cookie, the home page naming the person. Also: a callback's state works once; a page without a
session goes to /sign-in; a form posted without the session's form token is refused.

Prints one line per check and "N passed, M failed"; exit 0 when all passed, 1 when one failed,
2 when it could not be set up. Only 127.0.0.1 is contacted; ledgerd is always stopped.
"""

import argparse
import base64
import hashlib
import http.cookies
import http.server
import json
import os
import ssl
import sys
import threading
import traceback
import urllib.error
import urllib.parse
import urllib.request

from interop_support import (EXIT_FAILED, EXIT_OK, EXIT_SETUP, Ledgerd, SecureSetup, SetupError,
                             expect, free_port, log, stop_on_sigterm)
import interop_support

SUBJECT = "officer@qwe"
CLIENT_ID = "ledger-console"
TIMEOUT_S = 10.0


class Issuer(http.server.BaseHTTPRequestHandler):
    """The stand-in identity provider; its state lives on the server object."""

    def log_message(self, *args):
        pass

    def _json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        server = self.server
        if url.path == "/.well-known/openid-configuration":
            return self._json(200, {"issuer": server.issuer,
                                    "authorization_endpoint": server.issuer + "/authorize",
                                    "token_endpoint": server.issuer + "/token"})
        if url.path == "/authorize":
            q = dict(urllib.parse.parse_qsl(url.query))
            server.authorize_requests.append(q)
            code = base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("=")
            server.codes[code] = q
            back = "%s?%s" % (q.get("redirect_uri", ""),
                              urllib.parse.urlencode({"code": code, "state": q.get("state", "")}))
            self.send_response(302)
            self.send_header("Location", back)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._json(404, {"error": "not_found"})

    def do_POST(self):
        server = self.server
        length = int(self.headers.get("Content-Length", "0"))
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        server.token_requests.append(form)
        asked = server.codes.pop(form.get("code", ""), None)
        if asked is None:
            return self._json(400, {"error": "invalid_grant"})
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(form.get("code_verifier", "").encode()).digest()).decode().rstrip("=")
        if (asked.get("code_challenge_method") != "S256" or challenge != asked.get("code_challenge")
                or form.get("client_id") != CLIENT_ID
                or form.get("redirect_uri") != asked.get("redirect_uri")
                or form.get("grant_type") != "authorization_code"):
            return self._json(400, {"error": "invalid_grant"})
        self._json(200, {"access_token": server.token, "token_type": "Bearer", "expires_in": 3600})


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One redirect at a time, with the session cookie kept by hand."""

    def __init__(self, ca_file):
        context = ssl.create_default_context(cafile=ca_file)
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context),
            NoRedirects())
        self.cookie = None

    def go(self, url, form=None):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(url, data=data)
        if self.cookie:
            request.add_header("Cookie", self.cookie)
        try:
            response = self.opener.open(request, timeout=TIMEOUT_S)
            status, headers, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as e:
            status, headers, body = e.code, e.headers, e.read()
        set_cookie = headers.get("Set-Cookie")
        if set_cookie:
            jar = http.cookies.SimpleCookie(set_cookie)
            if "ledger_session" in jar:
                self.cookie = "ledger_session=" + jar["ledger_session"].value
                self.cookie_header = set_cookie
        return status, headers, body.decode(errors="replace")


def run(args):
    work_dir = os.path.abspath(args.work_dir)
    os.makedirs(work_dir, exist_ok=True)
    issuer_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Issuer)
    issuer_server.issuer = "http://127.0.0.1:%d" % issuer_server.server_address[1]
    issuer_server.codes, issuer_server.authorize_requests, issuer_server.token_requests = {}, [], []
    threading.Thread(target=issuer_server.serve_forever, daemon=True).start()
    setup = SecureSetup(work_dir, SUBJECT, [("ROLE_RECORDER", "QWE"), ("ROLE_READER", "QWE")],
                        issuer=issuer_server.issuer)
    issuer_server.token = setup.token
    http_port = free_port()
    console = "https://127.0.0.1:%d" % http_port
    server = Ledgerd(args.ledgerd, work_dir, extra_args=setup.ledgerd_args() + [
        "--http_listen=127.0.0.1:%d" % http_port, "--console_oidc_client_id=" + CLIENT_ID,
        "--console_url=" + console])
    passed, failed = 0, 0
    try:
        server.start()
        browser = Browser(os.path.join(setup.dir, "ca.pem"))

        def probe():
            try:
                return browser.go(console + "/sign-in")[0] == 200 or None, None
            except OSError as e:
                return None, str(e)
        interop_support.wait_until_serving(server, probe)

        state = {}

        def without_session_goes_to_sign_in(_):
            status, headers, _ = Browser(os.path.join(setup.dir, "ca.pem")).go(console + "/")
            expect(status == 303 and headers.get("Location") == "/sign-in",
                   "GET / without a session: %s %s" % (status, headers.get("Location")))
            return "303 -> /sign-in"

        def redirect_carries_a_challenge(_):
            status, _, body = browser.go(console + "/sign-in")
            expect("Sign in with your organisation" in body, "no sign-in button on /sign-in")
            status, headers, _ = browser.go(console + "/sign-in", {"who": "oidc"})
            location = headers.get("Location", "")
            expect(status == 303 and location.startswith(issuer_server.issuer + "/authorize?"),
                   "POST /sign-in: %s %s" % (status, location))
            q = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(location).query))
            expect(q.get("code_challenge_method") == "S256" and len(q.get("code_challenge", "")) == 43,
                   "no S256 challenge: %s" % q)
            expect(q.get("client_id") == CLIENT_ID and q.get("response_type") == "code",
                   "client or response type: %s" % q)
            expect(q.get("redirect_uri") == console + "/sign-in/callback", "redirect_uri %s" % q)
            expect(len(q.get("state", "")) >= 32, "state too short")
            state["authorize"] = location
            return "to the issuer with an S256 challenge and a state"

        def callback_signs_in(_):
            status, headers, _ = browser.go(state["authorize"])
            expect(status == 302, "issuer /authorize: %s" % status)
            callback = headers["Location"]
            state["callback"] = callback
            status, headers, _ = browser.go(callback)
            expect(status == 303 and headers.get("Location") == "/",
                   "callback: %s %s" % (status, headers.get("Location")))
            expect(issuer_server.token_requests and
                   issuer_server.token_requests[-1].get("code_verifier"), "no code verifier sent")
            cookie = getattr(browser, "cookie_header", "")
            for attribute in ("HttpOnly", "SameSite=Lax", "Secure"):
                expect(attribute in cookie, "session cookie without %s: %s" % (attribute, cookie))
            status, _, body = browser.go(console + "/")
            expect(status == 200 and ("token:" + SUBJECT) in body,
                   "home page: %s, names %s: %s" % (status, SUBJECT, ("token:" + SUBJECT) in body))
            expect(setup.token not in body, "the access token reached the page")
            return "code and verifier exchanged; session cookie HttpOnly, Secure, SameSite=Lax"

        def state_works_once(_):
            status, _, body = Browser(os.path.join(setup.dir, "ca.pem")).go(state["callback"])
            expect(status == 401 and "expired" in body, "replayed callback: %s" % status)
            return "replayed callback refused"

        def form_without_token_refused(_):
            status, _, body = browser.go(console + "/engagements/new",
                                         {"title": "No form token", "organisation": "QWE"})
            expect(status == 403, "POST without csrf: %s" % status)
            return "403"

        def sign_out_ends_the_session(_):
            _, _, page = browser.go(console + "/")
            marker = 'name="csrf" value="'
            csrf = page[page.index(marker) + len(marker):].split('"', 1)[0]
            status, headers, _ = browser.go(console + "/sign-out", {"csrf": csrf})
            expect(status == 303 and headers.get("Location") == "/sign-in", "sign-out: %s" % status)
            status, _, _ = browser.go(console + "/")
            expect(status == 303, "after sign-out, /: %s" % status)
            return "the old cookie no longer works"

        passed, failed = interop_support.run_checks([
            ("without_session_goes_to_sign_in", without_session_goes_to_sign_in),
            ("redirect_carries_a_challenge", redirect_carries_a_challenge),
            ("callback_signs_in", callback_signs_in),
            ("state_works_once", state_works_once),
            ("form_without_token_refused", form_without_token_refused),
            ("sign_out_ends_the_session", sign_out_ends_the_session),
        ], None)
    finally:
        server.stop_and_log()
        issuer_server.shutdown()
    log("%d passed, %d failed" % (passed, failed))
    return EXIT_OK if failed == 0 else EXIT_FAILED


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ledgerd", required=True)
    parser.add_argument("--work-dir", required=True)
    args = parser.parse_args()
    stop_on_sigterm()
    try:
        return run(args)
    except SetupError as e:
        log("SETUP FAILED: %s" % e)
        return EXIT_SETUP
    except Exception:
        traceback.print_exc()
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
