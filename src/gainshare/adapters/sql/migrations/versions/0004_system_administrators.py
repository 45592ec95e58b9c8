"""System administrators: users who administer every organisation and alone create organisations.

Revision ID: 0004_system_administrators
Revises: 0003_incentives
Created: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_system_administrators"
down_revision = "0003_incentives"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "system_administrators",
        sa.Column(
            "user_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey("users.id"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("system_administrators")
