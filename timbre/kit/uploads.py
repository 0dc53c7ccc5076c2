"""Multipart uploads read as a stream under hard limits, and file types told by their bytes.

Starlette's form parser accepts a file of any size (spooled to disk) before the endpoint can look
at it; here the body is parsed while it arrives and refused (413) as soon as the file passes its
limit, or before reading anything when `Content-Length` already says it is too big. Memory is
bounded by the limit. The file's type comes from its magic bytes, never from its name or the
declared content type, so a renamed executable is not a PDF.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import Request
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from timbre.errors import BadRequest, ErrorEnvelope, PayloadTooLarge, UnsupportedMediaType

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

__all__ = ["MultipartForm", "UploadedFile", "read_multipart", "sniff", "upload_responses"]

MIB = 1024 * 1024
ENVELOPE_ALLOWANCE = 64 * 1024  # boundaries, part headers and the small text fields around the file


@dataclass
class UploadedFile:
    field_name: str
    filename: str
    declared_type: str
    data: bytes


@dataclass
class MultipartForm:
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)


def sniff(data: bytes) -> tuple[str, str] | None:
    """`(mime type, extension)` of a PDF, PNG, JPEG or WEBP file by its first bytes, else None."""
    if data.startswith(b"%PDF-"):
        return "application/pdf", "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", "jpg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


class _Collector:
    """Receives the parser's callbacks and keeps the parts, enforcing the limits as data arrives."""

    def __init__(self, max_file_size: int, max_field_size: int, max_parts: int) -> None:
        self.max_file_size = max_file_size
        self.max_field_size = max_field_size
        self.max_parts = max_parts
        self.form = MultipartForm()
        self.parts = 0
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._headers: dict[bytes, bytes] = {}
        self._name = ""
        self._filename: str | None = None
        self._data = bytearray()

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": lambda data, start, end: self._header_name.extend(data[start:end]),
            "on_header_value": lambda data, start, end: self._header_value.extend(data[start:end]),
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
        }

    def part_begin(self) -> None:
        self.parts += 1
        if self.parts > self.max_parts:
            raise BadRequest("Invalid multipart body", f"At most {self.max_parts} parts are accepted")
        self._headers, self._data, self._filename, self._name = {}, bytearray(), None, ""

    def header_end(self) -> None:
        self._headers[bytes(self._header_name).lower()] = bytes(self._header_value)
        self._header_name, self._header_value = bytearray(), bytearray()

    def headers_finished(self) -> None:
        disposition, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if disposition != b"form-data" or b"name" not in options:
            raise BadRequest("Invalid multipart body", "Every part needs Content-Disposition: form-data; name=...")
        self._name = options[b"name"].decode("utf-8", "replace")
        filename = options.get(b"filename")
        self._filename = filename.decode("utf-8", "replace") if filename is not None else None

    def part_data(self, data: bytes, start: int, end: int) -> None:
        self._data.extend(data[start:end])
        if self._filename is not None and len(self._data) > self.max_file_size:
            raise PayloadTooLarge("File too large", f"The file exceeds the limit of {_size(self.max_file_size)}")
        if self._filename is None and len(self._data) > self.max_field_size:
            raise BadRequest("Invalid multipart body", f"Field {self._name!r} exceeds {self.max_field_size} bytes")

    def part_end(self) -> None:
        if self._filename is not None:
            declared = self._headers.get(b"content-type", b"").decode("latin-1")
            self.form.files[self._name] = UploadedFile(self._name, self._filename, declared, bytes(self._data))
            return
        try:
            self.form.fields[self._name] = bytes(self._data).decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest("Invalid multipart body", f"Field {self._name!r} is not UTF-8 text") from None


def _size(limit: int) -> str:
    return f"{limit // MIB} MiB" if limit % MIB == 0 else f"{limit} bytes"


def upload_responses(max_file_size: int) -> dict[int | str, dict[str, Any]]:
    """The answers `read_multipart` adds to an operation's documented ones (its 400 is documented everywhere)."""
    return {413: {"model": ErrorEnvelope, "description": f"A file is larger than {_size(max_file_size)}"},
            415: {"model": ErrorEnvelope, "description": "The body is not multipart/form-data"}}


async def read_multipart(request: Request, *, max_file_size: int, max_field_size: int = 4096,
                         max_parts: int = 10) -> MultipartForm:
    """Parse a `multipart/form-data` body: 415 for another content type, 413 past `max_file_size`
    per file (or a body that cannot fit), 400 for a malformed body."""
    media, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if media != b"multipart/form-data" or not boundary:
        raise UnsupportedMediaType("Unsupported media type", "Send the file as multipart/form-data")
    max_body = max_file_size + ENVELOPE_ALLOWANCE
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_body:
        raise PayloadTooLarge("File too large", f"The file exceeds the limit of {_size(max_file_size)}")
    collector = _Collector(max_file_size, max_field_size, max_parts)
    try:
        parser = MultipartParser(boundary, collector.callbacks())
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if received > max_body:
                raise PayloadTooLarge("File too large", f"The file exceeds the limit of {_size(max_file_size)}")
            parser.write(chunk)
        parser.finalize()
    except FormParserError:
        raise BadRequest("Invalid multipart body", "The multipart/form-data body is malformed") from None
    return collector.form
