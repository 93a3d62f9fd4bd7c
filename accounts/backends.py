"""Employees log in with their resident ID number instead of a user name.

``IdNumberBackend`` answers only for user names shaped like an ID number (17 digits and a
digit or ``X``, either case, spaces ignored); anything else falls through to ``ModelBackend``
(employer operators and staff). django-axes sits before both and counts failures of each kind.

``axes_username`` is meant for ``AXES_USERNAME_CALLABLE``: it makes ``…123x`` and ``…123X``
one lockout key (else a lowercase retry would get five more guesses) and records ID numbers in
axes' tables as their blind index, never in clear. Together with
``AXES_SENSITIVE_PARAMETERS = ["username", "password"]`` (which masks the posted form that axes
also stores) no ID number reaches axes' tables.
"""

from django.contrib.auth.backends import ModelBackend

from accounts.selectors import person_by_id_number
from core.admin_search import looks_like_id_number
from core.crypto import blind_index


class IdNumberBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if password is None or not looks_like_id_number(username):
            return None
        person = person_by_id_number(username)
        user = person.user if person is not None else None
        if user is None:
            # Hash anyway, so the response time does not tell a registered number from a stranger's.
            self._hash_dummy_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        # Every page of an employee's session shows their person (the header's name, the account
        # behind most pages): the user and the person come in one query instead of two.
        from accounts.models import User

        user = User._default_manager.select_related("person").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    @staticmethod
    def _hash_dummy_password(password: str) -> None:
        from accounts.models import User

        User().set_password(password)


def axes_username(request, credentials) -> str | None:
    """The lockout key for a login attempt (``AXES_USERNAME_CALLABLE``)."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        # DRF requests carry the body in .data, form posts in .POST (as axes itself reads it).
        username = getattr(request, "data", getattr(request, "POST", {})).get("username")
    if username is None:
        return None
    if looks_like_id_number(username):
        return f"id:{blind_index(username)}"
    return username
