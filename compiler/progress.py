"""What bpc is doing and for how long: every step of the pipeline, and the first call of a
Numba kernel (where Numba compiles it, or loads it from its cache), is logged to the ``bpc``
logger with its duration. The API only logs (``logging.getLogger("bpc").setLevel("INFO")`` to see
it); the command line prints each step on stderr unless ``--quiet``."""
from __future__ import annotations

import logging
import time
from contextlib import contextmanager

log = logging.getLogger("bpc")


@contextmanager
def step(what: str):
    """Log ``what`` as it starts (DEBUG) and with its duration when it ends (INFO)."""
    log.debug("%s ...", what, extra={"bpc_start": what})
    start = time.perf_counter()
    try:
        yield
    finally:
        seconds = time.perf_counter() - start
        log.info("%s: %.2f s", what, seconds, extra={"bpc_step": what, "bpc_seconds": seconds})
