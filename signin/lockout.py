"""Wrong second-factor codes count as failed logins for django-axes.

Five failures lock the (user, address) pair, as wrong passwords do: guessing codes from one
address locks only that address, never the citizen's own.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_login_failed

from signin.services import lockout_key


def record_failed_code(request, user) -> None:
    user_login_failed.send(sender=__name__, credentials={"username": lockout_key(user)}, request=request)


def locked_out(request, user) -> bool:
    return AxesProxyHandler.is_locked(request, {"username": lockout_key(user)})


def username_locked_out(request, username: str) -> bool:
    """Whether a login typed as ``username`` (an ID number or a user name) is locked from here."""
    return bool(username) and AxesProxyHandler.is_locked(request, {"username": username})
