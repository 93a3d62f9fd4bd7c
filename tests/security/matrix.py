"""The authorisation matrix: for every route of the portal, who may use it and with which object.

Written by hand from what each page and endpoint is for, not read off the code it checks: the
test (``test_authorization_matrix.py``) walks ``fundportal.urls`` and asks every route as every
role, and docs/AUTHORIZATION.md is rendered from this table (``python -m
tests.security.render_matrix > docs/AUTHORIZATION.md``).

Adding a route: give its URL name an entry in ``MATRIX`` — the roles allowed (``ANONYMOUS``
for visitors who are not signed in) and, when its path takes arguments, their values in
``kwargs``. A value starting with ``@`` names an object of the test's world
(``tests/security/world.py``): ``"@withdrawal"`` is the id of a withdrawal of the test employee,
``"@unit_list"`` of a deposit list of the test employer operators' unit, and so on; such routes
are also asked by a person (or a unit) the object does not belong to, who must be refused. The
test fails while a route has no entry, and for an entry whose route is gone.

Allowed means let in: not 401 or 403, not sent to the login page, and not 404 (refusals of an
object answer 404, so an allowed role must find its own object) — unless
``owner_may_be_refused`` says why the page serves the object only in a state (or to a party) the
world does not arrange. Refused means 401, 403,
404 or a redirect to the login page. A route that refuses GET (405) is asked with a POST of
``data`` (empty unless the entry says otherwise): the question is whether the caller is let in,
not whether the request succeeds.
"""

from dataclasses import dataclass, field

from accounts.roles import (
    ADMIN,
    EMPLOYEE,
    EMPLOYER_APPROVER,
    EMPLOYER_PREPARER,
    STAFF_AUDITOR,
    STAFF_CLERK,
    STAFF_DEPUTY_DIRECTOR,
    STAFF_DIRECTOR,
    STAFF_SECTION_CHIEF,
)

ANONYMOUS = "anonymous"
ROLES = (
    ANONYMOUS,
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

NOBODY: frozenset[str] = frozenset()
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {ANONYMOUS}
EMPLOYEES = frozenset({EMPLOYEE})
EMPLOYERS = frozenset({EMPLOYER_PREPARER, EMPLOYER_APPROVER})
# A unit's lists: the preparer uploads, submits and discards; the approver approves, returns and
# asks the bank again.
PREPARER = frozenset({EMPLOYER_PREPARER})
APPROVER = frozenset({EMPLOYER_APPROVER})
STAFF = frozenset(
    {STAFF_CLERK, STAFF_SECTION_CHIEF, STAFF_DEPUTY_DIRECTOR, STAFF_DIRECTOR, STAFF_AUDITOR, ADMIN}
)
# Staff who act on cases and queues; the auditor only reads.
ACTING_STAFF = STAFF - {STAFF_AUDITOR}
# Section chiefs and above, and the administrator: revoking a certificate, planning the rota,
# seeing a full ID or card number.
SENIOR_STAFF = frozenset({STAFF_SECTION_CHIEF, STAFF_DEPUTY_DIRECTOR, STAFF_DIRECTOR, ADMIN})
DIRECTOR = frozenset({STAFF_DIRECTOR})
# The audit log: section chiefs and above, the auditor and the administrator; clerks do not.
AUDIT_LOG_READERS = frozenset(
    {STAFF_SECTION_CHIEF, STAFF_DEPUTY_DIRECTOR, STAFF_DIRECTOR, STAFF_AUDITOR, ADMIN}
)
# The electronic audit: auditors (and the administrator) work alerts; directors read them.
ALERT_WORKERS = frozenset({STAFF_AUDITOR, ADMIN})
ALERT_READERS = ALERT_WORKERS | {STAFF_DIRECTOR, STAFF_DEPUTY_DIRECTOR}
# The console's own records (roles, the audit log): read by the auditor, kept by the administrator.
AUDITOR_AND_ADMIN = frozenset({STAFF_AUDITOR, ADMIN})
# Who reads the record of unmasked personal data.
PRIVACY_OVERSEERS = frozenset({STAFF_AUDITOR, STAFF_DEPUTY_DIRECTOR, STAFF_DIRECTOR, ADMIN})
# The person's own records, also reachable by staff reading a case.
EMPLOYEE_AND_STAFF = EMPLOYEES | STAFF


@dataclass(frozen=True)
class Entry:
    """Who may use one route, and the arguments its path is asked with."""

    allowed: frozenset[str]
    kwargs: dict[str, str] = field(default_factory=dict)
    # Why the owner's own object may still be refused (403/404): it is not in the state, or the
    # owner not in the part, the route serves. Only the refusals of the others are checked then.
    owner_may_be_refused: str = ""
    # Asked with POST even though GET answers (GET only sends the caller back to a page).
    method: str = "GET"
    # The body of a POST, when an empty one would be refused (400) before the role is looked at.
    data: dict[str, str] = field(default_factory=dict)
    # Why landing on the login page is the route doing its job (signing out, a sign-in step
    # asked outside a sign-in); such a route is checked only for not failing.
    sends_to_login: str = ""
    note: str = ""

    @property
    def objects(self) -> dict[str, str]:
        """The path arguments that name an object of the world, without their ``@``."""
        return {name: value[1:] for name, value in self.kwargs.items() if value.startswith("@")}


def public(**kwargs) -> Entry:
    return Entry(EVERYONE, kwargs)


# Every route of the admin console (``admin:…``) without an entry of its own answers to this one:
# the console lets in the centre's staff (User.is_staff) and the model permissions of their role
# decide the rest (accounts.roles).
ADMIN_CONSOLE = Entry(STAFF, note="the admin console: staff only, each model by the role's permissions")

MATRIX: dict[str, Entry] = {
    # The admin console: its index for every member of staff, and a few models whose role
    # permissions differ (every other ``admin:`` route answers to ADMIN_CONSOLE) -------------
    "admin:index": ADMIN_CONSOLE,
    "admin:accounts_person_changelist": Entry(STAFF, note="the people, masked; every staff role reads them"),
    "admin:audit_auditevent_changelist": Entry(
        AUDITOR_AND_ADMIN, note="the audit log in the console: the auditor and the administrator"
    ),
    "admin:auth_group_changelist": Entry(
        AUDITOR_AND_ADMIN, note="the roles themselves: read by the auditor, kept by the administrator"
    ),
    # Top level ---------------------------------------------------------------------------
    "healthz": public(),
    "readyz": public(),
    "set_language": public(),
    "schema": Entry(EVERYONE, note="the OpenAPI schema: describes the endpoints, holds no data"),
    "api-docs": Entry(EVERYONE, note="the API's documentation page: no data"),
    # Public pages ------------------------------------------------------------------------
    "web:home": public(),
    "web:public-home": public(),
    "web:login": public(),
    "web:logout": Entry(EVERYONE, sends_to_login="signs the caller out"),
    "web:login-verify": Entry(
        EVERYONE, sends_to_login="the texted code's step of a sign-in; none pending here"
    ),
    "web:login-authenticator": Entry(
        EVERYONE, sends_to_login="the authenticator's step of a staff sign-in; none pending here"
    ),
    "web:password-change": Entry(SIGNED_IN),
    "web:password-change-done": Entry(SIGNED_IN),
    "web:loan-quota": public(),
    "web:loan-schedule": public(),
    "web:public-rota": public(),
    "web:catalogue": public(),
    "web:catalogue-item": public(code="@service_code"),
    "web:certificate-find": public(),
    "web:certificate": public(code="@certificate_code"),
    "web:seal-find": public(),
    "web:seal": public(code="@seal_code"),
    "web:unit-register": public(),
    "web:unit-registered": public(),
    # The employee's hall -----------------------------------------------------------------
    "web:hall-home": Entry(EMPLOYEES),
    "web:hall-check": Entry(EMPLOYEES),
    "web:hall-applications": Entry(EMPLOYEES),
    "web:hall-application": Entry(EMPLOYEES, {"pk": "@withdrawal"}),
    "web:hall-messages": Entry(EMPLOYEES),
    "web:hall-messages-read-all": Entry(EMPLOYEES),
    "web:hall-message-read": Entry(EMPLOYEES, {"pk": "@message"}),
    "web:hall-sandbox-phone": Entry(EMPLOYEES),
    "web:hall-security": Entry(EMPLOYEES),
    "web:hall-device-revoke": Entry(
        EMPLOYEES, {"pk": "1"}, note="one's own trusted devices only: another's is refused as not trusted"
    ),
    "web:hall-card": Entry(EMPLOYEES),
    "web:hall-withdraw": Entry(EMPLOYEES),
    "web:hall-withdraw-apply": Entry(EMPLOYEES, {"reason": "RENT"}),
    "web:hall-statement": Entry(EMPLOYEES),
    "web:hall-statement-yearly": Entry(EMPLOYEES),
    "web:hall-statement-download": Entry(EMPLOYEES, {"fmt": "csv"}),
    "web:hall-certificates": Entry(EMPLOYEES),
    "web:hall-deposit-certificate": Entry(EMPLOYEES, {"pk": "@certificate"}),
    "web:hall-transfer-intra": Entry(EMPLOYEES),
    "web:hall-transfer-cross-city": Entry(EMPLOYEES),
    "web:hall-transfer-incoming-detail": Entry(EMPLOYEES, {"pk": "@incoming"}),
    "web:hall-transfer-outgoing-detail": Entry(EMPLOYEES, {"pk": "@outgoing"}),
    "web:hall-appointments": Entry(EMPLOYEES),
    "web:hall-appointment-new": Entry(EMPLOYEES),
    "web:hall-appointment-counter": Entry(EMPLOYEES, {"service": "LOAN_SIGNING"}),
    "web:hall-appointment-slots": Entry(EMPLOYEES, {"service": "LOAN_SIGNING", "counter": "siming"}),
    "web:hall-appointment-confirm": Entry(EMPLOYEES, {"service": "LOAN_SIGNING", "counter": "siming"}),
    "web:hall-appointment": Entry(EMPLOYEES, {"pk": "@booking"}),
    "web:hall-appointment-cancel": Entry(EMPLOYEES, {"pk": "@booking"}, method="POST"),
    "web:hall-loans": Entry(EMPLOYEES),
    "web:hall-loan-apply": Entry(EMPLOYEES),
    "web:hall-loan": Entry(EMPLOYEES, {"pk": "@loan"}),
    "web:hall-loan-withdraw": Entry(EMPLOYEES, {"pk": "@loan"}),
    "web:hall-loan-confirm": Entry(
        EMPLOYEES, {"pk": "@loan"}, owner_may_be_refused="the co-borrower confirms, not the applicant"
    ),
    "web:hall-loan-signing": Entry(
        EMPLOYEES, {"pk": "@loan"}, owner_may_be_refused="only while the contract is to be signed"
    ),
    "web:hall-loan-resubmit": Entry(
        EMPLOYEES, {"pk": "@loan"}, owner_may_be_refused="only while the case is returned"
    ),
    "web:hall-loan-account": Entry(EMPLOYEES, {"pk": "@loan"}),
    "web:hall-loan-pay-now": Entry(EMPLOYEES, {"pk": "@loan"}),
    "web:hall-loan-collection-mode": Entry(EMPLOYEES, {"pk": "@loan"}),
    "web:hall-loan-prepay": Entry(EMPLOYEES, {"pk": "@loan"}),
    "web:hall-loan-settle": Entry(EMPLOYEES, {"pk": "@loan"}),
    "web:hall-loan-settled-certificate": Entry(
        EMPLOYEES, {"pk": "@loan"}, owner_may_be_refused="only once the loan is settled"
    ),
    "web:loan-contract-pdf": Entry(EMPLOYEE_AND_STAFF, {"pk": "@loan"}, note="the borrowers and staff"),
    # The employer's pages ----------------------------------------------------------------
    "web:employer-home": Entry(EMPLOYERS),
    "web:employer-unit": Entry(EMPLOYERS),
    "web:employer-unit-rates": Entry(EMPLOYERS),
    "web:employer-staff": Entry(EMPLOYERS),
    "web:employer-staff-add": Entry(EMPLOYERS),
    "web:employer-staff-account": Entry(EMPLOYERS, {"account_no": "@unit_account_no"}),
    "web:employer-staff-base": Entry(EMPLOYERS, {"account_no": "@unit_account_no"}),
    "web:employer-staff-seal": Entry(EMPLOYERS, {"account_no": "@unit_account_no"}),
    "web:employer-lists": Entry(EMPLOYERS),
    "web:employer-lists-template": Entry(EMPLOYERS),
    "web:employer-lists-upload": Entry(EMPLOYERS),
    "web:employer-list": Entry(EMPLOYERS, {"pk": "@unit_list"}),
    "web:employer-list-progress": Entry(EMPLOYERS, {"pk": "@unit_list"}),
    "web:employer-list-problems": Entry(
        EMPLOYERS, {"pk": "@unit_list", "fmt": "csv"}, owner_may_be_refused="only once a check found problems"
    ),
    "web:employer-list-act": Entry(PREPARER, {"pk": "@unit_list", "action": "discard"}, note="by action"),
    # The centre's staff pages ------------------------------------------------------------
    "web:staff-home": Entry(STAFF),
    "web:staff-dashboard": Entry(STAFF),
    "web:staff-review-queue": Entry(STAFF),
    "web:staff-review-case": Entry(STAFF, {"pk": "@review_case"}),
    "web:staff-review-document": Entry(
        ACTING_STAFF, {"pk": "@review_case", "document_id": "@review_document"}
    ),
    "web:staff-review-act": Entry(ACTING_STAFF, {"pk": "@review_case", "action": "claim"}),
    "web:staff-loan-queue": Entry(STAFF),
    "web:staff-loan-sla": Entry(STAFF),
    "web:staff-loan-overdue": Entry(STAFF),
    "web:staff-loan-case": Entry(STAFF, {"pk": "@loan_case"}),
    "web:staff-loan-document": Entry(ACTING_STAFF, {"pk": "@loan_case", "document_id": "@loan_document"}),
    "web:staff-loan-act": Entry(STAFF, {"pk": "@loan_case", "action": "accept"}),
    "web:staff-loan-delegations": Entry(DIRECTOR, note="the director's delegations of final approval"),
    "web:staff-loan-delegation-revoke": Entry(DIRECTOR, {"pk": "@delegation"}),
    "web:staff-loan-contracts": Entry(STAFF),
    "web:staff-loan-contract": Entry(STAFF, {"pk": "@loan"}),
    "web:staff-loan-contract-sign": Entry(STAFF, {"pk": "@loan"}),
    "web:staff-loan-contract-disburse": Entry(STAFF, {"pk": "@loan"}),
    "web:staff-transfers": Entry(STAFF),
    "web:staff-transfers-fetch": Entry(ACTING_STAFF),
    "web:staff-transfers-sandbox-letter": Entry(ACTING_STAFF),
    "web:staff-transfer-incoming": Entry(STAFF, {"pk": "@incoming"}),
    "web:staff-transfer-incoming-ask": Entry(ACTING_STAFF, {"pk": "@incoming"}),
    "web:staff-transfer-outgoing": Entry(STAFF, {"pk": "@outgoing"}),
    "web:staff-transfer-outgoing-ask": Entry(ACTING_STAFF, {"pk": "@outgoing"}),
    "web:staff-appointment-rota": Entry(STAFF),
    "web:staff-appointment-rota-copy": Entry(SENIOR_STAFF),
    "web:staff-appointment-queue": Entry(STAFF),
    "web:staff-appointment-queue-act": Entry(ACTING_STAFF, {"pk": "@booking", "action": "arrived"}),
    "web:staff-certificate-revoke": Entry(SENIOR_STAFF),
    # The audit log, the electronic audit's alerts and reports, personal data ------------------
    "web:staff-audit": Entry(AUDIT_LOG_READERS),
    "web:staff-audit-event": Entry(AUDIT_LOG_READERS, {"sequence": "@audit_event"}),
    "web:staff-audit-export": Entry(AUDIT_LOG_READERS),
    "web:staff-alerts": Entry(ALERT_READERS),
    "web:staff-alert": Entry(ALERT_READERS, {"pk": "@alert"}),
    "web:staff-alert-acknowledge": Entry(ALERT_WORKERS, {"pk": "@alert"}),
    "web:staff-alert-assign": Entry(ALERT_WORKERS, {"pk": "@alert"}),
    "web:staff-alert-comment": Entry(ALERT_WORKERS, {"pk": "@alert"}),
    "web:staff-alert-close": Entry(ALERT_WORKERS, {"pk": "@alert"}),
    "web:staff-alert-reopen": Entry(ALERT_WORKERS, {"pk": "@alert"}),
    "web:staff-audit-reports": Entry(ALERT_READERS),
    "web:staff-audit-report-build": Entry(ALERT_WORKERS),
    "web:staff-audit-report": Entry(ALERT_READERS, {"day": "@report_day"}),
    "web:staff-audit-report-pdf": Entry(ALERT_READERS, {"day": "@report_day"}),
    "web:staff-privacy-reveal": Entry(SENIOR_STAFF, note="each reveal needs a reason and is recorded"),
    "web:staff-privacy-accesses": Entry(PRIVACY_OVERSEERS),
    # The API: public and channel endpoints ---------------------------------------------
    "api:token": public(),
    "api:token-verify": public(),
    "api:calculator-loan-quota": public(),
    "api:calculator-loan-schedule": public(),
    "api:appointment-rota": public(),
    "api:services": public(),
    "api:service": public(code="@service_code"),
    "api:certificate": public(code="@certificate_code"),
    "api:seal": public(code="@seal_code"),
    "api:hotline-sms": Entry(NOBODY, note="the SMS gateway, by its signature; no user session"),
    "api:hotline-ivr": Entry(NOBODY, note="the voice gateway, by its signature; no user session"),
    "api:not-found": Entry(NOBODY, note="any path under the API no route matches: a JSON 404 for all"),
    # The API: a person's own ---------------------------------------------------------------
    "api:appointment-services": Entry(SIGNED_IN),
    "api:appointment-slots": Entry(SIGNED_IN),
    "api:appointments": Entry(EMPLOYEES),
    "api:appointment": Entry(EMPLOYEES, {"booking_id": "@booking"}),
    "api:appointment-cancel": Entry(EMPLOYEES, {"booking_id": "@booking"}),
    "api:appointment-reschedule": Entry(EMPLOYEES, {"booking_id": "@booking"}),
    "api:me-appointments": Entry(EMPLOYEES),
    "api:me-account": Entry(EMPLOYEES),
    "api:me-movements": Entry(EMPLOYEES),
    "api:me-card": Entry(EMPLOYEES),
    "api:me-preferences": Entry(EMPLOYEES),
    "api:me-messages": Entry(EMPLOYEES),
    "api:me-messages-read-all": Entry(EMPLOYEES),
    "api:me-message-read": Entry(EMPLOYEES, {"message_id": "@message"}),
    "api:me-withdrawal-lock": Entry(EMPLOYEES),
    "api:me-withdrawal-unlock": Entry(EMPLOYEES),
    "api:me-applications": Entry(EMPLOYEES),
    "api:me-eligibility": Entry(EMPLOYEES),
    "api:me-statement": Entry(EMPLOYEES),
    "api:me-statement-yearly": Entry(EMPLOYEES),
    "api:me-certificates": Entry(EMPLOYEES),
    "api:me-certificate": Entry(EMPLOYEES, {"certificate_id": "@certificate"}),
    "api:me-certificate-pdf": Entry(EMPLOYEES, {"certificate_id": "@certificate"}),
    "api:withdrawals": Entry(EMPLOYEES),
    "api:withdrawal": Entry(EMPLOYEE_AND_STAFF, {"application_id": "@withdrawal"}),
    "api:transfers-intra-city": Entry(EMPLOYEES),
    "api:transfers-incoming": Entry(EMPLOYEES),
    "api:transfers-incoming-detail": Entry(EMPLOYEES, {"transfer_id": "@incoming"}),
    "api:transfers-outgoing": Entry(EMPLOYEES),
    "api:transfers-outgoing-detail": Entry(EMPLOYEES, {"transfer_id": "@outgoing"}),
    "api:loan-applications": Entry(EMPLOYEES),
    "api:loan-application": Entry(
        EMPLOYEES | ACTING_STAFF,
        {"application_id": "@loan"},
        note="its parties and reviewing staff; the auditor reads loan cases on the staff pages",
    ),
    "api:loan-application-confirm": Entry(
        EMPLOYEES,
        {"application_id": "@loan"},
        owner_may_be_refused="the co-borrower confirms, not the applicant",
    ),
    "api:loan-application-withdraw": Entry(EMPLOYEES, {"application_id": "@loan"}),
    "api:loan-application-resubmit": Entry(EMPLOYEES, {"application_id": "@loan"}),
    "api:loan-application-signing": Entry(EMPLOYEES, {"application_id": "@loan"}),
    "api:loan-application-contract": Entry(EMPLOYEES, {"application_id": "@loan"}),
    "api:loan-accounts": Entry(EMPLOYEES),
    "api:loan-account": Entry(EMPLOYEES, {"account_no": "@loan_account_no"}),
    "api:loan-account-collection-mode": Entry(EMPLOYEES, {"account_no": "@loan_account_no"}),
    "api:loan-account-pay-now": Entry(EMPLOYEES, {"account_no": "@loan_account_no"}),
    "api:loan-account-prepayment-quote": Entry(EMPLOYEES, {"account_no": "@loan_account_no"}),
    "api:loan-account-prepayments": Entry(EMPLOYEES, {"account_no": "@loan_account_no"}),
    "api:loan-account-settlement-quote": Entry(EMPLOYEES, {"account_no": "@loan_account_no"}),
    "api:loan-account-settlement": Entry(EMPLOYEES, {"account_no": "@loan_account_no"}),
    "api:loan-account-settled-certificate": Entry(
        EMPLOYEES, {"account_no": "@loan_account_no"}, owner_may_be_refused="only once the loan is settled"
    ),
    # The API: a unit's deposit lists ---------------------------------------------------------
    "api:employer-deposit-list-template": Entry(EMPLOYERS),
    "api:employer-deposit-lists": Entry(EMPLOYERS),
    "api:employer-deposit-list": Entry(EMPLOYERS, {"list_id": "@unit_list"}),
    "api:employer-deposit-list-errors": Entry(EMPLOYERS, {"list_id": "@unit_list"}),
    "api:employer-deposit-list-submit": Entry(PREPARER, {"list_id": "@unit_list"}),
    "api:employer-deposit-list-approve": Entry(APPROVER, {"list_id": "@unit_list"}),
    "api:employer-deposit-list-return": Entry(
        APPROVER, {"list_id": "@unit_list"}, data={"reason": "工资基数有误"}
    ),
    "api:employer-deposit-list-retry-collection": Entry(APPROVER, {"list_id": "@unit_list"}),
    "api:employer-deposit-list-discard": Entry(PREPARER, {"list_id": "@unit_list"}),
}
