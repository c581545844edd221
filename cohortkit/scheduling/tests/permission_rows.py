"""Permission rows of the scheduling pages that are not in the central matrix."""

from __future__ import annotations

from typing import Any

POST_ONLY: dict[str, Any] = {
    "scheduling:run_restart": lambda term: [term.slug, 1],
}
