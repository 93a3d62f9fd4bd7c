"""An employee whose fund account has a deposit history, for the deposit-certificate tests."""

from datetime import date

from accounts import roles
from accounts.models import FundAccount
from accounts.roles import ensure_roles
from deposits.certificate import issue_deposit_certificate
from deposits.models import CertificatePurpose, DepositCertificate
from ledger import services
from ledger.centre import BANK_SETTLEMENT
from ledger.models import BusinessType
from tests.accounts.factories import FundAccountFactory, UserFactory
from tests.ledger.factories import new_key

#: 2025-09 to 2026-02 but for 2025-11: six months paid, the last four in a row; 2025-12 a 补缴.
HISTORY = (
    (date(2025, 9, 1), BusinessType.MONTHLY_DEPOSIT),
    (date(2025, 10, 1), BusinessType.MONTHLY_DEPOSIT),
    (date(2025, 12, 1), BusinessType.BACK_PAYMENT),
    (date(2026, 1, 1), BusinessType.MONTHLY_DEPOSIT),
    (date(2026, 2, 1), BusinessType.MONTHLY_DEPOSIT),
    (date(2026, 3, 1), BusinessType.MONTHLY_DEPOSIT),
)
MONTHLY = 240_000  # 1,200.00 yuan from the unit and 1,200.00 from the person: 12% each of 10,000.00


def deposit_in(account: FundAccount, month: date, *, business_type=BusinessType.MONTHLY_DEPOSIT) -> None:
    """One month's deposit (or back-payment) posted on the 15th of ``month``."""
    services.post_entry(
        lines=[
            services.Line(services.centre_account(BANK_SETTLEMENT), debit=MONTHLY),
            services.Line(account.ledger_account, credit=MONTHLY),
        ],
        business_type=business_type,
        business_on=month.replace(day=15),
        idempotency_key=new_key("deposit"),
        memo="汇缴",
    )


def depositor(*, name: str = "张三丰", history=HISTORY) -> FundAccount:
    """A logged-in-able employee (role employee) opened on 2025-09-01 with ``history`` deposited."""
    account = FundAccountFactory(base=1_000_000, opened_on=date(2025, 9, 1), person__name=name)
    user = UserFactory(username=f"emp-{account.account_no}")
    user.groups.add(ensure_roles()[roles.EMPLOYEE])
    account.person.user = user
    account.person.save(update_fields=["user"])
    for month, business_type in history:
        deposit_in(account, month, business_type=business_type)
    return account


def issued(account: FundAccount, *, purpose: str = CertificatePurpose.LOAN) -> DepositCertificate:
    """A deposit certificate of ``account`` issued by its holder, as the hall issues it."""
    return issue_deposit_certificate(person=account.person, purpose=purpose, actor=account.person.user)
