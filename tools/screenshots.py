"""Screenshots of every view at 1920x1080 and 1024x768 (for looking at them).

    python tools/screenshots.py [--base http://127.0.0.1:8050] [--out screenshots]

Uses Debian's chromium and chromedriver, headless. Writes ``<view>-<size>.png`` (the
first screen, as the room sees it) and ``<view>-<size>-full.png`` (the whole page).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

SIZES = {"1920": (1920, 1080), "1024": (1024, 768)}


def driver(width: int, height: int) -> webdriver.Chrome:
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--no-first-run", "--disable-sync", "--hide-scrollbars",
                f"--window-size={width},{height}"):
        opts.add_argument(arg)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


def wait_ready(d, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        ready = d.execute_script(
            "return document.readyState === 'complete' && "
            "!document.querySelector('[data-dash-is-loading=\"true\"]') && "
            "document.querySelectorAll('.page').length > 0")
        if ready:
            time.sleep(1.2)
            return
        time.sleep(0.2)


def shoot(base: str, views: dict[str, str], out: Path, sizes=SIZES) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for size, (w, h) in sizes.items():
        d = driver(w, h)
        try:
            d.set_window_size(w, h)
            for name, path in views.items():
                d.get(base + path)
                wait_ready(d)
                # Make the viewport exactly w x h (window chrome differs in headless).
                inner = d.execute_script("return [window.innerWidth, window.innerHeight]")
                d.set_window_size(w + (w - inner[0]), h + (h - inner[1]))
                time.sleep(0.5)
                first = out / f"{name}-{size}.png"
                d.save_screenshot(str(first))
                full_h = d.execute_script("return document.documentElement.scrollHeight")
                d.set_window_size(w + (w - inner[0]), min(full_h, 12000) + (h - inner[1]))
                time.sleep(0.8)
                full = out / f"{name}-{size}-full.png"
                d.save_screenshot(str(full))
                d.set_window_size(w, h)
                written += [first, full]
        finally:
            d.quit()
    return written


DEFAULT_VIEWS = {
    "portfolio": "/",
    "krami": "/agreements/krami-sthlm-2023",
    "krami-gender": "/agreements/krami-sthlm-2023?breakdown=gender",
    "sthlm": "/agreements/sthlm-af-2023",
    "sthlm-jarva": "/agreements/sthlm-af-2023/clusters/jarva",
    "jarfalla": "/agreements/jarfalla-af-2023",
    "grums": "/agreements/grums-unga-2016",
    "notfound": "/agreements/finns-inte",
}


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--base", default="http://127.0.0.1:8050")
    p.add_argument("--out", default="screenshots", type=Path)
    p.add_argument("views", nargs="*", help="names of DEFAULT_VIEWS, or name=path")
    a = p.parse_args()
    chosen = {}
    for v in a.views or DEFAULT_VIEWS:
        if "=" in v:
            k, path = v.split("=", 1)
            chosen[k] = path
        else:
            chosen[v] = DEFAULT_VIEWS[v]
    for f in shoot(a.base, chosen, a.out):
        print(f)
