"""SMTP delivery from `TIMBRE_SMTP_URL` (`smtp://user:pass@host:port`, `smtps://...`, `?starttls=1`)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage as MimeMessage
from urllib.parse import parse_qs, unquote, urlparse


def send(url: str, sender: str, to: str, subject: str, body: str, timeout: float = 15.0) -> None:
    parsed = urlparse(url)
    host = parsed.hostname or "localhost"
    secure = parsed.scheme == "smtps"
    port = parsed.port or (465 if secure else 25)
    query = parse_qs(parsed.query)
    msg = MimeMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    client_cls = smtplib.SMTP_SSL if secure else smtplib.SMTP
    with client_cls(host, port, timeout=timeout) as client:
        if query.get("starttls", ["0"])[0] in ("1", "true"):
            client.starttls()
        if parsed.username:
            client.login(unquote(parsed.username), unquote(parsed.password or ""))
        client.send_message(msg)
