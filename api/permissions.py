"""Which record an API caller may see: the API's side of accounts.rules.

A record someone may not see answers 404, exactly as a record that does not exist, so an id
reveals nothing (docs/AUTHORIZATION.md).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound


def visible_or_not_found(user, permission: str, record, *, message=None):
    """``record`` when ``user`` holds the object ``permission`` on it; otherwise NotFound."""
    if record is None or not user.has_perm(permission, record):
        raise NotFound(message or _("Not found."))
    return record
