"""indexes for large tenants, continued: metadata filters and the two payment filters 0011 left out (issue 15)

`metadata.<key>=<value>` filters ask `CAST(metadata AS jsonb) @> {"key": value}` on PostgreSQL
(`kit.jsonfilter`): a GIN index on that expression answers them without reading the team's rows (the column
stays `json`, so the documents keep their key order). SQLite has no such index and reads the team's rows.
Payments listed by e-mail or RFC get one composite index each, in the lists' order.

Revision ID: 0015
Revises: 0012
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCOPED = {
    "ix_payments_scope_email": ("payments", ["team_id", "livemode", "client_email", "created_at", "id"]),
    "ix_payments_scope_tax_id": ("payments", ["team_id", "livemode", "client_tax_id", "created_at", "id"]),
}
METADATA = {"ix_invoices_metadata_gin": "invoices", "ix_clients_metadata_gin": "clients",
            "ix_payments_metadata_gin": "payments"}


def upgrade() -> None:
    for name, (table, columns) in SCOPED.items():
        op.create_index(name, table, columns)
    if op.get_bind().dialect.name == "postgresql":
        for name, table in METADATA.items():
            op.execute(f"CREATE INDEX {name} ON {table} USING gin ((metadata::jsonb) jsonb_path_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in METADATA:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    for name, (table, _columns) in SCOPED.items():
        op.drop_index(name, table_name=table)
