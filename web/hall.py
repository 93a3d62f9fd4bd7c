"""The employees' web hall (网上服务大厅): the account summary (the statement is web.statements)."""

from django.shortcuts import render

from accounts.overview import statement_of
from accounts.selectors import account_summary
from hotline.sandbox_phone import sandbox_phone_available
from web.access import employee_only


@employee_only
def home(request):
    person = request.user.person
    summary = account_summary(person)
    recent = list(statement_of(person, date_from=None, date_to=None, latest=12)) if summary else []
    return render(
        request,
        "web/hall/home.html",
        {
            "person": person,
            "summary": summary,
            "recent": recent,
            "sandbox_phone": sandbox_phone_available(),
        },
    )
