#!/usr/bin/python3
"""Interop test: ledgerd's HTTP/JSON API, called with nothing but Python's standard library.

    /usr/bin/python3 tests/interop/json_api_test.py \
        --ledgerd build/services/ledgerd --proto-dir proto --work-dir "$(mktemp -d)"

It starts ledgerd on 127.0.0.1 as it runs for real (TLS, ES256 bearer tokens, an access policy;
interop_support.py's SecureSetup) with --http_listen on a free port, and calls the JSON API over
HTTPS with urllib alone, as a system without gRPC would. It checks that the OpenAPI document
(served without a token) has an operation for every RPC in the public services' .proto files;
that every operation answers a missing or bad token with 401 and {"error": {"code", "status",
"message"}}; an append, and reads of a stream and of the log as newline-delimited JSON whose last
line's continuation resumes the read; bad input refused with the HTTP status of its gRPC code; an
assurance report, and 403 for an organisation without a grant; the caller and health answers.
Names follow protobuf's JSON mapping (lowerCamelCase, 64-bit integers as strings, enums by name).

Prints one line per check and a final "N passed, M failed". Exit status: 0 when every check
passed, 1 when a check failed, 2 when the test could not be set up (certificates, server start).
Only 127.0.0.1 is contacted (no proxy from the environment); every call has a timeout; ledgerd is
always stopped at the end.

Needs /usr/bin/python3 with Debian's python3-cryptography (for the token), and the openssl CLI.
"""

import argparse
import base64
import http.client
import json
import os
import re
import ssl
import sys
import traceback
import urllib.error
import urllib.parse
import urllib.request
import uuid

from interop_support import (EXIT_FAILED, EXIT_OK, EXIT_SETUP, CheckFailed, Ledgerd, SecureSetup,
                             SetupError, expect, free_port, log, stop_on_sigterm)
import interop_support

CALL_TIMEOUT_S = 10.0
REPORT_TIMEOUT_S = 30.0
SUBJECT = "json-api-interop"
ROLES = ["ROLE_RECORDER", "ROLE_READER", "ROLE_AUDITOR", "ROLE_PRIVACY_OFFICER", "ROLE_ADMIN"]
SERVICE_PROTOS = ["ledger_service", "report_service", "audit", "privacy", "operations"]
NO_TOKEN = object()


class Context:
    def __init__(self, http_port, ca_file, token, proto_dir):
        context = ssl.create_default_context(cafile=ca_file)  # verifies 127.0.0.1 against the SAN
        # No ProxyHandler from the environment: only 127.0.0.1 is ever contacted.
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                                  urllib.request.HTTPSHandler(context=context))
        self.base = "https://127.0.0.1:%d" % http_port
        self.http_port = http_port
        self.tls = context
        self.token = token
        self.proto_dir = proto_dir
        self.document = None
        self.stream = "engagement-" + str(uuid.uuid4())
        self.engagement_id = str(uuid.uuid4())
        self.appended = None  # the AppendEventsResponse, as JSON

    def call(self, verb, path, body=None, token=None, timeout=CALL_TIMEOUT_S):
        """(HTTP status, headers, body bytes), refusals too. `body`: a str, or a dict sent as JSON;
        `token`: None for ctx.token, NO_TOKEN for none, else the Authorization header's value."""
        headers = {}
        if token is None:
            headers["Authorization"] = "Bearer " + self.token
        elif token is not NO_TOKEN:
            headers["Authorization"] = token
        data = None
        if body is not None:
            data = (body if isinstance(body, str) else json.dumps(body)).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=data, headers=headers, method=verb)
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as e:
            with e:
                return e.code, e.headers, e.read()
        except (urllib.error.URLError, OSError, http.client.HTTPException) as e:
            raise CheckFailed("%s %s: %s" % (verb, path, e))

    def raw_connection(self):
        """An http.client connection to ledgerd's HTTPS port, for requests urllib cannot make."""
        return http.client.HTTPSConnection("127.0.0.1", self.http_port, context=self.tls,
                                           timeout=CALL_TIMEOUT_S)

    def json_call(self, verb, path, body=None, timeout=CALL_TIMEOUT_S):
        """The JSON object of a 200 answer."""
        status, headers, raw = self.call(verb, path, body, timeout=timeout)
        expect(status == 200, "%s %s: HTTP %d: %s" % (
            verb, path, status, raw[:300].decode(errors="replace")))
        expect((headers.get("Content-Type") or "").startswith("application/json"),
               "%s %s: Content-Type %r" % (verb, path, headers.get("Content-Type")))
        return parse_json(raw, "%s %s" % (verb, path))

    def lines(self, path):
        """A streamed read: (the message lines, the last line's "end" object)."""
        status, headers, raw = self.call("GET", path)
        expect(status == 200, "GET %s: HTTP %d: %s" % (
            path, status, raw[:300].decode(errors="replace")))
        expect((headers.get("Content-Type") or "").startswith("application/x-ndjson"),
               "GET %s: Content-Type %r" % (path, headers.get("Content-Type")))
        parsed = [parse_json(l, "GET %s, a line" % path) for l in raw.splitlines() if l.strip()]
        expect(parsed and set(parsed[-1]) == {"end"},
               "GET %s: the last line is not {\"end\": ...}: %r" % (path, parsed[-1:]))
        end = parsed[-1]["end"]
        expect(end.get("code") == 200 and end.get("status") == "OK",
               "GET %s: the stream ended with %r" % (path, end))
        return [m for m in parsed[:-1] if "keepAlive" not in m], end

    def head(self):
        return int(self.json_call("GET", "/v1/ledger").get("headPosition", "0"))


def parse_json(raw, what):
    try:
        return json.loads(raw)
    except ValueError:
        raise CheckFailed("%s: not JSON: %r" % (what, raw[:200]))


def expect_error(answer, http_status, grpc_status, what):
    """`answer` (from ctx.call) is the error JSON of `grpc_status` with HTTP status `http_status`;
    returns its message."""
    status, headers, raw = answer
    expect(status == http_status, "%s: HTTP %d, expected %d: %s" % (
        what, status, http_status, raw[:300].decode(errors="replace")))
    expect((headers.get("Content-Type") or "").startswith("application/json"),
           "%s: Content-Type %r" % (what, headers.get("Content-Type")))
    error = parse_json(raw, what).get("error")
    expect(isinstance(error, dict) and set(error) == {"code", "status", "message"},
           "%s: not {\"error\": {\"code\", \"status\", \"message\"}}: %r" % (what, raw[:300]))
    expect(error["code"] == http_status, "%s: error.code %r but HTTP %d" % (
        what, error["code"], http_status))
    expect(error["status"] == grpc_status, "%s: error.status %r, expected %s" % (
        what, error["status"], grpc_status))
    expect(isinstance(error["message"], str) and error["message"], "%s: no error.message" % what)
    return error["message"]


def engagement_opened_event(ctx):
    """Opens ctx.engagement_id, as python_client_test.py's engagement_opened_event."""
    return {"occurredAt": "2025-04-30T08:00:00Z", "organisation": "QWE",
            "actor": "engagement-team@qwe",
            "engagementOpened": {
                "engagementId": ctx.engagement_id, "topic": "Diabetes",
                "title": "Co-designing diabetes self-management support",
                "commissioningStage": "COMMISSIONING_STAGE_SERVICE_DESIGN",
                "spectrumLevel": "SPECTRUM_LEVEL_CO_PRODUCE",
                "scopeForInfluence": "How education sessions are run",
                "dutyToInvolve": "DUTY_APPLIES_YES",
                "dutyReason": "A change to how services are delivered",
                "leadRole": "Head of Engagement"}}


def session_held_event(ctx, title):
    """A session of ctx.engagement_id, as python_client_test.py's session_held_event. One field
    is spelled as in the .proto, which the JSON mapping accepts too."""
    return {"occurredAt": "2025-05-01T10:00:00Z", "organisation": "QWE",
            "actor": "engagement-team@qwe",
            "sessionHeld": {"engagementId": ctx.engagement_id, "sessionId": str(uuid.uuid4()),
                            "title": title, "method": "ENGAGEMENT_METHOD_CO_DESIGN_WORKSHOP",
                            "duration_minutes": 120}}


# ------------------------------------------------------------------------------------------------
# The checks.


def service_rpcs(proto_dir):
    """"Service_Rpc" for every rpc of the public services' .proto files."""
    names = set()
    for name in SERVICE_PROTOS:
        path = os.path.join(proto_dir, "engagement", "v1", name + ".proto")
        with open(path) as f:
            text = re.sub(r"//[^\n]*", "", f.read())
        services = re.findall(r"\bservice\s+(\w+)\s*\{(.*?)\n\}", text, re.S)
        expect(services, "%s declares no service" % path)
        for service, body in services:
            rpcs = re.findall(r"\brpc\s+(\w+)\s*\(", body)
            names.update("%s_%s" % (service, rpc) for rpc in rpcs)
    return names


def operations(ctx):
    """[(path, verb, operationId)] of the OpenAPI document, fetched once without a token."""
    if ctx.document is None:
        status, headers, raw = ctx.call("GET", "/v1/openapi.json", token=NO_TOKEN)
        expect(status == 200, "GET /v1/openapi.json without a token: HTTP %d" % status)
        expect((headers.get("Content-Type") or "").startswith("application/json"),
               "GET /v1/openapi.json: Content-Type %r" % headers.get("Content-Type"))
        ctx.document = parse_json(raw, "GET /v1/openapi.json")
    return [(path, verb, op.get("operationId")) for path, item in ctx.document["paths"].items()
            for verb, op in item.items() if verb in ("get", "post", "put", "patch", "delete")]


def check_openapi(ctx):
    ops = operations(ctx)
    expect(str(ctx.document.get("openapi", "")).startswith("3."),
           "\"openapi\" is %r" % ctx.document.get("openapi"))
    ids = [op_id for _, _, op_id in ops]
    rpcs = service_rpcs(ctx.proto_dir)
    missing, extra = sorted(rpcs - set(ids)), sorted(set(ids) - rpcs)
    expect(not missing, "RPCs with no operation: %s" % ", ".join(missing))
    expect(not extra, "operations of no RPC: %s" % ", ".join(map(str, extra)))
    expect(len(ids) == len(set(ids)), "operationIds repeat: %s" % sorted(ids))
    expect(len(ops) == len(rpcs), "%d operations for %d RPCs" % (len(ops), len(rpcs)))
    # The .proto comments come with it: every operation, and every field of the Event.
    undescribed = [op_id for path, verb, op_id in ops
                   if not ctx.document["paths"][path][verb].get("description")]
    expect(not undescribed, "operations without the RPC's comment: %s" % ", ".join(undescribed))
    event = ctx.document["components"]["schemas"].get("engagement.v1.Event", {})
    bare = [name for name, field in event.get("properties", {}).items() if not field.get("description")]
    expect(event and not bare, "Event fields without their comment: %s" % ", ".join(bare))
    return "OpenAPI %s: %d operations, one per RPC of %s, with the .proto comments" % (
        ctx.document["openapi"], len(ops), ", ".join(p + ".proto" for p in SERVICE_PROTOS))


def check_every_operation_needs_a_token(ctx):
    failures = []
    ops = operations(ctx)
    for path, verb, _ in ops:
        concrete = re.sub(r"\{[^}]*\}", "x", path)
        what = "%s %s" % (verb.upper(), concrete)
        answer = ctx.call(verb.upper(), concrete, body="{}" if verb == "post" else None,
                          token=NO_TOKEN)
        try:
            expect_error(answer, 401, "UNAUTHENTICATED", what)
            expect((answer[1].get("WWW-Authenticate") or "").startswith("Bearer"),
                   "%s: WWW-Authenticate %r" % (what, answer[1].get("WWW-Authenticate")))
        except CheckFailed as e:
            failures.append(str(e))
    expect(not failures, "%d of %d operations: %s" % (
        len(failures), len(ops), "; ".join(failures[:4])))
    return "all %d operations: 401 UNAUTHENTICATED with WWW-Authenticate: Bearer" % len(ops)


def check_wrong_token(ctx):
    forged = ctx.token.rsplit(".", 1)[0] + ".AAAA" + ctx.token.rsplit(".", 1)[1][4:]
    # A tab or a control character in the header: refused, and ledgerd goes on serving (gRPC
    # would abort the process on such metadata if it were passed on).
    for name, header in (("not a JWT", "Bearer not-a-jwt"),
                         ("forged signature", "Bearer " + forged),
                         ("a tab in it", "Bearer a\tb"), ("a control character", "Bearer a\x01b")):
        for path in ("/v1/ledger", "/v1/caller"):
            expect_error(ctx.call("GET", path, token=header), 401, "UNAUTHENTICATED",
                         "%s, GET %s" % (name, path))
    # A body nested 100,000 deep, and a chunked body (no length to bound it by): refused, and
    # still serving.
    status, _, raw = ctx.call("POST", "/v1/streams/engagement-x:append",
                              "{\"a\":" + "[" * 100000 + "]" * 100000 + "}")
    expect(status == 400 and b"nested" in raw, "deep JSON: HTTP %d %r" % (status, raw[:200]))
    connection = ctx.raw_connection()
    connection.request("POST", "/v1/checkpoints:sign", body=iter([b"{}"]),
                       headers={"Authorization": "Bearer " + ctx.token}, encode_chunked=True)
    chunked = connection.getresponse()
    expect(chunked.status == 411, "chunked body: HTTP %d" % chunked.status)
    connection.close()
    expect(ctx.head() >= 0, "ledgerd stopped answering")
    return ("bad tokens (not a JWT, forged, a tab or a control character in the header): 401; "
            "JSON nested 100,000 deep: 400; a chunked body: 411; still serving")


def check_append_and_read(ctx):
    before = ctx.head()
    body = {"expected": {"state": "EXPECTED_STATE_NO_STREAM"},
            "events": [engagement_opened_event(ctx),
                       session_held_event(ctx, "Co-design workshop 1")]}
    answer = ctx.json_call("POST", "/v1/streams/%s:append" % ctx.stream, body)
    want = [str(before + 1), str(before + 2)]
    expect(answer.get("positions") == want, "positions %r, expected %r (strings)" % (
        answer.get("positions"), want))
    expect(answer.get("streamRevision") == "1", "streamRevision %r" % answer.get("streamRevision"))
    expect(len(answer.get("eventIds", [])) == 2 and all(len(i) == 36 for i in answer["eventIds"])
           and len(base64.b64decode(answer.get("lastHash", ""))) == 32
           and "alreadyAppended" not in answer, "eventIds, lastHash, alreadyAppended: %r" % answer)
    ctx.appended = answer

    events, end = ctx.lines("/v1/streams/%s/events" % ctx.stream)
    expect(len(events) == 2 and all(set(m) == {"event"} for m in events),
           "read %d lines, expected two {\"event\": ...}: %r" % (len(events), events[:3]))
    events = [m["event"] for m in events]
    expect([e.get("streamRevision", "0") for e in events] == ["0", "1"],
           "streamRevisions %r" % [e.get("streamRevision") for e in events])
    expect([e.get("position") for e in events] == want and
           [e.get("eventId") for e in events] == answer["eventIds"],
           "positions or eventIds differ from the append's: %r" % events)
    expect("engagementOpened" in events[0] and "sessionHeld" in events[1] and
           events[1].get("occurredAt") == "2025-05-01T10:00:00Z", "payloads %r" % events)
    expect(events[1].get("hash") == answer["lastHash"], "the last event's hash is not lastHash")
    expect(end == {"code": 200, "status": "OK", "message": "",
                   "continuation": {"fromRevision": "2"}}, "end line %r" % end)

    info = ctx.json_call("GET", "/v1/streams/%s" % ctx.stream)
    want_info = {"stream": ctx.stream, "revision": "1", "firstPosition": want[0],
                 "lastPosition": want[1], "eventCount": "2"}
    expect(info == want_info, "stream info %r, expected %r" % (info, want_info))
    return "2 events at positions %s; 2 lines and end {fromRevision: \"2\"}; stream info" % want


def check_read_log_continuation(ctx):
    first, end = ctx.lines("/v1/events?limit=1")
    expect(len(first) == 1, "limit=1 gave %d lines" % len(first))
    position = int(first[0]["event"]["position"])
    resume = end.get("continuation", {}).get("fromPosition")
    expect(resume == str(position + 1), "continuation %r after position %d" % (end, position))
    rest, end = ctx.lines("/v1/events?" + urllib.parse.urlencode({"fromPosition": resume}))
    positions = [int(m["event"]["position"]) for m in rest]
    expect(positions and positions[0] == int(resume) and all(p >= int(resume) for p in positions),
           "fromPosition=%s read positions %s" % (resume, positions))
    expect(positions == sorted(set(positions)), "positions out of order: %s" % positions)
    expect(end.get("continuation") == {"fromPosition": str(positions[-1] + 1)}, "end %r" % end)
    found = {}
    for key in ("filter.event_types", "filter.eventTypes"):
        held, _ = ctx.lines("/v1/events?" + urllib.parse.urlencode({key: "session_held"}))
        expect(held and all("sessionHeld" in m["event"] for m in held),
               "%s=session_held gave %r" % (key, [sorted(m["event"]) for m in held][:3]))
        expect(any(m["event"].get("stream") == ctx.stream for m in held),
               "%s=session_held misses the session of %s" % (key, ctx.stream))
        found[key] = [m["event"]["position"] for m in held]
    expect(found["filter.event_types"] == found["filter.eventTypes"],
           "the two spellings of the filter differ: %r" % found)
    return "limit=1: position %d, fromPosition \"%s\" resumes (%d events); %d session_held" % (
        position, resume, len(positions), len(found["filter.eventTypes"]))


def check_bad_input(ctx):
    before = ctx.head()
    append = "/v1/streams/%s:append" % ctx.stream
    message = expect_error(
        ctx.call("POST", append, {"expected": {"state": "EXPECTED_STATE_ANY"},
                                  "events": [{"noSuchField": 1}]}),
        400, "INVALID_ARGUMENT", "an unknown field")
    expect("noSuchField" in message, "the message does not name noSuchField: %r" % message)
    answer = ctx.call("POST", append, {"expected": {"revision": "99"},
                                       "events": [session_held_event(ctx, "Wrong revision")]})
    status = parse_json(answer[2], "wrong revision").get("error", {}).get("status")
    expect(status in ("ABORTED", "FAILED_PRECONDITION"), "wrong revision: status %r: %r" % (
        status, answer[2][:300]))
    revision = expect_error(answer, 409 if status == "ABORTED" else 400, status, "wrong revision")
    expect_error(ctx.call("POST", append, "this is not JSON"), 400, "INVALID_ARGUMENT", "not JSON")
    after = ctx.head()
    expect(after == before, "headPosition moved from %d to %d after refusals" % (before, after))
    message = expect_error(ctx.call("GET", "/v1/events?noSuchParam=1"), 400, "INVALID_ARGUMENT",
                           "GET /v1/events?noSuchParam=1")
    expect("noSuchParam" in message, "the message does not name noSuchParam: %r" % message)
    expect_error(ctx.call("GET", "/v1/no/such/path"), 404, "NOT_FOUND", "GET /v1/no/such/path")
    not_allowed = ctx.call("GET", "/v1/projections:verify")
    expect(not_allowed[0] == 405, "GET /v1/projections:verify (POST only): HTTP %d: %r" % (
        not_allowed[0], not_allowed[2][:200]))
    # The error object's code is the HTTP status here too (json_transcoding.h's ErrorJson shape).
    expect_error(not_allowed, 405, parse_json(not_allowed[2], "405").get("error", {}).get("status"),
                 "GET /v1/projections:verify")
    return ("unknown field and parameter 400, named; wrong revision %s %d (%s); not JSON 400; "
            "404; 405; head unchanged" % (status, answer[0], revision[:50]))


def check_reports(ctx):
    query = "?" + urllib.parse.urlencode({"periodStart": "2025-04-01", "periodEnd": "2026-03-31"})
    answer = ctx.json_call("GET", "/v1/organisations/QWE/assuranceReport" + query,
                           timeout=REPORT_TIMEOUT_S)
    report = answer.get("report")
    expect(isinstance(report, dict), "no \"report\" object: %r" % sorted(answer))
    got = {k: report.get(k) for k in ("organisation", "periodStart", "periodEnd")}
    expect(got == {"organisation": "QWE", "periodStart": "2025-04-01", "periodEnd": "2026-03-31"},
           "the report is of %r" % got)
    provenance = report.get("provenance", {})
    expect(provenance.get("projection") == "evidence" and "stateDigest" in provenance,
           "provenance %r" % provenance)
    at = int(provenance.get("position", "0"))
    if ctx.appended is not None and at >= int(ctx.appended["positions"][-1]):
        expect(int(report.get("sessionsHeld", "0")) >= 1,
               "sessionsHeld %r at position %d, after the session" % (
                   report.get("sessionsHeld"), at))
    message = expect_error(ctx.call("GET", "/v1/organisations/XYZ/assuranceReport" + query,
                                    timeout=REPORT_TIMEOUT_S),
                           403, "PERMISSION_DENIED", "organisation XYZ")
    expect("role" in message, "the 403 message does not mention a role: %r" % message)
    return "QWE: report at position %d, sessionsHeld %s; XYZ: 403 (%s)" % (
        at, report.get("sessionsHeld", "0"), message[:70])


def check_caller_and_health(ctx):
    caller = ctx.json_call("GET", "/v1/caller")
    expect(caller.get("identity") == "token:" + SUBJECT, "identity %r" % caller.get("identity"))
    grants = {(g.get("role"), tuple(g.get("organisations", []))) for g in caller.get("grants", [])}
    expect(grants == {(role, ("QWE",)) for role in ROLES}, "grants %r" % caller.get("grants"))
    health = ctx.json_call("GET", "/v1/health")
    expect(health.get("serving") is True or health.get("problems"),
           "not serving, and no problem given: %r" % health)
    return "identity %s with %d roles for QWE; health serving=%s" % (
        caller["identity"], len(grants), health.get("serving", False))


CHECKS = [
    ("openapi", check_openapi),
    ("every_operation_needs_a_token", check_every_operation_needs_a_token),
    ("wrong_token", check_wrong_token),
    ("append_and_read", check_append_and_read),
    ("read_log_continuation", check_read_log_continuation),
    ("bad_input", check_bad_input),
    ("reports", check_reports),
    ("caller_and_health", check_caller_and_health),
]


def run_checks(ctx):
    return interop_support.run_checks(CHECKS, ctx)


# ------------------------------------------------------------------------------------------------


def wait_until_serving(server, ctx):
    """GET /v1/ledger with the token until it answers 200."""
    def probe():
        try:
            status, _, raw = ctx.call("GET", "/v1/ledger", timeout=5.0)
        except CheckFailed as e:
            return None, str(e)
        if status != 200:
            return None, "HTTP %d: %s" % (status, raw[:200].decode(errors="replace"))
        return parse_json(raw, "GET /v1/ledger"), None
    return interop_support.wait_until_serving(server, probe)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ledgerd", required=True, help="path to the ledgerd binary")
    parser.add_argument("--proto-dir", required=True, help="the folder holding engagement/v1/*.proto")
    parser.add_argument("--work-dir", required=True, help="scratch folder (certificates, data, log)")
    args = parser.parse_args()

    stop_on_sigterm()  # ledgerd is still stopped, by the finally below
    work_dir = os.path.abspath(args.work_dir)
    os.makedirs(work_dir, exist_ok=True)
    outcome = EXIT_SETUP
    passed, failed = 0, len(CHECKS)
    server = None
    try:
        try:
            setup = SecureSetup(work_dir, SUBJECT, [(role, "QWE") for role in ROLES])
        except (ImportError, OSError) as e:
            raise SetupError("cannot make the certificates and token (%s); run with "
                             "/usr/bin/python3 (python3-cryptography), openssl on PATH" % e)
        http_port = free_port()
        server = Ledgerd(args.ledgerd, work_dir, extra_args=setup.ledgerd_args() + [
            "--http_listen=127.0.0.1:%d" % http_port])
        server.start()
        ctx = Context(http_port, os.path.join(setup.dir, "ca.pem"), setup.token,
                      os.path.abspath(args.proto_dir))
        info = wait_until_serving(server, ctx)
        log("ledgerd serving gRPC on %s and HTTPS on %s (pid %d, data %s, head position %s)" % (
            server.address(), ctx.base, server.process.pid, server.data_dir,
            info.get("headPosition", "0")))
        passed, failed = run_checks(ctx)
        outcome = EXIT_OK if failed == 0 else EXIT_FAILED
    except SetupError as e:
        log("SETUP FAILED: %s" % e)
    except KeyboardInterrupt as e:
        log("INTERRUPTED: %s" % e)
        outcome = EXIT_FAILED
    finally:
        if server is not None:
            server.stop_and_log()
    log("%d passed, %d failed" % (passed, failed))
    return outcome


if __name__ == "__main__":
    sys.exit(main())
