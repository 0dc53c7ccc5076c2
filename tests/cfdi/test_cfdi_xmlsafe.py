import pytest

from timbre.cfdi import xmlsafe
from timbre.cfdi.xmlsafe import XmlError


def test_parses_a_plain_document() -> None:
    root = xmlsafe.parse(b'<?xml version="1.0" encoding="UTF-8"?><a x="1"><b/></a>')
    assert (root.tag, root.get("x"), len(root)) == ("a", "1", 1)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<a><b></a>", "malformed"),
        (b"<cfdi:Comprobante xmlns:cfdi='x'><cfdi:Emisor", "malformed"),  # truncated
        (b"<a/>trailing", "malformed"),
        (b"", "empty"),
        (b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', "DOCTYPE"),
        (b'<!DOCTYPE lolz [<!ENTITY l "lol"><!ENTITY l2 "&l;&l;&l;&l;">]><a>&l2;</a>', "DOCTYPE"),
        (b'<?xml version="1.0"?><!DOCTYPE a SYSTEM "http://example.com/a.dtd"><a/>', "malformed|DOCTYPE"),
        (b'<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>', "DOCTYPE"),
    ],
)
def test_refuses_unsafe_or_broken_xml(data: bytes, message: str) -> None:
    with pytest.raises(XmlError, match=message):
        xmlsafe.parse(data)


def test_size_limit() -> None:
    with pytest.raises(XmlError, match="larger"):
        xmlsafe.parse(b"<a>" + b"x" * 100 + b"</a>", max_bytes=50)


def test_only_bytes() -> None:
    with pytest.raises(XmlError, match="bytes"):
        xmlsafe.parse("<a/>")  # type: ignore[arg-type]


def test_tostring_writes_a_utf8_declaration() -> None:
    expected = '<?xml version="1.0" encoding="UTF-8"?>\n<a>ñ</a>'.encode()
    assert xmlsafe.tostring(xmlsafe.parse("<a>ñ</a>".encode())) == expected
