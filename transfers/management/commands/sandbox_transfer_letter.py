"""Make the sandbox platform deliver another centre's contact letter about one of our accounts.

    manage.py sandbox_transfer_letter 350200000017 --city 310000 --city-name 上海市

Without an account number, the first sealed account is chosen: the one a transfer out can pass.
"""

from django.core.management.base import BaseCommand, CommandError

from core.exceptions import DomainError
from transfers.sandbox_letters import write_sandbox_letter


class Command(BaseCommand):
    help = "Deliver a sandbox contact letter from another city about one of our fund accounts."

    def add_arguments(self, parser):
        parser.add_argument("account_no", nargs="?", help="The fund account (default: the first sealed one).")
        parser.add_argument("--city", default="310000", help="The receiving city's 6-digit code.")
        parser.add_argument("--city-name", default="上海市", help="The receiving city's name.")

    def handle(self, *args, account_no=None, city, city_name, **options):
        try:
            letter = write_sandbox_letter(
                account_no=account_no, city_code=city, city_name=city_name, actor=None
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"{letter.platform_ref}: {letter.city_name} asks for account {letter.account_no}")
