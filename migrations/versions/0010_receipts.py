"""receipts (issue 9)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from timbre.models.types import ExactDecimal

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('receipts',
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('series', sa.String(length=10), nullable=False),
    sa.Column('folio_number', sa.BigInteger(), nullable=False),
    sa.Column('client_id', sa.String(length=40), nullable=True),
    sa.Column('client', sa.JSON(), nullable=True),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('exchange_rate', ExactDecimal(24, 6), nullable=True),
    sa.Column('subtotal', ExactDecimal(24, 6), nullable=False),
    sa.Column('discount', ExactDecimal(24, 6), nullable=False),
    sa.Column('taxes', ExactDecimal(24, 6), nullable=False),
    sa.Column('taxes_withheld', ExactDecimal(24, 6), nullable=False),
    sa.Column('total', ExactDecimal(24, 6), nullable=False),
    sa.Column('payment_form', sa.String(length=2), nullable=False),
    sa.Column('periodicity', sa.String(length=12), nullable=False),
    sa.Column('valid_until', sa.BigInteger(), nullable=False),
    sa.Column('invoice_id', sa.String(length=40), nullable=True),
    sa.Column('global_invoice_id', sa.String(length=40), nullable=True),
    sa.Column('invoiced_at', sa.BigInteger(), nullable=True),
    sa.Column('cancelled_at', sa.BigInteger(), nullable=True),
    sa.Column('payment_id', sa.String(length=40), nullable=True),
    sa.Column('invoice_config', sa.JSON(), nullable=True),
    sa.Column('history', sa.JSON(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=255), nullable=True),
    sa.Column('metadata', sa.JSON(), nullable=False),
    sa.Column('owner_id', sa.String(length=40), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('team_id', sa.String(length=40), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_receipts_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_receipts_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_receipts_global_invoice_id'), ['global_invoice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_receipts_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_receipts_livemode'), ['livemode'], unique=False)
        batch_op.create_index(batch_op.f('ix_receipts_payment_id'), ['payment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_receipts_team_id'), ['team_id'], unique=False)
        batch_op.create_index('ix_receipts_scope_status', ['team_id', 'livemode', 'status', 'created_at'], unique=False)
        batch_op.create_index('uq_receipts_folio', ['team_id', 'livemode', 'series', 'folio_number'], unique=True)
        batch_op.create_index('uq_receipts_idempotency', ['team_id', 'livemode', 'idempotency_key'], unique=True,
                              sqlite_where=sa.text('idempotency_key IS NOT NULL'),
                              postgresql_where=sa.text('idempotency_key IS NOT NULL'))


def downgrade() -> None:
    op.drop_table('receipts')
