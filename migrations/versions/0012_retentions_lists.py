"""retentions (CFDI de Retenciones 2.0) and SAT's taxpayer lists (issue 11)

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from timbre.models.types import ExactDecimal

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('retentions',
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=True),
    sa.Column('retention_key', sa.String(length=2), nullable=False),
    sa.Column('description', sa.String(length=100), nullable=True),
    sa.Column('series', sa.String(length=10), nullable=False),
    sa.Column('folio_number', sa.BigInteger(), nullable=False),
    sa.Column('client_id', sa.String(length=40), nullable=True),
    sa.Column('issuer', sa.JSON(), nullable=False),
    sa.Column('receiver', sa.JSON(), nullable=False),
    sa.Column('period', sa.JSON(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('exchange_rate', ExactDecimal(24, 6), nullable=True),
    sa.Column('total_operation', ExactDecimal(24, 6), nullable=False),
    sa.Column('total_taxable', ExactDecimal(24, 6), nullable=False),
    sa.Column('total_exempt', ExactDecimal(24, 6), nullable=False),
    sa.Column('total_retained', ExactDecimal(24, 6), nullable=False),
    sa.Column('taxes', sa.JSON(), nullable=False),
    sa.Column('complement', sa.JSON(), nullable=True),
    sa.Column('issued_at', sa.String(length=19), nullable=False),
    sa.Column('xml', sa.LargeBinary(), nullable=True),
    sa.Column('pac', sa.String(length=20), nullable=False),
    sa.Column('stamp', sa.JSON(), nullable=True),
    sa.Column('error', sa.JSON(), nullable=True),
    sa.Column('cancellation', sa.JSON(), nullable=True),
    sa.Column('acuse_xml', sa.LargeBinary(), nullable=True),
    sa.Column('owner_id', sa.String(length=40), nullable=True),
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
    with op.batch_alter_table('retentions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retentions_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_retentions_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_retentions_livemode'), ['livemode'], unique=False)
        batch_op.create_index(batch_op.f('ix_retentions_team_id'), ['team_id'], unique=False)
        batch_op.create_index('ix_retentions_scope', ['team_id', 'livemode', 'created_at'], unique=False)
        batch_op.create_index('uq_retentions_folio', ['team_id', 'livemode', 'series', 'folio_number'], unique=True)
    op.create_table('sat_list_entries',
    sa.Column('list_key', sa.String(length=40), nullable=False),
    sa.Column('rfc', sa.String(length=13), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('situation', sa.String(length=60), nullable=False),
    sa.Column('person_type', sa.String(length=1), nullable=True),
    sa.Column('published', sa.String(length=200), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('list_key', 'rfc')
    )
    with op.batch_alter_table('sat_list_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sat_list_entries_rfc'), ['rfc'], unique=False)
    op.create_table('sat_list_imports',
    sa.Column('list_key', sa.String(length=40), nullable=False),
    sa.Column('article', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('source_sha256', sa.String(length=64), nullable=False),
    sa.Column('source_title', sa.String(length=500), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('list_key')
    )
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sat_status', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('sat_flagged_at', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_column('sat_flagged_at')
        batch_op.drop_column('sat_status')
    op.drop_table('sat_list_imports')
    op.drop_table('sat_list_entries')
    op.drop_table('retentions')
