"""System administrators: users who administer every organisation and alone create organisations (migration
0004_system_administrators must agree: a test checks). A row is added by a trusted setup command
(`gainshare admin create-user --system-administrator`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from gainshare.adapters.sql.tables import Base, Id, UtcDateTime


class SystemAdministratorRow(Base):
    __tablename__ = "system_administrators"

    user_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id"), primary_key=True, autoincrement=False)
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime())
