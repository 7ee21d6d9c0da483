"""Browser tests: Debian's Chromium (never a downloaded one) driven by Playwright against
Django's live server.

Every test here is marked ``e2e`` and runs with
``django_db(transaction=True, serialized_rollback=True)``: the live server thread only sees
committed rows, and a transactional test flushes every table when it ends, which would also
delete the provinces, districts and subdistricts that the migrations load from geothai.
Serialized rollback puts them back before the next test.

Run: ``CHUMCHON_CHROMIUM=/usr/bin/chromium pytest -q e2e``.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the
# fixtures would otherwise raise SynchronousOnlyOperation.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

E2E_DIR = Path(__file__).resolve().parent
SCREENSHOT_DIR = E2E_DIR / "screenshots"
PASSWORD = "pass-1234-word"
BIRTH = "วันเกิด (วว/ดด/ปปปป พ.ศ. หรือปี พ.ศ. อย่างเดียว)"  # the birth-date label
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
E2E_DB = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR not in Path(str(item.path)).resolve().parents:
            continue
        item.add_marker(pytest.mark.e2e)
        if item.get_closest_marker("django_db") is None:
            item.add_marker(E2E_DB)


def chromium_path() -> str:
    return os.environ.get("CHUMCHON_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    path = chromium_path()
    if shutil.which(path) is None:
        msg = f"Chromium not found at {path} (apt-get install chromium, or set CHUMCHON_CHROMIUM)"
        if os.environ.get("CI") == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _geodata_present(transactional_db: Any) -> None:
    """Fail early and clearly if an earlier transactional test's flush lost the geothai rows."""
    from chumchon.areas.models import Subdistrict

    assert Subdistrict.objects.filter(code="400101").exists(), (
        "Subdistrict 400101 is gone: an e2e test ran without serialized_rollback=True"
    )


class Seen:
    """What the browser did while a test ran: every request URL and every uncaught JS error."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.js_errors: list[str] = []

    def foreign_requests(self, live_server_url: str) -> list[str]:
        """Requests that left the live server (a CDN, a font service, a tracker...)."""
        own = urlsplit(live_server_url).netloc
        return [
            u
            for u in self.requests
            if urlsplit(u).scheme not in {"data", "blob", "about"} and urlsplit(u).netloc != own
        ]


@pytest.fixture
def seen() -> Seen:
    return Seen()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def new_page(
    browser: Browser, live_server: Any, seen: Seen, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Page]]:
    """Make a page in a fresh browser context (own cookies), Thai locale, Bangkok time.

    When the test fails, each page's screenshot and HTML go to e2e/screenshots/failed/.
    """
    contexts = []

    def make(viewport: dict[str, int] | None = None) -> Page:
        context = browser.new_context(
            locale="th-TH",
            timezone_id="Asia/Bangkok",
            viewport=viewport or DESKTOP,
            base_url=live_server.url,
        )
        context.set_default_timeout(15_000)
        context.on("request", lambda r: seen.requests.append(r.url))
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda e: seen.js_errors.append(str(e)))
        return page

    yield make
    if request.node.stash.get(_FAILED, False):
        out = SCREENSHOT_DIR / "failed"
        out.mkdir(parents=True, exist_ok=True)
        for i, context in enumerate(contexts):
            for j, p in enumerate(context.pages):
                stem = out / f"{request.node.name}-{i}-{j}"
                try:
                    p.screenshot(path=f"{stem}.png", full_page=True)
                    stem.with_suffix(".html").write_text(p.content(), encoding="utf-8")
                except Exception as exc:  # a crashed page must not hide the real failure
                    print(f"could not save {stem}: {exc}")  # noqa: T201
    for context in contexts:
        context.close()


@pytest.fixture
def viewport(request: pytest.FixtureRequest) -> dict[str, int]:
    """Desktop unless a test parametrizes it: ``@pytest.mark.parametrize("viewport", [PHONE],
    indirect=True)``."""
    return getattr(request, "param", DESKTOP)


@pytest.fixture
def page(new_page: Callable[..., Page], viewport: dict[str, int]) -> Page:
    return new_page(viewport)


def field(page: Page, label: str) -> Locator:
    """The form control whose label is exactly ``label`` (a required field's " *" allowed)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}(\s*\*)?$"))


def login(page: Page, live_server: Any, username: str, password: str = PASSWORD) -> None:
    """Log in through the Thai login form and wait for the home page."""
    page.goto(f"{live_server.url}/login/")
    field(page, "ชื่อผู้ใช้").fill(username)
    field(page, "รหัสผ่าน").fill(password)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url(f"{live_server.url}/")
