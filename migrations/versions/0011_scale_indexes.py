"""indexes for large tenants: every documented list filter, and trigram search on PostgreSQL (issue 15)

Each list is `WHERE team_id, livemode [, invoice_type] [, <filter>] ORDER BY created_at DESC, id`: a composite
index per filter answers the page from the index in order. `/search` is `search_text LIKE '%word%'`: on
PostgreSQL a pg_trgm GIN index serves it (SQLite has no equivalent and scans the team's rows).

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCOPED = {
    "ix_invoices_scope_status": ("invoices", ["team_id", "livemode", "invoice_type", "status", "created_at", "id"]),
    "ix_invoices_scope_client": ("invoices", ["team_id", "livemode", "invoice_type", "client_id", "created_at", "id"]),
    "ix_invoices_scope_series": ("invoices", ["team_id", "livemode", "invoice_type", "series", "created_at", "id"]),
    "ix_invoices_scope_method": ("invoices", ["team_id", "livemode", "invoice_type", "payment_method", "created_at", "id"]),
    "ix_invoices_scope_created": ("invoices", ["team_id", "livemode", "created_at", "id"]),
    "ix_clients_scope_created": ("clients", ["team_id", "livemode", "created_at", "id"]),
    "ix_payments_scope_created": ("payments", ["team_id", "livemode", "created_at", "id"]),
    "ix_payments_scope_client": ("payments", ["team_id", "livemode", "client_id", "created_at", "id"]),
    "ix_payments_scope_currency": ("payments", ["team_id", "livemode", "currency", "created_at", "id"]),
}
TRIGRAM = {"ix_invoices_search_trgm": "invoices", "ix_clients_search_trgm": "clients",
           "ix_payments_search_trgm": "payments"}


def upgrade() -> None:
    for name, (table, columns) in SCOPED.items():
        op.create_index(name, table, columns)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table in TRIGRAM.items():
            op.execute(f"CREATE INDEX {name} ON {table} USING gin (search_text gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in TRIGRAM:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    for name, (table, _columns) in SCOPED.items():
        op.drop_index(name, table_name=table)
