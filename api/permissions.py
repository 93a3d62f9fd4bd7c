"""Who may call an endpoint, and see which record: the API's side of accounts.rules.

A record someone may not see answers 404, exactly as a record that does not exist, so an id
reveals nothing (docs/AUTHORIZATION.md).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission

from accounts.predicates import is_employee, is_employer_operator, is_staff_role


class IsEmployee(BasePermission):
    message = _("Only employees can use this.")

    def has_permission(self, request, view):
        return is_employee(request.user)


class IsEmployerOperatorRole(BasePermission):
    message = _("Only the operators of a unit can use this.")

    def has_permission(self, request, view):
        return is_employer_operator(request.user)


class IsStaff(BasePermission):
    message = _("Only the centre's staff can use this.")

    def has_permission(self, request, view):
        return is_staff_role(request.user)


def visible_or_not_found(user, permission: str, record, *, message=None):
    """``record`` when ``user`` holds ``permission`` on it; otherwise NotFound, as for no record."""
    if record is None or not user.has_perm(permission, record):
        raise NotFound(message or _("Not found."))
    return record
