"""Words of the exports (Swedish first, English with ``lang="en"``), and file names."""

from __future__ import annotations

import re
import unicodedata


def slug(text: str, limit: int = 60) -> str:
    """A plain ASCII file name part: ``Beläggning – Järva`` -> ``belaggning-jarva``."""
    letters = unicodedata.normalize("NFKD", str(text).lower())
    plain = "".join(c for c in letters if not unicodedata.combining(c))  # ä -> a
    plain = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")  # anything else separates
    return plain[:limit].rstrip("-") or "x"
