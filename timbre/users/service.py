"""Users use cases (spec §2.7): accounts, password resets and login links.

Reset and login secrets are random, single use, expiring, and stored only as SHA-256 hashes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.config import Settings
from timbre.emails.service import queue_email
from timbre.errors import BadRequest, Conflict, NotFound
from timbre.kit.clock import now_ms
from timbre.kit.crypto import random_token, sha256_hex
from timbre.kit.ids import new_id
from timbre.kit.pagination import ListParams, Page, paginate
from timbre.models import Membership, User, UserToken
from timbre.users import permissions
from timbre.users.repository import UserRepository
from timbre.users.schemas import UserCreate, UserUpdate

RESET_TTL = timedelta(hours=1)
LOGIN_TTL = timedelta(minutes=15)
MIN_PASSWORD = 10
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except Exception:  # argon2 raises several mismatch/invalid-hash errors; all mean "no"
        return False


class UserService:
    def list_users(self, session: Session, auth: AuthContext, params: ListParams) -> Page:
        """The users the key sees (see `permissions`)."""
        repo = UserRepository.from_session(session)
        only = None if auth.key_team.is_master else auth.key_team.id
        return paginate(session, repo.in_account(auth.billing_account_id, team_id=only), User, params,
                        orderable={"email": User.email})

    def get(self, session: Session, auth: AuthContext, user_id: str) -> User:
        """A user the key sees; any other is not found."""
        repo = UserRepository.from_session(session)
        user = repo.get(user_id)
        if user is None or user.billing_account_id != auth.billing_account_id \
                or not permissions.can_see(auth, repo.memberships(user.id)):
            raise NotFound("User not found", "The specified user does not exist")
        return user

    def get_to_act_on(self, session: Session, auth: AuthContext, user_id: str) -> User:
        """A user the key sees and may change or sign in as: one with no right the key lacks."""
        return self.check_may_act_on(session, auth, self.get(session, auth, user_id))

    @staticmethod
    def check_may_act_on(session: Session, auth: AuthContext, user: User) -> User:
        permissions.require_covers(auth, UserRepository.from_session(session).memberships(user.id))
        return user

    def serialize(self, session: Session, auth: AuthContext, user: User) -> dict[str, Any]:
        teams = [(m, t) for m, t in UserRepository.from_session(session).teams_of(user.id)
                 if permissions.acts_on(auth, t.id)]
        role = next((m.role for m, t in teams if t.id == auth.team_id), None)
        return {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "firstName": user.first_name,
            "lastName": user.last_name,
            "phone": user.phone,
            "company_role": user.company_role,
            "role": role,
            "address": user.address or {},
            "teams": [{"team_id": t.id, "team_name": t.legal_name, "role": m.role} for m, t in teams],
            "created_at": user.created_at // 1000,
            "last_login": None if user.last_login is None else user.last_login // 1000,
            "livemode": auth.livemode,
        }

    def create(self, session: Session, auth: AuthContext, body: UserCreate, settings: Settings) -> User:
        repo = UserRepository.from_session(session)
        if repo.by_email(body.email) is not None:
            raise Conflict("User already exists", f"A user with e-mail {body.email} already exists")
        user = User(
            id=new_id("user"),
            billing_account_id=auth.billing_account_id,
            email=body.email,
            first_name=body.first_name or "",
            last_name=body.last_name or "",
            phone=body.phone,
            company_role=body.company_role,
            address=body.address.model_dump(exclude_none=True) if body.address else {},
        )
        try:
            with session.begin_nested():
                repo.add(user)
        except IntegrityError:
            raise Conflict("User already exists", f"A user with e-mail {body.email} already exists") from None
        if body.auto_join:
            session.add(Membership(id=new_id("member"), team_id=auth.team_id, user_id=user.id, role=body.role))
            session.flush()
        url, _ = self._issue(session, user, "reset", RESET_TTL, settings, path="reset-password")
        queue_email(session, to=user.email, team_id=auth.team_id,
                    subject=f"You were invited to {auth.team.legal_name} on Timbre",
                    body=f"Set your password to sign in: {url}\nThe link expires in 1 hour.")
        return user

    def update(self, session: Session, user: User, body: UserUpdate) -> User:
        data = body.model_dump(exclude_unset=True)
        for field in ("first_name", "last_name", "phone", "company_role"):
            if field in data:
                setattr(user, field, data[field] or ("" if field.endswith("name") else None))
        if body.address is not None:
            user.address = {**(user.address or {}), **body.address.model_dump(exclude_none=True)}
        session.flush()
        return user

    # ---- secrets sent to users -----------------------------------------------------------------
    def _issue(self, session: Session, user: User, purpose: str, ttl: timedelta, settings: Settings,
               *, path: str) -> tuple[str, int]:
        secret = random_token(32)
        expires = now_ms() + int(ttl.total_seconds() * 1000)
        session.add(UserToken(id=new_id("utok"), user_id=user.id, purpose=purpose, token_hash=sha256_hex(secret),
                              expires_at=expires))
        session.flush()
        return f"{settings.public_url.rstrip('/')}/{path}/{secret}", expires

    def request_reset(self, session: Session, user: User, settings: Settings) -> dict[str, Any]:
        url, expires = self._issue(session, user, "reset", RESET_TTL, settings, path="reset-password")
        queue_email(session, to=user.email, subject="Reset your Timbre password",
                    body=f"Someone asked to reset your password. If it was you, open:\n{url}\n"
                         "The link works once and expires in 1 hour.")
        return {"email": user.email, "delivery": "email" if settings.smtp_url else "recorded", "expires_at": expires}

    def login_link(self, session: Session, user: User, settings: Settings) -> dict[str, Any]:
        url, expires = self._issue(session, user, "login", LOGIN_TTL, settings, path="login")
        return {"url": url, "expires_at": expires}

    @staticmethod
    def _usable(session: Session, secret: str, purpose: str) -> UserToken | None:
        token = UserRepository.from_session(session).token(sha256_hex(secret), purpose)
        if token is None or token.used_at is not None or token.expires_at < now_ms():
            return None
        return token

    def consume(self, session: Session, secret: str, purpose: str) -> User | None:
        """Use a secret once: the user it belongs to, or None if unknown, used or expired."""
        token = self._usable(session, secret, purpose)
        if token is None:
            return None
        token.used_at = now_ms()
        session.flush()
        return session.get(User, token.user_id)

    def peek(self, session: Session, secret: str, purpose: str) -> User | None:
        """The user a secret belongs to, without using it up."""
        token = self._usable(session, secret, purpose)
        return None if token is None else session.get(User, token.user_id)

    def set_password(self, session: Session, user: User, password: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise BadRequest("Password too short", f"Use at least {MIN_PASSWORD} characters")
        user.password_hash = hash_password(password)
        session.flush()


user = UserService()
