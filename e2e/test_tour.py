"""A tour of every page each kind of user can reach by following links — on a phone, in each language.

The journeys hold the pages of their own paths to the rules; this tour holds the rest, the pages
no journey passes through (the loan deadlines, delegations and overdue lists of the staff console,
a borrower's prepayment and settlement pages, the auditor's views, the employer's lists). Each
visitor logs in and follows the links of the pages they see, breadth first, through GET only (an
action of the portal is always a form sent by POST, so following links changes nothing), and each
page must pass the same checks as a journey's: axe-core, the phone's width, the browser console.

Left out, with the reason: Django's admin console (``/admin/``, Django's own pages; the portal's
staff pages are under ``/staff/``), logging out, files (a statement's PDF, a problem report's
csv: their type is not HTML), and, of the pages that differ only by a record's number, all but
the first two of each kind (``/staff/loans/<n>/``, ``/services/<code>/``): the same template with
other data.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urlsplit

import pytest

# Who tours, and where each starts: every role of the portal that has pages of its own.
VISITORS = [
    ("borrower", {"persona": "loan_repayer"}, "/hall/"),
    ("preparer", {"role": "employer_preparer"}, "/employer/"),
    ("approver", {"role": "employer_approver"}, "/employer/"),
    ("director", {"username": "director"}, "/staff/"),
    ("auditor", {"username": "auditor"}, "/staff/"),
]
LEFT_OUT = ("/admin/", "/static/", "/media/", "/logout/", "/i18n/", "/api/")
# Pages of one kind differ only by a record's number or a code (a service of the guide).
NUMBER = re.compile(r"/\d+(?=/|$)")
CODE = re.compile(r"/[A-Z][A-Z0-9_]+(?=/|$)")
SAME_KIND_AT_MOST = 2
PAGES_AT_MOST = 40


def _kind(path: str) -> str:
    return CODE.sub("/<code>", NUMBER.sub("/<n>", path))


def _login_of(city, wanted: dict) -> dict:
    if "username" in wanted:
        return next(login for login in city.logins if login["username"] == wanted["username"])
    return city.login(**wanted)


def _links(page) -> list[str]:
    """Same-site paths of the page's links, in the order they appear, without query or fragment."""
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(link => link.href)")
    origin = urlsplit(page.url)
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.scheme in ("http", "https") and parts.netloc == origin.netloc:
            paths.append(parts.path)
    return paths


def _is_html(visitor, path: str) -> bool:
    answer = visitor.context.request.get(visitor.city.url + path, max_redirects=0)
    return answer.status == 200 and answer.headers.get("content-type", "").startswith("text/html")


@pytest.mark.parametrize(("who", "wanted", "start"), VISITORS, ids=[v[0] for v in VISITORS])
def test_tour(visitors, city, who, wanted, start):
    visitor = visitors(who)
    visitor.login(_login_of(city, wanted))

    queue, seen, kinds, toured = deque([start]), {start}, {}, []
    while queue and len(toured) < PAGES_AT_MOST:
        path = queue.popleft()
        kind = _kind(path)
        if kinds.get(kind, 0) >= SAME_KIND_AT_MOST or not _is_html(visitor, path):
            continue
        kinds[kind] = kinds.get(kind, 0) + 1
        visitor.open(path)
        toured.append(path)
        for link in _links(visitor.page):
            if link not in seen and not link.startswith(LEFT_OUT):
                seen.add(link)
                queue.append(link)

    # Each visitor reaches beyond their first page; the staff console's and the borrower's
    # pages no journey shows are on the tour.
    assert len(toured) > 3, toured
    expected = {
        "director": {"/staff/loans/sla/", "/staff/loans/delegations/", "/staff/loans/overdue/"},
        "borrower": {"/hall/loans/<n>/account/prepay/", "/hall/loans/<n>/account/settle/"},
    }.get(who, set())
    assert expected <= {_kind(path) for path in toured}, "toured: " + ", ".join(toured)
    visitor.finish()
