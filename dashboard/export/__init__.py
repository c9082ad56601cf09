"""Exports for the minutes: chart images (PNG, SVG), a Word document and a PowerPoint deck.

Everything is drawn by the figure functions the app uses (:mod:`dashboard.figures.panels`,
:mod:`dashboard.figures.slides`) with the export theme, and with small counts in breakdowns
hidden (:mod:`dashboard.domain.privacy`). Modules:

* :mod:`.images`: the browser for kaleido, PNG at 1920×1080 and for print, SVG;
* :mod:`.minutes`: the Word document (``.docx``);
* :mod:`.deck`: the PowerPoint deck (``.pptx``), one slide per slide of presentation mode;
* :mod:`.pack`: the meeting pack, everything of one view written at once;
* :mod:`.cli`: ``python -m dashboard export``.
"""

from dashboard.export.images import ExportError, NoBrowserError

__all__ = ["ExportError", "NoBrowserError"]
