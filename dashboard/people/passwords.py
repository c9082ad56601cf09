"""Passwords: argon2id (argon2-cffi, RFC 9106's second recommended parameters) and
generated passwords.

Only the hash is stored. Verifying an unknown login still costs one hash, so that the
time of an answer does not tell which logins exist.
"""

from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

HASHER = PasswordHasher()  # argon2id, 64 MiB, 3 passes, 4 lanes
MIN_LENGTH = 10
MAX_LENGTH = 1024
_ALPHABET = string.ascii_letters + string.digits
_DUMMY = HASHER.hash("not a password of anyone")


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; a missing hash spends the same time and says no."""
    try:
        return HASHER.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """The hash was made with weaker parameters than today's."""
    try:
        return HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def generate(length: int = 16) -> str:
    """A password of letters and digits (16 give about 95 bits)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def problem(password: str) -> str | None:
    """Why a chosen password will not do (a key of the texts), or ``None``."""
    if len(password) < MIN_LENGTH:
        return "password_short"
    if len(password) > MAX_LENGTH:
        return "password_long"
    return None
