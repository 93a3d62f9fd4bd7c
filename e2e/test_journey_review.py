"""Journey (d): a member of staff works a referred withdrawal — on a phone, in each language.

The referral is the employee's own: a serious illness is decided by staff from the documents
sent with the application, so the rules refer it to the review queue as it arrives. The
reviewer finds it there, reads the rules' trace and opens the uploaded document, claims the case
and approves it with a reason; the employee then sees the staff's approval and the money paid
to their own card.
"""

from __future__ import annotations

import re
import struct
import zlib

APPLICATION_PATH = re.compile(r"/hall/applications/(\d+)/$")
CASE_PATH = re.compile(r"/staff/review/(\d+)/$")
AMOUNT = "100.00"
REFERRED = {"zh-hans": "本申请将由工作人员审核，原因：", "en": "Staff will decide this application, because:"}
DOCUMENTS = {"zh-hans": "申请人提交的材料", "en": "Documents from the applicant"}
CLAIMED = {"zh-hans": "您已认领该案件。", "en": "You claimed the case."}
APPROVED_BY_YOU = {"zh-hans": "您已审核通过该申请。", "en": "You approved the application."}
DECIDED = {"zh-hans": "该案件已办结。", "en": "This case has been decided."}
APPROVED_BY_STAFF = {"zh-hans": "人工审核通过", "en": "Approved by staff"}
PAID = {"zh-hans": "已支付到您的银行卡", "en": "Paid to your bank card"}
REVIEW_NOTE = {
    "zh-hans": "医院诊断证明与病历齐全，同意提取。",
    "en": "The hospital's diagnosis and records are complete: approved.",
}


def diagnosis_scan() -> bytes:
    """A small real PNG (the portal reads a document's type from its first bytes)."""
    width, height = 24, 16
    rows = b"".join(b"\x00" + bytes((200, 40, 40)) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def staff_login(city, username: str) -> dict:
    return next(login for login in city.logins if login["username"] == username)


def test_review(visitors, city, language):
    scan = diagnosis_scan()
    employee = visitors("employee")
    hall = employee.page
    # A persona no other journey applies with: its natural reason is rent, not an illness.
    employee.login(city.login(persona="spouse_owns_home"))

    employee.open("/hall/")
    hall.click("#withdraw-link")
    employee.check()
    hall.click("#reason-serious_illness")
    employee.check()
    hall.fill("#amount", AMOUNT)
    hall.set_input_files(
        "#documents", files=[{"name": "diagnosis.png", "mimeType": "image/png", "buffer": scan}]
    )
    hall.check("#consent")
    hall.check("#card-confirmed")
    hall.click("#apply-submit")
    hall.wait_for_selector("#decision-card")
    employee.check()
    assert "result-refer" in hall.get_attribute("#decision-card", "class").split()
    assert REFERRED[language] in hall.inner_text("#decision-card")
    assert "diagnosis.png" in hall.inner_text("main")
    number = APPLICATION_PATH.search(employee.path()).group(1)

    staff = visitors("staff")
    console = staff.page
    staff.login(staff_login(city, "first_reviewer"))
    staff.open("/staff/")
    console.click("main a[href='/staff/review/']")
    staff.check()
    # The queue lists each case by its application's number ("No. 123" / "第 123 号").
    mine = console.locator("table.cases tbody tr td:first-child a").filter(
        has_text=re.compile(rf"(?<!\d){number}(?!\d)")
    )
    assert mine.count() == 1, f"application {number} is not in the review queue"
    mine.click()
    staff.check()
    assert CASE_PATH.search(staff.path()), staff.page.url
    assert "outcome-refer" in console.inner_html("main section.trace")

    # The evidence: the uploaded scan opens in a tab of its own, exactly as it was sent.
    assert DOCUMENTS[language] in console.inner_text("[aria-labelledby=documents]")
    with console.expect_popup() as opened:
        console.click("[aria-labelledby=documents] a:has-text('diagnosis.png')")
    document = opened.value
    document.wait_for_load_state()
    shown = console.request.get(document.url)
    assert shown.headers["content-type"] == "image/png"
    assert shown.body() == scan
    assert document.evaluate("document.images.length && document.images[0].naturalWidth") == 24
    document.close()

    console.click("#claim-case")
    staff.check()
    assert CLAIMED[language] in console.inner_text("main")
    console.fill("#review-reason", REVIEW_NOTE[language])
    console.click("#approve-case")
    staff.check()
    assert APPROVED_BY_YOU[language] in console.inner_text("main")
    assert DECIDED[language] in console.inner_text("[aria-labelledby=act]")
    assert REVIEW_NOTE[language] in console.inner_text("main")

    # The approval pays at once; the worker sends the payout and the sandbox bank answers.
    employee.reload_until(lambda p: p.locator("#payout-card.payout-paid").count() == 1)
    assert hall.locator("h1 .status-approved").count() == 1
    # The decision's colour follows where the application stands, not the automatic referral.
    assert "result-approve" in hall.get_attribute("#decision-card", "class").split()
    assert APPROVED_BY_STAFF[language] in hall.inner_text("#timeline")
    assert REVIEW_NOTE[language] in hall.inner_text("#timeline"), (
        "the employee is not told the reviewer's reason"
    )
    assert PAID[language] in hall.inner_text("#payout-card")
    assert AMOUNT in hall.inner_text("#payout-card")
    staff.finish()
    employee.finish()
