from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from cohortkit.common.timezones import all_time_zones, time_zone_label


def viewer_time_zone(request: HttpRequest) -> dict[str, Any]:
    name = getattr(request, "viewer_time_zone", "UTC")
    return {
        "viewer_time_zone": name,
        "viewer_time_zone_label": time_zone_label(name),
        "viewer_time_zone_known": getattr(request, "viewer_time_zone_known", False),
        "all_time_zones": all_time_zones(),
    }
