"""Users whose password an administrator chose (a new member's initial password, `gainshare admin create-user`)
must change it at their next sign-in: users.password_change_required, false for every existing user.

Revision ID: 0005_password_change
Revises: 0004_system_administrators
Created: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_password_change"
down_revision = "0004_system_administrators"
branch_labels = None
depends_on = None


def upgrade() -> None:
    column: sa.Column[bool] = sa.Column(
        "password_change_required", sa.Boolean(), nullable=False, server_default=sa.false()
    )
    op.add_column("users", column)


def downgrade() -> None:
    op.drop_column("users", "password_change_required")  # SQLite 3.35 or newer drops a column in place
