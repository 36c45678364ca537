"""A webhook receiver on 127.0.0.1 for the tests: it records each request and answers as told (200 by default),
or holds a request open without answering (a receiver that is slow, or a worker killed mid-delivery)."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """Start with `with Receiver() as receiver:`; `receiver.url`, `receiver.requests` (their headers looked up by
    any case, as HTTP does), `receiver.answers`."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[int] = []  # the statuses to answer in turn; then 200
        self.hold = threading.Event()  # while set, requests are received and recorded but not answered
        self.arrived = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append({"headers": self.headers, "body": body, "path": self.path})
                outer.arrived.set()
                if outer.hold.is_set():
                    outer.release.wait(60)
                    return  # the connection is dropped without an answer
                status = outer.answers.pop(0) if outer.answers else 200
                self.send_response(status)
                if status in (301, 302, 307, 308):
                    self.send_header("Location", outer.url + "elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.release = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook/"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def handled(self, secret: str) -> list[dict]:
        """What a careful receiver handles: requests whose signature is valid, each delivery id once."""
        seen, bodies = set(), []
        for request in self.requests:
            if not signature_valid(secret, request) or request["headers"]["X-PT-Delivery"] in seen:
                continue
            seen.add(request["headers"]["X-PT-Delivery"])
            bodies.append(json.loads(request["body"]))
        return bodies


def signature_valid(secret: str, request: dict) -> bool:
    """Check X-PT-Signature as the docs tell a receiver to (t=…,v1=…)."""
    parts = dict(part.split("=", 1) for part in request["headers"]["X-PT-Signature"].split(","))
    expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + request["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])
