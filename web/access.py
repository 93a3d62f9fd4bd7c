"""Who may see which part of the portal: one decorator per audience, and which record (404 else)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.roles import EMPLOYEE, EMPLOYER_ROLES, STAFF_ROLES, roles_of


def audience(*, roles: frozenset[str]):
    """Logged-in users holding one of ``roles``; anyone else gets 403 (not a redirect loop)."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not roles_of(request.user) & roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


employee_only = audience(roles=frozenset({EMPLOYEE}))
employer_only = audience(roles=EMPLOYER_ROLES)
staff_only = audience(roles=STAFF_ROLES)


def visible_or_404(user, permission: str, record):
    """``record`` when ``user`` holds the object ``permission`` on it (accounts.rules); otherwise
    404, the same answer as for an id that does not exist, so ids reveal nothing."""
    if record is None or not user.has_perm(permission, record):
        raise Http404
    return record


def landing_url_name(user) -> str:
    """Where a user lands after logging in: their own part of the portal."""
    roles = roles_of(user)
    if roles & STAFF_ROLES:
        return "web:staff-home"
    if roles & EMPLOYER_ROLES:
        return "web:employer-home"
    if EMPLOYEE in roles:
        return "web:hall-home"
    return "web:public-home"
