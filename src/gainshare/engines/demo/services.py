"""The service lines commonly moved out of hospital, with prices, age-specific rates and seasonality.

Prices are national-price-like (2023-24 levels, whole pence), not the published tariff: hospital prices are
the outpatient, procedure or direct-access price a commissioner pays a trust; hub prices are what a federation
would charge per unit. Codes are treatment function codes (TFC), or DAPS08 (phlebotomy) where the published
direct-access currency is an HRG-like code; they are plausible, illustrative choices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gainshare.engines.demo.reference import AGE_BANDS

_BAND_MIDPOINTS = np.array([index * 5 + 2.5 for index in range(len(AGE_BANDS))], dtype=np.float64)


@dataclass(frozen=True, slots=True)
class ServiceLine:
    id: str
    name: str
    pod: str  # hospital point of delivery
    code: str  # TFC or HRG-like code for patient-level episodes
    hospital_price_pence: int  # in the first financial year; uplifted yearly
    hub_price_pence: int  # agreed out-of-hospital unit cost, fixed for the term
    rate_curve: tuple[tuple[float, float], ...]  # (age, rate per 1,000 patients per year), linear between
    female_factor: float  # multiplier on the rate for women; men get 2 - female_factor
    winter: float  # amplitude of a January peak
    summer: float  # amplitude of a July peak
    holiday_dip: float  # fall in August and December (planned services)
    growth: float  # yearly growth in the rate per patient, beyond list growth
    dispersion: float  # negative binomial shape (smaller: noisier)
    max_shift: float  # share of activity a mature hub takes from hospital
    ramp_months: int  # months from scheme start to the mature share
    induced: float  # extra hub activity per shifted unit (supply-induced demand)

    def rates_per_1000(self) -> NDArray[np.float64]:
        """Yearly rate per 1,000 patients, shape (2 sexes F/M, bands)."""
        ages, rates = zip(*self.rate_curve, strict=True)
        by_band = np.interp(_BAND_MIDPOINTS, np.asarray(ages), np.asarray(rates))
        return np.stack([by_band * self.female_factor, by_band * (2.0 - self.female_factor)])

    def seasonality(self) -> NDArray[np.float64]:
        """Multiplier per calendar month (index 0 = January), averaging 1."""
        month = np.arange(12, dtype=np.float64)
        profile = (
            1.0 + self.winter * np.cos(2 * np.pi * month / 12) + self.summer * np.cos(2 * np.pi * (month - 6) / 12)
        )
        profile[[7, 11]] -= self.holiday_dip
        normalised: NDArray[np.float64] = profile / profile.mean()
        return normalised


SERVICE_LINES: tuple[ServiceLine, ...] = (
    ServiceLine(
        id="anticoag", name="Anticoagulation monitoring", pod="OPFUP", code="324",
        hospital_price_pence=3400, hub_price_pence=2150,
        rate_curve=((0, 0), (30, 0.5), (45, 4), (55, 15), (65, 60), (75, 180), (85, 290), (97, 250)),
        female_factor=0.9, winter=0.03, summer=0.0, holiday_dip=0.03, growth=-0.03, dispersion=60,
        max_shift=0.75, ramp_months=6, induced=0.04,
    ),
    ServiceLine(
        id="joint-injections", name="Joint injections", pod="OPPROC", code="110",
        hospital_price_pence=14200, hub_price_pence=8500,
        rate_curve=((0, 0), (20, 1), (40, 4), (50, 10), (60, 18), (70, 22), (80, 18), (97, 8)),
        female_factor=1.2, winter=0.02, summer=0.0, holiday_dip=0.10, growth=0.02, dispersion=40,
        max_shift=0.55, ramp_months=9, induced=0.10,
    ),
    ServiceLine(
        id="minor-surgery", name="Minor surgery", pod="OPPROC", code="100",
        hospital_price_pence=21000, hub_price_pence=9500,
        rate_curve=((0, 1), (20, 3), (40, 5), (60, 9), (80, 12), (97, 10)),
        female_factor=1.0, winter=0.0, summer=0.05, holiday_dip=0.10, growth=0.01, dispersion=40,
        max_shift=0.45, ramp_months=9, induced=0.08,
    ),
    ServiceLine(
        id="dermatology", name="Dermatology", pod="OPFA", code="330",
        hospital_price_pence=15000, hub_price_pence=8200,
        rate_curve=((0, 8), (20, 15), (40, 18), (60, 28), (80, 35), (97, 30)),
        female_factor=1.1, winter=0.0, summer=0.10, holiday_dip=0.08, growth=0.04, dispersion=30,
        max_shift=0.35, ramp_months=12, induced=0.12,
    ),
    ServiceLine(
        id="ecg", name="ECG", pod="DIAG", code="320",
        hospital_price_pence=3200, hub_price_pence=1800,
        rate_curve=((0, 1), (20, 4), (40, 10), (60, 30), (70, 55), (80, 75), (97, 70)),
        female_factor=0.95, winter=0.08, summer=0.0, holiday_dip=0.04, growth=0.03, dispersion=50,
        max_shift=0.65, ramp_months=6, induced=0.06,
    ),
    ServiceLine(
        id="spirometry", name="Spirometry", pod="DIAG", code="340",
        hospital_price_pence=5800, hub_price_pence=3000,
        rate_curve=((0, 0.5), (20, 3), (40, 7), (60, 14), (70, 18), (80, 12), (97, 5)),
        female_factor=1.0, winter=0.18, summer=0.0, holiday_dip=0.04, growth=0.06, dispersion=40,
        max_shift=0.55, ramp_months=9, induced=0.08,
    ),
    ServiceLine(
        id="abpm", name="24-hour blood pressure monitoring (ABPM)", pod="DIAG", code="320",
        hospital_price_pence=6200, hub_price_pence=2800,
        rate_curve=((0, 0), (20, 0.5), (30, 3), (40, 8), (50, 14), (60, 16), (70, 12), (80, 7), (97, 3)),
        female_factor=1.0, winter=0.02, summer=0.0, holiday_dip=0.05, growth=0.03, dispersion=40,
        max_shift=0.70, ramp_months=6, induced=0.05,
    ),
    ServiceLine(
        id="phlebotomy", name="Phlebotomy", pod="DAPS", code="DAPS08",
        hospital_price_pence=650, hub_price_pence=480,
        rate_curve=((0, 20), (20, 120), (40, 200), (60, 450), (70, 700), (80, 850), (97, 700)),
        female_factor=1.1, winter=0.04, summer=0.0, holiday_dip=0.08, growth=0.03, dispersion=80,
        max_shift=0.60, ramp_months=6, induced=0.03,
    ),
    ServiceLine(
        id="ear-care", name="Ear care (microsuction)", pod="OPFA", code="120",
        hospital_price_pence=12000, hub_price_pence=3500,
        rate_curve=((0, 2), (20, 3), (40, 5), (60, 10), (70, 16), (80, 24), (97, 28)),
        female_factor=0.9, winter=0.12, summer=0.0, holiday_dip=0.05, growth=0.05, dispersion=40,
        max_shift=0.80, ramp_months=6, induced=0.10,
    ),
    ServiceLine(
        id="wound-care", name="Wound care", pod="OPFUP", code="100",
        hospital_price_pence=6500, hub_price_pence=2800,
        rate_curve=((0, 5), (20, 8), (40, 10), (60, 18), (70, 30), (80, 55), (97, 75)),
        female_factor=1.0, winter=0.06, summer=0.0, holiday_dip=0.03, growth=0.02, dispersion=40,
        max_shift=0.55, ramp_months=9, induced=0.06,
    ),
)  # fmt: skip

HUB_POD = "HUB"


def rates_array(lines: tuple[ServiceLine, ...]) -> NDArray[np.float64]:
    """Yearly rates per 1,000, shape (lines, 2 sexes, bands)."""
    return np.stack([line.rates_per_1000() for line in lines])


def seasonality_array(lines: tuple[ServiceLine, ...]) -> NDArray[np.float64]:
    """Monthly multipliers, shape (lines, 12), January first."""
    return np.stack([line.seasonality() for line in lines])


def hospital_prices(lines: tuple[ServiceLine, ...], years: int, net_uplift: float) -> NDArray[np.int64]:
    """Hospital price in whole pence per line and financial year, uplifted by `net_uplift` a year, half-up."""
    base = np.array([line.hospital_price_pence for line in lines], dtype=np.float64)
    factors = (1.0 + net_uplift) ** np.arange(years, dtype=np.float64)
    return np.floor(base[:, None] * factors[None, :] + 0.5).astype(np.int64)
