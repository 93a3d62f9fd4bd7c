"""The employees' web hall (网上服务大厅): the account summary (the statement is web.statements)."""

from django.shortcuts import render

from accounts.selectors import account_summary_with_recent_movements
from hotline.sandbox_phone import sandbox_phone_available
from web.access import employee_only


@employee_only
def home(request):
    person = request.user.person
    summary, recent = account_summary_with_recent_movements(person, latest=12)
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
