"""The matrix test's world: one user per role, and the objects each may (or may not) see.

The employee owns the personal records (a withdrawal, a repaying loan, a booking, transfers, a
message, a deposit certificate) and works at the unit of the two employer operators, which has a
deposit list. Outsiders of the same audiences — another employee, the operators of another
unit — own nothing of those, and ask for them in the object-level cases. Rows are arranged
directly with the packages' factories; the services are what other tests test.
"""

from dataclasses import dataclass
from datetime import date

from freezegun import freeze_time

from accounts import roles
from accounts.models import FundAccount
from accounts.roles import ensure_roles
from approvals.models import ApplicationDocument
from audit.models import AuditEvent
from deposits.certificate import issue_deposit_certificate
from deposits.models import DepositList, ListKind
from inspection.report import build_daily_report
from tests.accounts.factories import EmployerFactory, FundAccountFactory, UserFactory
from tests.appointments.clock import NOW, TUESDAY, at
from tests.appointments.factories import BookableServiceFactory, booked, counter_offering
from tests.approvals.factories import ApplicationFactory, referred_case
from tests.catalogue.factories import ServiceItemFactory
from tests.inspection.factories import AlertFactory
from tests.ledger.factories import deposit
from tests.loans.factories_approval import delegation, loan_at
from tests.loans.factories_repayment import repaying_loan
from tests.notifications.factories import MessageFactory
from tests.security.matrix import ANONYMOUS, ROLES
from tests.transfers.factories_staff import IncomingTransferFactory, OutgoingTransferFactory
from tests.withdrawals.factories import approved

OUTSIDE_EMPLOYEE = "outside_employee"
OUTSIDE_OPERATOR = "outside_operator"


@dataclass
class World:
    users: dict  # role (or an outsider's name) -> User; no entry for the anonymous visitor
    objects: dict[str, str]  # "@name" of the matrix -> the value the URL is built with


def _user(username: str, role: str, **fields):
    user = UserFactory(username=username, is_staff=role in roles.STAFF_ROLES, **fields)
    user.groups.add(ensure_roles()[role])
    return user


def _person_of(user, *, at_unit=None):
    """A depositor for ``user``: a person with a funded account (at ``at_unit`` when given)."""
    account = FundAccountFactory(**({"employer": at_unit} if at_unit else {}))
    deposit(account.ledger_account, 480_000)
    account.person.user = user
    account.person.save(update_fields=["user"])
    return account


def _deposit_list(unit, uploaded_by) -> DepositList:
    return DepositList.objects.create(
        employer=unit,
        kind=ListKind.MONTHLY,
        period=date(2026, 10, 1),
        filename="list.csv",
        file_sha256="0" * 64,
        file_size=100,
        uploaded_by=uploaded_by,
    )


def _document(application) -> ApplicationDocument:
    return ApplicationDocument.objects.create(
        application=application,
        filename="proof.pdf",
        content_type="application/pdf",
        size=9,
        sha256="0" * 64,
        content=b"%PDF-1.4\n",
    )


def build_world() -> World:
    """Every user and object the matrix names; needs an open transaction."""
    users = {}
    loan_account = repaying_loan(fund_balance=480_000)
    loan = loan_account.application
    person = loan.applicant
    fund_account = FundAccount.objects.get(person=person)
    users[roles.EMPLOYEE] = _user("matrix-employee", roles.EMPLOYEE)
    person.user = users[roles.EMPLOYEE]
    person.save(update_fields=["user"])
    unit = fund_account.employer
    for role in (roles.EMPLOYER_PREPARER, roles.EMPLOYER_APPROVER):
        users[role] = _user(f"matrix-{role}", role, employer=unit)
    for role in ROLES:
        if role not in users and role != ANONYMOUS:
            users[role] = _user(f"matrix-{role}", role)

    users[OUTSIDE_EMPLOYEE] = _user("matrix-outside-employee", roles.EMPLOYEE)
    _person_of(users[OUTSIDE_EMPLOYEE])
    other_unit = EmployerFactory()
    users[OUTSIDE_OPERATOR] = _user("matrix-outside-operator", roles.EMPLOYER_APPROVER, employer=other_unit)
    FundAccountFactory(employer=other_unit)

    service = BookableServiceFactory()
    with freeze_time(NOW):
        counter_offering(service, code="siming")
        booking = booked(at(TUESDAY, 9), person=person, counter="siming")
    certificate = issue_deposit_certificate(person=person, purpose="RENT", actor=None)
    review_case = referred_case()
    loan_case = loan_at("FIRST")
    eligibility = ApplicationFactory(kind="loan", applicant=loan_case.applicant)
    loan_case.eligibility = eligibility
    loan_case.save(update_fields=["eligibility"])

    report = build_daily_report(day=date(2026, 11, 26))
    objects = {
        "withdrawal": approved(person).pk,
        "message": MessageFactory(person=person).pk,
        "certificate": certificate.pk,
        "certificate_code": certificate.seal.code,
        "seal_code": loan.approval_seal.code,
        "service_code": ServiceItemFactory().code,
        "incoming": IncomingTransferFactory(account=fund_account).pk,
        "outgoing": OutgoingTransferFactory(account=fund_account).pk,
        "booking": booking.pk,
        "loan": loan.pk,
        "loan_account_no": loan_account.account_no,
        "unit_account_no": fund_account.account_no,
        "unit_list": _deposit_list(unit, users[roles.EMPLOYER_PREPARER]).pk,
        "review_case": review_case.pk,
        "review_document": _document(review_case.application).pk,
        "loan_case": loan_case.pk,
        "loan_document": _document(eligibility).pk,
        "delegation": delegation(
            delegator=users[roles.STAFF_DIRECTOR],
            delegate=users[roles.STAFF_DEPUTY_DIRECTOR],
            valid_from=date(2026, 1, 1),
            valid_until=date(2026, 12, 31),
        ).pk,
        "audit_event": AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True).first(),
        "alert": AlertFactory().pk,
        "report_day": report.day.isoformat(),
    }
    return World(users=users, objects={f"@{name}": str(value) for name, value in objects.items()})
