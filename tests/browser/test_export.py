"""Downloads in a real browser: a chart's PNG and SVG buttons, and the meeting pack.

The files arrive in the browser's download folder; they are read back (PNG size, SVG
title, the zip's contents). The chart is drawn by the server (kaleido with the machine's
Chromium); with no browser on the server, the user's browser draws the same figure.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import psutil
import pytest
from PIL import Image

from tests.browser.support import clean_window, click, visit, wait_for

KRAMI = "/agreements/krami-sthlm-2023?period=2023"


@pytest.fixture(autouse=True)
def window(duo):
    with clean_window(duo, 1920, 1080):
        yield


def wait_file(folder: Path, name: str, timeout: float = 60) -> Path:
    """The downloaded file, once the browser has finished writing it."""
    path = folder / name
    end = time.time() + timeout
    while time.time() < end:
        if path.exists() and not (folder / f"{name}.crdownload").exists() \
                and path.stat().st_size > 0:
            return path
        time.sleep(0.2)
    raise AssertionError(f"{name} did not arrive; folder has {sorted(os.listdir(folder))}")


def button(duo, panel: str, fmt: str):
    selector = f"[id*='\"panel\":\"{panel}\"'][id*='\"format\":\"{fmt}\"']"
    return duo.driver.find_element("css selector", selector)


def test_chart_downloads_as_png_and_svg_drawn_for_export(duo):
    visit(duo, KRAMI, "document.querySelector('#panel-occupancy .downloads button')")
    folder = Path(duo.download_dir)
    click(duo.driver, button(duo, "occupancy", "png"))
    png = wait_file(folder, "belaggning-krami-stockholm-2023-2023.png")
    with Image.open(png) as image:
        assert image.size == (1920, 1080)
    click(duo.driver, button(duo, "occupancy", "svg"))
    svg = wait_file(folder, "belaggning-krami-stockholm-2023-2023.svg")
    root = ET.parse(svg).getroot()
    assert root.get("width") == "1920" and root.get("height") == "1080"
    texts = " ".join("".join(e.itertext()) for e in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "Beläggning" in texts and "Mål 80" in texts and "Data per" in texts


def test_chart_download_falls_back_to_the_users_browser(duo, monkeypatch):
    """No browser for kaleido on the server: the page draws the export figure itself."""
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    visit(duo, KRAMI, "document.querySelector('#panel-flow .downloads button')")
    click(duo.driver, button(duo, "flow", "png"))
    wait_for(duo.driver, "document.querySelector('#panel-download-status .toast-body')")
    note = duo.driver.find_element("css selector", "#panel-download-status").text
    assert "apt-get install chromium" in note
    png = wait_file(Path(duo.download_dir), "inflode-och-utflode-krami-stockholm-2023-2023.png")
    with Image.open(png) as image:
        assert image.size == (1920, 1080)


# --------------------------------------------------------------------------- the job queue


@pytest.fixture
def app_queue(browser_jobs_dir):
    from dashboard.jobs import LocalQueue

    queue = LocalQueue(browser_jobs_dir, 1)  # the session app's queue (tests/browser/conftest)
    yield queue
    assert queue.tickets() == []


def test_meeting_pack_waits_its_turn_shows_progress_and_arrives_as_a_zip(duo, app_queue):
    """One pack made (each takes the one export browser for a while): asked for while
    someone else has the browser, it says it waits its turn; then the progress bar and
    the step in words are shown while it is made, and the zip arrives with everything."""
    name = "motespaket-krami-sthlm-2023-2023.zip"
    (Path(duo.download_dir) / name).unlink(missing_ok=True)  # an earlier test's
    visit(duo, KRAMI, "document.querySelector('#export-pack')")
    with app_queue.turn("someone-else", "pack"):  # the one browser is busy
        click(duo.driver, duo.driver.find_element("id", "export-pack"))
        wait_for(duo.driver, "document.querySelector('#export-step').textContent"
                             ".includes('Väntar på tur: du är näst på tur')", timeout=30)
        assert [t["owner"] for t in app_queue.tickets()][0] == "someone-else"
    # Its turn: the progress bar and the step in words are shown while the pack is made.
    wait_for(duo.driver, "document.querySelector('#export-running').style.display !== 'none'"
                         " && document.querySelector('#export-step').textContent.length > 0"
                         " && !document.querySelector('#export-step').textContent"
                         ".includes('Väntar på tur')", timeout=30)
    path = wait_file(Path(duo.download_dir), name, timeout=90)
    wait_for(duo.driver, "document.querySelector('#export-status').textContent.length > 0")
    assert name in duo.driver.find_element("id", "export-status").text
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        folder = name.removesuffix(".zip")
        assert f"{folder}/01-belaggning.png" in names
        assert f"{folder}/01-belaggning-tryck.png" in names
        assert f"{folder}/01-belaggning.svg" in names
        assert f"{folder}/krami-sthlm-2023-2023.docx" in names
        assert f"{folder}/krami-sthlm-2023-2023.pptx" in names
        assert f"{folder}/krami-sthlm-2023-2023.pdf" in names  # the minutes as PDF
        with Image.open(io.BytesIO(archive.read(f"{folder}/01-belaggning-tryck.png"))) as im:
            assert im.size == (3840, 2160)
        # SHA256SUMS: every other file's SHA-256, as sha256sum -c checks them (section 10).
        sums = archive.read(f"{folder}/SHA256SUMS").decode().splitlines()
        assert sorted(line.split("  ")[1] for line in sums) == sorted(
            n.removeprefix(f"{folder}/") for n in names if not n.endswith("/SHA256SUMS"))
        for line in sums:
            digest, file = line.split("  ")
            assert hashlib.sha256(archive.read(f"{folder}/{file}")).hexdigest() == digest
    assert all(n.isascii() for n in names)  # plain names travel anywhere


def test_chart_download_waits_a_bounded_time_then_says_busy(duo, app_queue):
    visit(duo, KRAMI, "document.querySelector('#panel-occupancy .downloads button')")
    with app_queue.turn("someone-else", "pack"):
        click(duo.driver, button(duo, "occupancy", "svg"))
        # Shown: read as the page's own text (innerText). Selenium's ``.text`` leaves out
        # what is not yet opaque, and the toast fades in: read that way, it was empty twice.
        status = "document.querySelector('#panel-download-status')"
        wait_for(duo.driver, f"document.querySelector('#panel-download-status .toast-body') "
                             f"&& {status}.innerText.trim().length > 0", timeout=30)
        note = duo.driver.execute_script(f"return {status}.innerText")
        assert "Försök igen om en stund" in note


def test_a_pack_whose_job_dies_says_so_and_leaves_no_browser(duo, app_queue):
    visit(duo, KRAMI, "document.querySelector('#export-pack') && "
                      "!document.querySelector('#export-pack').disabled")
    click(duo.driver, duo.driver.find_element("id", "export-pack"))
    deadline = time.time() + 150  # the pack's figures come first: long on a busy machine
    while not (tickets := app_queue.tickets()) or not tickets[0]["browser_pid"]:
        assert time.time() < deadline, "the pack's job did not start a browser"
        time.sleep(0.1)
    job = psutil.Process(tickets[0]["pid"])
    tree = job.children(recursive=True)
    assert any("chrom" in p.name() for p in tree)
    job.kill()  # mid-job, as the out-of-memory killer would
    wait_for(duo.driver, "document.querySelector('#export-status').textContent"
                         ".includes('jobbet avbröts')", timeout=30)
    deadline = time.time() + 15
    while [p for p in tree if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]:
        assert time.time() < deadline, "a browser of the dead job is still running"
        time.sleep(0.2)
    assert not job.is_running()  # reaped, not a zombie
    assert app_queue.tickets() == []
    reaper = next((t for t in threading.enumerate() if t.name == f"job-reaper-{job.pid}"),
                  None)
    if reaper is not None:
        reaper.join(30)  # done with the dead job before the session's server stops
    # The button works again.
    assert duo.driver.find_element("id", "export-pack").is_enabled()
