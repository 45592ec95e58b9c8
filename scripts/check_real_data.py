"""Run the loaders over the real public files in ../shared/data (when present) and print what they hold.

Optional: the project and its tests never depend on these files. Usage: .venv/bin/python scripts/check_real_data.py
[DATA_FOLDER]. Exit code 1 if a loader refuses a file.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

from gainshare.adapters.loaders.epraccur import load_epraccur
from gainshare.adapters.loaders.list_sizes import load_registered_patients
from gainshare.domain.errors import InvalidInputError

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data"
NAMED_COMMISSIONERS = {"02H": "Wigan Borough", "03W": "East Leicestershire and Rutland"}


def main(folder: Path) -> int:
    practices_dir = folder / "nhs-practices"
    if not practices_dir.is_dir():
        print(f"No real data at {practices_dir}; nothing to check.")
        return 0
    try:
        _epraccur(practices_dir / "epraccur.csv")
        for path in sorted(practices_dir.glob("gp-reg-pat-prac-*.csv")):
            _registered(path)
    except InvalidInputError as error:
        for issue in error.issues[:20]:
            print(f"  ✗ {issue.render()}")
        return 1
    return 0


def _epraccur(path: Path) -> None:
    if not path.is_file():
        return
    started = time.perf_counter()
    practices = load_epraccur(path)
    seconds = time.perf_counter() - started
    statuses = Counter(practice.status.name.lower() for practice in practices)
    print(f"{path.name}: {len(practices):,} organisations in {seconds:.2f} s; {dict(statuses)}")
    print(f"  GP practices (prescribing setting 4): {sum(1 for p in practices if p.is_gp_practice):,}")
    for code, name in NAMED_COMMISSIONERS.items():
        print(f"  {name} ({code}): {len(practices.where(commissioner=code)):,} organisations in epraccur")


def _registered(path: Path) -> None:
    started = time.perf_counter()
    patients = load_registered_patients(path)
    seconds = time.perf_counter() - started
    print(f"{path.name}: {len(patients.list_sizes):,} list sizes, {len(patients.bands):,} bands in {seconds:.2f} s")
    for day in patients.extract_dates():
        on_day = [item for item in patients.list_sizes if item.extract_date == day]
        print(f"  {day.isoformat()}: {sum(item.patients for item in on_day):,} patients in {len(on_day):,} practices")
        for code, name in NAMED_COMMISSIONERS.items():
            mine = [item for item in on_day if item.commissioner_code == code]
            print(f"  {name} ({code}): {len(mine)} practices, {sum(item.patients for item in mine):,} patients")


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT))
