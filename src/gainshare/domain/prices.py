"""Prices: national (NHS Payment Scheme / National Tariff) and local out-of-hospital prices."""

from __future__ import annotations

from dataclasses import dataclass

from gainshare.domain.money import Money


@dataclass(frozen=True, slots=True)
class AttendancePrice:
    """Outpatient attendance prices for one treatment function (TFC). None where the workbook has no price."""

    treatment_function: str
    name: str
    first_single: Money | None
    first_multi: Money | None
    follow_up_single: Money | None
    follow_up_multi: Money | None


@dataclass(frozen=True, slots=True)
class ProcedurePrice:
    """The outpatient procedure price of one HRG."""

    hrg: str
    name: str
    price: Money


@dataclass(frozen=True, slots=True)
class LocalPrice:
    """What the commissioner pays per unit of an out-of-hospital service."""

    service_line: str
    unit: str
    price: Money


@dataclass(frozen=True, slots=True)
class NationalPrices:
    attendances: tuple[AttendancePrice, ...]
    procedures: tuple[ProcedurePrice, ...]
    source: str = ""

    def attendance(self, treatment_function: str) -> AttendancePrice | None:
        return next((p for p in self.attendances if p.treatment_function == treatment_function), None)

    def procedure(self, hrg: str) -> ProcedurePrice | None:
        return next((p for p in self.procedures if p.hrg == hrg), None)
