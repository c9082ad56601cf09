"""Passwords: argon2id (argon2-cffi, RFC 9106's second recommended parameters), generated
passwords, and the one check of a chosen password (:func:`problem`).

Only the hash is stored. Verifying an unknown login still costs one hash, so that the
time of an answer does not tell which logins exist.

A chosen password (``users add --password-stdin``, ``users password --password-stdin``,
the first administrator's form) follows NIST SP 800-63B (5.1.1.2): at least
:data:`MIN_LENGTH` characters, any characters, no rules of composition; refused when it is
one character or a short piece over and over, when it is close to the login or the name
(contains it, or a few edits from it), or when it is common: guessed within about
10^9 tries by zxcvbn (Dropbox's estimator, maintained as the ``zxcvbn`` package; its word
lists, common passwords among them, ship inside it: nothing is fetched) with the Swedish
words of ``common_sv.txt`` (seasons, months, days, ``lösenord``, ``välkommen`` …) as a
dictionary of its own, or Swedish words of that list with only digits and signs around
them (``sommar2024!!``, ``Vår-2024-vår!``).
"""

from __future__ import annotations

import functools
import re
import secrets
import string
import unicodedata
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

HASHER = PasswordHasher()  # argon2id, 64 MiB, 3 passes, 4 lanes
MIN_LENGTH = 12
MAX_LENGTH = 1024
MIN_GUESSES_LOG10 = 9  # zxcvbn's estimate of the tries an attacker needs, at least 10^9
ESTIMATED = 72  # zxcvbn looks at this many characters (its own limit; longer is slower)
SWEDISH_WORDS = Path(__file__).with_name("common_sv.txt")
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


_PLAIN = str.maketrans("åäö", "aao")  # the Swedish letters, plain


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


@functools.cache
def swedish_words() -> tuple[str, ...]:
    """The Swedish words of ``common_sv.txt`` (and each without å, ä, ö)."""
    words = []
    for line in SWEDISH_WORDS.read_text(encoding="utf-8").splitlines():
        word = _fold(line.split("#", 1)[0].strip())
        if word:
            words.append(word)
            plain = word.translate(_PLAIN)
            if plain != word:
                words.append(plain)
    return tuple(dict.fromkeys(words))


def _edits(a: str, b: str) -> int:
    """Levenshtein distance."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def _personal(login: str, name: str) -> list[str]:
    """The login, its parts and the name's words (at least four characters each)."""
    login = _fold(login)
    parts = [login, *re.split(r"[@._+\-]+", login), *_fold(name).split()]
    return [p for p in dict.fromkeys(parts) if len(p) >= 4]


def _repeated(folded: str) -> bool:
    """One character or a short piece over and over (``aaaaaaaaaaaa``, ``abcabcabcabc``),
    or hardly any different characters."""
    return len(set(folded)) < 4 or re.fullmatch(r"(.{1,6}?)\1+", folded, re.S) is not None


def _like_login(folded: str, login: str, name: str) -> bool:
    personal = _personal(login, name)
    if any(p in folded or p in folded[::-1] for p in personal):
        return True
    whole = _fold(login)
    return bool(whole) and _edits(folded, whole) <= max(3, len(whole) // 3)


def _of_words(core: str, words: frozenset, pieces: int = 3) -> bool:
    """``core`` is at most ``pieces`` of the words, one after the other (``vårvår``)."""
    if not core:
        return True
    if pieces == 0:
        return False
    return any(core[:n] in words and _of_words(core[n:], words, pieces - 1)
               for n in range(len(core), 1, -1))


def _common(password: str, folded: str, login: str, name: str) -> bool:
    core = re.sub(r"[\W\d_]+", "", folded)
    words = swedish_words()
    if core and _of_words(core, frozenset(words)):  # Swedish words, digits and signs: sommar2024!!
        return True
    from zxcvbn import zxcvbn

    found = zxcvbn(password[:ESTIMATED], user_inputs=[*words, *_personal(login, name)])
    return found["guesses_log10"] < MIN_GUESSES_LOG10


def problem(password: str, login: str = "", name: str = "") -> str | None:
    """Why a chosen password will not do (a key of the texts ``access.<key>``), or ``None``:
    the one check for the command line, the admin page and the first administrator."""
    if len(password) < MIN_LENGTH:
        return "password_short"
    if len(password) > MAX_LENGTH:
        return "password_long"
    folded = _fold(password)
    if _repeated(folded):
        return "password_repeated"
    if _like_login(folded, login, name):
        return "password_like_login"
    if _common(password, folded, login, name):
        return "password_common"
    return None
