"""The screenshot gallery: start a hub with the demo data, capture the main pages in Vietnamese and English, on a
desktop and at phone width, into docs/screens/ (PNG), and write docs/screens/README.md, the index.

    .venv/bin/python scripts/screens.py [--out docs/screens]

Needs Playwright (requirements-dev.txt) and Debian's Chromium at /usr/bin/chromium. The hub runs from a temporary
instance folder (a fresh SQLite file with the demo data) on a free port and is stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hub.demo import DEMO_PASSWORD  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}


@dataclass(frozen=True)
class Shot:
    name: str
    title: str
    login: str | None
    path: str  # "{directive}" is the first directive the signed-in person sees
    phone: bool = False


SHOTS = [
    Shot("login", "Sign-in", None, "/login"),
    Shot("console", "Officer: directives with live progress", "officer", "/console"),
    Shot("compose", "Officer: composing a directive (audience picker, preview)", "officer", "/console/new"),
    Shot("directive", "Officer: a directive's follow-through", "officer", "/console/directives/{directive}", True),
    Shot("escalations", "Officer: escalations", "officer", "/console/escalations"),
    Shot("inbox", "Platform editor: inbox", "editor.tin01", "/inbox", True),
    Shot("inbox-directive", "Platform editor: a directive to acknowledge", "editor.tin01", "/inbox/{directive}", True),
    Shot("dashboard", "Manager: dashboard", "manager", "/dashboard", True),
    Shot("log", "Manager: follow-through log", "manager", "/dashboard/log"),
    Shot("report", "Manager: printable report", "manager", "/dashboard/directives/{directive}/report"),
    Shot("admin", "Admin: users", "admin", "/admin/users"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_hub(instance: Path) -> tuple[subprocess.Popen, str]:
    """``python app.py`` with the demo data in ``instance``; returns the process and its URL once it answers."""
    port = free_port()
    env = {
        **os.environ,
        "HUB_INSTANCE": str(instance),
        "HUB_HOST": "127.0.0.1",
        "HUB_PORT": str(port),
        "HUB_SEED_DEMO": "1",
        "HUB_SCHEDULER": "0",
        "HUB_SOCKETIO_CHANNEL": f"screens-{port}",
        "DATABASE_URL": "",
        "SOCKETIO_MESSAGE_QUEUE": "",
    }
    log = (instance / "hub.log").open("w")
    process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the hub exited with {process.returncode}; see {instance / 'hub.log'}")
        try:
            with urllib.request.urlopen(url + "/login", timeout=2):
                return process, url
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("the hub did not start within 90 s")


def sign_in(page, url: str, login: str) -> None:
    page.goto(url + "/login")
    page.fill("#login", login)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def first_directives(browser, url: str) -> dict[str, str]:
    """The first directive in the demo editor's inbox ("editor") and on the officers' console (everyone else)."""
    found = {}
    for who, login, home, link in (
        ("editor", "editor.tin01", "/inbox", "#inbox-rows a[href^='/inbox/']"),
        ("officer", "officer", "/console", "a[href^='/console/directives/']"),
    ):
        context = browser.new_context()
        page = context.new_page()
        sign_in(page, url, login)
        page.goto(url + home)
        found[who] = page.locator(link).first.get_attribute("href").rstrip("/").split("/")[-1]
        context.close()
    return found


def capture(browser, url: str, out: Path, lang: str, phone: bool, ids: dict[str, str]) -> list[tuple[Shot, str]]:
    """Every shot for one language and one screen size; returns (shot, file name) pairs."""
    taken = []
    for login in dict.fromkeys(s.login for s in SHOTS):
        shots = [s for s in SHOTS if s.login == login and (s.phone or not phone)]
        if not shots:
            continue
        context = browser.new_context(viewport=PHONE if phone else DESKTOP, device_scale_factor=1)
        context.add_cookies([{"name": "lang", "value": lang, "url": url}])
        page = context.new_page()
        directive = ids["editor" if (login or "").startswith("editor.") else "officer"]
        if login:
            sign_in(page, url, login)
        for shot in shots:
            page.goto(url + shot.path.format(directive=directive))
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(400)  # charts animate in; live pages connect
            name = f"{shot.name}-{lang}{'-phone' if phone else ''}.png"
            page.screenshot(path=out / name, full_page=False)
            taken.append((shot, name))
        context.close()
    return taken


def cell(title: str, lang: str, file: str | None) -> str:
    return f"[![{title} ({lang})]({file})]({file})" if file else "–"


def write_index(out: Path, taken: dict[tuple[str, bool], list[tuple[Shot, str]]]) -> None:
    lines = [
        "# Screens",
        "",
        "The main pages with the demo data, in Vietnamese and English, on a desktop (1280 px) and a phone (390 px).",
        "Made by `.venv/bin/python scripts/screens.py` (a fresh hub with the demo data, Chromium); run it again",
        "after changing a page.",
        "",
    ]
    for phone in (False, True):
        lines += [f"## {'Phone (390 px)' if phone else 'Desktop (1280 px)'}", "", "| page | Tiếng Việt | English |"]
        lines += ["| --- | --- | --- |"]
        by_name: dict[str, dict[str, str]] = {}
        titles = {}
        for lang in LANGUAGES:
            for shot, name in taken.get((lang, phone), []):
                by_name.setdefault(shot.name, {})[lang] = name
                titles[shot.name] = shot.title
        for key, files in by_name.items():
            cells = [cell(titles[key], lang, files.get(lang)) for lang in LANGUAGES]
            lines.append(f"| {titles[key]} | " + " | ".join(cells) + " |")
        lines.append("")
    (out / "README.md").write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screens")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing (apt-get install chromium)")
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*.png"):
        old.unlink()
    instance = Path(tempfile.mkdtemp(prefix="screens-"))
    process, url = start_hub(instance)
    taken = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            ids = first_directives(browser, url)
            for lang in LANGUAGES:
                for phone in (False, True):
                    taken[(lang, phone)] = capture(browser, url, args.out, lang, phone, ids)
            browser.close()
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(instance, ignore_errors=True)
    write_index(args.out, taken)
    size = sum(f.stat().st_size for f in args.out.glob("*.png"))
    print(f"{sum(len(t) for t in taken.values())} screenshots, {size / 1e6:.1f} MB, in {args.out}")


if __name__ == "__main__":
    main()
