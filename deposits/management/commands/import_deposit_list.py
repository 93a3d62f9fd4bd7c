"""Check a unit's list file as the portal does and, with ``--confirm``, submit it for approval.

For the centre's operators handling a list a unit brought to the counter or sent by mail. The
portal's rules hold: the list is uploaded and submitted in the name of one of the unit's own
preparers (``--as``, by default its first active one), and only the unit's approver can approve
it, so maker-checker stays with the unit. An audit event says the upload came from this command
and which system user ran it. The check runs here, not in the worker, so the problems print at
once. Problem messages are the ones the unit sees on its list page (the site's language); the
command's own lines are English, as in the other commands.

Exit status: 0 the list is clean (and submitted with ``--confirm``); 1 it has problems or a
service refused it; 2 the command could not run as asked (unknown unit or user, unreadable file).
"""

import argparse
import getpass
import socket
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Employer, User
from accounts.roles import EMPLOYER_PREPARER, roles_of
from audit.services import record_event
from core.exceptions import DomainError
from core.money import format_yuan
from deposits import services
from deposits.models import DepositList, ListKind, ListStatus
from deposits.selectors import list_errors

KINDS = {"monthly": ListKind.MONTHLY, "back": ListKind.BACK_PAYMENT}
CANNOT_RUN = 2
HAS_PROBLEMS = 1


def month(text: str) -> date:
    year, dash, number = text.strip().partition("-")
    try:
        if len(year) != 4 or not dash or len(number) != 2:
            raise ValueError
        return date(int(year), int(number), 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a month as YYYY-MM") from None


@contextmanager
def _refusals():
    """A service's refusal as the command's failure: its code and message, exit status 1."""
    try:
        yield
    except DomainError as error:
        raise CommandError(f"{error.code}: {error.message}", returncode=HAS_PROBLEMS) from None


def _system_user() -> str:
    # Who is at the shell: the audit trail names them beside the preparer the list is filed under.
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name and no passwd entry (some containers)
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


class Command(BaseCommand):
    help = (
        "Checks a unit's monthly (or back-payment) list file and prints every problem as "
        "'row N  field  CODE  message' and the totals; exit 1 if there is any problem. With "
        "--confirm a clean list is also submitted for the unit's approver (never approved here); "
        "without it the checked list is discarded again."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the list: csv (UTF-8, UTF-8 with BOM, GBK) or xlsx")
        parser.add_argument(
            "--employer", required=True, metavar="USCC", help="the unit's unified social credit code"
        )
        parser.add_argument(
            "--period", required=True, type=month, metavar="YYYY-MM", help="the month paid for"
        )
        parser.add_argument(
            "--kind", choices=sorted(KINDS), default="monthly", help="monthly list (default) or back-payment"
        )
        parser.add_argument(
            "--as",
            dest="as_user",
            metavar="USERNAME",
            help="the unit's preparer the list is filed under (default: the unit's first active preparer)",
        )
        parser.add_argument(
            "--confirm", action="store_true", help="submit a clean list for the unit's approver's decision"
        )

    def handle(self, *args, file, employer, period, kind, as_user, confirm, **options):
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}", returncode=CANNOT_RUN) from None
        unit = Employer.objects.filter(credit_code=employer.strip().upper()).first()
        if unit is None:
            raise CommandError(f"no unit has the credit code {employer}", returncode=CANNOT_RUN)
        preparer = self._preparer(unit, as_user)

        with _refusals():
            deposit_list = services.upload_list(
                employer=unit,
                kind=KINDS[kind],
                period=period,
                filename=path.name,
                content=content,
                actor=preparer,
                check_now=True,  # the operator waits for the result, whatever the size
            )
        self._record_import(deposit_list, preparer=preparer, confirm=confirm)
        self._report(deposit_list, unit=unit)

        if deposit_list.status != ListStatus.READY:
            raise CommandError(
                f"list #{deposit_list.pk} has {deposit_list.error_count} problem(s); nothing was submitted",
                returncode=HAS_PROBLEMS,
            )
        if not confirm:
            # A checked list left READY could be submitted later by someone who never saw this run.
            with _refusals():
                services.discard_list(deposit_list=deposit_list, actor=preparer)
            self.stdout.write(
                f"list #{deposit_list.pk} is clean; checked only, so it was discarded again: "
                "run with --confirm to submit it"
            )
            return
        try:
            deposit_list = services.submit_list(deposit_list=deposit_list, actor=preparer)
        except DomainError as refusal:
            # Not left READY for the same reason as above (say the month is already submitted).
            with _refusals():
                services.discard_list(deposit_list=deposit_list, actor=preparer)
            raise CommandError(
                f"{refusal.code}: {refusal.message}; list #{deposit_list.pk} was discarded",
                returncode=HAS_PROBLEMS,
            ) from None
        self.stdout.write(
            f"list #{deposit_list.pk} submitted as {preparer.username}; "
            "it waits for the approval of the unit's approver"
        )
        self.stdout.write(str(deposit_list.pk))

    def _preparer(self, unit: Employer, username: str | None) -> User:
        if username is None:
            user = (
                User.objects.filter(employer=unit, is_active=True, groups__name=EMPLOYER_PREPARER)
                .order_by("pk")
                .first()
            )
            if user is None:
                raise CommandError(
                    f"unit {unit.credit_code} has no active preparer: create one, or name one with --as",
                    returncode=CANNOT_RUN,
                )
            return user
        user = User.objects.filter(username=username).first()
        if user is None or not user.is_active:
            raise CommandError(f"no active user named {username}", returncode=CANNOT_RUN)
        if user.employer_id != unit.pk or EMPLOYER_PREPARER not in roles_of(user):
            raise CommandError(
                f"{username} is not a preparer of unit {unit.credit_code}", returncode=CANNOT_RUN
            )
        return user

    def _record_import(self, deposit_list: DepositList, *, preparer: User, confirm: bool) -> None:
        system_user = _system_user()
        what = "并提交审核" if confirm else "仅校验"
        with transaction.atomic(durable=True):
            record_event(
                actor=None,
                actor_label=f"command:import_deposit_list {system_user}"[:150],
                action="deposits.list_imported",
                target=deposit_list,
                # Chinese, as every summary of the list: records read the same for every reader.
                summary=f"清册 {deposit_list.period:%Y-%m} #{deposit_list.pk} 由命令行导入{what}, "
                f"以经办人 {preparer.username} 名义, 操作者 {system_user}",
                data={"as": preparer.username, "system_user": system_user, "confirm": confirm},
            )

    def _report(self, deposit_list: DepositList, *, unit: Employer) -> None:
        problems = list_errors(deposit_list).values_list("row", "field", "code", "message")
        for row, field, code, message in problems.iterator(chunk_size=2000):
            self.stdout.write(f"row {row}  {field}  {code}  {message}")
        kind = "monthly" if deposit_list.kind == ListKind.MONTHLY else "back-payment"
        self.stdout.write(
            f"list #{deposit_list.pk}: {kind} list {deposit_list.period:%Y-%m} of {unit.name} "
            f"({unit.credit_code}), {deposit_list.status}"
        )
        self.stdout.write(
            f"rows: {deposit_list.rows_total}, valid: {deposit_list.rows_valid}, "
            f"problems: {deposit_list.error_count}"
        )
        if deposit_list.status == ListStatus.READY:
            self.stdout.write(f"total base: {format_yuan(deposit_list.total_base)} yuan")
            self.stdout.write(
                f"amount: {format_yuan(deposit_list.amount)} yuan "
                f"(employer part {format_yuan(deposit_list.employer_amount)}, "
                f"employee part {format_yuan(deposit_list.employee_amount)})"
            )
        else:
            self.stdout.write("amount: computed once every row is valid")
