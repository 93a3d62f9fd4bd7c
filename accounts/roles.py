"""Roles: their names, the Django group and permissions behind each, and checks on a user.

A role is a Django group of the same name. The groups are created by a data migration; their
permissions are (re)attached by :func:`ensure_roles` after every ``migrate`` (``post_migrate``,
see ``AccountsConfig.ready``), because permissions of apps added later only exist then.
``ensure_roles`` only adds: permissions an administrator granted by hand are kept.

Admin access for staff is read-only by design: domain records change through services (which
lock, check state and write the audit row), never through admin forms.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

EMPLOYEE = "employee"
EMPLOYER_PREPARER = "employer_preparer"
EMPLOYER_APPROVER = "employer_approver"
STAFF_CLERK = "staff_clerk"
STAFF_SECTION_CHIEF = "staff_section_chief"
STAFF_DEPUTY_DIRECTOR = "staff_deputy_director"
STAFF_DIRECTOR = "staff_director"
STAFF_AUDITOR = "staff_auditor"
ADMIN = "admin"

ALL_ROLES = (
    EMPLOYEE,
    EMPLOYER_PREPARER,
    EMPLOYER_APPROVER,
    STAFF_CLERK,
    STAFF_SECTION_CHIEF,
    STAFF_DEPUTY_DIRECTOR,
    STAFF_DIRECTOR,
    STAFF_AUDITOR,
    ADMIN,
)
EMPLOYER_ROLES = frozenset({EMPLOYER_PREPARER, EMPLOYER_APPROVER})
# Roles that sign in to the admin console (User.is_staff).
STAFF_ROLES = frozenset(
    {STAFF_CLERK, STAFF_SECTION_CHIEF, STAFF_DEPUTY_DIRECTOR, STAFF_DIRECTOR, STAFF_AUDITOR, ADMIN}
)
# Staff who may confirm a soft warning (a legacy credit code); the auditor only looks.
CONFIRMING_STAFF_ROLES = frozenset(
    {STAFF_CLERK, STAFF_SECTION_CHIEF, STAFF_DEPUTY_DIRECTOR, STAFF_DIRECTOR, ADMIN}
)

# The business apps staff see in the admin console; apps not installed yet simply match nothing.
DOMAIN_APPS = (
    "core",
    "accounts",
    "ledger",
    "deposits",
    "withdrawals",
    "loans",
    "appointments",
    "transfers",
    "approvals",
    "payouts",
    "integrations",
    "catalogue",
)
# Every deciding role works the review queue (claim, release, approve, reject); the auditor only
# reads it.
_CLERK_EXTRA = ("approvals.decide_reviewcase",)
# Section chiefs and above keep the published service catalogue (最多跑一趟) up to date, and may
# see a full ID or card number, with a reason (accounts.disclosure).
_SENIOR_EXTRA = (
    *_CLERK_EXTRA,
    "accounts.confirm_credit_code",
    "catalogue.change_serviceitem",
    "accounts.view_unmasked_personal_data",
)
# Not a "view" of a model: seeing full ID and card numbers is kept to section chiefs and above.
_NOT_VIEWING = ("view_unmasked_personal_data",)
_DIRECTOR_EXTRA = (*_SENIOR_EXTRA, "core.add_policyparameter", "core.change_policyparameter")


def _view_permissions(apps: tuple[str, ...] | None):
    query = Permission.objects.filter(codename__startswith="view_").exclude(codename__in=_NOT_VIEWING)
    if apps is not None:
        query = query.filter(content_type__app_label__in=apps)
    return query


def _named_permissions(names: tuple[str, ...]):
    condition = Q(pk__in=[])
    for name in names:
        app_label, codename = name.split(".", 1)
        condition |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(condition)


def _permissions_for(role: str):
    if role == ADMIN:
        return Permission.objects.all()
    if role == STAFF_AUDITOR:
        # Everything, read-only: the audit log, users, lockouts and the business records.
        return _view_permissions(None)
    if role == STAFF_CLERK:
        return _view_permissions(DOMAIN_APPS) | _named_permissions(_CLERK_EXTRA)
    if role in (STAFF_SECTION_CHIEF, STAFF_DEPUTY_DIRECTOR):
        return _view_permissions(DOMAIN_APPS) | _named_permissions(_SENIOR_EXTRA)
    if role == STAFF_DIRECTOR:
        return _view_permissions(DOMAIN_APPS) | _named_permissions(_DIRECTOR_EXTRA)
    # Employees and employer operators act through the portal pages, not the admin console.
    return Permission.objects.none()


def ensure_roles() -> dict[str, Group]:
    """Create every role group and give it its permissions; safe to run any number of times."""
    groups = {}
    for role in ALL_ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*_permissions_for(role))
        groups[role] = group
    return groups


def roles_of(user) -> frozenset[str]:
    """The role names this user holds (groups that are not roles are ignored)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    return frozenset(group.name for group in user.groups.all() if group.name in ALL_ROLES)


def has_role(user, role: str) -> bool:
    if role not in ALL_ROLES:
        raise ValueError(f"unknown role {role!r}")
    return role in roles_of(user)
