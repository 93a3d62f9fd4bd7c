"""Journey (c): a home buyer estimates a fund loan, applies with the purchase contract, staff take it
through every approval level, the signing is recorded at the counter and the sandbox bank pays the
seller — the buyer and each member of staff on a phone of their own, in each language."""

from __future__ import annotations

import re

from e2e.conftest import Visitor

AMOUNT = re.compile(r"\d[\d,]*\.\d{2}")
BOOKING_REFERENCE = re.compile(r"(?:reference|预约号) ([A-Z0-9]+)")
# Income and other debt the buyer states, the same in the calculator and on the application.
MONTHLY_INCOME, OTHER_DEBT = "12000.00", "500.00"
SELLER_NAME = {"zh-hans": "厦门海湾置业有限公司", "en": "Xiamen Bay Properties Ltd"}
SELLER_ACCOUNT = "6222020200112233445"  # an ordinary sandbox card: the bank pays it
PRE_ACCEPTED = {"zh-hans": "已预受理", "en": "Pre-accepted"}
IN_APPROVAL = {"zh-hans": "审批中", "en": "In approval"}
SIGNED = {"zh-hans": "已签订合同", "en": "Contract signed"}
DISBURSED = {"zh-hans": "已放款", "en": "Disbursed"}
REPAYING = {"zh-hans": "还款中", "en": "Repaying"}
# The approval chain of a loan above the second-review amount (400,000 yuan in the demo), each level
# worked by its own member of staff: one person acts on one level of a case.
CHAIN = (
    ("ACCEPTANCE", "clerk"),
    ("FIRST", "first_reviewer"),
    ("SECOND", "section_chief"),
    ("FINAL", "deputy_director"),  # by the director's delegation, seeded for the demo
)


def staff_login(city, username: str) -> dict:
    return next(login for login in city.logins if login["username"] == username)


def yuan(text: str) -> str:
    found = AMOUNT.search(text)
    assert found, f"no amount in {text!r}"
    return found.group(0).replace(",", "")


def estimate_the_quota(buyer: Visitor, *, balance: str, price: str) -> tuple[str, str]:
    """The buyer's own figures in the public calculator, reached from the hall's loans page."""
    page = buyer.page
    page.click("#quota-calculator-link")
    buyer.check()
    page.fill("#id_balance", balance)
    page.fill("#id_monthly_income", MONTHLY_INCOME)
    page.fill("#id_other_monthly_debt", OTHER_DEBT)
    page.fill("#id_house_price", price)
    page.check("#id_home_0")  # first home
    page.fill("#id_term_months", "240")
    page.click("#quota-submit")
    page.wait_for_selector("#quota-result")
    buyer.check()
    binding = page.locator("#quota-limits tr.binding")
    assert binding.count() == 1, "no limit is marked as setting the quota"
    return yuan(page.inner_text("#quota-amount")), binding.get_attribute("id")


def apply_with_the_contract(buyer: Visitor, contract: dict, language: str) -> None:
    page = buyer.page
    page.check("#id_consent")
    page.check("#id_property_kind_0")  # a new home, bought from the developer
    page.fill("#id_property_ref", contract["property_ref"])
    page.fill("#id_property_address", contract["address"])
    page.fill("#id_house_price", contract["price_yuan"])
    page.fill("#id_seller_name", SELLER_NAME[language])
    page.fill("#id_seller_account", SELLER_ACCOUNT)
    page.check("#id_first_home_0")
    page.fill("#id_term_months", "240")
    page.fill("#id_monthly_income", MONTHLY_INCOME)
    page.fill("#id_other_monthly_debt", OTHER_DEBT)
    page.fill("#id_amount", "")  # the whole pre-approved quota
    page.click("#loan-apply-submit")
    page.wait_for_selector("#loan-status-value")
    buyer.check()


def book_the_signing(buyer: Visitor) -> str:
    """A time at the first counter that offers one; the booking's reference."""
    page = buyer.page
    page.click("#book-signing-link")
    buyer.check()
    page.locator("#signing-form input[name=starts_at]").first.check()
    page.click("#signing-submit")
    page.wait_for_selector("#loan-signing")
    buyer.check()
    return BOOKING_REFERENCE.search(page.inner_text("#loan-signing")).group(1)


def act_at(staff: Visitor, *, loan_id: str, level: str) -> None:
    """Find the case in the queue of what this person may act on, and pass it on."""
    page = staff.page
    staff.open("/staff/loans/")
    page.click(f"#loan-case-{loan_id}")
    staff.check()
    assert page.get_attribute("input[name=level]", "value") == level
    page.click("#approve-loan")
    page.wait_for_load_state()
    staff.check()
    assert page.locator("#action-error").count() == 0, page.inner_text("#action-error")


def pre_acceptance(buyer: Visitor, city, language: str) -> tuple[str, str, str]:
    """The quota estimate from the balance the hall shows, then the application and the signing
    booked: the loan's id, its amount and the booking's reference."""
    page = buyer.page
    buyer.login(city.login(persona="buyer"))
    contract = next(row for row in city.walk_ins["home_buyers"] if row["persona"] == "buyer")
    buyer.open("/hall/")
    balance = yuan(page.inner_text("[aria-labelledby=acct]"))
    page.click("#loans-link")
    buyer.check()
    estimate, binding = estimate_the_quota(buyer, balance=balance, price=contract["price_yuan"])
    assert estimate != "0.00", "the calculator finds no loan possible"

    # The centre decides at once and pre-approves the quota the calculator gave.
    buyer.open("/hall/loans/apply/")
    apply_with_the_contract(buyer, contract, language)
    assert page.inner_text("#loan-status-value") == PRE_ACCEPTED[language], page.inner_text("main")[:1500]
    assert yuan(page.inner_text("#loan-quota")) == estimate
    assert yuan(page.inner_text("#loan-amount")) == estimate
    assert page.get_attribute("#loan-limit-table tr.binding", "id") == binding
    loan_id = re.search(r"/hall/loans/(\d+)/", page.url).group(1)
    return loan_id, estimate, book_the_signing(buyer)


def approval_chain(visitors, city, language: str, *, buyer: Visitor, loan_id: str) -> dict[str, Visitor]:
    """Every approval level, each by its own member of staff; the buyer sees it move along."""
    staff = {}
    for level, username in CHAIN:
        staff[username] = visitors(username)
        staff[username].login(staff_login(city, username))
        act_at(staff[username], loan_id=loan_id, level=level)
        if level != "FINAL":
            buyer.open(f"/hall/loans/{loan_id}/")
            assert buyer.page.inner_text("#loan-status-value") == IN_APPROVAL[language]
    final = staff["deputy_director"].page
    assert final.locator("ol.levels li.done").count() == len(CHAIN), final.inner_text("#levels + ol")
    assert final.locator("#seal-verifies").count() == 1, "the approval seal does not verify"
    buyer.open(f"/hall/loans/{loan_id}/")
    assert buyer.page.locator("#contract-pdf-link").count() == 1, "the approved loan offers no contract"
    return staff


def signing_and_disbursement(
    clerk: Visitor, language: str, *, loan_id: str, amount: str, booking: str
) -> None:
    """The borrower signs at the counter; the clerk records it and the worker pays the seller."""
    page = clerk.page
    clerk.open("/staff/loans/contracts/")
    page.click(f"#contract-case-{loan_id}")
    clerk.check()
    assert page.locator("#seal-verifies").count() == 1
    assert booking in page.inner_text("#appointment"), "the clerk does not see the buyer's signing booking"
    page.click("#sign-contract")
    page.wait_for_load_state()
    clerk.check()
    assert page.inner_text("#loan-status") in (SIGNED[language], DISBURSED[language])
    clerk.reload_until(lambda p: p.inner_text("#loan-status") == DISBURSED[language])
    assert page.inner_text("#account-status") == REPAYING[language]
    assert yuan(page.inner_text("#outstanding")) == amount


def disbursed_in_the_hall(buyer: Visitor, language: str, *, loan_id: str, amount: str) -> None:
    page = buyer.page
    buyer.open(f"/hall/loans/{loan_id}/")
    buyer.reload_until(lambda p: p.inner_text("#loan-status-value") == DISBURSED[language])
    page.click("#loan-account-link")
    buyer.check()
    assert yuan(page.inner_text("#outstanding")) == amount
    assert AMOUNT.search(page.inner_text("#next-instalment")), "no next instalment on the loan account"


def test_loan(visitors, city, language):
    buyer = visitors("buyer")
    loan_id, amount, booking = pre_acceptance(buyer, city, language)
    staff = approval_chain(visitors, city, language, buyer=buyer, loan_id=loan_id)
    signing_and_disbursement(staff["clerk"], language, loan_id=loan_id, amount=amount, booking=booking)
    disbursed_in_the_hall(buyer, language, loan_id=loan_id, amount=amount)

    buyer.finish()
    for visitor in staff.values():
        visitor.finish()
