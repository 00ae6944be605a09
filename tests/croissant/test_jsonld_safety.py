"""JSON-LD processing of untrusted input never fetches a URL and never reads outside the submission (issue 7).

Every hostile document points at a real local HTTP server that records each request it gets (and would answer
with a usable context, so a fetch could not hide behind an error), or at ``file:///etc/...``. Each goes through
`medal validate` (in process and as a subprocess), ``jsonld.expand``, ``to_rdflib_graph``, ``load_croissant`` /
``open_croissant`` and mlcroissant itself; the server must see no request, the outcome must be a clear error, and
an audit hook (``sys.addaudithook``: ``open``, ``socket.connect``, ...) must see no socket and no file opened
outside the submission folder.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from croissant_fixtures import CONTEXT, croissant

import medal_catalog
from medal_catalog.croissant import jsonld
from medal_catalog.report import Severity
from medal_catalog.validators.submission import validate_paths

LABELS = "case_id,tear\nk1,1\nk2,0\n"


# --- a server that records every request -----------------------------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's naming
        type(self).requests.append(self.path)
        body = (
            json.dumps({"@context": {"@vocab": "http://attacker.example/"}}) if "csv" not in self.path else LABELS
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json" if "csv" not in self.path else "text/csv")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_HEAD = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    """A local HTTP server on a free port; ``server.requests`` lists every path it was asked for."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.requests = _Recorder.requests
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_the_recording_server_records():
    """The recorder itself works: a plain urllib GET is seen (so zero requests elsewhere means zero)."""
    import urllib.request

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    before = len(_Recorder.requests)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{httpd.server_address[1]}/probe.jsonld", timeout=10) as r:
            assert json.load(r)["@context"]
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert _Recorder.requests[before:] == ["/probe.jsonld"]
    del _Recorder.requests[before:]


# --- an audit hook that sees sockets and file opens ------------------------------------------------------------

_WATCHED: list[tuple[str, str]] | None = None
_HOOKED = False
_EVENTS = {
    "open",
    "socket.connect",
    "socket.getaddrinfo",
    "urllib.Request",
    "os.listdir",
    "os.scandir",
    "subprocess.Popen",
}


def _hook(event: str, args: tuple) -> None:
    if _WATCHED is None or event not in _EVENTS:
        return
    detail = args[0] if args else ""
    if event == "socket.connect":
        detail = args[1]
    if isinstance(detail, int):  # an already open descriptor
        return
    _WATCHED.append((event, os.fsdecode(detail) if isinstance(detail, (str, bytes, os.PathLike)) else repr(detail)))


def _allowed_roots(folder: Path) -> list[str]:
    """Where reads are legitimate: the submission, the interpreter and its packages, our own package data."""
    roots = {
        folder,
        Path(sys.prefix),
        Path(sys.base_prefix),
        Path(sys.exec_prefix),
        Path(medal_catalog.__file__).parent,
    }
    return [os.path.realpath(r) for r in roots]


def _system_info(path: str) -> bool:
    """Reads no input can steer: pandas sizes its CSV reader from the cgroup CPU quota."""
    return path == "/dev/null" or path.startswith("/sys/fs/cgroup/")


@contextmanager
def no_escape(folder: Path):
    """Fail if, inside the block, a socket is used or a file/folder outside ``folder`` (and the interpreter and
    medal's package data) is opened or listed."""
    global _WATCHED, _HOOKED
    if not _HOOKED:
        sys.addaudithook(_hook)  # cannot be removed; inert while _WATCHED is None
        _HOOKED = True
    _WATCHED = []
    try:
        yield
    finally:
        seen, _WATCHED = _WATCHED, None
    roots = _allowed_roots(folder)
    bad = []
    for event, detail in seen:
        if event in ("open", "os.listdir", "os.scandir"):
            path = os.path.realpath(detail or ".")
            if any(os.path.commonpath([path, root]) == root for root in roots) or _system_info(path):
                continue
        bad.append((event, detail))
    assert bad == [], f"escaped the submission: {bad}"


# --- hostile documents -----------------------------------------------------------------------------------------


def _submission(tmp_path: Path, name: str, document: dict) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "labels.csv").write_text(LABELS)
    for item in document.get("distribution", []):
        if item.get("contentUrl") == "labels.csv":
            item["sha256"] = hashlib.sha256(LABELS.encode()).hexdigest()
    path = folder / "croissant.json"
    path.write_text(json.dumps(document))
    return path


def _with_record_set_change(change) -> dict:
    document = croissant()
    change(document)
    return document


def hostile_contexts(url: str) -> dict[str, dict]:
    """Croissant documents whose contexts point at ``url`` (the recording server) or at local files."""
    remote = f"{url}/context.jsonld"
    return {
        "top-level-url": croissant(**{"@context": remote}),
        "url-in-array": croissant(**{"@context": [remote, CONTEXT]}),
        "scoped-context": croissant(
            **{"@context": {**CONTEXT, "recordSet": {"@id": "cr:recordSet", "@context": remote}}}
        ),
        "import": croissant(**{"@context": {**CONTEXT, "@import": remote}}),
        "nested-node-context": _with_record_set_change(lambda d: d["recordSet"][0].__setitem__("@context", remote)),
        "nested-scoped-in-node": _with_record_set_change(
            lambda d: d["recordSet"][0].__setitem__("@context", {"field": {"@id": "cr:field", "@context": remote}})
        ),
        "file-etc-passwd": croissant(**{"@context": "file:///etc/passwd"}),
        "file-etc-hostname-nested": _with_record_set_change(
            lambda d: d["recordSet"][0].__setitem__("@context", "file:///etc/hostname")
        ),
        "relative-context": croissant(**{"@context": [CONTEXT, "context.jsonld"]}),
    }


def hostile_locations(url: str) -> dict[str, dict]:
    """Croissant documents (with the standard inline context) whose data location lies outside the submission."""

    def located(value):
        document = croissant()
        document["distribution"][0]["contentUrl"] = value
        return document

    return {
        "http-content-url": located(f"{url}/labels.csv"),
        "file-content-url": located("file:///etc/passwd"),
        "absolute-content-url": located("/etc/passwd"),
        "dotdot-content-url": located("../labels.csv"),
        "symlink-content-url": located("link.csv"),
    }


def _hostile_files(tmp_path: Path, url: str) -> dict[str, tuple[Path, str]]:
    """name -> (Croissant file in its own submission folder, the error code it must get)."""
    files = {}
    for name, document in hostile_contexts(url).items():
        files[name] = (_submission(tmp_path, name, document), "croissant.remote-context")
    for name, document in hostile_locations(url).items():
        files[name] = (_submission(tmp_path, name, document), "croissant.unsafe-location")
    (files["symlink-content-url"][0].parent / "link.csv").symlink_to("/etc/hostname")
    # A context file sitting in the submission is still not read: contexts come only from what medal ships.
    (files["relative-context"][0].parent / "context.jsonld").write_text(json.dumps({"@context": {}}))
    return files


def _codes(report, file: Path) -> set[str]:
    return {i.code for i in report.issues if i.severity is Severity.ERROR and i.file == str(file)}


# --- the proofs ------------------------------------------------------------------------------------------------


def test_validate_refuses_every_hostile_document_without_fetching_or_reading(tmp_path, server):
    """validate_paths gives exactly the refusal error for each hostile document, with no request to the server,
    no socket and no file opened outside the submission."""
    files = _hostile_files(tmp_path, server.url)
    validate_paths([files["top-level-url"][0]])  # warm imports and caches outside the watch
    before = len(server.requests)
    for name, (path, code) in files.items():
        with no_escape(path.parent):
            report = validate_paths([path])
        assert _codes(report, path) == {code}, name
        issue = next(i for i in report.issues if i.code == code)
        assert issue.message.startswith("refused:") and issue.pointer and issue.hint, name
    assert server.requests[before:] == []


def test_cli_subprocess_refuses_and_never_fetches_or_reads_outside(tmp_path, server):
    """`medal validate --json` in a fresh process: exit 1, the refusal code per file, no request to the server,
    and (audit hook in that process) no socket and no file opened outside the submissions."""
    files = _hostile_files(tmp_path, server.url)
    before = len(server.requests)
    paths = [str(path) for path, _ in files.values()]
    out = subprocess.run(
        [str(Path(sys.executable).parent / "medal"), "validate", "--json", *paths],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 1, out.stderr
    report = json.loads(out.stdout)
    for name, (path, code) in files.items():
        assert {i["code"] for i in report["issues"] if i["file"] == str(path)} == {code}, name
    # Again under an audit hook installed before anything is imported: every open and socket is logged.
    log = tmp_path / "audit.log"
    bootstrap = (
        "import os, sys\n"
        "log = open(sys.argv[1], 'w', buffering=1)\n"
        "def hook(event, args):\n"
        "    if event in ('socket.connect', 'socket.getaddrinfo', 'urllib.Request'):\n"
        "        log.write(event + '\\t' + repr(args[1] if event == 'socket.connect' else args[0]) + '\\n')\n"
        "    elif event == 'open' and isinstance(args[0], (str, bytes, os.PathLike)):\n"
        "        log.write('open\\t' + os.path.realpath(os.fsdecode(args[0])) + '\\n')\n"
        "sys.addaudithook(hook)\n"
        "from medal_catalog.cli import main\n"
        "main(sys.argv[2:], prog_name='medal')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", bootstrap, str(log), "validate", "--json", *paths],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 1, out.stderr
    assert json.loads(out.stdout)["summary"] == report["summary"]
    roots = _allowed_roots(tmp_path) + [os.path.realpath(log)]
    lines = log.read_text().splitlines()
    assert {f"open\t{os.path.realpath(p)}" for p in paths} <= set(lines)  # the hook saw the run
    bad = []
    for line in lines:
        event, _, detail = line.partition("\t")
        if event == "open" and (any(os.path.commonpath([detail, r]) == r for r in roots) or _system_info(detail)):
            continue
        bad.append(line)
    assert bad == []
    assert server.requests[before:] == []


def test_expand_and_rdflib_refuse_hostile_contexts(tmp_path, server):
    """jsonld.expand and to_rdflib_graph raise UnsafeJsonLdError naming where the refused context is; nothing is
    fetched or read."""
    before = len(server.requests)
    jsonld.expand(croissant())
    jsonld.to_rdflib_graph(croissant())  # warm
    for name, document in hostile_contexts(server.url).items():
        for process in (jsonld.expand, jsonld.to_rdflib_graph):
            with no_escape(tmp_path), pytest.raises(jsonld.UnsafeJsonLdError) as caught:
                process(document)
            assert caught.value.locations and all(loc.kind == "context" for loc in caught.value.locations), name
            assert "@context" in caught.value.locations[0].pointer, name
    assert server.requests[before:] == []


def test_the_processors_themselves_cannot_fetch(tmp_path, server):
    """Below our inlining: pyld with our document loader and rdflib once guarded refuse a context URL on their
    own, so a caller that skips inline_contexts still fetches nothing."""
    import rdflib
    from pyld import jsonld as pyld
    from pyld.context_resolver import ContextResolver

    jsonld.guard_rdflib()
    before = len(server.requests)
    for name, document in hostile_contexts(server.url).items():
        if name == "relative-context":
            continue  # rdflib would resolve it against its own base; covered through inline_contexts
        with no_escape(tmp_path):
            with pytest.raises(pyld.JsonLdError):
                pyld.expand(
                    document,
                    {
                        "documentLoader": jsonld.document_loader,
                        "contextResolver": ContextResolver({}, jsonld.document_loader),
                    },
                )
            with pytest.raises(Exception) as caught:
                rdflib.Graph().parse(data=json.dumps(document), format="json-ld")
        assert isinstance(caught.value, jsonld.UnsafeJsonLdError) or "@context" in str(caught.value), name
    assert server.requests[before:] == []


def test_load_croissant_and_mlcroissant_refuse_without_fetching(tmp_path, server):
    """load_croissant and open_croissant raise with the kind of each refusal; mlcroissant handed the raw hostile
    document directly (after guard_rdflib) fails instead of fetching."""
    import mlcroissant as mlc

    files = _hostile_files(tmp_path, server.url)
    jsonld.open_croissant(croissant(), files["top-level-url"][0].parent)  # warm
    before = len(server.requests)
    for name, (path, code) in files.items():
        document, folder = json.loads(path.read_text()), path.parent
        kind = "context" if code == "croissant.remote-context" else "location"
        for load in (jsonld.load_croissant, jsonld.open_croissant):
            with no_escape(folder), pytest.raises(jsonld.UnsafeJsonLdError) as caught:
                load(document, folder)
            assert {loc.kind for loc in caught.value.locations} == {kind}, name
        if kind == "context":
            with no_escape(folder), pytest.raises(Exception):
                mlc.Dataset(jsonld=document)
    assert server.requests[before:] == []


def test_unsafe_locations_lists_each_escape(tmp_path, server):
    """unsafe_locations names the pointer and reason of each location outside the folder (URLs, absolute, '..',
    symbolic links, folders holding links out, archives with escaping members) and nothing for local files."""
    before = len(server.requests)
    folder = tmp_path / "sub"
    (folder / "images").mkdir(parents=True)
    (folder / "labels.csv").write_text(LABELS)
    (folder / "images" / "a.dcm").write_bytes(b"x")
    (folder / "images" / "out").symlink_to("/etc")
    (folder / "inside.csv").symlink_to(folder / "labels.csv")
    with tarfile.open(folder / "evil.tar", "w") as tar:
        info = tarfile.TarInfo("../../escape.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    document = croissant()
    document["distribution"] = [
        {"@type": "cr:FileObject", "@id": "a", "contentUrl": "labels.csv"},
        {"@type": "cr:FileObject", "@id": "b", "contentUrl": "inside.csv"},
        {"@type": "cr:FileObject", "@id": "c", "contentUrl": f"{server.url}/x.csv"},
        {"@type": "cr:FileObject", "@id": "d", "sc:contentUrl": "file:///etc/passwd"},
        {"@type": "cr:FileObject", "@id": "e", "contentUrl": "images/../../x"},
        {"@type": "cr:FileObject", "@id": "f", "contentUrl": "images"},
        {"@type": "cr:FileObject", "@id": "g", "contentUrl": "evil.tar"},
        {"@type": "cr:FileSet", "@id": "h", "containedIn": {"@id": "a"}, "includes": ["*.dcm", "/etc/*"]},
    ]
    with no_escape(folder):
        found = jsonld.unsafe_locations(document, folder)
    assert [loc.pointer for loc in found] == [
        "/distribution/2/contentUrl",
        "/distribution/3/sc:contentUrl",
        "/distribution/4/contentUrl",
        "/distribution/5/contentUrl",
        "/distribution/6/contentUrl",
        "/distribution/7/includes/1",
    ]
    assert all(isinstance(loc, str) and loc.startswith(loc.pointer) for loc in found)
    assert "URL (http)" in found[0].reason and "file: URL" in found[1].reason
    assert "symbolic link" in found[3].reason and "archive" in found[4].reason
    assert server.requests[before:] == []


# --- and what is allowed still works ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "context",
    [
        pytest.param(CONTEXT, id="standard-inline"),
        pytest.param("http://mlcommons.org/croissant/1.1", id="shipped-url"),
        pytest.param("https://mlcommons.org/croissant/1.1/context.json", id="shipped-url-https-variant"),
        pytest.param(
            ["http://mlcommons.org/croissant/1.1", {"prov": "http://www.w3.org/ns/prov#"}], id="shipped-url-plus-inline"
        ),
    ],
)
def test_valid_croissant_validates_and_loads_offline(tmp_path, server, context):
    """A valid Croissant with the standard inline context, or naming the shipped Croissant context by URL,
    validates without errors and its records load, touching nothing outside its folder."""
    path = _submission(tmp_path, "ok", croissant(**{"@context": context}))
    validate_paths([path])  # warm
    before = len(server.requests)
    with no_escape(path.parent):
        report = validate_paths([path])
        records = list(jsonld.open_croissant(json.loads(path.read_text()), path.parent).records("cases"))
    assert _codes(report, path) == set(), [i.message for i in report.issues]
    assert [(r["cases/case_id"], r["cases/tear"]) for r in records] == [(b"k1", 1), (b"k2", 0)]
    assert jsonld.expand(json.loads(path.read_text()))[0]["@type"] == ["https://schema.org/Dataset"]
    assert server.requests[before:] == []


def test_shipped_contexts_are_served_and_nothing_else():
    """The loader serves a copy of each shipped context (Croissant 1.0/1.1 as mlcroissant writes them, schema.org,
    ours) and refuses every other URL with pyld's JsonLdError."""
    from mlcroissant._src.core.context import Context
    from mlcroissant._src.core.rdf import make_context
    from pyld.jsonld import JsonLdError

    from medal_catalog.exports.jsonld import context as medal_context

    for version in ("1.0", "1.1"):
        served = jsonld.document_loader(f"http://mlcommons.org/croissant/{version}")["document"]["@context"]
        assert served == make_context(Context(conforms_to=f"http://mlcommons.org/croissant/{version}"))
    assert (
        jsonld.document_loader("https://w3id.org/medal/schema/context.jsonld")["document"]["@context"]
        == medal_context()
    )
    assert jsonld.document_loader("https://schema.org/")["document"]["@context"]["@vocab"].endswith("schema.org/")
    jsonld.document_loader("http://schema.org")["document"]["@context"]["@vocab"] = "mutated"
    assert jsonld.document_loader("http://schema.org")["document"]["@context"]["@vocab"] != "mutated"
    for url in (
        "http://127.0.0.1:9/context.jsonld",
        "file:///etc/passwd",
        "https://schema.org.evil.example/",
        "https://mlcommons.org/croissant/1.1?x=1",
        "https://user@schema.org/",
        "context.jsonld",
    ):
        with pytest.raises(JsonLdError):
            jsonld.document_loader(url)
    assert all(jsonld.shipped_document(url) for url in jsonld.SHIPPED_CONTEXT_URLS)
