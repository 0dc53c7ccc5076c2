"""SAT mirror: mirrored CFDI, download settings, runs, requests and packages (issue 12)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 11:23:37.632928
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from timbre.models.types import ExactDecimal

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('sat_download_runs',
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('rfc', sa.String(length=13), nullable=False),
    sa.Column('directions', sa.JSON(), nullable=False),
    sa.Column('window_start', sa.String(length=19), nullable=False),
    sa.Column('window_end', sa.String(length=19), nullable=False),
    sa.Column('lease_until', sa.BigInteger(), nullable=False),
    sa.Column('imported', sa.Integer(), nullable=False),
    sa.Column('message', sa.String(length=500), nullable=True),
    sa.Column('owner_id', sa.String(length=40), nullable=True),
    sa.Column('completed_at', sa.BigInteger(), nullable=True),
    sa.Column('team_id', sa.String(length=40), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sat_download_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sat_download_runs_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sat_download_runs_livemode'), ['livemode'], unique=False)
        batch_op.create_index('ix_sat_download_runs_status', ['status', 'lease_until'], unique=False)
        batch_op.create_index(batch_op.f('ix_sat_download_runs_team_id'), ['team_id'], unique=False)

    op.create_table('sat_invoices',
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('invoice_type', sa.String(length=1), nullable=False),
    sa.Column('version', sa.String(length=4), nullable=True),
    sa.Column('issuer_rfc', sa.String(length=13), nullable=False),
    sa.Column('issuer_name', sa.String(length=300), nullable=True),
    sa.Column('receiver_rfc', sa.String(length=13), nullable=False),
    sa.Column('receiver_name', sa.String(length=300), nullable=True),
    sa.Column('pac_rfc', sa.String(length=13), nullable=True),
    sa.Column('total', ExactDecimal(24, 6), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('issued_at', sa.BigInteger(), nullable=False),
    sa.Column('certified_at', sa.BigInteger(), nullable=True),
    sa.Column('cancelled_at', sa.BigInteger(), nullable=True),
    sa.Column('resource_status', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('verification', sa.JSON(), nullable=True),
    sa.Column('xml', sa.LargeBinary(), nullable=True),
    sa.Column('team_id', sa.String(length=40), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sat_invoices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sat_invoices_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_sat_invoices_direction', ['team_id', 'livemode', 'direction', 'issued_at', 'id'], unique=False)
        batch_op.create_index('ix_sat_invoices_list', ['team_id', 'livemode', 'issued_at', 'id'], unique=False)
        batch_op.create_index('ix_sat_invoices_issuer', ['team_id', 'livemode', 'issuer_rfc', 'issued_at', 'id'],
                              unique=False)
        batch_op.create_index('ix_sat_invoices_receiver', ['team_id', 'livemode', 'receiver_rfc', 'issued_at', 'id'],
                              unique=False)
        batch_op.create_index('ix_sat_invoices_status', ['team_id', 'livemode', 'status', 'direction', 'issued_at',
                                                         'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sat_invoices_livemode'), ['livemode'], unique=False)
        batch_op.create_index(batch_op.f('ix_sat_invoices_team_id'), ['team_id'], unique=False)
        batch_op.create_index('uq_sat_invoices_uuid', ['team_id', 'livemode', 'uuid'], unique=True)

    op.create_table('sat_mirror_settings',
    sa.Column('activated', sa.Boolean(), nullable=False),
    sa.Column('activated_at', sa.BigInteger(), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('time', sa.String(length=5), nullable=False),
    sa.Column('download_types', sa.JSON(), nullable=False),
    sa.Column('days_back', sa.Integer(), nullable=False),
    sa.Column('sync_start_date', sa.String(length=10), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('registered_at', sa.BigInteger(), nullable=True),
    sa.Column('last_scheduled_on', sa.String(length=10), nullable=True),
    sa.Column('team_id', sa.String(length=40), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sat_mirror_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sat_mirror_settings_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sat_mirror_settings_livemode'), ['livemode'], unique=False)
        batch_op.create_index(batch_op.f('ix_sat_mirror_settings_team_id'), ['team_id'], unique=False)
        batch_op.create_index('uq_sat_mirror_settings_team', ['team_id', 'livemode'], unique=True)

    op.create_table('sat_download_requests',
    sa.Column('run_id', sa.String(length=40), nullable=False),
    sa.Column('parent_id', sa.String(length=40), nullable=True),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('window_start', sa.String(length=19), nullable=False),
    sa.Column('window_end', sa.String(length=19), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('sat_request_id', sa.String(length=64), nullable=True),
    sa.Column('code', sa.String(length=8), nullable=True),
    sa.Column('message', sa.String(length=500), nullable=True),
    sa.Column('cfdi_count', sa.Integer(), nullable=False),
    sa.Column('processed', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('package_ids', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('owner_id', sa.String(length=40), nullable=True),
    sa.Column('earliest_issue', sa.BigInteger(), nullable=True),
    sa.Column('latest_issue', sa.BigInteger(), nullable=True),
    sa.Column('completed_at', sa.BigInteger(), nullable=True),
    sa.Column('team_id', sa.String(length=40), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['sat_download_runs.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sat_download_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sat_download_requests_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_sat_download_requests_history', ['team_id', 'livemode', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sat_download_requests_livemode'), ['livemode'], unique=False)
        batch_op.create_index('ix_sat_download_requests_run', ['run_id', 'sequence'], unique=False)
        batch_op.create_index(batch_op.f('ix_sat_download_requests_team_id'), ['team_id'], unique=False)

    op.create_table('sat_download_packages',
    sa.Column('request_id', sa.String(length=40), nullable=False),
    sa.Column('package_id', sa.String(length=80), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('imported', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=True),
    sa.Column('message', sa.String(length=500), nullable=True),
    sa.Column('team_id', sa.String(length=40), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['sat_download_requests.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sat_download_packages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sat_download_packages_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sat_download_packages_livemode'), ['livemode'], unique=False)
        batch_op.create_index(batch_op.f('ix_sat_download_packages_team_id'), ['team_id'], unique=False)
        batch_op.create_index('uq_sat_download_packages', ['request_id', 'package_id'], unique=True)




def downgrade() -> None:

    with op.batch_alter_table('sat_download_packages', schema=None) as batch_op:
        batch_op.drop_index('uq_sat_download_packages')
        batch_op.drop_index(batch_op.f('ix_sat_download_packages_team_id'))
        batch_op.drop_index(batch_op.f('ix_sat_download_packages_livemode'))
        batch_op.drop_index(batch_op.f('ix_sat_download_packages_created_at'))

    op.drop_table('sat_download_packages')
    with op.batch_alter_table('sat_download_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sat_download_requests_team_id'))
        batch_op.drop_index('ix_sat_download_requests_run')
        batch_op.drop_index(batch_op.f('ix_sat_download_requests_livemode'))
        batch_op.drop_index('ix_sat_download_requests_history')
        batch_op.drop_index(batch_op.f('ix_sat_download_requests_created_at'))

    op.drop_table('sat_download_requests')
    with op.batch_alter_table('sat_mirror_settings', schema=None) as batch_op:
        batch_op.drop_index('uq_sat_mirror_settings_team')
        batch_op.drop_index(batch_op.f('ix_sat_mirror_settings_team_id'))
        batch_op.drop_index(batch_op.f('ix_sat_mirror_settings_livemode'))
        batch_op.drop_index(batch_op.f('ix_sat_mirror_settings_created_at'))

    op.drop_table('sat_mirror_settings')
    with op.batch_alter_table('sat_invoices', schema=None) as batch_op:
        batch_op.drop_index('uq_sat_invoices_uuid')
        batch_op.drop_index(batch_op.f('ix_sat_invoices_team_id'))
        batch_op.drop_index(batch_op.f('ix_sat_invoices_livemode'))
        batch_op.drop_index('ix_sat_invoices_status')
        batch_op.drop_index('ix_sat_invoices_receiver')
        batch_op.drop_index('ix_sat_invoices_issuer')
        batch_op.drop_index('ix_sat_invoices_list')
        batch_op.drop_index('ix_sat_invoices_direction')
        batch_op.drop_index(batch_op.f('ix_sat_invoices_created_at'))

    op.drop_table('sat_invoices')
    with op.batch_alter_table('sat_download_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sat_download_runs_team_id'))
        batch_op.drop_index('ix_sat_download_runs_status')
        batch_op.drop_index(batch_op.f('ix_sat_download_runs_livemode'))
        batch_op.drop_index(batch_op.f('ix_sat_download_runs_created_at'))

    op.drop_table('sat_download_runs')

