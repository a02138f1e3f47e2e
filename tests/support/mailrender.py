"""Render an HTML email in headless Chromium and report layout problems: anything wider than the 600 px
email column, images that did not load. Test helper; the network stays off (every host name fails to resolve).
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

MAX_WIDTH_PX = 600
REPORT_ID = "newswatch-layout-report"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")

# Runs after load: measures every element and image, then writes JSON into the DOM for --dump-dom to carry out.
_MEASURE = """
<script>
window.addEventListener("load", function () {
  var limit = %(limit)d, problems = [], seen = 0;
  function label(el) {
    var s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    if (el.className && typeof el.className === "string") s += "." + el.className.trim().split(/\\s+/).join(".");
    var text = (el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    return text ? s + " (" + text + ")" : s;
  }
  function tooWide(el) {
    var r = el.getBoundingClientRect();
    return r.width > limit + 0.5 || r.right > limit + 0.5;
  }
  var all = document.body.getElementsByTagName("*"), wide = [];
  for (var i = 0; i < all.length; i++) {
    var el = all[i];
    if (el.tagName === "SCRIPT" || el.id === "%(report)s") continue;
    seen++;
    if (tooWide(el)) wide.push(el);
    if (el.tagName === "IMG" && !(el.complete && el.naturalWidth > 0)) {
      problems.push("image " + (el.getAttribute("alt") || el.getAttribute("src") || "").slice(0, 60) + " did not load");
    }
  }
  // Name the innermost offenders: their ancestors are only too wide because of them.
  var causes = wide.filter(function (el) {
    return !wide.some(function (other) { return other !== el && el.contains(other); });
  });
  causes.slice(0, 10).forEach(function (el) {
    var r = el.getBoundingClientRect();
    problems.push(label(el) + " is " + Math.round(r.width) + " px wide, right edge at " + Math.round(r.right) + " px");
  });
  if (causes.length > 10) problems.push("and " + (causes.length - 10) + " more elements wider than " + limit + " px");
  var doc = document.documentElement;
  if (doc.scrollWidth > limit) problems.push("the page scrolls sideways: " + doc.scrollWidth + " px wide");
  var out = document.createElement("pre");
  out.id = "%(report)s";
  out.textContent = JSON.stringify({elements: seen, problems: problems});
  document.body.appendChild(out);
});
</script>
"""


def find_chromium() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def inline_images(html: str, images: dict[str, bytes]) -> str:
    """The HTML with every cid:NAME that has an image replaced by a data: URI (what a mail client shows)."""

    def swap(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in images:
            return match.group(0)
        return "data:image/png;base64," + base64.b64encode(images[name]).decode("ascii")

    return re.sub(r"cid:([A-Za-z0-9._@-]+)", swap, html)


def check_mail_layout(
    html: str, images: dict[str, bytes], *, width: int = MAX_WIDTH_PX, chromium: str | None = None
) -> list[str]:
    """Problems found rendering `html` (cid: images from `images`) in a `width` px wide window; [] if none.

    Raises RuntimeError when Chromium is missing or fails, so a broken browser is never a passing layout.
    """
    browser = chromium or find_chromium()
    if browser is None:
        raise RuntimeError(
            "chromium not found; install it (apt-get install -y chromium) to check mail layout"
        )
    page = inline_images(html, images)
    script = _MEASURE % {"limit": width, "report": REPORT_ID}
    lowered = page.lower()
    at = lowered.rfind("</body>")
    page = page[:at] + script + page[at:] if at >= 0 else page + script
    with tempfile.TemporaryDirectory(prefix="newswatch-mailrender-") as folder:
        path = Path(folder) / "mail.html"
        path.write_text(page, encoding="utf-8")
        profile = Path(folder) / "profile"
        args = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--host-resolver-rules=MAP * ~NOTFOUND",  # no remote fetch can succeed, so remote images show as broken
            f"--user-data-dir={profile}",
            f"--window-size={width},1200",
            "--virtual-time-budget=5000",  # lets the load handler run before the DOM is dumped
            "--dump-dom",
            path.as_uri(),
        ]
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=90, check=False)
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(f"chromium did not finish within {exc.timeout} s") from exc
    match = re.search(rf'<pre id="{REPORT_ID}">(.*?)</pre>', done.stdout, re.DOTALL)
    if done.returncode != 0 or match is None:
        tail = (done.stderr or "").strip().splitlines()[-5:]
        raise RuntimeError(f"chromium exited {done.returncode} without a layout report: {' | '.join(tail)}")
    report = json.loads(_unescape(match.group(1)))
    if report["elements"] == 0:
        return ["the page has no elements"]
    return list(report["problems"])


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
