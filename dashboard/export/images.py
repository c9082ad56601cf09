"""Chart images: PNG at 1920×1080 and at print resolution, and SVG, through kaleido.

kaleido 1.x drives a Chrome or Chromium that is already installed on the machine (found
through ``BROWSER_PATH``, kaleido's own search, or the usual Debian paths); nothing is
downloaded at run time. :class:`Renderer` starts one headless browser for many images (a
start costs about a second; each image then a fraction of one), with two tabs drawing
at once on a two-core machine. MathJax is switched off: the figures use no LaTeX, and
kaleido would otherwise fetch it from the network.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dashboard.figures.spec import Figure
from dashboard.export.texts import tx

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 1920, 1080
PRINT_SCALE = 2  # 3840×2160: 300 dpi at 32 cm wide
RELOAD_EVERY = 25  # images a kaleido tab draws before its page is loaded afresh
BROWSER_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser",
                      "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable",
                      "/snap/bin/chromium", "/opt/google/chrome/chrome")
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
                 "chrome")


class ExportError(Exception):
    """An export that cannot be made, with a message for the user (already in their language)."""


class NoBrowserError(ExportError):
    """No Chrome or Chromium for kaleido on this machine."""


@dataclass(frozen=True)
class ImageFormat:
    """One kind of image file: ``png`` (1920×1080), ``png-print`` (×2) or ``svg``."""

    key: str
    format: str
    scale: int
    extension: str

    def file_name(self, stem: str, lang: str) -> str:
        """``01-belaggning.png``, ``01-belaggning-tryck.png``, ``01-belaggning.svg``."""
        suffix = f"-{tx('print', lang)}" if self.key == "png-print" else ""
        return f"{stem}{suffix}.{self.extension}"

    @property
    def mime(self) -> str:
        return "image/svg+xml" if self.format == "svg" else "image/png"

    @property
    def size(self) -> tuple[int, int]:
        """The image's size in pixels (for SVG, its width and height attributes)."""
        return WIDTH * self.scale, HEIGHT * self.scale


IMAGE_FORMATS = {f.key: f for f in (ImageFormat("png", "png", 1, "png"),
                                     ImageFormat("png-print", "png", PRINT_SCALE, "png"),
                                     ImageFormat("svg", "svg", 1, "svg"))}


def _is_exe(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def find_browser() -> str | None:
    """The Chrome or Chromium that kaleido should drive, or ``None``.

    ``BROWSER_PATH`` (kaleido's own variable) wins when set: a wrong path is reported as
    no browser rather than silently replaced. Otherwise kaleido's search (a Chrome that
    ``kaleido_get_chrome`` installed, then the browsers on ``PATH``), then the usual paths.
    """
    explicit = os.environ.get("BROWSER_PATH")
    if explicit:
        return explicit if _is_exe(explicit) else None
    try:
        from choreographer.browsers.chromium import Chromium

        found = Chromium.find_browser(skip_local=False)
        if found and _is_exe(found):
            return found
    except Exception:  # noqa: BLE001 - kaleido's search is a help, not a requirement
        log.debug("kaleido's browser search failed", exc_info=True)
    for name in BROWSER_NAMES:
        path = shutil.which(name)
        if path and _is_exe(path):
            return path
    return next((p for p in BROWSER_CANDIDATES if _is_exe(p)), None)


def require_browser(lang: str = "sv") -> str:
    """The browser's path, or :class:`NoBrowserError` with how to install one."""
    path = find_browser()
    if path is None:
        raise NoBrowserError(tx("no_browser", lang))
    return path


@dataclass(frozen=True)
class ImageJob:
    """One image to draw: a figure in one format."""

    figure: Figure | dict
    format: ImageFormat


def figure_dict(figure: Figure | dict) -> dict:
    """The figure as plotly.js reads it: the figure functions already build plain data."""
    return figure if isinstance(figure, dict) else figure.to_dict()


class Renderer:
    """One headless browser for many images.

    ``with Renderer(lang=lang) as r: images = r.render(jobs)``. The browser runs in a
    thread of its own with its own event loop, so the renderer works from any caller
    (a command, a Dash callback, a test) whether or not that caller runs an event loop.
    """

    def __init__(self, lang: str = "sv", tabs: int = 2, timeout: float = 60,
                 browser: str | None = None,
                 on_browser: Callable[[int | None], None] | None = None):
        self.lang = lang
        self.on_browser = on_browser  # told the browser's process id once it runs
        self.tabs = tabs
        self.timeout = timeout
        self.browser = browser
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido = None
        self._opening = None

    # ------------------------------------------------------------------ life cycle

    def __enter__(self) -> Renderer:
        self.open()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def open(self, wait: bool = True) -> None:
        """Start the browser; with ``wait=False`` it starts while the caller goes on
        (the first :meth:`render` waits for it). A missing browser is reported at once."""
        path = self.browser or require_browser(self.lang)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True,
                                        name="kaleido-renderer")
        self._thread.start()
        self._opening = asyncio.run_coroutine_threadsafe(self._open(path), self._loop)
        if wait:
            self._ready()

    def _ready(self) -> None:
        if self._kaleido is not None:
            return
        if self._opening is None:
            raise RuntimeError("the renderer is not open")
        try:
            self._kaleido = self._opening.result()
        except ExportError:
            self.close()
            raise
        except Exception as exc:  # noqa: BLE001 - a browser that does not start
            self.close()
            raise ExportError(tx("browser_failed", self.lang, error=_short(exc))) from exc

    async def _open(self, path: str):
        from choreographer.errors import ChromeNotFoundError

        try:
            k = _batch_kaleido()(n=self.tabs, timeout=self.timeout, mathjax=False, path=path)
        except ChromeNotFoundError as exc:
            raise NoBrowserError(tx("no_browser", self.lang)) from exc
        await k.open()
        if self.on_browser is not None:
            # The launcher's id, which is also the browser's process group (dashboard/jobs).
            try:
                self.on_browser(getattr(getattr(k, "subprocess", None), "pid", None))
            except Exception:  # noqa: BLE001 - only a note for cleaning up; drawing goes on
                log.warning("could not note the browser's process", exc_info=True)
        return k

    def close(self) -> None:
        if self._loop is None:
            return
        try:
            if self._kaleido is None and self._opening is not None:
                self._kaleido = self._opening.result()  # still starting: wait, then close
            if self._kaleido is not None:
                self._run(self._kaleido.close())
        except Exception:  # noqa: BLE001 - closing a browser that already went away
            log.debug("closing the browser failed", exc_info=True)
        finally:
            self._kaleido = None
            self._opening = None
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread is not None:
                self._thread.join(timeout=10)
            self._loop.close()
            self._loop = None
            self._thread = None

    def _run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    # ------------------------------------------------------------------ drawing

    def render(self, jobs: Sequence[ImageJob],
               progress: Callable[[int, int], None] | None = None) -> list[bytes]:
        """The images of ``jobs``, in order; ``progress(done, total)`` after each one."""
        self._ready()
        try:
            return self._run(self._render(list(jobs), progress))
        except ExportError:
            raise
        except Exception as exc:  # noqa: BLE001 - a crash or a timeout in the browser
            raise ExportError(tx("browser_failed", self.lang, error=_short(exc))) from exc

    async def _render(self, jobs: list[ImageJob], progress) -> list[bytes]:
        done = 0
        total = len(jobs)

        async def one(job: ImageJob) -> bytes:
            nonlocal done
            opts = {"format": job.format.format, "width": WIDTH, "height": HEIGHT,
                    "scale": job.format.scale}
            data = await self._kaleido.calc_fig(job.figure, opts=opts)
            done += 1
            if progress is not None:
                progress(done, total)
            return data

        return list(await asyncio.gather(*(one(job) for job in jobs)))


def _batch_kaleido():
    """kaleido's browser, keeping its page loaded between images.

    kaleido reloads its page (and so plotly.js) after every image, about 0.15 s each:
    most of the time of a pack. The figures of one pack leave nothing behind in the page
    (plotly.js purges what it draws for an image), so a tab is reloaded only every
    :data:`RELOAD_EVERY` images. Should kaleido rename the method, its own behaviour
    (a reload after each image) simply comes back: slower, never wrong.
    """
    import kaleido

    class BatchKaleido(kaleido.Kaleido):
        async def _return_kaleido_tab(self, tab) -> None:
            drawn = getattr(tab, "_samverkan_drawn", 0) + 1
            tab._samverkan_drawn = drawn
            if drawn % RELOAD_EVERY == 0:
                await super()._return_kaleido_tab(tab)
            else:
                await self.tabs_ready.put(tab)

    return BatchKaleido


def render_images(jobs: Sequence[ImageJob], lang: str = "sv",
                  progress: Callable[[int, int], None] | None = None,
                  on_browser: Callable[[int | None], None] | None = None) -> list[bytes]:
    """Start a browser, draw ``jobs``, close it."""
    with Renderer(lang=lang, on_browser=on_browser) as renderer:
        return renderer.render(jobs, progress)


def figure_image(figure: Figure, format_key: str, lang: str = "sv",
                 on_browser: Callable[[int | None], None] | None = None) -> bytes:
    """One image of one figure (the per-chart download of the app)."""
    job = ImageJob(figure_dict(figure), IMAGE_FORMATS[format_key])
    return render_images([job], lang, on_browser=on_browser)[0]


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]
