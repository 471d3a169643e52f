#!/usr/bin/python3
"""Interop test: the standalone audit bundle checker of docs/audit.md, as documented, against
bundles exported by the real ledgerctl from the real ledgerd.

    /usr/bin/python3 tests/interop/audit_checker_test.py --ledgerd build/services/ledgerd \
        --ledgerctl build/cli/ledgerctl --doc docs/audit.md --proto-dir proto \
        --work-dir "$(mktemp -d)"

It extracts the two Python blocks of docs/audit.md section 5.3 at run time (so what is tested is
what the document says): the checker, written to check_bundle.py and run as an auditor would,
`python3 check_bundle.py DIR KEY`; and the full comparison of step 2.5, run for each event with
classes generated from proto/ by protoc. It starts ledgerd on 127.0.0.1 (a free port, a fresh data
directory under --work-dir), loads the demo programme, exports the whole log and a decision's
evidence pack with `ledgerctl audit export`, and stops ledgerd: the checks need no server. Then:
the checker accepts both bundles with the ledger's key, and rejects a copy with one byte of an
event's canonical record changed, and the bundle under another key; the full comparison accepts
every event, and rejects a copy with one byte of an event's JSON changed.

Prints one line per check and a final "N passed, M failed". Exit status: 0 when every check
passed, 1 when a check failed, 2 when the test could not be set up. Only 127.0.0.1 is contacted;
every wait is bounded; ledgerd is always stopped. Needs Debian's python3-cryptography and
python3-protobuf (use /usr/bin/python3) and protoc.
"""

import argparse
import base64
import hashlib
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback

import interop_support

from interop_support import (EXIT_FAILED, EXIT_OK, EXIT_SETUP, CheckFailed, Ledgerd, SetupError,
                             expect, generate_stubs, log, stop_on_sigterm, wait_until_serving)

COMMAND_TIMEOUT_S = 120
# gRPC honours these; nothing may come between ledgerctl and the loopback server.
PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy", "grpc_proxy", "no_grpc_proxy"}


def sha256(b):
    return hashlib.sha256(b).digest()


def extract_blocks(doc_path):
    """The checker and the full comparison: the ```python blocks of section 5.3, in order."""
    with open(doc_path, encoding="utf-8") as f:
        doc = f.read()
    start = doc.find("\n### 5.3 ")
    if start < 0:
        raise SetupError("%s has no section 5.3 (checking a bundle without ledgerctl)" % doc_path)
    end = doc.find("\n## ", start)
    section = doc[start:end if end >= 0 else len(doc)]
    blocks = re.findall(r"^```python\n(.*?)^```", section, re.S | re.M)
    if len(blocks) != 2 or "def check_bundle(" not in blocks[0] or "json_format" not in blocks[1]:
        raise SetupError("%s section 5.3 should hold two python blocks, the checker (def "
                         "check_bundle) then the full comparison; found %d" % (
                             doc_path, len(blocks)))
    return blocks


class Run:
    """What the setup produced, for the checks."""

    def __init__(self, work_dir, checker, comparison, key):
        self.work_dir = work_dir
        self.checker = checker            # path of check_bundle.py
        self.comparison = comparison      # compiled full comparison
        self.key = key                    # the ledger's verifier key
        self.bundle = os.path.join(work_dir, "bundle")
        self.pack = os.path.join(work_dir, "pack")


def set_up(args, work_dir):
    blocks = extract_blocks(args.doc)
    checker = os.path.join(work_dir, "check_bundle.py")
    with open(checker, "w", encoding="utf-8") as f:
        f.write(blocks[0])
    comparison = compile(blocks[1], "docs/audit.md section 5.3, the full comparison", "exec")
    stubs = generate_stubs(args.proto_dir, work_dir, with_grpc=False)
    try:
        importlib.import_module("engagement.v1.event_pb2")  # the comparison imports it
        importlib.import_module("cryptography")  # the checker imports it
    except ImportError as e:
        raise SetupError("cannot import the generated classes from %s or cryptography (%s); run "
                         "with /usr/bin/python3, which has python3-protobuf and "
                         "python3-cryptography" % (stubs, e))

    server = Ledgerd(args.ledgerd, work_dir)
    env = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARIABLES}

    def ctl(*words, timeout_seconds=10):
        command = [os.path.abspath(args.ledgerctl), "--server=" + server.address(),
                   "--token_file=" + interop_support.local_token_file(server),
                   "--timeout_seconds=%d" % timeout_seconds] + list(words)
        try:
            return subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  env=env, timeout=COMMAND_TIMEOUT_S, text=True)
        except subprocess.TimeoutExpired:
            raise SetupError("ledgerctl %s did not finish within %d s" % (
                words[0], COMMAND_TIMEOUT_S))

    def ctl_ok(*words):
        done = ctl(*words)
        if done.returncode != 0:
            raise SetupError("ledgerctl %s failed (exit %d): %s%s" % (
                " ".join(words), done.returncode, done.stdout, done.stderr))
        return done.stdout

    try:
        server.start()

        def probe():
            done = ctl("info", timeout_seconds=1)
            return (done.stdout, None) if done.returncode == 0 else (None, done.stderr.strip())
        wait_until_serving(server, probe)
        ctl_ok("demo")
        key = ctl_ok("audit", "pubkey").strip()
        run = Run(work_dir, checker, comparison, key)
        ctl_ok("audit", "export", "--from_position=1", "--out=" + run.bundle,
               "--verifier_key=" + key)
        decision = json.loads(ctl_ok("read", "--org=QWE", "--type=decision_recorded", "--limit=1"))
        ctl_ok("audit", "export", "--decision=" + decision["decision_recorded"]["decision_id"],
               "--org=QWE", "--out=" + run.pack, "--verifier_key=" + key)
        log("ledgerd on %s: demo loaded; exported %s and %s; verifier key %s" % (
            server.address(), run.bundle, run.pack, key))
        return run
    finally:
        stopped = server.stop()
        log("ledgerd stopped before the checks: %s (log: %s)" % (stopped, server.log_path))


# ------------------------------------------------------------------------------------------------
# The checks: no server from here on.


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


def copy_with_event_line(run, name, edit):
    """A copy of the whole-log bundle whose events.jsonl line in the middle is edit(line);
    returns (directory, line number)."""
    copy = os.path.join(run.work_dir, name)
    shutil.copytree(run.bundle, copy)
    lines = read_lines(os.path.join(copy, "events.jsonl"))
    number = len(lines) // 2 + 1
    edited = edit(lines[number - 1])
    expect(edited != lines[number - 1], "the edit changed nothing")
    lines[number - 1] = edited
    with open(os.path.join(copy, "events.jsonl"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return copy, number


def check_bundle(run, directory, key):
    """Runs the documented checker as an auditor would."""
    return subprocess.run([sys.executable, run.checker, directory, key], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=COMMAND_TIMEOUT_S, text=True)


def expect_accepted(run, directory):
    done = check_bundle(run, directory, run.key)
    expect(done.returncode == 0, "exit %d: %s%s" % (done.returncode, done.stdout, done.stderr))
    events = len(read_lines(os.path.join(directory, "events.jsonl")))
    size = int(read_lines(os.path.join(directory, "checkpoint.note"))[1])
    want = "OK: engagement-ledger, tree size %d, %d events" % (size, events)
    expect(done.stdout.strip() == want, "printed %r, expected %r" % (done.stdout.strip(), want))
    return want


def check_accepts_log(run):
    return expect_accepted(run, run.bundle)


def check_accepts_evidence_pack(run):
    return expect_accepted(run, run.pack)


def check_rejects_changed_record(run):
    def flip_a_byte(line):  # of the record's bytes; the rest of the line as it was
        start = line.index('"canonical_record":"') + len('"canonical_record":"')
        end = line.index('"', start)
        record = bytearray(base64.b64decode(line[start:end]))
        record[len(record) // 2] ^= 0x01
        return line[:start] + base64.b64encode(bytes(record)).decode() + line[end:]
    copy, number = copy_with_event_line(run, "record-changed", flip_a_byte)
    position = int(json.loads(read_lines(os.path.join(copy, "events.jsonl"))[number - 1])["position"])
    done = check_bundle(run, copy, run.key)
    expect(done.returncode != 0, "accepted: %s" % done.stdout.strip())
    want = "FAILED: %s: event at position %d (line %d): the inclusion proof does not lead" % (
        copy, position, number)
    expect(done.stderr.startswith(want), "said %r, expected %r..." % (done.stderr.strip(), want))
    return "exit %d: %s" % (done.returncode, done.stderr.strip())


def check_rejects_other_key(run):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    public = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    name = run.key.split("+")[0]
    other = "%s+%s+%s" % (name, sha256(name.encode() + b"\n\x01" + public)[:4].hex(),
                          base64.b64encode(b"\x01" + public).decode())
    done = check_bundle(run, run.bundle, other)
    expect(done.returncode != 0, "accepted under another key: %s" % done.stdout.strip())
    expect("no signature by this key" in done.stderr, "said %r" % done.stderr.strip())
    return "exit %d: %s" % (done.returncode, done.stderr.strip())


def compare_fully(run, directory):
    """Runs the documented full comparison for each line; the number of lines compared."""
    lines = read_lines(os.path.join(directory, "events.jsonl"))
    for number, line in enumerate(lines, 1):
        e = json.loads(line)
        record = base64.b64decode(e["canonical_record"])
        try:
            exec(run.comparison, {"e": e, "record": record, "sha256": sha256})
        except AssertionError:
            raise CheckFailed("line %d (position %d): the event shown is not the record" % (
                number, int(e["position"])))
    return len(lines)


def check_full_comparison_accepts(run):
    return "%d events of %s equal their records" % (compare_fully(run, run.bundle), run.bundle)


def check_full_comparison_rejects_changed_json(run):
    def change_the_actor(line):
        at = line.index('"actor":"') + len('"actor":"')
        return line[:at] + ("X" if line[at] != "X" else "Y") + line[at + 1:]
    copy, number = copy_with_event_line(run, "json-changed", change_the_actor)
    try:
        compare_fully(run, copy)
    except CheckFailed as e:
        expect(str(e).startswith("line %d " % number), "failed at another line: %s" % e)
        return "rejected: %s" % e
    raise CheckFailed("the full comparison accepted line %d with its actor changed" % number)


CHECKS = [
    ("accepts_log", check_accepts_log),
    ("accepts_pack", check_accepts_evidence_pack),
    ("record_changed", check_rejects_changed_record),
    ("other_key", check_rejects_other_key),
    ("full_comparison", check_full_comparison_accepts),
    ("json_changed", check_full_comparison_rejects_changed_json),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ledgerd", required=True, help="path to the ledgerd binary")
    parser.add_argument("--ledgerctl", required=True, help="path to the ledgerctl binary")
    parser.add_argument("--doc", required=True, help="docs/audit.md")
    parser.add_argument("--proto-dir", required=True,
                        help="the folder holding engagement/v1/*.proto")
    parser.add_argument("--work-dir", required=True, help="scratch folder (bundles, data, log)")
    args = parser.parse_args()
    stop_on_sigterm()  # ledgerd is still stopped, by set_up's finally
    os.makedirs(args.work_dir, exist_ok=True)
    # A fresh folder each run (bundles are written only to new directories), removed when all
    # passed and kept to look at when not.
    work_dir = tempfile.mkdtemp(prefix="run-", dir=os.path.abspath(args.work_dir))
    try:
        run = set_up(args, work_dir)
    except (SetupError, KeyboardInterrupt) as e:
        log("SETUP FAILED: %s" % e)
        log("0 passed, %d failed" % len(CHECKS))
        return EXIT_SETUP
    passed = failed = 0
    for name, check in CHECKS:
        try:
            log("PASS %-16s %s" % (name, check(run)))
            passed += 1
        except CheckFailed as e:
            log("FAIL %-16s %s" % (name, e))
            failed += 1
        except Exception:  # a bug in the check itself still counts as a failure
            log("FAIL %-16s unexpected exception:\n%s" % (name, traceback.format_exc().rstrip()))
            failed += 1
    log("%d passed, %d failed" % (passed, failed))
    if failed:
        log("kept %s to look at" % work_dir)
        return EXIT_FAILED
    shutil.rmtree(work_dir)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
