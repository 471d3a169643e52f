"""What the interop tests share: Python stubs generated from proto/, and the real ledgerd as a child
process on 127.0.0.1 that is always stopped.

Used by python_client_test.py (a gRPC client in Python) and audit_checker_test.py (the audit
bundle checker of docs/audit.md). Both run with /usr/bin/python3, which has Debian's packages.
"""

import glob
import os
import signal
import socket
import subprocess
import sys
import time
import traceback
import uuid

GRPC_PYTHON_PLUGIN = "/usr/bin/grpc_python_plugin"
STARTUP_TIMEOUT_S = 60.0  # a busy machine (make test runs two tests at once)
STOP_TIMEOUT_S = 10.0

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_SETUP = 2


class SetupError(Exception):
    """The test could not get as far as its checks."""


class CheckFailed(Exception):
    """A check's expectation did not hold."""


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


def log(line):
    print(line, flush=True)


def run_checks(checks, ctx, explain=None):
    """Runs each (name, check) of `checks` with `ctx`, printing "PASS name detail" or "FAIL name
    why". `explain(exception)` may name an expected kind of exception (an RPC error) in words, or
    return None. Any other exception is a failure too (a bug in a check still counts).
    Returns (passed, failed)."""
    width = max(len(name) for name, _ in checks) + 1
    passed = failed = 0
    for name, check in checks:
        try:
            detail = check(ctx)
            log("PASS %-*s %s" % (width, name, detail or ""))
            passed += 1
        except CheckFailed as e:
            log("FAIL %-*s %s" % (width, name, e))
            failed += 1
        except Exception as e:
            words = explain(e) if explain is not None else None
            log("FAIL %-*s %s" % (width, name, words or "unexpected exception:\n" +
                                  traceback.format_exc().rstrip()))
            failed += 1
    return passed, failed


def stop_on_sigterm():
    """A SIGTERM to the test raises KeyboardInterrupt, so its finally blocks still stop ledgerd."""
    def on_term(signum, frame):
        raise KeyboardInterrupt("signal %d" % signum)
    signal.signal(signal.SIGTERM, on_term)


def generate_stubs(proto_dir, work_dir, with_grpc=True):
    """Runs protoc (with the gRPC plugin when with_grpc) into a fresh folder under work_dir and puts
    it first on sys.path. Returns the folder."""
    proto_dir = os.path.abspath(proto_dir)
    protos = sorted(glob.glob(os.path.join(proto_dir, "engagement", "v1", "*.proto")))
    if not protos:
        raise SetupError("no .proto files under %s/engagement/v1" % proto_dir)
    if with_grpc and not os.access(GRPC_PYTHON_PLUGIN, os.X_OK):
        raise SetupError("%s is missing (apt-get install protobuf-compiler-grpc)" % GRPC_PYTHON_PLUGIN)
    out = os.path.join(work_dir, "pystubs-" + uuid.uuid4().hex[:8])
    os.makedirs(out)
    relative = [os.path.relpath(p, proto_dir) for p in protos]
    command = ["protoc", "--proto_path=" + proto_dir, "--python_out=" + out]
    if with_grpc:
        command += ["--grpc_out=" + out, "--plugin=protoc-gen-grpc=" + GRPC_PYTHON_PLUGIN]
    try:
        done = subprocess.run(command + relative, cwd=proto_dir, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=60)
    except FileNotFoundError:
        raise SetupError("protoc is not on PATH (apt-get install protobuf-compiler)")
    except subprocess.TimeoutExpired:
        raise SetupError("protoc did not finish within 60 s")
    if done.returncode != 0:
        raise SetupError("protoc failed (exit %d): %s" % (
            done.returncode, done.stdout.decode(errors="replace").strip()))
    # Regular packages, so that nothing else named "engagement" on sys.path can shadow them.
    for package in ("engagement", os.path.join("engagement", "v1")):
        init = os.path.join(out, package, "__init__.py")
        if not os.path.exists(init):
            open(init, "w").close()
    sys.path.insert(0, out)
    return out


def local_token_file(server, name="operator"):
    """The token file ledgerd made for `name` in local mode (--insecure_local)."""
    return os.path.join(server.data_dir, "local", name + ".token")


def _openssl(*args):
    result = subprocess.run(["openssl"] + list(args), capture_output=True, timeout=30)
    if result.returncode != 0:
        raise SetupError("openssl %s failed: %s" % (args[0], result.stderr.decode(errors="replace")))


def _b64url(data):
    import base64
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class SecureSetup:
    """What ledgerd needs outside local mode, made here as an organisation would: a CA and a
    server certificate for 127.0.0.1 (openssl CLI), an ES256 token issuer with its JWKS and a
    token for one subject (python3-cryptography), an access policy, and a master key kept outside
    the data directory."""

    ISSUER = "https://issuer.test.invalid"
    AUDIENCE = "engagement-ledger"

    def __init__(self, work_dir, subject, grants, issuer=None):
        import json
        import time
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

        self.issuer = issuer or self.ISSUER
        d = os.path.join(work_dir, "secure-" + uuid.uuid4().hex[:8])
        os.makedirs(d)
        self.dir = d
        p = lambda name: os.path.join(d, name)
        ec_key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        _openssl("req", "-x509", *ec_key, "-keyout", p("ca.key"), "-out", p("ca.pem"), "-days", "2",
                 "-subj", "/CN=interop test CA")
        _openssl("req", *ec_key, "-keyout", p("server.key"), "-out", p("server.csr"),
                 "-subj", "/CN=ledgerd")
        with open(p("san.ext"), "w") as f:
            f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
        _openssl("x509", "-req", "-in", p("server.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"),
                 "-CAcreateserial", "-out", p("server.pem"), "-days", "2", "-extfile", p("san.ext"))
        issuer_key = ec.generate_private_key(ec.SECP256R1())
        numbers = issuer_key.public_key().public_numbers()
        jwk = {"kty": "EC", "crv": "P-256", "kid": "interop-1", "use": "sig", "alg": "ES256",
               "x": _b64url(numbers.x.to_bytes(32, "big")),
               "y": _b64url(numbers.y.to_bytes(32, "big"))}
        with open(p("jwks.json"), "w") as f:
            json.dump({"keys": [jwk]}, f)
        now = int(time.time())
        header = _b64url(json.dumps({"alg": "ES256", "typ": "JWT", "kid": "interop-1"}).encode())
        claims = _b64url(json.dumps({"iss": self.issuer, "aud": self.AUDIENCE, "sub": subject,
                                     "iat": now, "exp": now + 3600}).encode())
        der = issuer_key.sign(("%s.%s" % (header, claims)).encode(), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        self.token = "%s.%s.%s" % (header, claims,
                                   _b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big")))
        with open(p("policy.textproto"), "w") as f:
            f.write('principals {\n  token_subject: "%s"\n' % subject)
            for role, org in grants:
                f.write('  grants { role: %s organisations: "%s" }\n' % (role, org))
            f.write("}\n")
        with open(p("master.key"), "w") as f:
            f.write(os.urandom(32).hex() + "\n")
        # The checkpoint signing key, outside the data directory as ledgerd requires.
        _openssl("genpkey", "-algorithm", "ed25519", "-out", p("checkpoint.key"))
        with open(p("ca.pem"), "rb") as f:
            self.ca_pem = f.read()

    def ledgerd_args(self):
        p = lambda name: os.path.join(self.dir, name)
        return ["--tls_cert=" + p("server.pem"), "--tls_key=" + p("server.key"),
                "--oidc_issuer=" + self.issuer, "--oidc_audience=" + self.AUDIENCE,
                "--jwks_file=" + p("jwks.json"), "--policy_file=" + p("policy.textproto"),
                "--master_key_file=" + p("master.key"),
                "--checkpoint_key=" + p("checkpoint.key")]


def free_port():
    """A port that was free a moment ago on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Ledgerd:
    """The real ledgerd as a child process; stop() is safe to call any number of times."""

    def __init__(self, binary, work_dir, extra_args=("--insecure_local",)):
        self.binary = os.path.abspath(binary)
        self.extra_args = list(extra_args)
        self.data_dir = os.path.join(work_dir, "data-" + uuid.uuid4().hex[:8])
        self.log_path = os.path.join(work_dir, "ledgerd.log")
        self.process = None
        self.port = None
        self.exit_code = None

    def start(self, attempts=3):
        """Starts ledgerd; picks another port when the free one was taken in the meantime."""
        if not os.access(self.binary, os.X_OK):
            raise SetupError("ledgerd binary not found or not executable: %s" % self.binary)
        self._log = open(self.log_path, "ab")
        for attempt in range(1, attempts + 1):
            self.port = free_port()
            self.process = subprocess.Popen(
                [self.binary, "--listen=127.0.0.1:%d" % self.port, "--data_dir=" + self.data_dir]
                + self.extra_args,
                stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
                start_new_session=True)  # its own process group, killed as one below
            try:
                self.process.wait(timeout=0.3)
            except subprocess.TimeoutExpired:
                return  # still running: wait_until_serving takes over
            self._log.flush()
            tail = self.log_tail()
            if attempt == attempts or not ("cannot listen" in tail or "already in use" in tail):
                return  # wait_until_serving reports the exit with the log
            log("port %d was taken before ledgerd bound it; trying another" % self.port)

    def address(self):
        return "127.0.0.1:%d" % self.port

    def log_tail(self, lines=20):
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode(errors="replace")
            tail = text.strip().splitlines()[-lines:]
            return "\n".join("    | " + l for l in tail) if tail else "    | (empty log)"
        except OSError:
            return "    | (no log)"

    def running(self):
        return self.process is not None and self.process.poll() is None

    def stop_and_log(self):
        """stop(), saying how it went, with the log's tail when ledgerd did not exit cleanly."""
        stopped = self.stop()
        log("ledgerd stopped: %s (log: %s)" % (stopped, self.log_path))
        if self.exit_code not in (None, 0):
            log("note: ledgerd did not exit cleanly:\n%s" % self.log_tail())

    def stop(self):
        """SIGTERM, wait up to STOP_TIMEOUT_S, then SIGKILL. Returns a description."""
        if self.process is None:
            return "not started"
        if self.exit_code is not None:
            return "exit code %d" % self.exit_code
        how = "SIGTERM"
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                how = "SIGKILL (did not exit within %.0f s of SIGTERM)" % STOP_TIMEOUT_S
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.process.wait(timeout=STOP_TIMEOUT_S)
        else:
            how = "had already exited"
        self.exit_code = self.process.returncode
        self._log.close()
        return "%s, exit code %d" % (how, self.exit_code)


def wait_until_serving(server, probe):
    """Calls probe() until it answers, for up to STARTUP_TIMEOUT_S; returns its answer. probe
    returns (answer, None) once the server answers, else (None, what went wrong)."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    last_error = None
    while time.monotonic() < deadline:
        if not server.running():
            raise SetupError("ledgerd exited during start-up with code %s:\n%s" % (
                server.process.returncode, server.log_tail()))
        answer, last_error = probe()
        if answer is not None:
            return answer
        time.sleep(0.1)
    raise SetupError("ledgerd did not answer within %.0f s (last error: %s):\n%s" % (
        STARTUP_TIMEOUT_S, last_error, server.log_tail()))
