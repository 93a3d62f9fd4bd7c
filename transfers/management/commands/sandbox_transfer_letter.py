"""Make the sandbox platform deliver another centre's contact letter about one of our accounts.

    manage.py sandbox_transfer_letter 350200000017 --city 310000 --city-name 上海市

Without an account number, the first sealed account is chosen: the one a transfer out can pass.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import AccountStatus, FundAccount
from integrations.transfer_platform.sandbox import send_incoming_letter


class Command(BaseCommand):
    help = "Deliver a sandbox contact letter from another city about one of our fund accounts."

    def add_arguments(self, parser):
        parser.add_argument("account_no", nargs="?", help="The fund account (default: the first sealed one).")
        parser.add_argument("--city", default="310000", help="The receiving city's 6-digit code.")
        parser.add_argument("--city-name", default="上海市", help="The receiving city's name.")

    def handle(self, *args, account_no=None, city, city_name, **options):
        if "sandbox" not in settings.TRANSFER_PLATFORM:
            raise CommandError("TRANSFER_PLATFORM is not the sandbox.")
        accounts = FundAccount.objects.select_related("person").order_by("pk")
        account = (
            accounts.filter(account_no=account_no).first()
            if account_no
            else accounts.filter(status=AccountStatus.SEALED).first()
        )
        if account is None:
            raise CommandError("No such fund account." if account_no else "No sealed fund account.")
        letter = send_incoming_letter(
            id_number=account.person.id_number, name=account.person.name, city_code=city, city_name=city_name
        )
        self.stdout.write(f"{letter.platform_ref}: {city_name} asks for account {account.account_no}")
