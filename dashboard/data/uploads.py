"""Where uploaded files wait for their import.

Each upload gets a folder named by a random token inside a folder only the program's user
may read (mode 0700); a ``meta.json`` beside the file says who sent it and when. A zip is
unpacked there into a folder of CSV files (the dataset the importer reads), with limits on
members and size; nothing outside that folder is ever written (member names are reduced to
their base name). :meth:`UploadStore.sweep` deletes uploads older than the time limit, and
an import or a new upload deletes the person's earlier ones.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import tempfile
import time
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from dashboard.data.db import database_key
from dashboard.domain.pnr import loggable_file_name as loggable_name

SUFFIXES = (".xlsx", ".xlsm", ".csv", ".zip")
MAX_MEMBERS = 60
CHUNK = 1 << 20
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_UNSAFE = re.compile(r"[^\w .()\-]+", re.UNICODE)


class UploadError(Exception):
    """Refused upload: ``code`` names the text (dashboard/web/pages/upload.py), ``params``."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Upload:
    token: str
    owner: str
    name: str  # the file's name as kept (and as the import log will show it)
    size: int
    created: float
    dataset: Path  # what the importer reads: the file, or the unpacked folder
    renamed: bool = False  # the name held something like an identity number


def safe_name(name: str) -> tuple[str, bool]:
    """A file name that can be kept: its base name, no odd characters; one that holds
    something like an identity number is replaced (it would be shown and logged)."""
    base = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    base = _UNSAFE.sub("_", base).strip(" .")[:120]
    suffix = Path(base).suffix.lower()
    if suffix not in SUFFIXES:
        raise UploadError("bad_type", name=base[:60] or "–")
    if loggable_name(base) is None:
        return f"uppladdning{suffix}", True
    return base, False


class UploadStore:
    """The uploads folder; ``max_bytes`` is the import's size limit."""

    def __init__(self, folder: str | Path | None, max_bytes: int, minutes: float = 60.0,
                 database: str = ""):
        """``folder``: ``UPLOAD_DIR``; without it, a private folder in the system's
        temporary folder, one per ``database`` (its URL): dashboards of other databases
        on the machine, run by the same system user, neither see nor sweep away each
        other's uploads (people of the same login in both included)."""
        self.shared = None if folder else \
            Path(tempfile.gettempdir()) / f"samverkan-dashboard-uploads-{os.getuid()}"
        self.folder = Path(folder) if folder else \
            self.shared / (database_key(database) if database else "default")
        self.max_bytes = max_bytes
        self.seconds = minutes * 60

    def _root(self) -> Path:
        for folder in (self.shared, self.folder):
            if folder is not None:
                folder.mkdir(mode=0o700, exist_ok=True, parents=True)
                os.chmod(folder, 0o700)
        return self.folder

    # ------------------------------------------------------------------ writing

    def save(self, stream, name: str, owner: str, length: int | None = None) -> Upload:
        """Keep the bytes of ``stream`` (read in chunks, never more than the limit)."""
        kept, renamed = safe_name(name)
        if length is not None and length > self.max_bytes:
            raise UploadError("too_large", limit_mb=self.max_bytes // 1_000_000)
        self.sweep()
        token = secrets.token_urlsafe(24)
        folder = self._root() / token
        folder.mkdir(mode=0o700)
        target = folder / kept
        size = 0
        try:
            with open(target, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise UploadError("too_large", limit_mb=self.max_bytes // 1_000_000)
                    out.write(chunk)
            if size == 0:
                raise UploadError("empty")
            dataset = self._unzip(target, folder) if target.suffix.lower() == ".zip" else target
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        meta = {"owner": owner, "name": kept, "size": size, "created": time.time(),
                "dataset": dataset.relative_to(folder).as_posix(), "renamed": renamed}
        (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        self.discard_others(owner, token)
        return Upload(token, owner, kept, size, meta["created"], dataset, renamed)

    def _unzip(self, archive: Path, folder: Path) -> Path:
        """The CSV files of a zip, in a folder named like it (its base names only)."""
        out = folder / (Path(archive.name).stem or "data")
        out.mkdir(mode=0o700)
        try:
            with zipfile.ZipFile(archive) as z:
                members = [m for m in z.infolist() if not m.is_dir()
                           and not m.filename.startswith("__MACOSX/")
                           and not m.filename.rsplit("/", 1)[-1].startswith("._")]
                if not members:
                    raise UploadError("zip_empty")
                if len(members) > MAX_MEMBERS:
                    raise UploadError("zip_many", n=MAX_MEMBERS)
                if sum(m.file_size for m in members) > self.max_bytes:
                    raise UploadError("too_large", limit_mb=self.max_bytes // 1_000_000)
                seen = set()
                for m in members:
                    base = m.filename.replace("\\", "/").rsplit("/", 1)[-1]
                    if not base.lower().endswith(".csv"):
                        raise UploadError("zip_not_csv", name=safe_member(base))
                    if base.lower() in seen:
                        raise UploadError("zip_twice", name=safe_member(base))
                    seen.add(base.lower())
                    written = 0
                    with z.open(m) as src, open(out / safe_member(base), "wb") as dst:
                        while chunk := src.read(CHUNK):
                            written += len(chunk)
                            if written > self.max_bytes:  # more than the member declared
                                raise UploadError("too_large",
                                                  limit_mb=self.max_bytes // 1_000_000)
                            dst.write(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise UploadError("zip_broken") from exc
        return out

    # ------------------------------------------------------------------ reading

    def get(self, token, owner: str) -> Upload | None:
        """The upload ``token`` of ``owner`` that has not expired, else ``None``."""
        if not isinstance(token, str) or not _TOKEN.match(token):
            return None
        folder = self._root() / token
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if meta.get("owner") != owner:
            return None
        if time.time() - meta["created"] > self.seconds:
            self.discard(token)
            return None
        return Upload(token, owner, meta["name"], meta["size"], meta["created"],
                      folder / meta["dataset"], bool(meta.get("renamed")))

    # ------------------------------------------------------------------ removing

    def discard(self, token: str) -> None:
        if isinstance(token, str) and _TOKEN.match(token):
            shutil.rmtree(self._root() / token, ignore_errors=True)

    def discard_others(self, owner: str, keep: str) -> None:
        for folder in self._root().iterdir():
            if folder.name == keep or not folder.is_dir():
                continue
            try:
                meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if meta.get("owner") == owner:
                shutil.rmtree(folder, ignore_errors=True)

    def sweep(self) -> int:
        """Delete uploads older than the time limit (and half-written ones); how many."""
        removed = 0
        now = time.time()
        for folder in self._root().iterdir():
            if not folder.is_dir():
                continue
            try:
                created = json.loads((folder / "meta.json").read_text("utf-8"))["created"]
            except (OSError, ValueError, KeyError):
                created = folder.stat().st_mtime
            if now - created > self.seconds:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        return removed


def safe_member(base: str) -> str:
    cleaned = _UNSAFE.sub("_", unicodedata.normalize("NFC", base)).strip(" .")[:120]
    return cleaned or "data.csv"
