"""What the job queue tells users (Swedish first, English with ``lang="en"``)."""

from __future__ import annotations
