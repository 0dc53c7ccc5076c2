"""exchange rates: Banxico's FIX per currency and day (issue 13)

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-03 08:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from timbre.models.types import ExactDecimal

revision: str = '0007'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('exchange_rates',
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('rate', ExactDecimal(18, 6), nullable=False),
    sa.Column('series', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('currency', 'day')
    )


def downgrade() -> None:
    op.drop_table('exchange_rates')
