"""Reading morgue's settings with errors that name the setting.

Scrapy's ``getint`` and ``getbool`` raise errors that do not say which
setting was wrong; a user with a typo in a cron line needs to be told.
"""

from __future__ import annotations

from typing import Any


def number(settings: Any, name: str, default: float, kind: type = int, minimum: float | None = None) -> Any:
    value = settings.get(name, default)
    if value in (None, ""):
        value = default
    try:
        result = kind(value)
    except (TypeError, ValueError):
        expected = "a whole number" if kind is int else "a number"
        raise ValueError(f"invalid setting {name}={value!r}: expected {expected}") from None
    if minimum is not None and result < minimum:
        raise ValueError(f"invalid setting {name}={value!r}: must be at least {minimum}")
    return result


def flag(settings: Any, name: str, default: bool) -> bool:
    try:
        return settings.getbool(name, default)
    except ValueError:
        raise ValueError(f"invalid setting {name}={settings.get(name)!r}: expected true or false") from None
