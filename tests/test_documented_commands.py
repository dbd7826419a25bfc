"""Every ``flask --app app`` command written in the README and in ``docs/`` runs as written, in a fresh copy of the
repository (what a clone holds, plus the virtualenv), from a shell where the virtualenv is activated as documented.

Syntax summaries (``<command>``, ``[--against FILE]``, ``LOGIN | CODE``) are not commands; every subcommand they name
must have a runnable example somewhere, which this test then runs.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from hub import ROOT

pytestmark = pytest.mark.slow
PREFIX = "flask --app app "
PLACEHOLDER = re.compile(r"<|\[|\||\.\.\.|\b[A-Z]{2,}\b(?!-)")
LONG_RUNNING = {"scheduler": "scheduler running"}
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def documented() -> tuple[list[str], set[str]]:
    """The runnable commands (those of the shell blocks first, in the order written, then the inline ones) and the
    subcommands the syntax summaries name."""
    blocks: list[str] = []
    inline: list[str] = []
    named: set[str] = set()
    for path in DOCUMENTS:
        text = path.read_text()
        for block in re.findall(r"```sh\n(.*?)```", text, re.S):
            lines = (line.split("  #")[0].strip() for line in block.splitlines())
            blocks.extend(line for line in lines if line.startswith(PREFIX))
        for span in re.findall(r"`([^`]+)`", re.sub(r"```.*?```", "", text, flags=re.S)):
            span = " ".join(span.split())
            if not span.startswith(PREFIX):
                continue
            if PLACEHOLDER.search(span.removeprefix(PREFIX)):
                named.add(span.removeprefix(PREFIX).split()[0])
            else:
                inline.append(span)
    named.discard("<command>")
    return list(dict.fromkeys(blocks + inline)), named


def fresh_copy(dest: Path) -> Path:
    """What a clone of this working tree holds (tracked and new, unignored files), with the virtualenv linked in."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in listed)):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    (dest / ".venv").symlink_to((ROOT / ".venv").resolve())
    return dest


def clean_env() -> dict[str, str]:
    """The environment of a new shell: none of the hub's settings set."""
    skip = ("HUB_", "DATABASE_URL", "SOCKETIO_", "VIRTUAL_ENV", "FLASK_")
    return {k: v for k, v in os.environ.items() if not k.startswith(skip)}


def shell(command: str) -> list[str]:
    return ["bash", "-c", f". .venv/bin/activate && {command}"]


def test_the_documents_name_only_commands_that_have_a_runnable_example():
    runnable, named = documented()
    examples = {c.removeprefix(PREFIX).split()[0] for c in runnable}
    assert named <= examples, f"no runnable example for {sorted(named - examples)}"
    assert {"init-db", "seed-demo", "token", "verify-log", "scheduler"} <= examples


def test_every_documented_command_runs_in_a_fresh_clone(tmp_path):
    clone = fresh_copy(tmp_path / "clone")
    runnable, _ = documented()
    env = clean_env()
    for command in runnable:
        sub = command.removeprefix(PREFIX).split()[0]
        if sub in LONG_RUNNING:
            run_until_announced(clone, env, command, LONG_RUNNING[sub])
            continue
        done = subprocess.run(shell(command), cwd=clone, env=env, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr, command
    assert (clone / "instance" / "hub.sqlite3").exists()


def run_until_announced(clone: Path, env: dict[str, str], command: str, announcement: str) -> None:
    """Start a command that runs until stopped, wait for its announcement, stop it with SIGTERM: exit status 0."""
    proc = subprocess.Popen(
        shell(f"exec {command}"), cwd=clone, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        seen = []
        for line in proc.stdout:
            seen.append(line)
            if announcement in line:
                break
        assert any(announcement in line for line in seen), f"{command}: {''.join(seen)}"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0, command
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
