"""The employer's pages (单位网厅): the unit, its accounts and its deposit position."""

from django.shortcuts import render

from accounts.overview import employer_overview
from web.access import employer_only


@employer_only
def home(request):
    employer = request.user.employer
    overview = employer_overview(employer) if employer is not None else None
    return render(request, "web/employer/home.html", {"overview": overview})
