"""End to end: the running Streamlit app in a real headless Chromium, driven by Playwright.

Debian's Chromium is used (Playwright's own browser download is not possible here);
scripts/test.sh installs it. The test is skipped, saying why, only when it is missing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic"]
QUESTION = "what did Ofsted recommend in 2011"
INSPECTION_2011 = "Inspection of safeguarding and looked after children services"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def app_server(index_dir: Path, env: dict | None = None, timeout: float = 60):
    """`streamlit run ui/app.py` on a free port against `index_dir`; yields its URL."""
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "ui" / "app.py"),
               "--server.headless", "true", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
               "--client.toolbarMode", "minimal"]
    environment = {**os.environ, "RAG_INDEX": str(index_dir), **(env or {})}
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log,
                                   stderr=subprocess.STDOUT)
        try:
            wait_healthy(url, process, log, timeout)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_healthy(url: str, process: subprocess.Popen, log, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"streamlit exited: {log.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("streamlit did not become healthy in time")


@contextmanager
def chromium(width: int = 1280, height: int = 900):
    """A fresh headless Chromium page (Debian's binary, a throwaway profile)."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as profile, sync_playwright() as driver:
        context = driver.chromium.launch_persistent_context(
            profile, executable_path=shutil.which("chromium"), headless=True,
            args=CHROMIUM_ARGS, viewport={"width": width, "height": height})
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def ask(page, url: str, question: str) -> None:
    page.goto(url)
    box = page.get_by_label("Your question")
    box.wait_for(timeout=60_000)
    box.fill(question)
    box.press("Enter")


def card_titled(page, title: str):
    return page.locator('[class*="st-key-card-"]',
                        has=page.locator(".rag-title", has_text=title)).first


@pytest.mark.skipif(not shutil.which("chromium"),
                    reason="Debian's chromium is not installed (scripts/test.sh installs it "
                           "with apt-get when run as root)")
def test_ask_then_open_source_in_chromium(corpus_index):
    with app_server(corpus_index) as url, chromium() as page:
        ask(page, url, QUESTION)
        card_titled(page, INSPECTION_2011).wait_for(timeout=60_000)
        first = page.locator('[class*="st-key-card-"]').first
        assert "Areas for improvement" in first.inner_text()  # the 2011 list comes first
        card = page.locator('[class*="st-key-card-"]', has=page.locator("mark")).first
        assert INSPECTION_2011 in card.locator(".rag-title").first.inner_text()
        assert "2011" in card.locator(".rag-meta").first.inner_text()
        assert INSPECTION_2011 in card.locator('[data-testid="stCode"]').inner_text()
        assert "q=what+did+Ofsted" in page.url or "q=what%20did%20Ofsted" in page.url
        card.get_by_role("button", name="Open source").click()
        cited = page.locator(".rag-cited")
        cited.wait_for(timeout=30_000)
        assert page.get_by_role("button", name="Back to results").is_visible()
        assert page.locator(".rag-title", has_text=INSPECTION_2011).is_visible()
        assert cited.locator("mark").count() >= 1
        assert page.locator(".rag-near").count() >= 1  # neighbouring passages readable
        page.wait_for_url(lambda address: "doc=" in address, timeout=10_000)
