"""Journey (a): an employee logs in, checks the balance, withdraws for rent, is decided in seconds
and later sees the money paid to their own card — on a phone, in each language."""

from __future__ import annotations

import re

BALANCE = re.compile(r"\d[\d,]*\.\d{2}")
APPROVED = {"zh-hans": "已批准", "en": "Approved"}
PAID = {"zh-hans": "已支付到您的银行卡", "en": "Paid to your bank card"}


def test_withdrawal(visitors, city, language):
    employee = visitors("employee")
    page = employee.page
    employee.login(city.login(persona="renter"))

    employee.open("/hall/")
    assert BALANCE.search(page.inner_text("[aria-labelledby=acct]")), "the home page shows no balance"

    page.click("#withdraw-link")
    employee.check()
    page.click("#reason-rent")
    employee.check()
    page.check("#consent")
    page.check("#card-confirmed")
    page.click("#apply-submit")
    page.wait_for_selector("#decision-card")
    employee.check()
    assert "result-approve" in page.get_attribute("#decision-card", "class").split()
    assert APPROVED[language] in page.inner_text("#decision-card")

    # The worker pays approved withdrawals and the sandbox bank answers a moment later.
    employee.reload_until(lambda p: p.locator("#payout-card.payout-paid").count() == 1)
    assert PAID[language] in page.inner_text("#payout-card")
    employee.finish()
