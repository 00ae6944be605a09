"""Archives that may hold DICOM: recognising a zip, a tar or a compressed stream by its first bytes, and visiting
the files inside one (headers first: a member is read only as far as its visitor reads it).

Only what the audit of kept files needs lives here; the harvester's zip listing (harvesters/dicom.py) keys
members for its cache and stays with it.
"""

from __future__ import annotations

import tarfile
import zipfile
from pathlib import Path
from typing import Any, Callable

#: How deep archives inside archives are opened, and how large a nested archive may be (it is read into memory).
MAX_ARCHIVE_DEPTH = 3
MAX_NESTED_ARCHIVE_BYTES = 256 * 1024 * 1024
#: The size given for a compressed file, whose uncompressed size is not known up front.
MAX_HEADER_GUESS = 1 << 40
#: What reading a broken, truncated, encrypted or hostile archive raises.
ARCHIVE_ERRORS = (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError, RuntimeError, NotImplementedError,
                  ValueError)

#: ``visit(member stream, member size, member name, index in the archive)`` -> how many DICOM files it held.
Visitor = Callable[[Any, int, str, int], int]


def archive_kind(head: bytes) -> str | None:
    """``zip``, ``tar`` or ``compressed`` (a compressed tar, or one compressed file) for bytes starting with
    ``head`` (at least 512 of them, when the file has them); None for anything else."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head[257:262] == b"ustar":
        return "tar"
    if head.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ")):
        return "compressed"
    return None


def is_archive(head: bytes) -> bool:
    """Whether bytes starting with ``head`` are a zip, a tar or a compressed stream (see :func:`archive_kind`)."""
    return archive_kind(head) is not None


def is_archive_file(path: Path) -> bool:
    """Whether the file at ``path`` is an archive; False when it cannot be read."""
    try:
        with path.open("rb") as stream:
            return is_archive(stream.read(512))
    except OSError:
        return False


def each_member(stream: Any, head: bytes, kind: str, name: str, visit: Visitor) -> int:
    """Call ``visit`` for every file in the archive ``stream`` (of ``kind``, starting with ``head``; ``name`` is
    its path, from which a compressed single file takes its name) and return the sum of what it returned.

    A compressed stream that is not a tar is one compressed file, visited as member 0. Raises one of
    :data:`ARCHIVE_ERRORS` when the archive cannot be read (``visit``'s own errors pass through too).
    """
    count = 0
    if kind == "zip":
        with zipfile.ZipFile(stream) as archive:
            for i, info in enumerate(archive.infolist()):
                if not info.is_dir():
                    with archive.open(info) as inner:
                        count += visit(inner, info.file_size, info.filename, i)
        return count
    try:
        with tarfile.open(fileobj=stream, mode="r:*") as archive:
            for i, info in enumerate(archive):
                if info.isfile():
                    with archive.extractfile(info) as inner:
                        count += visit(inner, info.size, info.name, i)
        return count
    except tarfile.ReadError:
        if kind != "compressed":
            raise
    stream.seek(0)  # one compressed file: visit what it holds
    with _decompressed(stream, head) as inner:
        return visit(inner, MAX_HEADER_GUESS, name.rsplit(".", 1)[0], 0)


def _decompressed(stream: Any, head: bytes) -> Any:
    import bz2
    import gzip
    import lzma

    if head.startswith(b"\x1f\x8b"):
        return gzip.GzipFile(fileobj=stream, mode="rb")
    if head.startswith(b"BZh"):
        return bz2.BZ2File(stream, mode="rb")
    return lzma.LZMAFile(stream, mode="rb")


def read_nested(head: bytes, stream: Any) -> bytes | None:
    """The whole of a nested archive whose first bytes (``head``) were already read from ``stream``; None when it
    is larger than :data:`MAX_NESTED_ARCHIVE_BYTES` (it would be held in memory)."""
    rest = stream.read(MAX_NESTED_ARCHIVE_BYTES + 1 - len(head))
    if len(head) + len(rest) > MAX_NESTED_ARCHIVE_BYTES:
        return None
    return head + rest


class Rest:
    """A stream that gives back bytes already read (``head``) before the rest of ``stream``."""

    def __init__(self, head: bytes, stream: Any) -> None:
        self.head, self.stream = head, stream

    def read(self, n: int = -1) -> bytes:
        """Up to ``n`` bytes (all that are left when ``n`` < 0), the given head first."""
        if not self.head:
            return self.stream.read(n)
        if n < 0:
            out, self.head = self.head + self.stream.read(), b""
            return out
        out, self.head = self.head[:n], self.head[n:]
        return out + (self.stream.read(n - len(out)) if len(out) < n else b"")
