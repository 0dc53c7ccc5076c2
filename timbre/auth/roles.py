"""Roles: viewer reads, editor also creates and edits, admin also manages members, keys and settings."""

from enum import StrEnum


class Role(StrEnum):
    viewer = "viewer"
    editor = "editor"
    admin = "admin"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def allows(self, required: "Role") -> bool:
        return self.rank >= required.rank


_RANK = {Role.viewer: 0, Role.editor: 1, Role.admin: 2}
