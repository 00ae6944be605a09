"""A STAND-IN for the DataCite REST API, for tests only: it is not DataCite. It implements the one call
`medal doi` makes (``PUT /dois/{doi}`` with a JSON:API body, Basic auth) the way DataCite documents it: 201 when
it creates the DOI, 200 when it updates it, 401 for wrong credentials, 422 for a body without XML or URL; the
state follows the event (draft, registered, findable). It keeps every request for the test to inspect."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class StandIn:
    url: str
    user: str
    password: str
    dois: dict[str, dict] = field(default_factory=dict)
    requests: list[dict] = field(default_factory=list)


_STATES = {None: "draft", "register": "registered", "publish": "findable"}


@contextmanager
def datacite_standin(user: str = "MEDAL.TEST", password: str = "secret") -> Iterator[StandIn]:
    state = StandIn("", user, password)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _send(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/vnd.api+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_PUT(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            state.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
            expected = "Basic " + base64.b64encode(f"{state.user}:{state.password}".encode()).decode()
            if self.headers.get("Authorization") != expected:
                return self._send(401, {"errors": [{"status": "401", "title": "Bad credentials."}]})
            if not self.path.startswith("/dois/"):
                return self._send(404, {"errors": [{"status": "404", "title": "Not found"}]})
            doi = self.path.removeprefix("/dois/").lower()
            attributes = body.get("data", {}).get("attributes", {})
            if not attributes.get("xml") or not attributes.get("url"):
                return self._send(422, {"errors": [{"status": "422", "title": "xml and url are required"}]})
            created = doi not in state.dois
            previous = state.dois.get(doi, {}).get("state", "draft")
            new_state = _STATES.get(attributes.get("event"), previous) if attributes.get("event") else previous
            state.dois[doi] = {"state": new_state, "url": attributes["url"], "xml": base64.b64decode(attributes["xml"])}
            self._send(
                201 if created else 200,
                {
                    "data": {
                        "id": doi,
                        "type": "dois",
                        "attributes": {"doi": doi, "state": new_state, "url": attributes["url"]},
                    }
                },
            )

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
