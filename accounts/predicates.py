"""Who may see which record: the ``rules`` predicates behind the object permissions.

Predicates read only ids the records carry (``applicant_id``, ``employer_id``, ``person_id``…),
so this module needs no models from the apps above ``accounts`` and any record with those
attributes can be asked about. A predicate given no object (``None``) answers False, so
``user.has_perm(name)`` without an object means "some role grants it regardless of owner".
"""

import rules

from accounts.roles import EMPLOYEE, EMPLOYER_ROLES, STAFF_ROLES, roles_of


def _person_id_of(user) -> int | None:
    person = getattr(user, "person", None) if user is not None and user.is_authenticated else None
    return getattr(person, "pk", None)


# Audiences ----------------------------------------------------------------------------------


@rules.predicate
def is_employee(user) -> bool:
    return EMPLOYEE in roles_of(user)


@rules.predicate
def is_employer_operator(user) -> bool:
    """A unit's preparer or approver, attached to a unit."""
    return bool(getattr(user, "employer_id", None) and roles_of(user) & EMPLOYER_ROLES)


@rules.predicate
def is_staff_role(user) -> bool:
    """Any of the centre's roles (clerk up to director, the auditor, the administrator)."""
    return bool(roles_of(user) & STAFF_ROLES)


def has_any_role(*names: str) -> rules.Predicate:
    """A predicate true for users holding one of ``names``."""
    wanted = frozenset(names)

    def holds(user) -> bool:
        return bool(roles_of(user) & wanted)

    return rules.predicate(holds, name=f"has_any_role:{','.join(sorted(wanted))}")


# A person's own records ---------------------------------------------------------------------


@rules.predicate
def owns_person(user, person) -> bool:
    return person is not None and user.is_authenticated and person.user_id == user.pk


@rules.predicate
def owns_account(user, account) -> bool:
    """The fund account (or anything with a ``person_id``: a certificate, a booking) is theirs."""
    mine = _person_id_of(user)
    return account is not None and mine is not None and account.person_id == mine


@rules.predicate
def owns_application(user, application) -> bool:
    """The applicant of a withdrawal (or any application with an ``applicant_id``)."""
    mine = _person_id_of(user)
    return application is not None and mine is not None and application.applicant_id == mine


@rules.predicate
def is_loan_party(user, loan) -> bool:
    """The applicant or the co-borrower of a loan application."""
    mine = _person_id_of(user)
    if loan is None or mine is None:
        return False
    return mine in (loan.applicant_id, loan.co_borrower_id)


@rules.predicate
def is_loan_account_party(user, loan_account) -> bool:
    return loan_account is not None and is_loan_party(user, loan_account.application)


# A unit's records ---------------------------------------------------------------------------


@rules.predicate
def at_own_unit(user, record) -> bool:
    """The record (a fund account, a deposit list) belongs to the operator's own unit."""
    unit = getattr(user, "employer_id", None)
    return record is not None and unit is not None and record.employer_id == unit


@rules.predicate
def employs_person(user, person) -> bool:
    """The person's fund account is at the operator's unit: an employer sees only its staff."""
    from accounts.models import FundAccount

    unit = getattr(user, "employer_id", None)
    if person is None or unit is None:
        return False
    return FundAccount.objects.filter(person_id=person.pk, employer_id=unit).exists()
