"""Playwright on Debian's Chromium against the console server and the real suite; screenshots go to test-artifacts/."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "console" / "web"
DIST = WEB / "dist"
ARTIFACTS = Path(os.environ.get("CONSOLE_TEST_ARTIFACTS", ROOT / "test-artifacts" / "console"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def require_browser_and_build() -> None:
    """Fail with what is missing: Chromium, or the built application (built here when Node is present)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    if not (DIST / "index.html").exists():
        if shutil.which("npm") is None:
            pytest.fail("console/web/dist is not built and npm is missing")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=WEB, check=True, capture_output=True)
        subprocess.run(["npm", "run", "build"], cwd=WEB, check=True, capture_output=True)


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """A headless Chromium."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"])
        try:
            yield browser
        finally:
            await browser.close()


async def open_page(browser: Browser, url: str, *, lang: str = "zh", size: tuple[int, int] = (1920, 1080)) -> Page:
    """A fresh context at wall-screen size (or the size given), in the given language."""
    context = await browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN" if lang == "zh" else "en-US")
    # The starting language only: a switch made on the page survives its reload.
    await context.add_init_script(f"if (!localStorage.getItem('console.lang')) localStorage.setItem('console.lang', '{lang}')")
    page = await context.new_page()
    page.on("pageerror", lambda error: print(f"page error: {error}"))
    await page.goto(url)
    return page


async def login(page: Page, role: str, park: str = "") -> None:
    """Pick a role on the development login page."""
    await page.wait_for_selector("button.role")
    if park:
        await page.select_option("[data-testid=login-park]", park)
    await page.click(f"button.role[data-role={role}]")
    await page.wait_for_selector("[data-testid=stream-state][data-state=live]", timeout=20000)


async def shot(page: Page, name: str) -> Path:
    """Save a screenshot as a test artifact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path))
    return path


async def click_map(page: Page, lat: float, lon: float) -> None:
    """Click the map at a coordinate (through Leaflet's own projection)."""
    point = await page.evaluate(
        "([lat, lon]) => { const m = window.consoleApp.map.map; const p = m.latLngToContainerPoint([lat, lon]); const r = m.getContainer().getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; }",
        [lat, lon],
    )
    await page.mouse.click(point[0], point[1])
