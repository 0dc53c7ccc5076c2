"""Idempotent POSTs, as an ASGI middleware.

A POST carrying an `Idempotency-Key` header (or an `idempotency_key` field in its JSON body) is run
once per (team, mode, key): the first response (status and body, encrypted at rest) is stored and
replayed to every retry with `Idempotent-Replayed: true`; the same key with a different request is a
409. Concurrent duplicates wait for the first to finish and get its response, so they produce one
effect. A claim whose request crashed expires after `LEASE_MS`, then a retry runs again. 5xx, 401,
403 and 429 responses are not stored, so the client can retry them.

Nothing is claimed or replayed before the request is authorized: `authorize` (given by the app) answers
the team and mode the request may act on now — the same key, role and Connect team checks the route makes
— and the record belongs to them. A request it refuses goes straight to the route, which refuses it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from timbre.config import Settings
from timbre.errors import error_payload
from timbre.kit.clock import now_ms
from timbre.kit.crypto import decrypt, encrypt, sha256_hex
from timbre.kit.db import get_sessionmaker
from timbre.kit.ids import new_id
from timbre.models import IdempotencyRecord

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Authorize = Callable[[Scope, Settings], "tuple[str, bool] | None"]  # the (team, livemode) the request may act on

LEASE_MS = 60_000
WAIT_S = 30.0
MAX_BODY = 12 * 1024 * 1024
_NOT_STORED = {401, 403, 429}
_PURPOSE = "idempotency-response"


def purge_older_than(session: Session, cutoff_ms: int) -> int:
    result = session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff_ms))
    return int(getattr(result, "rowcount", 0) or 0)


class _Claim:
    """Outcome of claiming a key: run the request, replay a response, or refuse."""

    def __init__(self, kind: str, record_id: str | None = None, status: int = 0, body: bytes = b"") -> None:
        self.kind, self.record_id, self.status, self.body = kind, record_id, status, body


class IdempotencyMiddleware:
    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], settings: Settings,
                 authorize: Authorize) -> None:
        self.app = app
        self.settings = settings
        self.authorize = authorize

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        body, more = await _read_body(receive)
        replay_receive = _replayer(body, more, receive)
        headers = {k.decode().lower(): v.decode("latin-1") for k, v in scope["headers"]}
        key = headers.get("idempotency-key") or _body_key(headers.get("content-type", ""), body)
        if not key or more:
            await self.app(scope, replay_receive, send)
            return
        if "authorization" not in headers:
            await self.app(scope, replay_receive, send)
            return
        if len(key) > 255 or "\x00" in key:
            await _send_json(send, 400, error_payload(400, "bad_request", "Invalid idempotency key",
                                                      "Idempotency keys have at most 255 characters and no NUL"))
            return
        allowed = await run_in_threadpool(self.authorize, scope, self.settings)
        if allowed is None:  # the route refuses it (401, 403, 400, 422): nothing to claim or replay
            await self.app(scope, replay_receive, send)
            return
        team, livemode = allowed
        fingerprint = sha256_hex(f"{scope['path']}\n{scope.get('query_string', b'').decode('latin-1')}\n".encode()
                                 + body)
        claim = await self._claim(team, livemode, key, fingerprint)
        if claim.kind == "replay":
            await _send_json(send, claim.status, claim.body, replayed=True)
            return
        if claim.kind == "mismatch":
            await _send_json(send, 409, error_payload(
                409, "idempotency_key_reused", "Idempotency key already used",
                "This idempotency key was already used with a different request body"))
            return
        if claim.kind == "busy":
            await _send_json(send, 409, error_payload(
                409, "idempotency_in_progress", "Request in progress",
                "A request with this idempotency key is still being processed; retry later"))
            return
        await self._run_and_store(scope, replay_receive, send, claim.record_id or "")

    async def _run_and_store(self, scope: Scope, receive: Receive, send: Send, record_id: str) -> None:
        status = 500
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            keep = status < 500 and status not in _NOT_STORED
            await run_in_threadpool(self._finish, record_id, status if keep else None, b"".join(chunks))

    # -- storage (sync, run in the thread pool) ----------------------------------------------------
    def _session(self) -> Session:
        return get_sessionmaker(self.settings.db_url)()

    async def _claim(self, team: str, livemode: bool, key: str, fingerprint: str) -> _Claim:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_S
        while True:
            claim = await run_in_threadpool(self._try_claim, team, livemode, key, fingerprint)
            if claim.kind != "wait":
                return claim
            if loop.time() > deadline:
                return _Claim("busy")
            await asyncio.sleep(0.05)

    def _try_claim(self, team: str, livemode: bool, key: str, fingerprint: str) -> _Claim:
        now = now_ms()
        with self._session() as session:
            try:
                record = IdempotencyRecord(id=new_id("idem"), team_id=team, livemode=livemode, key=key,
                                           fingerprint=fingerprint, status="processing", locked_until=now + LEASE_MS)
                session.add(record)
                session.commit()
                return _Claim("run", record.id)
            except IntegrityError:
                session.rollback()
            stmt = select(IdempotencyRecord).where(IdempotencyRecord.team_id == team,
                                                   IdempotencyRecord.livemode == livemode,
                                                   IdempotencyRecord.key == key)
            existing = session.scalars(stmt).first()
            if existing is None:
                return _Claim("wait")  # deleted between our insert and read: try again
            if existing.fingerprint != fingerprint:
                return _Claim("mismatch")
            if existing.status == "done" and existing.response_body is not None:
                body = decrypt(self.settings.secret(), _PURPOSE, existing.response_body)
                return _Claim("replay", status=existing.response_status or 200, body=body)
            if existing.locked_until < now:
                existing.locked_until = now + LEASE_MS
                session.commit()
                return _Claim("run", existing.id)
            return _Claim("wait")

    def _finish(self, record_id: str, status: int | None, body: bytes) -> None:
        with self._session() as session:
            record = session.get(IdempotencyRecord, record_id)
            if record is None:
                return
            if status is None:
                session.delete(record)
            else:
                record.status = "done"
                record.response_status = status
                record.response_body = encrypt(self.settings.secret(), _PURPOSE, body)
            session.commit()


def _body_key(content_type: str, body: bytes) -> str | None:
    if "json" not in content_type or b"idempotency_key" not in body or len(body) > MAX_BODY:
        return None
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, or nested too deep to parse: the route refuses it
        return None
    value = parsed.get("idempotency_key") if isinstance(parsed, dict) else None
    return value if isinstance(value, str) and value else None


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """Read the body up to MAX_BODY; `more` is True when it is larger (then it is not deduplicated)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), False
        if size > MAX_BODY:
            return b"".join(chunks), True


def _replayer(body: bytes, more: bool, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": more}
        return await receive()

    return replay


async def _send_json(send: Send, status: int, payload: Any, *, replayed: bool = False) -> None:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if replayed:
        headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
