"""Column types shared by several tables."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Numeric, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


class ExactDecimal(TypeDecorator[Decimal]):
    """A Decimal stored exactly: NUMERIC on PostgreSQL, text on SQLite.

    SQLite has no decimal type and SQLAlchemy binds its NUMERIC through a float, which loses digits
    beyond the 15th; money must round-trip unchanged on both databases.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int = 24, scale: int = 6) -> None:
        super().__init__()
        self.precision = precision
        self.scale = scale

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(self.precision + 2))
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal | int) or isinstance(value, bool):
            raise TypeError(f"ExactDecimal takes Decimal or int, not {type(value).__name__}")
        number = Decimal(value)
        return format(number, "f") if dialect.name == "sqlite" else number

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(str(value))
