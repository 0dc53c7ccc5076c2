"""Web pages reached from links we send: onboarding, single-use sign-in, password reset."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import jwt
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from timbre.deps import SessionDep, SettingsDep
from timbre.errors import BadRequest
from timbre.kit.clock import now_ms
from timbre.kit.crypto import derive_key
from timbre.models import Team
from timbre.users.service import MIN_PASSWORD
from timbre.users.service import user as user_service

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
SESSION_COOKIE = "timbre_session"


def _page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status)


def _gone(request: Request, message: str) -> HTMLResponse:
    return _page(request, "message.html", 410, heading="Enlace no válido", message=message, css="error")


@router.get("/onboarding/{token}", response_class=HTMLResponse)
def onboarding(token: str, request: Request, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    try:
        claims = jwt.decode(token, derive_key(settings.secret(), "onboarding"), algorithms=["HS256"])
    except jwt.PyJWTError:
        return _gone(request, "Este enlace de configuración venció o no es válido. Pide uno nuevo.")
    team = session.get(Team, claims.get("team"))
    if team is None or claims.get("typ") != "onboarding" or claims.get("nonce") != team.onboarding_nonce:
        return _gone(request, "Este enlace fue reemplazado por uno más reciente o ya no es válido.")
    expires = datetime.fromtimestamp(int(claims["exp"]), UTC).strftime("%d/%m/%Y %H:%M UTC")
    brand = team.brand or {}
    return _page(request, "onboarding.html", team=team, sat=team.sat or {}, expires=expires,
                 brand_name=brand.get("alias") or team.legal_name, primary=brand.get("primary_color") or "#0F5BD8")


@router.get("/login/{token}", response_class=HTMLResponse)
def login_form(token: str, request: Request, session: SessionDep) -> HTMLResponse:
    """A button that signs in: opening the link writes nothing, so a scanner that follows it does not spend it."""
    user = user_service.peek(session, token, "login")
    if user is None:
        return _gone(request, "Este enlace de acceso ya se usó o venció.")
    return _page(request, "login.html", email=user.email)


@router.post("/login/{token}", response_class=HTMLResponse)
def login(token: str, request: Request, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    user = user_service.consume(session, token, "login")
    if user is None:
        return _gone(request, "Este enlace de acceso ya se usó o venció.")
    user.last_login = now_ms()
    cookie = jwt.encode({"sub": user.id, "exp": datetime.now(UTC).timestamp() + 12 * 3600},
                        derive_key(settings.secret(), "portal-session"), algorithm="HS256")
    response = _page(request, "message.html", heading="Sesión iniciada",
                     message=f"Entraste como {user.email}.", css="done")
    response.set_cookie(SESSION_COOKIE, cookie, httponly=True, samesite="lax", max_age=12 * 3600,
                        secure=settings.public_url.startswith("https"))
    return response


@router.get("/reset-password/{token}", response_class=HTMLResponse)
def reset_form(token: str, request: Request, session: SessionDep) -> HTMLResponse:
    user = user_service.peek(session, token, "reset")
    if user is None:
        return _gone(request, "Este enlace para cambiar la contraseña ya se usó o venció.")
    return _page(request, "reset_password.html", email=user.email, min_length=MIN_PASSWORD)


@router.post("/reset-password/{token}", response_class=HTMLResponse)
def reset_submit(token: str, request: Request, session: SessionDep,
                 password: Annotated[str, Form(max_length=200)] = "") -> HTMLResponse:
    user = user_service.peek(session, token, "reset")
    if user is None:
        return _gone(request, "Este enlace para cambiar la contraseña ya se usó o venció.")
    try:
        user_service.set_password(session, user, password)
    except BadRequest as exc:
        return _page(request, "reset_password.html", 400, email=user.email, min_length=MIN_PASSWORD,
                     error=exc.detail)
    user_service.consume(session, token, "reset")
    return _page(request, "message.html", heading="Contraseña actualizada",
                 message="Tu contraseña quedó guardada. Ya puedes cerrar esta página.", css="done")
