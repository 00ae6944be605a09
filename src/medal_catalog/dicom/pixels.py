"""A digest of a DICOM file's pixel data bytes, read after the header: never decoded, never kept beyond the digest.

Two files carrying the same image carry the same Pixel Data bytes even when de-identification rewrote every UID
and date of their headers, so the digest finds a duplicate that the UIDs hide. It is blake2b-128 over the value
bytes of Pixel Data (7FE0,0010), Float Pixel Data (7FE0,0008) or Double Float Pixel Data (7FE0,0009); for
encapsulated (compressed) data, over the bytes of the fragments, without the Basic Offset Table (writers fill it
or leave it empty as they like). A re-compression of the same image gives other bytes, so another digest: this
finds copies, not look-alikes. A uniform image (every pixel the same value: blank slices, padding) gets no
digest: two datasets holding a black frame share nothing worth reporting.
"""

from __future__ import annotations

import hashlib
from typing import BinaryIO

from medal_catalog.dicom.header import DEFLATED_LE, IMPLICIT_LE

PIXEL_TAGS = frozenset({0x7FE00010, 0x7FE00008, 0x7FE00009})
PIXEL_GROUP = 0x7FE0
_ITEM, _SEQUENCE_END = 0xFFFEE000, 0xFFFEE0DD
_UNDEFINED = 0xFFFFFFFF
_LONG_VRS = frozenset(b"OB OD OF OL OV OW SQ SV UC UN UR UT UV".split())
_CHUNK = 1 << 20
DIGEST_SIZE = 16


def _read_exact(stream: BinaryIO, n: int) -> bytes | None:
    data = stream.read(n)
    return data if len(data) == n else None


def _feed(stream: BinaryIO, length: int, digest) -> bool:
    """Hash ``length`` bytes of the stream; False when the stream ends first (a truncated file)."""
    while length > 0:
        chunk = stream.read(min(length, _CHUNK))
        if not chunk:
            return False
        digest.update(chunk)
        length -= len(chunk)
    return True


def _feed_native(stream: BinaryIO, length: int, digest) -> bool | None:
    """:func:`_feed` for native pixel data, also telling whether every pixel has one value (the same 4-byte
    pattern throughout, which covers 8-, 16- and 32-bit samples): None for a uniform image."""
    uniform, pattern = True, b""
    while length > 0:
        chunk = stream.read(min(length, _CHUNK))  # a multiple of 4 bytes but for the last chunk
        if not chunk:
            return False
        digest.update(chunk)
        if uniform:
            pattern = pattern or chunk[:4]
            repeated = pattern * (len(chunk) // 4 + 1)
            uniform = chunk == repeated[: len(chunk)]
        length -= len(chunk)
    return None if uniform else True


def _skip(stream: BinaryIO, length: int) -> bool:
    try:
        stream.seek(length, 1)
        return True
    except (OSError, ValueError):
        return _feed(stream, length, hashlib.blake2b(digest_size=DIGEST_SIZE))


def pixel_digest(stream: BinaryIO, *, little: bool = True, explicit: bool = True) -> str | None:
    """The hex digest of the pixel data that starts at the stream's position (where the header ended), or None
    when there is none (no pixel element before the end, or a truncated one). ``little``/``explicit``: the data
    set's encoding, as the header reader found it."""
    order = "little" if little else "big"
    while True:
        head = _read_exact(stream, 8)
        if head is None:
            return None
        group, elem = int.from_bytes(head[0:2], order), int.from_bytes(head[2:4], order)
        tag = group << 16 | elem
        vr = head[4:6]
        if explicit and vr in _LONG_VRS:
            more = _read_exact(stream, 4)
            if more is None:
                return None
            length = int.from_bytes(more, order)
        elif explicit and vr.isalpha() and vr.isupper():
            length = int.from_bytes(head[6:8], order)
        else:  # implicit VR (or a writer that switched to it)
            length = int.from_bytes(head[4:8], order)
        if group != PIXEL_GROUP:
            return None  # past the pixel group without pixel data (a header-only object)
        if tag not in PIXEL_TAGS:
            if length == _UNDEFINED or not _skip(stream, length):
                return None
            continue
        digest = hashlib.blake2b(digest_size=DIGEST_SIZE)
        if length != _UNDEFINED:
            return digest.hexdigest() if _feed_native(stream, length, digest) else None
        return _fragments(stream, digest)


def _fragments(stream: BinaryIO, digest) -> str | None:
    """Encapsulated pixel data (always little endian items): hash every fragment after the offset table."""
    first = True
    while True:
        head = _read_exact(stream, 8)
        if head is None:
            return None
        tag = int.from_bytes(head[0:2], "little") << 16 | int.from_bytes(head[2:4], "little")
        length = int.from_bytes(head[4:8], "little")
        if tag == _SEQUENCE_END:
            return digest.hexdigest()
        if tag != _ITEM or length == _UNDEFINED:
            return None
        if first:
            first = False
            if not _skip(stream, length):
                return None
            continue
        if not _feed(stream, length, digest):
            return None


def header_pixel_digest(stream: BinaryIO, header) -> str | None:
    """:func:`pixel_digest` of a seekable stream whose header the header reader parsed (a ``Header``: where it
    ended, its encoding); None for a deflated data set, whose header end counts inflated bytes (rare)."""

    if header.transfer_syntax == DEFLATED_LE:
        return None
    stream.seek(header.header_end)
    return pixel_digest(stream, little=header.little_endian, explicit=header.transfer_syntax != IMPLICIT_LE)
