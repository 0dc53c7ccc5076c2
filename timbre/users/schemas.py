"""Users API payloads (spec §2.7). Both snake_case and the older camelCase names are accepted."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, Field

from timbre.schemas import Address, Email, Strict


class UserAddress(Address):
    pass


class UserCreate(Strict):
    email: Email
    first_name: str | None = Field(None, max_length=120, validation_alias=AliasChoices("first_name", "firstName"))
    last_name: str | None = Field(None, max_length=120, validation_alias=AliasChoices("last_name", "lastName"))
    phone: str | None = Field(None, max_length=40)
    company_role: str | None = Field(None, max_length=120, validation_alias=AliasChoices("company_role",
                                                                                          "companyRole"))
    address: UserAddress | None = None
    auto_join: bool = False
    role: Literal["admin", "editor", "viewer"] = "viewer"


class UserUpdate(Strict):
    first_name: str | None = Field(None, max_length=120, validation_alias=AliasChoices("first_name", "firstName"))
    last_name: str | None = Field(None, max_length=120, validation_alias=AliasChoices("last_name", "lastName"))
    phone: str | None = Field(None, max_length=40)
    company_role: str | None = Field(None, max_length=120, validation_alias=AliasChoices("company_role",
                                                                                          "companyRole"))
    address: UserAddress | None = None


class PasswordResetRequest(Strict):
    email: Email


class UserTeam(BaseModel):
    team_id: str
    team_name: str
    role: str


class UserOut(BaseModel):
    id: str
    email: str
    name: str
    first_name: str
    last_name: str
    firstName: str
    lastName: str
    phone: str | None
    company_role: str | None
    role: str | None
    address: dict[str, Any]
    teams: list[UserTeam]
    created_at: int
    last_login: int | None
    livemode: bool
    invitation_sent: bool | None = None


class LinkOut(BaseModel):
    url: str
    expires_at: int


class ResetOut(BaseModel):
    email: str
    delivery: Literal["email", "recorded"]
    expires_at: int
