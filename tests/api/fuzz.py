"""Schemathesis against the live API: a fresh site with the demo portfolio, served by `programme-tracker serve`,
fuzzed through its own OpenAPI schema with each role's token. Run by `make api-fuzz` (and so by .ci/run).

Every check runs (no server errors, every answer's status, content type, headers and body as the schema says,
schema-violating requests refused, ...) but one: `positive_data_acceptance`, which expects every request the
schema allows to succeed. Ours refuse some on purpose, by rules a schema cannot state: a unique code taken, a
reference to a programme that does not exist, dates out of order, control characters in text, and a write without
the record's current ETag in If-Match (428/412, the optimistic concurrency the API promises).

Usage: python tests/api/fuzz.py [--examples N]   (exit status 0 only when every role's run found nothing)
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent
ROLES = {"coordinator": "Task Force Coordinator", "finance": "Finance Officer", "monitor": "Monitor",
         "member": "Task Force Member", "admin": "Administrator"}
# The roles that write go through every phase; the two that only read skip the coverage phase (its systematic
# bodies are for writes: their GETs are fuzzed all the same), which keeps the run to about ten minutes.
READERS = {"monitor", "member"}
TOKENS = """
import json
from django.contrib.auth import get_user_model
from programme_tracker.accounts.services import create_token
tokens = {name: create_token(get_user_model().objects.get(username=name), "fuzz", "write", 1)[1]
          for name in %r}
print("TOKENS " + json.dumps(tokens))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def command(env, *args) -> str:
    done = subprocess.run([str(BIN / "programme-tracker"), *args], env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"programme-tracker {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def wait_for(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server stopped (exit status {server.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"the server did not answer at {url}")


def fuzz(base: str, role: str, token: str, examples: int, phases: str, folder: str) -> bool:
    """Run Schemathesis once with one role's token; whether it found nothing."""
    print(f"\n=== {role} ({phases})", flush=True)
    run = subprocess.run([
        str(BIN / "schemathesis"), "run", f"{base}/api/schema/?format=json",
        "--header", f"Authorization: Bearer {token}",
        "--checks", "all", "--exclude-checks", "positive_data_acceptance", "--max-examples", str(examples),
        # One worker: Hypothesis describes its lambdas with Python's ast, which CPython 3.11 cannot use from two
        # threads at once ("AST constructor recursion depth mismatch", an error of the tool, not of the API).
        "--workers", "1", "--warnings", "off", "--phases", phases], cwd=folder)  # (its cache: not in the clone)
    return run.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10, help="examples per operation and phase (default 10)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pt-fuzz-") as folder:
        site = Path(folder) / "sites" / "fuzz"
        site.mkdir(parents=True)
        (site / "site_config.json").write_text(json.dumps({
            "db_type": "sqlite", "db_name": str(Path(folder) / "fuzz.sqlite3"),
            "allowed_hosts": ["127.0.0.1"], "api_requests_per_minute": 1000000}))
        env = {**os.environ, "PT_SITES_DIR": str(Path(folder) / "sites"), "PT_SITE": "fuzz"}
        command(env, "setup")
        command(env, "demo")
        shell = command(env, "shell", "-c", TOKENS % list(ROLES))
        tokens = json.loads(shell.split("TOKENS ", 1)[1].splitlines()[0])
        port = free_port()
        # The server's output goes to a file: a pipe nobody reads would fill up and stop the server.
        with open(Path(folder) / "server.log", "w+") as log:
            server = subprocess.Popen(
                [str(BIN / "programme-tracker"), "serve", f"127.0.0.1:{port}", "--no-input"], env=env, stdout=log,
                stderr=subprocess.STDOUT, text=True)
            try:
                wait_for(f"http://127.0.0.1:{port}/health/live/", server)
                failed = [role for name, role in ROLES.items() if not fuzz(
                    f"http://127.0.0.1:{port}", role, tokens[name], options.examples,
                    "fuzzing,stateful" if name in READERS else "examples,coverage,fuzzing,stateful", folder)]
                if failed:
                    log.seek(0)
                    print("\nThe server's log, its last lines:\n" + log.read()[-5000:])
            finally:
                server.terminate()
                server.wait(timeout=30)
    print(f"\nSchemathesis: {len(ROLES) - len(failed)} of {len(ROLES)} roles without a failure"
          + (f"; failures as {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
