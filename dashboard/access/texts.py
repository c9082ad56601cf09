"""What sign-in, the admin pages and uploads say, in Swedish and English."""

from __future__ import annotations
