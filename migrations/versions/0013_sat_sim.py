"""the simulated SAT's state (test mode): Descarga Masiva requests and packages, cancellation requests; SAT's
last status answer on invoices and the index of the cancellation poll (issue 12)

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _record(name: str, *columns: sa.Column) -> None:  # type: ignore[type-arg]
    op.create_table(name,
    *columns,
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id'))
    op.create_index(op.f(f'ix_{name}_created_at'), name, ['created_at'], unique=False)


def upgrade() -> None:
    _record('sat_sim_requests',
    sa.Column('rfc', sa.String(length=13), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('start', sa.String(length=19), nullable=False),
    sa.Column('end', sa.String(length=19), nullable=False),
    sa.Column('query_key', sa.String(length=64), nullable=False),
    sa.Column('state', sa.Integer(), nullable=False),
    sa.Column('request_code', sa.String(length=5), nullable=False),
    sa.Column('verifications', sa.Integer(), nullable=False),
    sa.Column('cfdi_count', sa.Integer(), nullable=False),
    sa.Column('package_ids', sa.JSON(), nullable=False))
    op.create_index(op.f('ix_sat_sim_requests_rfc'), 'sat_sim_requests', ['rfc'], unique=False)
    op.create_index(op.f('ix_sat_sim_requests_query_key'), 'sat_sim_requests', ['query_key'], unique=False)
    _record('sat_sim_packages',
    sa.Column('request_id', sa.String(length=40), nullable=False),
    sa.Column('uuids', sa.JSON(), nullable=False),
    sa.Column('downloads', sa.Integer(), nullable=False))
    op.create_index(op.f('ix_sat_sim_packages_request_id'), 'sat_sim_packages', ['request_id'], unique=False)
    _record('sat_sim_cancellations',
    sa.Column('issuer_rfc', sa.String(length=13), nullable=False),
    sa.Column('receiver_rfc', sa.String(length=13), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('requested_at', sa.BigInteger(), nullable=False),
    sa.Column('answered_at', sa.BigInteger(), nullable=True))
    op.create_index(op.f('ix_sat_sim_cancellations_receiver_rfc'), 'sat_sim_cancellations', ['receiver_rfc'],
                    unique=False)
    op.add_column('invoices', sa.Column('sat_status', sa.JSON(), nullable=True))
    op.create_index('ix_invoices_cancellation_status', 'invoices', ['cancellation_status', 'updated_at'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_invoices_cancellation_status', table_name='invoices')
    with op.batch_alter_table('invoices') as batch:
        batch.drop_column('sat_status')
    op.drop_table('sat_sim_cancellations')
    op.drop_table('sat_sim_packages')
    op.drop_table('sat_sim_requests')
