"""Archives that may hold DICOM: recognising a zip, a tar or a compressed stream by its first bytes, and visiting
the files inside one (headers first: a member is read only as far as its visitor reads it).

Only what the audit of kept files needs lives here; the harvester's zip listing (harvesters/dicom.py) keys
members for its cache and stays with it.
"""

from __future__ import annotations

import tarfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
import bz2
import gzip
import lzma

#: How deep archives inside archives are opened, and how large a nested archive may be (it is read into memory).
MAX_ARCHIVE_DEPTH = 3
MAX_NESTED_ARCHIVE_BYTES = 256 * 1024 * 1024
#: The size given for a compressed file, whose uncompressed size is not known up front.
MAX_HEADER_GUESS = 1 << 40
#: What reading a broken, truncated, encrypted or hostile archive raises.
ARCHIVE_ERRORS = (
    zipfile.BadZipFile,
    tarfile.TarError,
    OSError,
    EOFError,
    RuntimeError,
    NotImplementedError,
    ValueError,
)

#: What one archive (with the archives inside it) may cost: members visited, bytes read out of them, seconds.
MAX_MEMBERS = 100_000
MAX_EXPANDED_BYTES = 8 << 30
MAX_SECONDS = 300.0


class ArchiveRefused(Exception):
    """An archive past one of its bounds (members, expanded bytes, time); ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Budget:
    """What is left of one archive's bounds, shared by the archives nested in it."""

    members: int = MAX_MEMBERS
    expanded_bytes: int = MAX_EXPANDED_BYTES
    seconds: float = MAX_SECONDS
    _started: float = field(default_factory=time.monotonic)
    _members_seen: int = 0
    _bytes_read: int = 0

    def member(self) -> None:
        """Count one member; raise ArchiveRefused past the member or time bound."""
        self._members_seen += 1
        if self._members_seen > self.members:
            raise ArchiveRefused(f"holds more than {self.members:,} members (the limit per archive)")
        self.clock()

    def read(self, n: int) -> None:
        """Count ``n`` bytes read out of a member; raise ArchiveRefused past the byte or time bound."""
        self._bytes_read += n
        if self._bytes_read > self.expanded_bytes:
            raise ArchiveRefused(
                f"expands past {self.expanded_bytes >> 20:,} MiB read out of it (the limit per archive)"
            )
        self.clock()

    def clock(self) -> None:
        """Raise ArchiveRefused when the archive has taken longer than its time bound."""
        if time.monotonic() - self._started > self.seconds:
            raise ArchiveRefused(f"took longer than {self.seconds:g} s to read (the limit per archive)")


class _Counted:
    """A member stream whose reads count against the archive's :class:`Budget`."""

    def __init__(self, stream: Any, budget: Budget) -> None:
        self.stream, self.budget = stream, budget

    def read(self, n: int = -1) -> bytes:
        data = self.stream.read(n)
        self.budget.read(len(data))
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


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


def each_member(stream: Any, head: bytes, kind: str, name: str, visit: Visitor, budget: Budget | None = None) -> int:
    """Call ``visit`` for every file in the archive ``stream`` (of ``kind``, starting with ``head``; ``name`` is
    its path, from which a compressed single file takes its name) and return the sum of what it returned.

    A compressed stream that is not a tar is one compressed file, visited as member 0. Raises one of
    :data:`ARCHIVE_ERRORS` when the archive cannot be read (``visit``'s own errors pass through too), and
    ArchiveRefused past ``budget`` (default: a new one; pass the outer archive's to nested ones).
    """
    budget = budget or Budget()
    count = 0
    if kind == "zip":
        with zipfile.ZipFile(stream) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()]
            if len(members) > budget.members:  # refused from the directory, before any member is read
                raise ArchiveRefused(
                    f"holds {len(members):,} members, more than {budget.members:,} (the limit per archive)"
                )
            for i, info in enumerate(archive.infolist()):
                if not info.is_dir():
                    budget.member()
                    with archive.open(info) as inner:
                        count += visit(_Counted(inner, budget), info.file_size, info.filename, i)
        return count
    try:
        with tarfile.open(fileobj=stream, mode="r:*") as archive:
            for i, info in enumerate(archive):
                budget.clock()
                if info.isfile():
                    budget.member()
                    with archive.extractfile(info) as inner:
                        count += visit(_Counted(inner, budget), info.size, info.name, i)
        return count
    except tarfile.ReadError:
        if kind != "compressed":
            raise
    stream.seek(0)  # one compressed file: visit what it holds
    budget.member()
    with _decompressed(stream, head) as inner:
        return visit(_Counted(inner, budget), MAX_HEADER_GUESS, name.rsplit(".", 1)[0], 0)


def _decompressed(stream: Any, head: bytes) -> Any:
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
