"""Suite-wide guards for CI: nothing that should run may be skipped or go uncollected silently.

With GAINSHARE_STRICT_SKIPS=1 (set by .ci/run), a test marked postgres, spark or browser that skips fails
instead, so a missing server or browser cannot turn into a green run. GAINSHARE_MIN_TESTS=N fails the session
when fewer than N tests were collected.
"""

from __future__ import annotations

import os

import pytest

STRICT_MARKERS = ("postgres", "spark", "browser")

# Rich wraps CLI output at the terminal's width (80 when there is none), so a sentence that names a file can wrap
# mid-phrase when the checkout's path is long. Tests read the output unwrapped unless they set COLUMNS themselves.
os.environ["COLUMNS"] = "400"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    report: pytest.TestReport = yield
    strict = os.environ.get("GAINSHARE_STRICT_SKIPS") == "1"
    if strict and report.skipped and any(item.get_closest_marker(name) for name in STRICT_MARKERS):
        report.outcome = "failed"
        report.longrepr = f"skipped in strict CI mode (GAINSHARE_STRICT_SKIPS=1): {report.longrepr}"
    return report


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    minimum = int(os.environ.get("GAINSHARE_MIN_TESTS", "0"))
    if minimum and session.testscollected < minimum:
        print(f"\nOnly {session.testscollected} tests were collected; at least {minimum} are expected.")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
