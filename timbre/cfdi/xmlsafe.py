"""Strict parsing for XML we did not build (uploads, PAC responses, documents to stamp).

No recovery (satcfdi's parser accepts truncated XML), no network, no DTD and no entities (any
DOCTYPE is refused, which rules out entity expansion attacks), and a size limit.
"""

from __future__ import annotations

import threading

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

MAX_XML_BYTES = 8 * 1024 * 1024  # a CFDI with thousands of concepts stays well below this


class XmlError(ValueError):
    """The bytes are not a well-formed, safe XML document."""


_local = threading.local()  # lxml parsers must not be shared between threads


def _parser() -> etree.XMLParser:
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            recover=False,
            no_network=True,
            resolve_entities=False,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            collect_ids=False,
            remove_blank_text=False,
        )
        _local.parser = parser
    return parser


def parse(data: bytes, *, max_bytes: int = MAX_XML_BYTES) -> etree._Element:
    """Parse `data` strictly and return its root element, or raise `XmlError`."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise XmlError("XML must be given as bytes")
    raw = bytes(data)
    if len(raw) > max_bytes:
        raise XmlError(f"XML document is larger than {max_bytes} bytes")
    if not raw.strip():
        raise XmlError("XML document is empty")
    try:
        root = etree.fromstring(raw, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise XmlError(f"malformed XML: {exc}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise XmlError("XML documents with a DOCTYPE are not accepted")
    return root


def tostring(root: etree._Element) -> bytes:
    """Serialize as Timbre writes every CFDI: UTF-8 with an XML declaration, no pretty printing."""
    body: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body
