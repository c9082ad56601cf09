"""Measure the advance width of each character in the figures' font, in Chromium.

    .venv/bin/python tools/font_metrics.py > dashboard/figures/metrics.py

The figure layer reserves room for its texts (margins, legend rows, label placement)
from these widths, so they must be the widths the browser and kaleido really draw with:
the theme's font stack (Arial, which Debian resolves to Liberation Sans, with DejaVu Sans
for the symbols it lacks) measured by headless Chromium on a canvas.
"""

from __future__ import annotations

import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

sys.path.insert(0, __file__.rsplit("/tools/", 1)[0])

from dashboard.figures.theme import Theme  # noqa: E402

CHARS = (
    "".join(chr(c) for c in range(32, 127))
    + "".join(chr(c) for c in range(160, 256))
    + "\u2212\u2013\u2014\u2022\u2026\u2018\u2019\u201c\u201d\u2191\u2193\u2192\u2190"
    + "\u2265\u2264\u2248\u2260\u2714\u2716\u25b2\u25bc\u25cf\u2500\u202f\u2009\u2007\u20ac"
)

SCRIPT = """
const [chars, family] = arguments;
const ctx = document.createElement('canvas').getContext('2d');
const out = {};
for (const weight of ['normal', 'bold']) {
  ctx.font = `${weight} 100px ${family}`;
  out[weight] = Array.from(chars).map(ch => ctx.measureText(ch).width / 100);
}
return out;
"""


def main() -> int:
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    try:
        driver.get("about:blank")
        widths = driver.execute_script(SCRIPT, CHARS, Theme("x").font_family)
    finally:
        driver.quit()
    print('"""Advance widths of the figures\' font (in font sizes), measured in Chromium by')
    print("tools/font_metrics.py (generated: do not edit by hand).\"\"\"")
    print()
    for name, weight in (("REGULAR", "normal"), ("BOLD", "bold")):
        print(f"{name} = {{")
        for ch, w in zip(CHARS, widths[weight], strict=True):
            print(f"    {ch!r}: {round(w, 4)},")
        print("}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
