"""Public pages: what the portal offers, before anyone logs in."""

from django.shortcuts import redirect, render

from web.access import landing_url_name


def home(request):
    if request.user.is_authenticated:
        return redirect(landing_url_name(request.user))
    return render(request, "web/public/home.html")
