"""``manage.py merge_accounts SURVIVING ABSORBED --actor USER``: merge a legacy duplicate account."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import FundAccount, User
from core.exceptions import DomainError
from core.money import format_yuan
from transfers.intra_city import merge_accounts


class Command(BaseCommand):
    help = (
        "Merge ABSORBED (a sealed duplicate account of the same person) into SURVIVING: the whole "
        "balance moves in one business type 06 entry and ABSORBED is closed as 03 merged."
    )

    def add_arguments(self, parser):
        parser.add_argument("surviving", help="account number of the account that stays")
        parser.add_argument("absorbed", help="account number of the duplicate to close")
        parser.add_argument("--actor", required=True, help="user name of the member of staff acting")

    def handle(self, *args, surviving, absorbed, actor, **options):
        user = User.objects.filter(username=actor, is_staff=True).first()
        if user is None:
            raise CommandError(f"No member of staff named {actor!r}.")
        accounts = {a.account_no: a for a in FundAccount.objects.filter(account_no__in=[surviving, absorbed])}
        for number in (surviving, absorbed):
            if number not in accounts:
                raise CommandError(f"No fund account {number}.")
        try:
            merged = merge_accounts(surviving=accounts[surviving], absorbed=accounts[absorbed], actor=user)
        except DomainError as error:
            raise CommandError(f"{error.code}: {error.message}") from None
        if merged.replayed:
            self.stdout.write(f"{absorbed} was already merged into {surviving}; nothing posted.")
        else:
            self.stdout.write(
                f"Merged {absorbed} into {surviving}: {format_yuan(merged.move.amount)} yuan moved "
                f"(interest to date {format_yuan(merged.interest)} yuan)."
            )
