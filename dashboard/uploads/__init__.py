"""Uploads from the browser: a steward's workbook or zip of CSV files, kept only until it is
imported (or :attr:`AuthSettings.upload_minutes` have passed), never served back.

:mod:`.files` keeps them (a private folder, one random folder per upload, bound to the
person who sent it); :mod:`.route` takes the file as a stream (``POST /upload/file``, with
the browser's progress events: ``assets/upload.js``). The page with the checks, the
preview, the import and the import log is ``dashboard/web/pages/upload.py``.
"""

from dashboard.data.uploads import Upload, UploadError, UploadStore
from dashboard.web.uploads import install

__all__ = ["Upload", "UploadError", "UploadStore", "install"]
