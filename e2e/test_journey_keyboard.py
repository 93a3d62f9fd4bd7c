"""Journey (a) with the keyboard alone: log in, read the balance, withdraw for rent, see it paid.

No control is clicked or filled by the test: focus moves with Tab (and the skip link), checkboxes
are ticked with Space, forms are sent with Enter, text is typed where focus is. Each control must
be reached in a bounded number of Tabs (no keyboard trap) and every stop on the way must show
where focus is (a visible outline or shadow from :focus-visible). Reading the sandbox text for
the login code is what the person does with their eyes; typing it is done by the keyboard.

The journey runs in a city of its own: it spends the renter's one open rent application, which
the shared city's journey (a) needs as well.
"""

from __future__ import annotations

import re

from e2e.conftest import Visitor

LANGUAGE = "zh-hans"
BALANCE = re.compile(r"\d[\d,]*\.\d{2}")
APPROVED = "已批准"
PAID = "已支付到您的银行卡"
SKIP = "跳到正文"
# A page has a few dozen stops before its main controls at most; more means focus is lost or trapped.
MOST_TABS = 60

FOCUS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const style = getComputedStyle(e);
  const box = e.getBoundingClientRect();
  return {
    tag: e.tagName.toLowerCase(),
    id: e.id,
    text: (e.innerText || e.value || "").trim().slice(0, 40),
    focusVisible: e.matches(":focus-visible"),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== "none",
    onScreen: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0
      && box.left < window.innerWidth,
    inMain: e.closest("main") !== null,
  };
}"""


def focused(page) -> dict | None:
    return page.evaluate(FOCUS)


def assert_focus_shows(page) -> dict:
    """The focused element is on screen and drawn with a focus indicator a sighted user can follow."""
    where = focused(page)
    assert where is not None, f"focus is lost (on the page's body) at {page.url}"
    assert where["onScreen"], f"the focused {where} is off screen at {page.url}"
    assert where["focusVisible"] and (where["outline"] or where["shadow"]), (
        f"the focused {where} shows no focus indicator at {page.url}"
    )
    return where


def tab_to(page, selector: str) -> None:
    """Press Tab until ``selector`` has focus, each stop showing its focus; fail past MOST_TABS."""
    stops = []
    for _ in range(MOST_TABS):
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            assert_focus_shows(page)
            return
        page.keyboard.press("Tab")
        stops.append(assert_focus_shows(page))
    raise AssertionError(
        f"{selector} not reached in {MOST_TABS} Tabs at {page.url}; focus went: "
        + " → ".join(f"{stop['tag']}#{stop['id']}:{stop['text']}" for stop in stops[-12:])
    )


def skip_to_content(page) -> None:
    """The first Tab of a fresh page reaches the skip link, shown on screen; Enter moves on into main."""
    page.keyboard.press("Tab")
    where = assert_focus_shows(page)
    assert where["tag"] == "a" and where["text"] == SKIP, f"the first Tab reached {where}, not the skip link"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main"), page.url
    page.keyboard.press("Tab")
    where = assert_focus_shows(page)
    assert where["inMain"], f"after the skip link, Tab reached {where} outside the page's content"


def press_and_wait(visitor: Visitor, key: str) -> None:
    """A key that sends a form or follows a link: wait for the next page, then check it."""
    with visitor.page.expect_navigation():
        visitor.page.keyboard.press(key)
    visitor.check()


def test_withdrawal_by_keyboard(browser, own_city):
    employee = Visitor(browser, own_city, LANGUAGE, "withdrawal_by_keyboard", "employee")
    page = employee.page
    login = own_city.login(persona="renter")
    try:
        # The login form puts focus on the user name itself (autofocus).
        employee.open("/login/")
        tab_to(page, "#id_username")
        page.keyboard.type(login["username"])
        tab_to(page, "#id_password")
        page.keyboard.type(login["password"])
        tab_to(page, "main form.stack button[type=submit]")
        press_and_wait(employee, "Enter")

        # A new device: the code sent by text, which the sandbox shows on the page.
        assert employee.path() == "/login/verify/", page.url
        code = employee.code_from("#sandbox-text")
        tab_to(page, "#id_code")
        page.keyboard.type(code)
        press_and_wait(employee, "Enter")
        assert not employee.path().startswith("/login"), page.url
        if page.get_attribute("html", "lang") != LANGUAGE:
            tab_to(page, f"form.lang button[value={LANGUAGE}]")
            press_and_wait(employee, "Enter")
        assert page.get_attribute("html", "lang") == LANGUAGE

        assert employee.path() == "/hall/", page.url
        skip_to_content(page)
        assert BALANCE.search(page.inner_text("[aria-labelledby=acct]")), "the home page shows no balance"
        tab_to(page, "#withdraw-link")
        press_and_wait(employee, "Enter")
        tab_to(page, "#reason-rent")
        press_and_wait(employee, "Enter")

        tab_to(page, "#consent")
        page.keyboard.press("Space")
        assert page.is_checked("#consent")
        tab_to(page, "#card-confirmed")
        page.keyboard.press("Space")
        assert page.is_checked("#card-confirmed")
        tab_to(page, "#apply-submit")
        press_and_wait(employee, "Enter")
        page.wait_for_selector("#decision-card")
        assert "result-approve" in page.get_attribute("#decision-card", "class").split()
        assert APPROVED in page.inner_text("#decision-card")

        # The page follows the payment by itself; the worker pays and the sandbox bank answers.
        employee.reload_until(lambda p: p.locator("#payout-card.payout-paid").count() == 1)
        assert PAID in page.inner_text("#payout-card")
        employee.finish()
    finally:
        employee.context.close()
