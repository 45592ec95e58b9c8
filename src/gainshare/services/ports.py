"""What the services need from the outside world, as Protocols the adapters implement."""

from __future__ import annotations

from typing import Protocol

from gainshare.domain.agreement import Agreement
from gainshare.domain.figures import Figures


class AgreementReader(Protocol):
    def load(self, location: str) -> Agreement:
        """The agreement at a location; raises InvalidInputError with every problem."""
        ...


class FiguresReader(Protocol):
    def load(self, location: str) -> Figures:
        """The figures at a location; raises InvalidInputError with every problem."""
        ...
