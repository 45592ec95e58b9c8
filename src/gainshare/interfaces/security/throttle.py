"""Login throttling: failed sign-ins counted per account and per client address over a sliding window.

Memory is bounded: at most `max_keys` accounts and addresses are tracked, the least recently failed dropped
first. A success clears the account's count (not the address's). The clock is injected for tests.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ThrottleLimits:
    per_account: int = 5
    per_client: int = 20
    window_seconds: float = 15 * 60
    max_keys: int = 10_000


class LoginThrottle:
    def __init__(self, limits: ThrottleLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, account: str, client: str) -> int:
        """Seconds until this account may try again from this client; 0 when it may try now."""
        now = self._clock()
        with self._lock:
            waits = [
                self._wait(_account_key(account), self.limits.per_account, now),
                self._wait(_client_key(client), self.limits.per_client, now),
            ]
        return max(waits)

    def failed(self, account: str, client: str) -> None:
        now = self._clock()
        with self._lock:
            for key in (_account_key(account), _client_key(client)):
                times = self._failures.pop(key, None) or deque()
                times.append(now)
                self._failures[key] = times
            while len(self._failures) > self.limits.max_keys:
                self._failures.popitem(last=False)

    def succeeded(self, account: str) -> None:
        with self._lock:
            self._failures.pop(_account_key(account), None)

    def tracked(self) -> int:
        with self._lock:
            return len(self._failures)

    def _wait(self, key: str, limit: int, now: float) -> int:
        times = self._failures.get(key)
        if times is None:
            return 0
        while times and times[0] <= now - self.limits.window_seconds:
            times.popleft()
        if len(times) < limit:
            return 0
        return max(1, int(times[-limit] + self.limits.window_seconds - now + 0.999))


def _account_key(account: str) -> str:
    return "account:" + account.strip().casefold()


def _client_key(client: str) -> str:
    return "client:" + client
