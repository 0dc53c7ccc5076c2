"""invoices and CSDs (issue 4)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 01:10:51.845720
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from timbre.models.types import ExactDecimal

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('csds',
    sa.Column('rfc', sa.String(length=13), nullable=False),
    sa.Column('legal_name', sa.String(length=300), nullable=False),
    sa.Column('no_certificado', sa.String(length=40), nullable=False),
    sa.Column('cer', sa.LargeBinary(), nullable=False),
    sa.Column('key_encrypted', sa.LargeBinary(), nullable=False),
    sa.Column('not_before', sa.BigInteger(), nullable=False),
    sa.Column('not_after', sa.BigInteger(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('team_id', sa.String(length=40), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('csds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_csds_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_csds_livemode'), ['livemode'], unique=False)
        batch_op.create_index(batch_op.f('ix_csds_no_certificado'), ['no_certificado'], unique=False)
        batch_op.create_index('ix_csds_scope_active', ['team_id', 'livemode', 'active'], unique=False)
        batch_op.create_index(batch_op.f('ix_csds_team_id'), ['team_id'], unique=False)

    op.create_table('invoices',
    sa.Column('invoice_type', sa.String(length=1), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=True),
    sa.Column('series', sa.String(length=10), nullable=False),
    sa.Column('folio_number', sa.BigInteger(), nullable=False),
    sa.Column('client_id', sa.String(length=40), nullable=True),
    sa.Column('client', sa.JSON(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('exchange_rate', ExactDecimal(24, 6), nullable=True),
    sa.Column('subtotal', ExactDecimal(24, 6), nullable=False),
    sa.Column('discount', ExactDecimal(24, 6), nullable=False),
    sa.Column('taxes_transferred', ExactDecimal(24, 6), nullable=False),
    sa.Column('taxes_withheld', ExactDecimal(24, 6), nullable=False),
    sa.Column('total', ExactDecimal(24, 6), nullable=False),
    sa.Column('last_balance', ExactDecimal(24, 6), nullable=True),
    sa.Column('payment_form', sa.String(length=2), nullable=True),
    sa.Column('payment_method', sa.String(length=3), nullable=True),
    sa.Column('use', sa.String(length=4), nullable=True),
    sa.Column('exports', sa.String(length=2), nullable=False),
    sa.Column('automation_type', sa.String(length=40), nullable=False),
    sa.Column('related_documents', sa.JSON(), nullable=False),
    sa.Column('related_text', sa.Text(), nullable=False),
    sa.Column('global', sa.JSON(), nullable=True),
    sa.Column('pdf_notes', sa.Text(), nullable=True),
    sa.Column('metadata', sa.JSON(), nullable=False),
    sa.Column('issued_at', sa.String(length=19), nullable=False),
    sa.Column('csd_id', sa.String(length=40), nullable=True),
    sa.Column('no_certificado', sa.String(length=40), nullable=True),
    sa.Column('xml', sa.LargeBinary(), nullable=True),
    sa.Column('pac', sa.String(length=20), nullable=False),
    sa.Column('stamp', sa.JSON(), nullable=True),
    sa.Column('error', sa.JSON(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('cancellation_status', sa.String(length=20), nullable=True),
    sa.Column('cancellation', sa.JSON(), nullable=True),
    sa.Column('acuse_xml', sa.LargeBinary(), nullable=True),
    sa.Column('owner_id', sa.String(length=40), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('stamped_at', sa.BigInteger(), nullable=True),
    sa.Column('team_id', sa.String(length=40), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uuid')
    )
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoices_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoices_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoices_livemode'), ['livemode'], unique=False)
        batch_op.create_index('ix_invoices_scope_type', ['team_id', 'livemode', 'invoice_type', 'created_at'], unique=False)
        batch_op.create_index('ix_invoices_status', ['status', 'updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoices_team_id'), ['team_id'], unique=False)
        batch_op.create_index('uq_invoices_folio', ['team_id', 'livemode', 'invoice_type', 'series', 'folio_number'], unique=True, sqlite_where=sa.text("status != 'failed'"), postgresql_where=sa.text("status != 'failed'"))



def downgrade() -> None:
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index('uq_invoices_folio', sqlite_where=sa.text("status != 'failed'"), postgresql_where=sa.text("status != 'failed'"))
        batch_op.drop_index(batch_op.f('ix_invoices_team_id'))
        batch_op.drop_index('ix_invoices_status')
        batch_op.drop_index('ix_invoices_scope_type')
        batch_op.drop_index(batch_op.f('ix_invoices_livemode'))
        batch_op.drop_index(batch_op.f('ix_invoices_created_at'))
        batch_op.drop_index(batch_op.f('ix_invoices_client_id'))

    op.drop_table('invoices')
    with op.batch_alter_table('csds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_csds_team_id'))
        batch_op.drop_index('ix_csds_scope_active')
        batch_op.drop_index(batch_op.f('ix_csds_no_certificado'))
        batch_op.drop_index(batch_op.f('ix_csds_livemode'))
        batch_op.drop_index(batch_op.f('ix_csds_created_at'))

    op.drop_table('csds')
