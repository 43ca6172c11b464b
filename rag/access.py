"""Who may see restricted (exempt) papers: members holding the operator's credential."""

from __future__ import annotations

import hmac
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from . import config

log = logging.getLogger(__name__)


def unlocks(candidate: str | None, secret: str | None = None) -> bool:
    """True when `candidate` matches the configured credential (constant-time compare).

    With no credential configured nobody can unlock restricted papers.
    """
    secret = secret if secret is not None else config.member_key()
    if not secret or not candidate:
        return False
    return hmac.compare_digest(candidate.encode(), secret.encode())


def visible(doc, unlocked: bool) -> bool:
    """Public papers are visible to everyone; restricted ones only to unlocked members."""
    return unlocked or doc.access == "public"


@dataclass
class Throttle:
    """Back-off on wrong member keys, per session and per client address.

    The first `free_tries` wrong keys in a row are answered at once; from then on each wrong
    key locks its session and client out for a delay that doubles, up to `max_delay`. A key
    tried while locked out is refused without being checked. Keys are never logged. Only the
    `remembered` most recently failing clients are kept, so a flood of sessions cannot grow
    it without bound.
    """

    free_tries: int = 3
    delay: float = 2.0
    max_delay: float = 300.0
    remembered: int = 10_000
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, tuple[int, float]] = field(default_factory=dict)  # count, locked until

    def __post_init__(self):
        self._lock = threading.Lock()

    def wait(self, clients: list[str]) -> float:
        """Seconds before any of `clients` may try a key again (0: now)."""
        now = self.clock()
        with self._lock:
            return max([self._failures.get(c, (0, now))[1] - now for c in clients] + [0.0])

    def failed(self, clients: list[str]) -> None:
        now = self.clock()
        with self._lock:
            for client in clients:
                count = self._failures.pop(client, (0, now))[0] + 1
                pause = 0.0 if count < self.free_tries else min(
                    self.delay * 2 ** (count - self.free_tries), self.max_delay)
                self._failures[client] = (count, now + pause)  # last in: the most recent
                while len(self._failures) > self.remembered:
                    del self._failures[next(iter(self._failures))]
                log.warning("wrong member key from %s (%d in a row); next try in %.0f s",
                            client, count, pause)

    def succeeded(self, clients: list[str]) -> None:
        with self._lock:
            for client in clients:
                self._failures.pop(client, None)


@dataclass(frozen=True)
class KeyCheck:
    unlocked: bool
    wait: float = 0.0  # seconds to wait: the key was not checked


def try_key(candidate: str, secret: str | None, throttle: Throttle,
            clients: list[str]) -> KeyCheck:
    """Check a member key under the throttle: refused unchecked while locked out."""
    wait = throttle.wait(clients)
    if wait > 0:
        return KeyCheck(False, wait)
    if unlocks(candidate, secret):
        throttle.succeeded(clients)
        return KeyCheck(True)
    throttle.failed(clients)
    return KeyCheck(False)
