"""Seed a realistic demo city and print its logins (``make run`` calls it with ``--if-empty``)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo.city import plan_city
from demo.services import (
    database_has_people_or_units,
    read_logins,
    read_walk_ins,
    seed_city,
    write_logins,
    write_walk_ins,
)

DEFAULT_SEED = 2017  # the year of Fujian's "three zeros" reform


class Command(BaseCommand):
    help = (
        "Seeds demo people, units, fund accounts, two years of deposits and one login per role "
        "into an empty database; writes the logins to var/demo-logins.json and the units and people "
        "to try the unit pages with to var/demo-try.json."
    )

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=3000, help="people to register (default 3000)")
        parser.add_argument("--employers", type=int, default=300, help="units to register (default 300)")
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="random seed (same seed, same city)"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="seed only into an empty database; otherwise just print the existing demo logins",
        )

    def handle(self, *args, persons, employers, seed, if_empty, **options):
        if database_has_people_or_units():
            if if_empty:
                self._print_existing()
                return
            raise CommandError(
                "The database already holds people or units: seed_demo only seeds an empty database. "
                "To start again, remove the database (the SQLite file under var/) and migrate.",
                returncode=1,
            )
        try:
            plan = plan_city(persons=persons, employers=employers, seed=seed, today=timezone.localdate())
        except ValueError as error:
            raise CommandError(str(error), returncode=2) from None
        started = time.perf_counter()
        result = seed_city(plan)
        seconds = time.perf_counter() - started
        path = write_logins(result.logins)
        self.stdout.write(
            f"Seeded {result.persons} persons, {result.employers} units, {result.accounts} accounts, "
            f"{result.entries} journal entries ({result.lines} lines) in {seconds:.1f} s (seed {seed})."
        )
        if result.decisions is not None:
            made = result.decisions
            self.stdout.write(
                f"秒批: {made.prechecks} eligibility pre-checks and {made.applications} applications "
                f"({made.referred} in the staff review queue, {made.rejected} rejected)."
            )
        self._print_table([login.__dict__ for login in result.logins])
        self.stdout.write(f"Logins written to {path}")
        self._print_walk_ins(result.walk_ins)
        self.stdout.write(f"Units and people to try written to {write_walk_ins(result.walk_ins)}")

    def _print_existing(self):
        logins = read_logins()
        if logins is None:
            self.stdout.write("The database already has data; no var/demo-logins.json to show.")
            return
        self.stdout.write("The database already has data; demo logins:")
        self._print_table(logins)
        walk_ins = read_walk_ins()
        if walk_ins is not None:
            self._print_walk_ins(walk_ins)

    def _print_walk_ins(self, walk_ins):
        self.stdout.write(
            "Units you can register at /register/unit/ (known to the 市场监管 sandbox, not to the centre; "
            "注销 is refused):"
        )
        self._print_table(
            walk_ins["units"], ("credit_code", "name", "status", "bank_account_no", "bank_name")
        )
        self.stdout.write(
            "People a unit can add at /employer/staff/add/ (known to the 公安 sandbox, no fund account):"
        )
        self._print_table(walk_ins["people"], ("id_number", "name", "hukou_region", "mobile"))
        self.stdout.write(
            "The home buyers' purchase contracts, for a loan application at /hall/loans/apply/ "
            "(the property register checks the number and the price; the couple's buyer names the "
            "spouse as co-borrower, who confirms from their own login):"
        )
        self._print_table(
            walk_ins.get("home_buyers", []),
            ("persona", "property_ref", "price_yuan", "co_borrower_id_number", "address"),
        )
        self.stdout.write(
            "The loan in repayment, to follow, prepay or settle at /hall/loans/ (as on the seeding day):"
        )
        self._print_table(
            walk_ins.get("loans_in_repayment", []),
            (
                "persona",
                "account_no",
                "principal_yuan",
                "outstanding_yuan",
                "next_due_on",
                "next_payment_yuan",
            ),
        )

    def _print_table(self, entries, headers=("role", "persona", "username", "password", "name")):
        rows = [[str(entry.get(key) or "") for key in headers] for entry in entries]
        widths = [max(_width(text) for text in column) for column in zip(headers, *rows, strict=False)]
        for row in (headers, *rows):
            self.stdout.write("  ".join(_pad(text, width) for text, width in zip(row, widths, strict=True)))


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
