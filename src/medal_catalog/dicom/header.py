"""A small, bounded reader of DICOM headers: walks every element before the pixel data, including nested
sequences and private tags, without converting values it was not asked for.

Why not pydicom's dcmread: harvesting audits every element of every file, and building pydicom DataElements for
hundreds of private tags made a naive loop about 3x slower than dcmtk. This reader only slices the bytes of the
values its caller names, counts the rest, and checks every length against the bytes that exist, so hostile
files (4 GB lengths, endless nesting, unclosed sequences, unknown VRs) end as a :class:`HeaderError` with a
reason instead of a hang, a MemoryError or a RecursionError. It never reads pixel data.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from struct import Struct
from typing import Any, BinaryIO, Literal

from medal_catalog.report import Issue, Severity

UNDEFINED = 0xFFFFFFFF
ITEM, ITEM_END, SEQUENCE_END = 0xFFFEE000, 0xFFFEE00D, 0xFFFEE0DD
PIXEL_GROUP_START = 0x7FE00000
MAX_DEPTH = 64  # real headers nest < 15 deep; pydicom's own recursion fails near 250
MAX_INFLATED = 256 << 20  # a deflated header larger than this is treated as a decompression bomb

IMPLICIT_LE, EXPLICIT_LE, EXPLICIT_BE, DEFLATED_LE = (
    "1.2.840.10008.1.2",
    "1.2.840.10008.1.2.1",
    "1.2.840.10008.1.2.2",
    "1.2.840.10008.1.2.1.99",
)

# Explicit-VR value representations: those with a 2-byte length and those with 2 reserved bytes + 4-byte length.
_SHORT_VRS = frozenset(b"AE AS AT CS DA DS DT FL FD IS LO LT PN SH SL SS ST TM UI UL US".split())
_LONG_VRS = frozenset(b"OB OD OF OL OV OW SQ SV UC UN UR UT UV".split())
_TEXT_DECODES_AS_UN = b"UN"

_LE_TAG_VR_LEN = Struct("<HH2sH")
_BE_TAG_VR_LEN = Struct(">HH2sH")
_LE_TAG_LEN = Struct("<HHL")
_BE_TAG_LEN = Struct(">HHL")
_LE_U32 = Struct("<L")
_BE_U32 = Struct(">L")


class HeaderError(Exception):
    """The bytes are not a readable DICOM header; ``reason`` says why, without quoting any value."""

    def __init__(self, reason: str, not_dicom: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.not_dicom = not_dicom


#: File names that promise DICOM content; a non-DICOM file with one of them is an error, not a skipped file.
DICOM_SUFFIXES = (".dcm", ".dicom", ".dic", ".ima")

#: "skipped" files are not what the harvester reads (not DICOM, a DICOMDIR); "error" files should have been;
#: "warning" files were harvested but look cut short (Header.truncated).
ProblemKind = Literal["skipped", "error", "warning"]
NOT_DICOM, UNREADABLE, SKIPPED, TRUNCATED = "dicom.not-dicom", "dicom.unreadable", "dicom.skipped", "dicom.truncated"


class FileProblem(Issue):
    """One input file that was not read, and why: a report :class:`Issue` (errors are ERROR, skipped files INFO;
    code ``dicom.not-dicom`` when the content is not DICOM at all). The reason never quotes a value of the file.

    ``path``, ``reason``, ``kind`` and ``not_dicom`` are the same facts in the words of the harvest summary
    (``harvest-report.json``), which :meth:`summary_dict` writes and the constructor takes.
    """

    __slots__ = ()

    def __init__(self, path: str, reason: str, kind: ProblemKind = "error", not_dicom: bool = False) -> None:
        code = (
            NOT_DICOM if not_dicom else UNREADABLE if kind == "error" else TRUNCATED if kind == "warning" else SKIPPED
        )
        severity = Severity.ERROR if kind == "error" else Severity.WARNING if kind == "warning" else Severity.INFO
        super().__init__(severity, code, path, reason)

    @property
    def path(self) -> str:
        """The file's path (the issue's ``file``)."""
        return self.file

    @property
    def reason(self) -> str:
        """Why the file was not read (the issue's ``message``)."""
        return self.message

    @property
    def kind(self) -> ProblemKind:
        """``error`` for a file that should have been read, ``skipped`` for one that is not for this reader,
        ``warning`` for one harvested although it looks cut short."""
        return (
            "error"
            if self.severity is Severity.ERROR
            else "warning"
            if self.severity is Severity.WARNING
            else "skipped"
        )

    @property
    def not_dicom(self) -> bool:
        """True when the content is not DICOM at all (as opposed to broken DICOM)."""
        return self.code == NOT_DICOM

    def summary_dict(self) -> dict[str, Any]:
        """The problem as the harvest summary and cache write it: path, reason, kind, not_dicom."""
        return {"path": self.path, "reason": self.reason, "kind": self.kind, "not_dicom": self.not_dicom}


class NeedMore(Exception):
    """The buffer ends before ``end``; the file has those bytes, so the caller reads more and parses again."""

    def __init__(self, end: int) -> None:
        super().__init__(end)
        self.end = end


@dataclass(slots=True)
class Header:
    """What one pass over a header found: captured raw values, counts of watched and private elements.

    ``top`` holds raw values of captured tags at the top level; ``nested`` the raw values of captured tags found
    inside a top-level sequence, keyed (top-level sequence tag, tag). ``seen`` counts non-empty occurrences of
    watched tags at any depth; ``private`` counts non-empty private elements per odd group.
    """

    transfer_syntax: str | None = None
    media_storage_sop_class: str | None = None
    little_endian: bool = True
    top: dict[int, bytes] = field(default_factory=dict)
    nested: dict[tuple[int, int], list[bytes]] = field(default_factory=dict)
    seen: dict[int, int] = field(default_factory=dict)
    private: dict[int, int] = field(default_factory=dict)
    header_end: int = 0
    #: Why the file looks cut short although its header reads (it ends before or inside its pixel data); None
    #: when it does not (or when that cannot be told from the header: encapsulated pixel data, non-image classes).
    truncated: str | None = None


def _overrun(tag: int, length: int, size: int) -> str:
    if length > size:
        return f"element {_tag_text(tag)} claims {length} bytes, more than the whole file ({size} bytes)"
    return f"file ends inside the value of element {_tag_text(tag)} (truncated)"


def _tag_text(tag: int) -> str:
    return f"({tag >> 16:04X},{tag & 0xFFFF:04X})"


def sniff(buf: bytes) -> int | None:
    """Where the DICOM stream starts if ``buf`` (the first bytes of a file) looks like DICOM, else None.

    Recognises the Part 10 preamble + "DICM", and files without preamble that start with a plausible
    group 0002 or 0008 element in explicit or implicit VR little endian.
    """
    if len(buf) >= 132 and buf[128:132] == b"DICM":
        return 132
    if len(buf) < 8:
        return None
    group, elem = buf[0] | buf[1] << 8, buf[2] | buf[3] << 8
    if group not in (0x0002, 0x0008) or elem > 0x0100:
        return None
    if bytes(buf[4:6]) in _SHORT_VRS or bytes(buf[4:6]) in _LONG_VRS:
        return 0
    length = _LE_U32.unpack_from(buf, 4)[0]
    # Implicit VR: the first element must be small and followed by a later tag of a low group.
    if length > 1024 or 8 + length + 4 > len(buf):
        return None
    next_group, next_elem = _LE_TAG_LEN.unpack_from(buf, 8 + length)[:2] if 16 + length <= len(buf) else (0, 0)
    if (next_group << 16 | next_elem) <= (group << 16 | elem) or next_group > 0x0010:
        return None
    return 0


class _Parser:
    """One parse over a buffer; ``size`` is the true length of the stream the buffer starts.

    With a ``stream`` the buffer grows (doubling) as the walk needs bytes, up to ``limit`` bytes, so the header is
    parsed once, front to back, however far it runs; without one, NeedMore says how far it must. (Bytes, not a
    bytearray: captured values are then slices without a second copy; the walk picks up the new buffer.)
    """

    __slots__ = (
        "buf",
        "size",
        "avail",
        "explicit",
        "little",
        "capture",
        "watch",
        "header",
        "_tvl",
        "_tl",
        "_u32",
        "sq_tags",
        "stream",
        "limit",
    )

    def __init__(
        self,
        buf,
        size: int,
        capture: frozenset[int],
        watch: frozenset[int],
        sq_tags: frozenset[int],
        header: Header,
        stream: BinaryIO | None = None,
        limit: int = 0,
    ) -> None:
        self.buf, self.size, self.avail = buf, size, len(buf)
        self.capture, self.watch, self.sq_tags, self.header = capture, watch, sq_tags, header
        self.stream, self.limit = stream, limit
        self.set_encoding(explicit=True, little=True)

    def more(self, end: int) -> int:
        """Make the buffer hold at least ``end`` bytes (``end`` <= size); return the bytes now available."""
        if self.stream is None:
            raise NeedMore(end)
        if end > self.limit:
            raise HeaderError(
                f"header runs past {_size_text(self.limit)} before the pixel data (the limit, "
                "MEDAL_DICOM_MAX_HEADER_BYTES)"
            )
        want = min(self.size, self.limit, max(end, 2 * self.avail)) - self.avail
        chunk = self.stream.read(want)
        self.buf = bytes(self.buf) + chunk
        self.avail = len(self.buf)
        if self.avail < end:  # the stream ended before its stated size: the file shrank, or lies about its size
            self.size = self.avail
            raise HeaderError(f"file ends at byte {self.avail}, inside its header (truncated)")
        return self.avail

    def set_encoding(self, explicit: bool, little: bool) -> None:
        self.explicit, self.little = explicit, little
        self._tvl = _LE_TAG_VR_LEN if little else _BE_TAG_VR_LEN
        self._tl = _LE_TAG_LEN if little else _BE_TAG_LEN
        self._u32 = _LE_U32 if little else _BE_U32

    def _need(self, end: int, tag: int, what: str) -> int:
        if end > self.size:
            raise HeaderError(f"{what} of {_tag_text(tag)} runs past the end of the file (truncated or corrupt)")
        return self.more(end)

    def elements(
        self,
        pos: int,
        end: int,
        depth: int,
        top_sq: int,
        until_item_end: bool,
        stop_at_pixels: bool = False,
        only_group: int = -1,
    ) -> int:
        """Walk elements from ``pos`` to ``end`` (or to an item delimiter); return the position after them."""
        buf, avail, size = self.buf, self.avail, self.size
        capture, watch, header = self.capture, self.watch, self.header
        seen, private = header.seen, header.private
        explicit, tvl, tl, u32 = self.explicit, self._tvl, self._tl, self._u32
        previous = -1
        while pos < end:
            if pos + 8 > avail:
                if pos + 8 > size:
                    if until_item_end:
                        raise HeaderError(f"undefined-length item in {_tag_text(top_sq)} is never closed")
                    raise HeaderError(f"file ends inside an element header at byte {pos} (truncated)")
                avail = self.more(pos + 8)
                buf = self.buf
            if explicit:
                group, elem, vr, length = tvl.unpack_from(buf, pos)
            else:
                group, elem, length = tl.unpack_from(buf, pos)
                vr = None
            tag = group << 16 | elem
            if only_group >= 0 and group != only_group:
                return pos
            if stop_at_pixels and tag >= PIXEL_GROUP_START:
                return pos
            if tag == previous:
                # A data set holds each tag once (PS3.5 7.1). The same tag twice in a row is corruption, such as
                # a run of zero bytes that would otherwise read as millions of empty (0000,0000) elements.
                # (Tags merely out of order are tolerated, as pydicom tolerates them.)
                raise HeaderError(
                    f"element {_tag_text(tag)} repeats at byte {pos}: not a DICOM data set "
                    "(corrupt, or a run of zero bytes)"
                )
            previous = tag
            if group == 0xFFFE:
                if tag == ITEM_END and until_item_end:
                    return pos + 8
                if tag == ITEM_END or tag == SEQUENCE_END:
                    raise HeaderError(f"unexpected delimiter {_tag_text(tag)} outside its sequence")
                raise HeaderError(f"unexpected item tag {_tag_text(tag)} outside a sequence")
            if explicit:
                if vr in _SHORT_VRS:
                    pos += 8
                elif vr in _LONG_VRS:
                    if pos + 12 > avail:
                        avail = self._need(pos + 12, tag, "the header")
                        buf = self.buf
                    length = u32.unpack_from(buf, pos + 8)[0]
                    pos += 12
                else:
                    raise HeaderError(f"unknown VR in element {_tag_text(tag)}")
                is_sq = vr == b"SQ" or (vr == _TEXT_DECODES_AS_UN and (length == UNDEFINED or tag in self.sq_tags))
            else:
                pos += 8
                is_sq = length == UNDEFINED or tag in self.sq_tags
            if is_sq:
                if depth >= MAX_DEPTH:
                    raise HeaderError(f"sequences nested deeper than {MAX_DEPTH} levels at {_tag_text(tag)}")
                items, pos = self.sequence(
                    pos, length, depth + 1, top_sq if depth else tag, tag, implicit_inside=vr == _TEXT_DECODES_AS_UN
                )
                avail, buf = self.avail, self.buf  # the walk inside may have read more
                if items:
                    if tag in watch:
                        seen[tag] = seen.get(tag, 0) + 1
                    if group & 1:
                        private[group] = private.get(group, 0) + 1
                continue
            if length == UNDEFINED:
                raise HeaderError(f"undefined length on non-sequence element {_tag_text(tag)}")
            value_end = pos + length
            if value_end > avail:
                if value_end > size:
                    raise HeaderError(_overrun(tag, length, size))
                avail = self.more(value_end)
                buf = self.buf
            if length:
                if tag in capture:
                    if depth == 0:
                        header.top[tag] = bytes(buf[pos:value_end])
                    else:
                        key = (top_sq, tag)
                        values = header.nested.get(key)
                        if values is None:
                            header.nested[key] = [bytes(buf[pos:value_end])]
                        elif len(values) < 64:
                            values.append(bytes(buf[pos:value_end]))
                if group & 1:
                    if elem:  # private creators and private data alike; (gggg,0000) is only a group length
                        private[group] = private.get(group, 0) + 1
                elif tag in watch:
                    seen[tag] = seen.get(tag, 0) + 1
                elif group & 0xFF00 == 0x5000 or group & 0xFF00 == 0x6000:  # repeating curve/overlay groups
                    base = (group & 0xFF00) << 16 | (0 if group & 0xFF00 == 0x5000 else elem)
                    if base in watch:
                        seen[base] = seen.get(base, 0) + 1
            pos = value_end
        return pos

    def sequence(
        self, pos: int, length: int, depth: int, top_sq: int, tag: int, implicit_inside: bool
    ) -> tuple[int, int]:
        """Walk the items of one sequence; return (number of items, position after the sequence)."""
        saved = (self.explicit, self.little)
        if implicit_inside:  # UN with undefined length is an implicit VR little endian sequence (PS3.5 6.2.2)
            self.set_encoding(explicit=False, little=True)
        try:
            defined = length != UNDEFINED
            end = pos + length if defined else self.size
            if defined and end > self.size:
                raise HeaderError(_overrun(tag, length, self.size))
            items = 0
            while pos < end:
                if pos + 8 > self.avail:
                    if pos + 8 > self.size:
                        raise HeaderError(f"undefined-length sequence {_tag_text(tag)} is never closed")
                    self.more(pos + 8)
                group, elem, item_length = self._tl.unpack_from(self.buf, pos)
                item_tag = group << 16 | elem
                pos += 8
                if item_tag == SEQUENCE_END:
                    if defined:
                        raise HeaderError(f"sequence delimiter inside defined-length sequence {_tag_text(tag)}")
                    return items, pos
                if item_tag != ITEM:
                    raise HeaderError(f"sequence {_tag_text(tag)} holds {_tag_text(item_tag)} where an item belongs")
                items += 1
                if item_length == UNDEFINED:
                    pos = self.elements(pos, end, depth, top_sq, until_item_end=True)
                else:
                    item_end = pos + item_length
                    if item_end > end:
                        raise HeaderError(
                            f"item of {_tag_text(tag)} claims {item_length} bytes, more than its "
                            "sequence or the file holds"
                        )
                    self.elements(pos, item_end, depth, top_sq, until_item_end=False)
                    pos = item_end
            if not defined:
                raise HeaderError(f"undefined-length sequence {_tag_text(tag)} is never closed")
            return items, pos
        finally:
            self.set_encoding(*saved)


def parse(
    buf,
    size: int,
    capture: frozenset[int],
    watch: frozenset[int],
    sq_tags: frozenset[int] = frozenset(),
    stream: BinaryIO | None = None,
    limit: int = 0,
) -> Header:
    """Parse the header in ``buf`` (the first bytes of a stream of ``size`` bytes) up to the pixel data.

    Raises HeaderError for a file that is not readable DICOM and, without ``stream``, NeedMore when ``buf`` is
    too short; with ``stream`` it reads on from it as needed, at most ``limit`` bytes.
    ``sq_tags`` are the tags known to be sequences, needed for implicit VR where the bytes do not say so.
    """
    if size == 0:
        raise HeaderError("empty file (0 bytes)", not_dicom=True)
    start = sniff(buf)
    if start is None:
        raise HeaderError("not DICOM: no DICM marker and no valid DICOM start", not_dicom=True)
    header = Header()
    parser = _Parser(
        buf, size, capture | {0x00020002, 0x00020010} | _PIXEL_HINTS, watch, sq_tags, header, stream, limit
    )
    pos = start
    if len(buf) >= start + 6 and buf[start : start + 2] == b"\x02\x00":
        if bytes(buf[start + 4 : start + 6]) not in _SHORT_VRS | _LONG_VRS:
            parser.set_encoding(explicit=False, little=True)  # a few writers put the meta group in implicit VR
        pos = parser.elements(start, size, 0, 0, until_item_end=False, only_group=0x0002)
        meta_ts = header.top.pop(0x00020010, None)
        sop_class = header.top.pop(0x00020002, None)
        header.transfer_syntax = _uid(meta_ts)
        header.media_storage_sop_class = _uid(sop_class)
        buf = parser.buf  # the meta group may have read more
    ts = header.transfer_syntax
    little = ts != EXPLICIT_BE
    explicit = ts != IMPLICIT_LE
    header.little_endian = little
    if pos + 6 <= len(buf) and explicit and bytes(buf[pos + 4 : pos + 6]) not in _SHORT_VRS | _LONG_VRS:
        explicit = False  # declared explicit but written implicit: a known writer bug that pydicom also tolerates
    if ts == DEFLATED_LE:
        if len(buf) < size:
            parser.more(size)  # a deflated data set is inflated whole (bounded by MAX_INFLATED)
            buf = parser.buf
        buf = _inflate(buf[pos:])
        parser = _Parser(buf, len(buf), parser.capture, watch, sq_tags, header)
        pos = 0
    parser.set_encoding(explicit=explicit, little=little)
    header.header_end = parser.elements(pos, parser.size, 0, 0, until_item_end=False, stop_at_pixels=True)
    header.truncated = _pixel_problem(parser, header.header_end)
    for tag in _PIXEL_HINTS - capture:
        header.top.pop(tag, None)
    return header


PIXEL_DATA = 0x7FE00010
SOP_CLASS, ROWS, MODALITY = 0x00080016, 0x00280010, 0x00080060
_PIXEL_HINTS = frozenset({SOP_CLASS, ROWS, MODALITY})
#: Storage SOP classes whose instances hold an image (PS3.4 B.5), by prefix under 1.2.840.10008.5.1.4.1.1.
_IMAGE_CLASSES = tuple(
    "1.2.840.10008.5.1.4.1.1." + c
    for c in ("1", "2", "3.1", "4", "6", "7", "12", "13", "20", "30", "128", "130", "481.1", "481.2", "66.4", "77.1")
)
_IMAGE_MODALITIES = frozenset(
    {
        "MR",
        "CT",
        "PT",
        "NM",
        "CR",
        "DX",
        "MG",
        "US",
        "XA",
        "RF",
        "IO",
        "PX",
        "OT",
        "SC",
        "RG",
        "OP",
        "XC",
        "ES",
        "SM",
        "BI",
        "TG",
        "GM",
        "OPT",
    }
)


def _expects_pixels(top: dict[int, bytes]) -> bool:
    if top.get(ROWS):
        return True
    sop_class = _uid(top.get(SOP_CLASS))
    if sop_class:
        return any(sop_class == c or sop_class.startswith(c + ".") for c in _IMAGE_CLASSES)
    modality = top.get(MODALITY, b"").strip(b"\0 ").decode("ascii", "replace").upper()
    return modality in _IMAGE_MODALITIES


def _pixel_problem(parser: _Parser, pos: int) -> str | None:
    """Why a header that reads cleanly still belongs to a cut file: it ends before its pixel data, or inside it."""
    size = parser.size
    header = parser.header
    if pos >= size:
        if _expects_pixels(header.top) or (
            header.media_storage_sop_class and any(header.media_storage_sop_class.startswith(c) for c in _IMAGE_CLASSES)
        ):
            return (
                f"file ends after {size:,} bytes, before its pixel data (7FE0,0010): truncated, or written "
                "without its image"
            )
        return None
    head = 12 if parser.explicit else 8
    if pos + head > size:
        return f"file ends after {size:,} bytes, inside the header of its pixel data (truncated)"
    if pos + head > parser.avail:
        try:
            parser.more(pos + head)
        except (NeedMore, HeaderError):
            return None
    group, elem = parser._tl.unpack_from(parser.buf, pos)[:2]
    if (group << 16 | elem) != PIXEL_DATA:
        return None
    length = parser._u32.unpack_from(parser.buf, pos + (8 if parser.explicit else 4))[0]
    if length == UNDEFINED:
        return None  # encapsulated (compressed) frames: their end is not known from the header
    if pos + head + length > size:
        return f"file ends inside its pixel data: {size - pos - head:,} of {length:,} bytes present (truncated)"
    return None


def _inflate(data) -> bytes:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        out = inflater.decompress(bytes(data), MAX_INFLATED)
    except zlib.error as exc:
        raise HeaderError(f"deflated data set cannot be inflated ({exc.__class__.__name__})") from None
    if inflater.unconsumed_tail:
        raise HeaderError(f"deflated data set inflates past {MAX_INFLATED >> 20} MB")
    return out


def _uid(raw: bytes | None) -> str | None:
    if not raw:
        return None
    return raw.rstrip(b"\x00 ").decode("ascii", "replace") or None


FIRST_READ = 64 << 10  # most MR and CT headers end well before 64 KiB


#: The default of MEDAL_DICOM_MAX_HEADER_BYTES (config.Settings says the same; tests/dicom/test_sequence_tags.py
#: checks that they agree).
DEFAULT_MAX_HEADER_BYTES = 64 * 1024 * 1024


def read(
    stream: BinaryIO, size: int, capture: frozenset[int], watch: frozenset[int], limit: int = DEFAULT_MAX_HEADER_BYTES
) -> Header:
    """Read and parse the header at the start of ``stream`` (``size`` bytes long) in one pass, reading only as far
    as needed and never more than ``limit`` bytes (the caller's MEDAL_DICOM_MAX_HEADER_BYTES setting; default
    :data:`DEFAULT_MAX_HEADER_BYTES`).

    Raises HeaderError; a stream that ends early is reported as truncated rather than trusted.
    """
    buf = stream.read(min(size, FIRST_READ, limit))
    if len(buf) < min(size, FIRST_READ, limit):  # shorter than it said: parse what exists, report truncation
        size = len(buf)
    return parse(buf, size, capture, watch, sequence_tags(), stream=stream, limit=limit)


def _size_text(n: int) -> str:
    return f"{n >> 20} MiB" if n >= 1 << 20 else f"{n:,} bytes"


@lru_cache(maxsize=1)
def sequence_tags() -> frozenset[int]:
    """Tags the DICOM data dictionary defines as sequences (SQ): implicit VR streams do not say so themselves.
    Written out from pydicom's dictionary (scripts/dicom_sequence_tags.py): importing pydicom cost `medal validate
    FILE` about 0.3 s of its start-up (issue 29)."""
    # inline: `medal validate FILE.yaml` does not need dicom._sequence_tags at start-up
    from medal_catalog.dicom._sequence_tags import SEQUENCE_TAGS

    return SEQUENCE_TAGS
