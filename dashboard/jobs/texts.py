"""What the job queue tells users (Swedish first, English with ``lang="en"``)."""

from __future__ import annotations

from dashboard.i18n import words

TEXT: dict[str, tuple[str, str]] = {
    "queue_ahead": ("Väntar på tur: {n} före dig", "Waiting for a turn: {n} ahead of you"),
    "queue_next": ("Väntar på tur: du är näst på tur", "Waiting for a turn: you are next"),
    "pack_owner_busy": (
        "Du har redan ett mötespaket på gång. Vänta tills det är klart och försök sedan igen.",
        "You already have a meeting pack on the way. Wait until it is ready, then try again."),
    "image_busy": (
        "Servern ritar många bilder just nu, så diagrammet kunde inte laddas ner. Försök igen "
        "om en stund.",
        "The server is drawing many images right now, so the chart could not be downloaded. "
        "Try again in a moment."),
    "job_lost": (
        "Mötespaketet blev inte klart: jobbet avbröts på servern. Försök igen.",
        "The meeting pack was not finished: the job stopped on the server. Try again."),
}


def jx(key: str, lang: str = "sv", **params) -> str:
    """The job text ``key`` in ``lang``."""
    return words(TEXT, key, lang, params)
