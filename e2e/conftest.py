"""Fixtures of the browser journeys: a served demo city per language, and a phone in a browser.

The journeys run against ``e2e.city`` servers, never against pytest-django's test database: they
are what a new user meets after ``make run``. ``make e2e`` runs them; they are not part of
``make test``. Every page a journey shows must pass axe-core with no serious or critical
violation, fit a phone's width and log no error in the browser console; each journey's final
screen is kept as a screenshot under the output folder (``var/e2e/screenshots`` by default).
"""

from __future__ import annotations

import re
import shutil
from urllib.parse import urlsplit

import pytest
from axe_playwright_python import sync_playwright as axe_playwright
from playwright import sync_api as playwright_api

from e2e.city import OUTPUT, migrated_template, start_city

CHROMIUM = "/usr/bin/chromium"
# The journeys are run on purpose (`make e2e`): a missing browser fails them instead of skipping.
if not shutil.which(CHROMIUM):
    raise pytest.UsageError("Debian's chromium is not installed: `make chromium` (apt-get install chromium)")

PHONE = {"width": 390, "height": 844}
# The portal's languages and the browser locale that asks for each (Accept-Language).
BROWSER_LOCALES = {"zh-hans": "zh-CN", "en": "en-US"}
SCREENSHOTS = OUTPUT / "screenshots"
BLOCKING_IMPACTS = {"serious", "critical"}
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
# The innermost elements that reach past the page's right edge, for a width failure's message.
WIDEST_ELEMENTS = """() => {
  const edge = document.documentElement.clientWidth;
  const past = [...document.body.querySelectorAll("*")].filter(
    (e) => e.getBoundingClientRect().right > edge + 0.5 && !e.closest(".scroll"));
  return past.filter((e) => !past.some((o) => o !== e && e.contains(o))).slice(0, 5).map((e) =>
    e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
    + (e.className ? "." + String(e.className).split(" ").join(".") : "")
    + ` "${(e.textContent || "").trim().slice(0, 40)}"`);
}"""


@pytest.fixture(scope="session")
def migrated():
    return migrated_template()


@pytest.fixture(scope="session")
def playwright():
    with playwright_api.sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
    yield browser
    browser.close()


@pytest.fixture(scope="session", params=list(BROWSER_LOCALES), ids=list(BROWSER_LOCALES))
def language(request):
    return request.param


@pytest.fixture(scope="session")
def city(language, migrated):
    """One served city per language: a journey in English never meets data a Chinese run changed."""
    served = start_city(language, migrated)
    yield served
    served.stop()


@pytest.fixture
def own_city(request, migrated):
    """A city for one test alone (a journey that would otherwise use up a persona of the shared one)."""
    served = start_city(request.node.name.replace("[", "-").rstrip("]"), migrated)
    yield served
    served.stop()


class Visitor:
    """One person at one phone: a browser context of their own, in the journey's language."""

    def __init__(self, browser, city, language: str, journey: str, who: str):
        self.city = city
        self.language = language
        self.journey = journey
        self.who = who
        self.context = browser.new_context(
            viewport=PHONE, locale=BROWSER_LOCALES[language], is_mobile=True, has_touch=True
        )
        self.context.set_default_timeout(20_000)
        self.page = self.context.new_page()
        self.console_errors: list[str] = []
        self.visited: set[str] = set()
        self.checked: set[str] = set()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console_errors.append(f"page error: {error}"))
        self.page.on("framenavigated", self._navigated)

    def _console(self, message):
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def _navigated(self, frame):
        if frame == self.page.main_frame:
            self.visited.add(urlsplit(frame.url).path)

    # --- moving about ---------------------------------------------------------------------------
    def open(self, path: str):
        self.page.goto(self.city.url + path)
        self.check()
        return self.page

    def path(self) -> str:
        return urlsplit(self.page.url).path

    def login(self, login: dict) -> None:
        """Log in through the form and the second step the portal asks for on a new device."""
        page = self.open("/login/")
        page.fill("#id_username", login["username"])
        page.fill("#id_password", login["password"])
        page.click("main form.stack button[type=submit]")
        page.wait_for_load_state()
        self.check()
        second = {"/login/verify/": "#sandbox-text", "/login/authenticator/": "#demo-code"}.get(self.path())
        if second:
            page.fill("#id_code", self.code_from(second))
            page.click("main form.stack button[type=submit]")
            page.wait_for_load_state()
            self.check()
        assert not self.path().startswith("/login"), f"{login['username']} is still at {self.page.url}"
        self.speak_my_language()

    def speak_my_language(self) -> None:
        """A login brings the language the person chose before; switch as a person would, once."""
        if self.page.get_attribute("html", "lang") != self.language:
            self.page.click(f"form.lang button[value={self.language}]")
            self.page.wait_for_load_state()
            self.check()
        assert self.page.get_attribute("html", "lang") == self.language

    def code_from(self, selector: str) -> str:
        found = CODE.search(self.page.inner_text(selector))
        assert found, f"no six-digit code in {selector}: {self.page.inner_text(selector)!r}"
        return found.group(1)

    def reload_until(self, predicate, *, seconds: float = 120, every: float = 2.0) -> None:
        """Reload the page until ``predicate(page)`` holds: how a user waits for background work."""
        deadline = seconds
        while not predicate(self.page):
            if deadline <= 0:
                raise AssertionError(
                    f"still waiting at {self.page.url} after {seconds:.0f} s\n"
                    f"{self.page.inner_text('main')[:1500]}\n{self.city.log_tail()}"
                )
            self.page.wait_for_timeout(every * 1000)
            deadline -= every
            self.page.reload()
        self.check()

    # --- what every page must be ----------------------------------------------------------------
    def check(self) -> None:
        """axe-core finds nothing serious or critical, and the page fits the phone's width."""
        page = self.page
        page.wait_for_load_state()
        results = axe_playwright.Axe().run(page)
        blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
        assert not blocking, f"axe on {page.url}:\n" + "\n".join(
            f"- {v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
            for v in blocking
        )
        # Against the layout viewport: on a phone (is_mobile) the browser zooms out to fit a page
        # that is too wide, so window.innerWidth grows with the overflow and would hide it.
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        widest = ", ".join(page.evaluate(WIDEST_ELEMENTS)) if overflow > 0 else ""
        assert overflow <= 0, f"{page.url} is {overflow}px wider than a {PHONE['width']}px phone: {widest}"
        self.checked.add(self.path())

    def finish(self, name: str | None = None) -> None:
        """Keep the final screen, then hold the visit to the rules above."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        label = f"{self.journey}-{name or self.who}-{self.language}"
        self.page.screenshot(path=str(SCREENSHOTS / f"{label}.png"), full_page=True)
        unchecked = self.visited - self.checked - {"blank"}
        assert not unchecked, f"pages shown without an accessibility check: {sorted(unchecked)}"
        assert not self.console_errors, "browser console errors:\n" + "\n".join(self.console_errors)


@pytest.fixture
def visitors(browser, city, language, request):
    """Start a visitor: ``visitors("employee")``; each has a browser context of their own."""
    opened: list[Visitor] = []
    journey = request.node.originalname.removeprefix("test_")

    def start(who: str, served=None) -> Visitor:
        visitor = Visitor(browser, served or city, language, journey, who)
        opened.append(visitor)
        return visitor

    yield start
    for visitor in opened:
        visitor.context.close()
