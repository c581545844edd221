"""Jobs for the periodic tests: one that blocks (to be killed), run in a separate process."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any


def block_until_killed(*, now: Any) -> None:
    Path(os.environ["PERIODIC_PROBE_STARTED"]).write_text(str(os.getpid()))
    while True:
        time.sleep(1)
