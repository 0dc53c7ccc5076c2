"""payments, drafts and payment complements (issue 5)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 01:25:43.638319
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from timbre.models.types import ExactDecimal

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('invoice_drafts',
    sa.Column('invoice_type', sa.String(length=1), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('client_id', sa.String(length=60), nullable=True),
    sa.Column('invoice_id', sa.String(length=40), nullable=True),
    sa.Column('errors', sa.JSON(), nullable=True),
    sa.Column('preview_key', sa.String(length=500), nullable=True),
    sa.Column('owner_id', sa.String(length=40), nullable=True),
    sa.Column('team_id', sa.String(length=40), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('invoice_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoice_drafts_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoice_drafts_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoice_drafts_livemode'), ['livemode'], unique=False)
        batch_op.create_index('ix_invoice_drafts_scope', ['team_id', 'livemode', 'status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoice_drafts_team_id'), ['team_id'], unique=False)

    op.create_table('payment_complement_documents',
    sa.Column('complement_id', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.String(length=40), nullable=False),
    sa.Column('invoice_uuid', sa.String(length=36), nullable=False),
    sa.Column('installment', sa.Integer(), nullable=False),
    sa.Column('previous_balance', ExactDecimal(24, 6), nullable=False),
    sa.Column('amount', ExactDecimal(24, 6), nullable=False),
    sa.Column('balance', ExactDecimal(24, 6), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('equivalence', ExactDecimal(30, 10), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('team_id', sa.String(length=40), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('payment_complement_documents', schema=None) as batch_op:
        batch_op.create_index('ix_complement_documents_invoice', ['invoice_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_complement_documents_complement_id'), ['complement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_complement_documents_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_complement_documents_livemode'), ['livemode'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_complement_documents_team_id'), ['team_id'], unique=False)

    op.create_table('payment_complements',
    sa.Column('invoice_id', sa.String(length=40), nullable=False),
    sa.Column('payment_id', sa.String(length=40), nullable=True),
    sa.Column('paid_at', sa.String(length=19), nullable=False),
    sa.Column('payment_form', sa.String(length=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('exchange_rate', ExactDecimal(24, 6), nullable=False),
    sa.Column('amount', ExactDecimal(24, 6), nullable=False),
    sa.Column('operation_number', sa.String(length=100), nullable=True),
    sa.Column('bank', sa.JSON(), nullable=False),
    sa.Column('team_id', sa.String(length=40), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('invoice_id')
    )
    with op.batch_alter_table('payment_complements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_complements_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_complements_livemode'), ['livemode'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_complements_payment_id'), ['payment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_complements_team_id'), ['team_id'], unique=False)

    op.create_table('payments',
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('client_id', sa.String(length=40), nullable=True),
    sa.Column('client', sa.JSON(), nullable=False),
    sa.Column('client_email', sa.String(length=320), nullable=True),
    sa.Column('client_tax_id', sa.String(length=20), nullable=True),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('exchange_rate', ExactDecimal(24, 6), nullable=True),
    sa.Column('subtotal', ExactDecimal(24, 6), nullable=False),
    sa.Column('discount', ExactDecimal(24, 6), nullable=False),
    sa.Column('taxes', ExactDecimal(24, 6), nullable=False),
    sa.Column('taxes_withheld', ExactDecimal(24, 6), nullable=False),
    sa.Column('total', ExactDecimal(24, 6), nullable=False),
    sa.Column('amount_refunded', ExactDecimal(24, 6), nullable=False),
    sa.Column('payment_form', sa.String(length=2), nullable=True),
    sa.Column('operation_number', sa.String(length=100), nullable=True),
    sa.Column('payment_processor', sa.String(length=20), nullable=False),
    sa.Column('allowed_payment_methods', sa.JSON(), nullable=False),
    sa.Column('link_token', sa.String(length=40), nullable=True),
    sa.Column('automation_type', sa.String(length=40), nullable=False),
    sa.Column('automation_status', sa.String(length=20), nullable=False),
    sa.Column('automation_error', sa.JSON(), nullable=True),
    sa.Column('invoice_id', sa.String(length=40), nullable=True),
    sa.Column('complement_id', sa.String(length=40), nullable=True),
    sa.Column('ppd_invoice_id', sa.String(length=40), nullable=True),
    sa.Column('receipt', sa.JSON(), nullable=True),
    sa.Column('refunds', sa.JSON(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=255), nullable=True),
    sa.Column('metadata', sa.JSON(), nullable=False),
    sa.Column('emails', sa.JSON(), nullable=False),
    sa.Column('send_email', sa.Boolean(), nullable=False),
    sa.Column('payer_notice', sa.JSON(), nullable=True),
    sa.Column('succeeded_at', sa.BigInteger(), nullable=True),
    sa.Column('cancelled_at', sa.BigInteger(), nullable=True),
    sa.Column('refunded_at', sa.BigInteger(), nullable=True),
    sa.Column('owner_id', sa.String(length=40), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('team_id', sa.String(length=40), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('link_token')
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index('ix_payments_automation', ['automation_status', 'updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_livemode'), ['livemode'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_ppd_invoice_id'), ['ppd_invoice_id'], unique=False)
        batch_op.create_index('ix_payments_scope_status', ['team_id', 'livemode', 'status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_team_id'), ['team_id'], unique=False)
        batch_op.create_index('uq_payments_idempotency', ['team_id', 'livemode', 'idempotency_key'], unique=True, sqlite_where=sa.text('idempotency_key IS NOT NULL'), postgresql_where=sa.text('idempotency_key IS NOT NULL'))



def downgrade() -> None:
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index('uq_payments_idempotency', sqlite_where=sa.text('idempotency_key IS NOT NULL'), postgresql_where=sa.text('idempotency_key IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_payments_team_id'))
        batch_op.drop_index('ix_payments_scope_status')
        batch_op.drop_index(batch_op.f('ix_payments_ppd_invoice_id'))
        batch_op.drop_index(batch_op.f('ix_payments_livemode'))
        batch_op.drop_index(batch_op.f('ix_payments_invoice_id'))
        batch_op.drop_index(batch_op.f('ix_payments_created_at'))
        batch_op.drop_index(batch_op.f('ix_payments_client_id'))
        batch_op.drop_index('ix_payments_automation')

    op.drop_table('payments')
    with op.batch_alter_table('payment_complements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_complements_team_id'))
        batch_op.drop_index(batch_op.f('ix_payment_complements_payment_id'))
        batch_op.drop_index(batch_op.f('ix_payment_complements_livemode'))
        batch_op.drop_index(batch_op.f('ix_payment_complements_created_at'))

    op.drop_table('payment_complements')
    with op.batch_alter_table('payment_complement_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_complement_documents_team_id'))
        batch_op.drop_index(batch_op.f('ix_payment_complement_documents_livemode'))
        batch_op.drop_index(batch_op.f('ix_payment_complement_documents_created_at'))
        batch_op.drop_index(batch_op.f('ix_payment_complement_documents_complement_id'))
        batch_op.drop_index('ix_complement_documents_invoice')

    op.drop_table('payment_complement_documents')
    with op.batch_alter_table('invoice_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoice_drafts_team_id'))
        batch_op.drop_index('ix_invoice_drafts_scope')
        batch_op.drop_index(batch_op.f('ix_invoice_drafts_livemode'))
        batch_op.drop_index(batch_op.f('ix_invoice_drafts_created_at'))
        batch_op.drop_index(batch_op.f('ix_invoice_drafts_client_id'))

    op.drop_table('invoice_drafts')
