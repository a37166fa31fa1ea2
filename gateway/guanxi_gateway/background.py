"""The gateway's background rounds (audit flush, identity refresh, webhook sends), one way."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable


def run_every(interval: float, work: Callable[[], object], *, name: str, log: logging.Logger,
              failure: str, join_timeout: float = 5) -> Callable[[], None]:
    """Call `work` every `interval` seconds in a daemon thread until the returned stop is
    called; a round that fails is logged as `failure` and the next round goes on."""
    stopping = threading.Event()

    def loop() -> None:
        while not stopping.wait(interval):
            try:
                work()
            except Exception:
                log.exception(failure)

    thread = threading.Thread(target=loop, name=name, daemon=True)
    thread.start()

    def stop() -> None:
        stopping.set()
        thread.join(timeout=join_timeout)
    return stop
