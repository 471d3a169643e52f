#!/usr/bin/python3
"""Interop test: a Python gRPC client against the real ledgerd.

    /usr/bin/python3 tests/interop/python_client_test.py \
        --ledgerd build/services/ledgerd --proto-dir proto --work-dir "$(mktemp -d)"

It generates Python stubs from the project's .proto files with protoc and grpc_python_plugin,
starts ledgerd on 127.0.0.1 (a free port, a fresh data directory under --work-dir) as it runs for
real: TLS with a certificate made by the openssl CLI, bearer tokens from an ES256 issuer whose
token and JWKS Python makes itself, an access policy and a master key outside the data directory.
It connects over TLS with the token and checks, as a client written in another language would:
callers without a token or with another issuer's are refused, an append, a stream read, the
SHA-256 hash chain
recomputed from the canonical records ReadLog returns, INVALID_ARGUMENT and ABORTED errors, server
reflection and the standard health service (both through raw bytes, with no extra package).
The stubs and the server come from interop_support.py, next to this file.

Prints one line per check and a final "N passed, M failed". Exit status: 0 when every check
passed, 1 when a check failed, 2 when the test could not be set up (stubs, server start).
Only 127.0.0.1 is contacted; every wait is bounded; ledgerd is always stopped at the end.

Needs Debian's python3-grpcio and python3-protobuf (use /usr/bin/python3), protoc and
/usr/bin/grpc_python_plugin.
"""

import argparse
import hashlib
import os
import sys
import traceback
import uuid

from interop_support import (EXIT_FAILED, EXIT_OK, EXIT_SETUP, CheckFailed, Ledgerd, SetupError,
                             expect, generate_stubs, log, stop_on_sigterm)
import interop_support

CALL_TIMEOUT_S = 10.0
ZERO_HASH = b"\x00" * 32


def wait_until_serving(server, stub, pb):
    """GetLedgerInfo with a short deadline until it answers."""
    import grpc

    def probe():
        try:
            return stub.GetLedgerInfo(pb.GetLedgerInfoRequest(), timeout=5.0), None
        except grpc.RpcError as e:
            return None, "GetLedgerInfo: %s: %s" % (e.code().name, e.details())
    return interop_support.wait_until_serving(server, probe)


# ------------------------------------------------------------------------------------------------
# The checks.


class Context:
    def __init__(self, channel, stub, pb, event_pb):
        self.channel = channel
        self.stub = stub
        self.pb = pb
        self.event_pb = event_pb
        self.stream = "engagement-" + str(uuid.uuid4())
        self.engagement_id = str(uuid.uuid4())
        self.appended = None


def session_held_event(ctx, title, organisation="QWE"):
    """A valid session_held event, as tests/test_support.h builds them."""
    from engagement.v1 import vocabulary_pb2
    event = ctx.event_pb.Event()
    event.occurred_at.seconds = 1746093600  # 2025-05-01 10:00 UTC
    event.occurred_at.nanos = 0
    event.organisation = organisation
    event.actor = "engagement-team@qwe"
    event.session_held.engagement_id = ctx.engagement_id
    event.session_held.session_id = str(uuid.uuid4())
    event.session_held.title = title
    event.session_held.method = vocabulary_pb2.ENGAGEMENT_METHOD_CO_DESIGN_WORKSHOP
    event.session_held.duration_minutes = 120
    return event


def engagement_opened_event(ctx):
    """Opens ctx.engagement_id: sessions may only be recorded for an open engagement."""
    from engagement.v1 import vocabulary_pb2
    event = ctx.event_pb.Event()
    event.occurred_at.seconds = 1746000000
    event.organisation = "QWE"
    event.actor = "engagement-team@qwe"
    opened = event.engagement_opened
    opened.engagement_id = ctx.engagement_id
    opened.title = "Co-designing diabetes self-management support"
    opened.topic = "Diabetes"
    opened.commissioning_stage = vocabulary_pb2.COMMISSIONING_STAGE_SERVICE_DESIGN
    opened.spectrum_level = vocabulary_pb2.SPECTRUM_LEVEL_CO_PRODUCE
    opened.scope_for_influence = "How education sessions are run"
    opened.duty_to_involve = vocabulary_pb2.DUTY_APPLIES_YES
    opened.duty_reason = "A change to how services are delivered"
    opened.lead_role = "Head of Engagement"
    return event


def head(ctx):
    return ctx.stub.GetLedgerInfo(ctx.pb.GetLedgerInfoRequest(), timeout=CALL_TIMEOUT_S)


def check_append(ctx):
    pb = ctx.pb
    request = pb.AppendEventsRequest(stream=ctx.stream)
    request.expected.state = pb.EXPECTED_STATE_NO_STREAM
    request.events.append(engagement_opened_event(ctx))
    for i in range(2):
        request.events.append(session_held_event(ctx, "Co-design workshop %d" % (i + 1)))
    response = ctx.stub.AppendEvents(request, timeout=CALL_TIMEOUT_S)
    expect(list(response.positions) == [1, 2, 3],
           "positions are %s, expected [1, 2, 3]" % list(response.positions))
    expect(response.stream_revision == 2,
           "stream_revision is %d, expected 2" % response.stream_revision)
    expect(not response.already_appended, "already_appended is true for a first append")
    expect(len(response.event_ids) == 3 and all(len(i) == 36 for i in response.event_ids),
           "expected 3 generated UUID event ids, got %s" % list(response.event_ids))
    expect(len(response.last_hash) == 32, "last_hash is %d bytes" % len(response.last_hash))
    ctx.appended = response
    return "3 events to %s: positions [1, 2, 3], stream_revision 2" % ctx.stream


def check_read_stream(ctx):
    pb = ctx.pb
    request = pb.ReadStreamRequest(stream=ctx.stream, direction=pb.READ_DIRECTION_FORWARDS)
    events = [m.event for m in ctx.stub.ReadStream(request, timeout=CALL_TIMEOUT_S)]
    expect(len(events) == 3, "read %d events, expected 3" % len(events))
    revisions = [e.stream_revision for e in events]
    expect(revisions == [0, 1, 2], "revisions are %s, expected [0, 1, 2]" % revisions)
    for e in events:
        expect(len(e.hash) == 32, "event at revision %d has a %d-byte hash" % (
            e.stream_revision, len(e.hash)))
        expect(e.stream == ctx.stream, "event at revision %d names stream %r" % (
            e.stream_revision, e.stream))
        want = "engagement_opened" if e.stream_revision == 0 else "session_held"
        expect(e.WhichOneof("payload") == want,
               "event at revision %d has payload %r" % (e.stream_revision, e.WhichOneof("payload")))
    if ctx.appended is not None:
        ids = [e.event_id for e in events]
        expect(ids == list(ctx.appended.event_ids),
               "event ids read %s differ from those appended %s" % (ids, list(ctx.appended.event_ids)))
        expect(events[-1].hash == ctx.appended.last_hash,
               "the last event's hash differs from the append's last_hash")
    return "3 events, revisions [0, 1, 2], 32-byte hashes"


def check_hash_chain(ctx):
    pb = ctx.pb
    request = pb.ReadLogRequest(from_position=1, include_canonical_record=True)
    messages = list(ctx.stub.ReadLog(request, timeout=CALL_TIMEOUT_S))
    info = head(ctx)
    expect(len(messages) == info.head_position,
           "ReadLog returned %d events but head_position is %d" % (len(messages), info.head_position))
    expect(len(messages) >= 3, "ReadLog returned %d events, expected at least 3" % len(messages))
    previous = ZERO_HASH
    for n, message in enumerate(messages, start=1):
        event, record = message.event, message.canonical_record
        expect(event.position == n, "event %d of the log has position %d" % (n, event.position))
        expect(len(record) > 0, "position %d: canonical_record is empty" % n)
        expect(event.previous_hash == previous,
               "position %d: previous_hash %s != hash of position %d %s" % (
                   n, event.previous_hash.hex(), n - 1, previous.hex()))
        computed = hashlib.sha256(previous + record).digest()
        expect(computed == event.hash, "position %d: sha256(previous || record) = %s but hash = %s" % (
            n, computed.hex(), event.hash.hex()))
        # The event served must be the event the hash covers.
        stored = ctx.event_pb.Event.FromString(record)
        expect(stored.hash == b"", "position %d: the canonical record has a hash field set" % n)
        stored.hash = event.hash
        expect(stored == event, "position %d: the event served differs from its canonical record" % n)
        previous = computed
    expect(info.head_hash == previous, "GetLedgerInfo head_hash %s != last chained hash %s" % (
        info.head_hash.hex(), previous.hex()))
    expect(info.event_count == info.head_position,
           "event_count %d != head_position %d" % (info.event_count, info.head_position))
    return "%d records re-hashed from canonical bytes; head_hash %s... matches" % (
        len(messages), previous.hex()[:16])


def expect_rpc_error(call, code, what):
    import grpc
    try:
        call()
    except grpc.RpcError as e:
        expect(e.code() == code, "%s: got %s (%s), expected %s" % (
            what, e.code().name, e.details(), code.name))
        return e.details() or ""
    raise CheckFailed("%s: the call succeeded, expected %s" % (what, code.name))


def check_invalid_argument(ctx):
    import grpc
    pb = ctx.pb
    before = head(ctx).head_position
    request = pb.AppendEventsRequest(stream="engagement-" + str(uuid.uuid4()))
    request.expected.state = pb.EXPECTED_STATE_NO_STREAM
    request.events.append(session_held_event(ctx, "Lowercase organisation", organisation="qwe"))
    details = expect_rpc_error(lambda: ctx.stub.AppendEvents(request, timeout=CALL_TIMEOUT_S),
                               grpc.StatusCode.INVALID_ARGUMENT, "organisation \"qwe\"")
    expect("organisation" in details, "the details do not name the field: %r" % details)
    after = head(ctx).head_position
    expect(after == before, "head moved from %d to %d after a refused append" % (before, after))
    return "INVALID_ARGUMENT: %s" % details


def check_aborted(ctx):
    import grpc
    pb = ctx.pb
    before = head(ctx).head_position
    request = pb.AppendEventsRequest(stream=ctx.stream)
    request.expected.revision = 7  # the stream is at revision 2
    request.events.append(session_held_event(ctx, "Wrong expected revision"))
    details = expect_rpc_error(lambda: ctx.stub.AppendEvents(request, timeout=CALL_TIMEOUT_S),
                               grpc.StatusCode.ABORTED, "expected revision 7")
    expect("revision 2" in details, "the details do not give the actual revision 2: %r" % details)
    after = head(ctx).head_position
    expect(after == before, "head moved from %d to %d after a refused append" % (before, after))
    return "ABORTED: %s" % details


def check_failed_precondition(ctx):
    import grpc
    pb = ctx.pb
    before = head(ctx).head_position
    request = pb.AppendEventsRequest(stream="engagement-" + str(uuid.uuid4()))
    request.expected.state = pb.EXPECTED_STATE_ANY
    event = session_held_event(ctx, "Session of an engagement never opened")
    event.session_held.engagement_id = str(uuid.uuid4())
    request.events.append(event)
    details = expect_rpc_error(lambda: ctx.stub.AppendEvents(request, timeout=CALL_TIMEOUT_S),
                               grpc.StatusCode.FAILED_PRECONDITION, "an unknown engagement")
    expect("events[0].session_held.engagement_id" in details,
           "the details do not name the field: %r" % details)
    after = head(ctx).head_position
    expect(after == before, "head moved from %d to %d after a refused append" % (before, after))
    return "FAILED_PRECONDITION: %s" % details


def check_unauthenticated(ctx):
    """Over the same TLS, without a token or with one signed by another key: UNAUTHENTICATED."""
    import grpc
    pb = ctx.pb
    from engagement.v1 import ledger_service_pb2_grpc
    forged = ctx.token.rsplit(".", 1)[0] + ".AAAA" + ctx.token.rsplit(".", 1)[1][4:]
    outcomes = []
    for name, creds in (("no token", grpc.ssl_channel_credentials(ctx.ca_pem)),
                        ("forged token", grpc.composite_channel_credentials(
                            grpc.ssl_channel_credentials(ctx.ca_pem),
                            grpc.access_token_call_credentials(forged)))):
        with grpc.secure_channel(ctx.address, creds, options=[("grpc.enable_http_proxy", 0)]) as ch:
            stub = ledger_service_pb2_grpc.LedgerServiceStub(ch)
            try:
                stub.GetLedgerInfo(pb.GetLedgerInfoRequest(), timeout=CALL_TIMEOUT_S)
                raise CheckFailed("%s: the call was served" % name)
            except grpc.RpcError as e:
                expect(e.code() == grpc.StatusCode.UNAUTHENTICATED,
                       "%s: %s (%s), want UNAUTHENTICATED" % (name, e.code().name, e.details()))
                outcomes.append("%s: UNAUTHENTICATED" % name)
    return "; ".join(outcomes)


def check_reflection(ctx):
    call = ctx.channel.stream_stream(
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
        request_serializer=None, response_deserializer=None)
    # ServerReflectionRequest{list_services: ""}: field 7, wire type 2, length 0.
    responses = list(call(iter([b"\x3a\x00"]), timeout=CALL_TIMEOUT_S))
    expect(len(responses) == 1, "got %d reflection responses, expected 1" % len(responses))
    expect(b"engagement.v1.LedgerService" in responses[0],
           "the list_services response does not name engagement.v1.LedgerService: %r" % responses[0])
    # Every service's file descriptor can be fetched, so that grpcurl can describe and call it:
    # ServerReflectionRequest{file_containing_symbol: S}: field 4, wire type 2.
    described = []
    for service in ("LedgerService", "ReportService", "AuditService", "PrivacyService",
                    "OperationsService"):
        symbol = ("engagement.v1." + service).encode()
        answers = list(call(iter([b"\x22" + bytes([len(symbol)]) + symbol]),
                            timeout=CALL_TIMEOUT_S))
        expect(len(answers) == 1 and b"engagement/v1/" in answers[0] and
               symbol.split(b".")[-1] in answers[0],
               "reflection cannot describe %s: %r" % (service, answers[:1]))
        described.append(service)
    return "list_services names engagement.v1.LedgerService (%d bytes); described %s" % (
        len(responses[0]), ", ".join(described))


def check_health(ctx):
    call = ctx.channel.unary_unary("/grpc.health.v1.Health/Check",
                                   request_serializer=None, response_deserializer=None)
    response = call(b"", timeout=CALL_TIMEOUT_S)  # HealthCheckRequest{service: ""}
    expect(response == b"\x08\x01", "Check returned %r, expected b'\\x08\\x01' (SERVING)" % response)
    return "Check(\"\") = SERVING"


CHECKS = [
    ("unauthenticated", check_unauthenticated),
    ("append", check_append),
    ("read_stream", check_read_stream),
    ("hash_chain", check_hash_chain),
    ("invalid_argument", check_invalid_argument),
    ("aborted", check_aborted),
    ("failed_precondition", check_failed_precondition),
    ("reflection", check_reflection),
    ("health", check_health),
]


def run_checks(ctx):
    import grpc

    def explain(error):
        if isinstance(error, grpc.RpcError):
            return "unexpected RPC error %s: %s" % (error.code().name, error.details())
        return None
    return interop_support.run_checks(CHECKS, ctx, explain)


# ------------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ledgerd", required=True, help="path to the ledgerd binary")
    parser.add_argument("--proto-dir", required=True, help="the folder holding engagement/v1/*.proto")
    parser.add_argument("--work-dir", required=True, help="scratch folder (stubs, data, log)")
    args = parser.parse_args()

    stop_on_sigterm()  # ledgerd is still stopped, by the finally below
    work_dir = os.path.abspath(args.work_dir)
    os.makedirs(work_dir, exist_ok=True)
    try:
        stubs = generate_stubs(args.proto_dir, work_dir)
        try:
            import grpc
            from engagement.v1 import event_pb2, ledger_service_pb2, ledger_service_pb2_grpc
        except ImportError as e:
            raise SetupError("cannot import grpc or the generated stubs from %s (%s); run with "
                             "/usr/bin/python3, which has python3-grpcio and python3-protobuf" % (
                                 stubs, e))
        log("stubs generated in %s (grpcio %s, python %s)" % (
            stubs, grpc.__version__, sys.version.split()[0]))
    except SetupError as e:
        log("SETUP FAILED: %s" % e)
        log("0 passed, %d failed" % len(CHECKS))
        return EXIT_SETUP

    channel = None
    outcome = EXIT_SETUP
    passed, failed = 0, len(CHECKS)
    server = None
    try:
        secure = interop_support.SecureSetup(
            work_dir, "python-interop",
            [("ROLE_RECORDER", "QWE"), ("ROLE_AUDITOR", "QWE"), ("ROLE_READER", "QWE")])
        server = Ledgerd(args.ledgerd, work_dir, secure.ledgerd_args())
        server.start()
        # TLS against the test CA, the token on every call; only loopback: no HTTP proxy from the
        # environment may come between.
        credentials = grpc.composite_channel_credentials(
            grpc.ssl_channel_credentials(secure.ca_pem),
            grpc.access_token_call_credentials(secure.token))
        # Short reconnect backoff: the channel is made while ledgerd may still be starting, and
        # gRPC's default backoff (1 s, growing) can outlast the wait on a busy machine.
        channel = grpc.secure_channel(server.address(), credentials,
                                      options=[("grpc.enable_http_proxy", 0),
                                               ("grpc.initial_reconnect_backoff_ms", 100),
                                               ("grpc.min_reconnect_backoff_ms", 100),
                                               ("grpc.max_reconnect_backoff_ms", 500)])
        stub = ledger_service_pb2_grpc.LedgerServiceStub(channel)
        info = wait_until_serving(server, stub, ledger_service_pb2)
        log("ledgerd serving on %s (pid %d, data %s, head position %d, storage format %d)" % (
            server.address(), server.process.pid, server.data_dir, info.head_position,
            info.storage_format_version))
        ctx = Context(channel, stub, ledger_service_pb2, event_pb2)
        ctx.address, ctx.ca_pem, ctx.token = server.address(), secure.ca_pem, secure.token
        passed, failed = run_checks(ctx)
        outcome = EXIT_OK if failed == 0 else EXIT_FAILED
    except SetupError as e:
        log("SETUP FAILED: %s" % e)
    except KeyboardInterrupt as e:
        log("INTERRUPTED: %s" % e)
        outcome = EXIT_FAILED
    finally:
        if channel is not None:
            channel.close()
        if server is not None:
            server.stop_and_log()
    log("%d passed, %d failed" % (passed, failed))
    return outcome


if __name__ == "__main__":
    sys.exit(main())
