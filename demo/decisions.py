"""The demo city's 秒批 decisions and review queue, made through the approvals services.

After the city and its sandbox are written, :func:`seed_decisions` asks the real services —
``approvals.services.check_eligibility`` and ``submit_application`` — so every decision record,
application, review case, government query and audit event is what a citizen's request would
have produced; nothing here writes an approvals row itself. Decisions are stamped with the time
they are made (today): the straight-through dashboard's "today" shows them.

What is made:

- each persona's eligibility pre-check for its natural reason (:data:`PERSONA_CHECKS`), through
  the channel and login a citizen would use;
- about sixty pre-checks by other depositors across the 秒批 reasons and every channel, drawn
  so that approvals, rejections and referrals all occur (sealed accounts check leaving the city,
  older people retirement, borrowers a loan repayment, …);
- about a dozen applications for the staff-review reasons (a serious illness, a purchase
  elsewhere, …) for an amount within the balance: the rules always refer them, so they wait in
  the review queue with an open case;
- a few applications the rules reject from recorded facts (rent by a home owner, leaving the
  city with an account still in use, retirement at working age).

No application is made that the rules would approve: withdrawals do not pay out yet, and an
approved application would promise money that never moves. Pre-checks show the approvals.

The sandbox sources sleep their configured latency on every call. While this step runs the
latency and failure rate are set to zero in this process (:func:`instant_sandbox`; other
processes and the ``SandboxKnobs`` rows are untouched), so the demo's records show each case's
natural outcome, and decisions run a few at a time on their own connections. Every service call
happens outside any transaction, as the government-source registry demands; inside a caller's
transaction (the tests' rolled-back city) they run one after another on its connection.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db import connection

from accounts.models import AccountStatus, FundAccount, Person, User
from approvals.models import ApplicationStatus, Channel
from approvals.services import ApplicationInFlight, check_eligibility, submit_application
from core.policy import UnknownPolicyParameter, policy_value
from demo.city import CityPlan
from demo.models import DemoPersona, Persona
from integrations.gov import ports
from integrations.gov.sandbox import clear_knob_cache
from integrations.models import SandboxLoan, SandboxPropertyOwner

KIND = "withdrawal"
WORKERS = 4

#: Each persona's natural pre-check: (reason, payload).
PERSONA_CHECKS: dict[str, tuple[str, dict]] = {
    Persona.RENTER: ("RENT", {"period_months": 1}),
    Persona.SPOUSE_OWNS_HOME: ("RENT", {"period_months": 1}),
    Persona.RETIREE: ("RETIREMENT", {}),
    Persona.LEAVER_SEALED_7_MONTHS: ("LEAVING_CITY", {}),
    Persona.LEAVER_SEALED_3_MONTHS: ("LEAVING_CITY", {}),
    Persona.LOCAL_LEAVER_SEALED_7_MONTHS: ("LEAVING_CITY", {}),
    Persona.BUYER: ("PURCHASE_IN_CITY", {}),
    Persona.LOAN_REPAYER: ("LOAN_REPAYMENT_MONTHLY", {}),
    Persona.OVERDUE_BORROWER: ("LOAN_ELIGIBILITY", {}),
    # The couple's first home over twenty years: each of them is eligible (the home is joint).
    Persona.COUPLE_BUYER: ("LOAN_ELIGIBILITY", {"term_months": 240, "first_home": True}),
    Persona.COUPLE_SPOUSE: ("LOAN_ELIGIBILITY", {"term_months": 240, "first_home": True}),
}
#: The personas' own channels: the online ones a citizen checks from (the counter has a clerk).
PERSONA_CHANNELS = (Channel.WEB, Channel.APP, Channel.WECHAT, Channel.ALIPAY, Channel.API)

#: Random pre-checks per reason (about sixty in all).
PRECHECKS = {
    "RENT": 14,
    "LEAVING_CITY": 10,
    "RETIREMENT": 7,
    "LOAN_ELIGIBILITY": 8,
    "LOAN_REPAYMENT_ANNUAL": 8,
    "PURCHASE_IN_CITY": 7,
    "LOAN_REPAYMENT_MONTHLY": 3,
    "LIXIU": 3,
}
#: Channels weighted roughly as citizens use them.
CHANNEL_WEIGHTS = {
    Channel.APP: 30,
    Channel.WECHAT: 25,
    Channel.ALIPAY: 15,
    Channel.WEB: 15,
    Channel.COUNTER: 10,
    Channel.API: 5,
}
#: Staff-review reasons for the review queue (cycled, so each appears about twice).
REVIEW_REASONS = (
    "SERIOUS_ILLNESS",
    "PURCHASE_ELSEWHERE",
    "BUILD_RENOVATE",
    "ELEVATOR",
    "DISASTER",
    "COMMERCIAL_LOAN_REPAYMENT",
)
REVIEW_APPLICATIONS = 12
MIN_REVIEW_BALANCE = 100_000  # fen: 1,000 yuan, so the amount asked for is at least a few hundred
REJECTED_APPLICATIONS = (
    ("RENT", "home_owners"),  # OWNS_HOME_IN_CITY: a home in the city on record
    ("RENT", "home_owners"),
    ("LEAVING_CITY", "normal"),  # ACCOUNT_NOT_SEALED: the account is still in use
    ("RETIREMENT", "young"),  # NOT_RETIRED: 社保 records no retirement
)
YOUNG_BIRTH_YEAR = 1985  # born then or later: decades from any retirement age
OLDER_BIRTH_YEAR = 1966  # born then or earlier: at or near a retirement age


@dataclass
class DecisionsResult:
    prechecks: int = 0
    applications: int = 0
    referred: int = 0
    rejected: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Depositor:
    person_id: int
    status: str
    balance: int
    birth_year: int
    index: str


@contextmanager
def instant_sandbox() -> Iterator[None]:
    """Sandbox sources answer at once and never fail, in this process only, until the block ends.

    Sets ``SANDBOX_GOV_LATENCY_MS`` and ``SANDBOX_GOV_FAILURE_RATE`` to zero (settings are
    process-wide, so the gathering threads see them) and drops the cached knobs on entry and exit.
    A source whose ``SandboxKnobs`` row sets its own latency or rate keeps it: staff chose it.
    """
    saved = settings.SANDBOX_GOV_LATENCY_MS, settings.SANDBOX_GOV_FAILURE_RATE
    settings.SANDBOX_GOV_LATENCY_MS, settings.SANDBOX_GOV_FAILURE_RATE = 0, "0"
    clear_knob_cache()
    try:
        yield
    finally:
        settings.SANDBOX_GOV_LATENCY_MS, settings.SANDBOX_GOV_FAILURE_RATE = saved
        clear_knob_cache()


def seed_decisions(plan: CityPlan, *, clerk: User) -> DecisionsResult:
    """Make the demo's pre-checks and applications (see the module's doc); call outside any transaction."""
    rng = random.Random(f"demo-decisions:{plan.seed}")
    people = _People(rng)
    requests = (
        _persona_requests()
        + _random_prechecks(rng, people)
        + _review_applications(rng, people)
        + _rejected_applications(rng, people)
    )
    calls = _calls(rng, requests, clerk)
    result = DecisionsResult()
    with instant_sandbox():
        for kind, outcome in _in_parallel(calls):
            if kind == PRECHECK:
                result.prechecks += 1
            elif kind == APPLICATION:
                result.applications += 1
                result.referred += outcome == ApplicationStatus.REFERRED
                result.rejected += outcome == ApplicationStatus.REJECTED
            if outcome is not None:
                result.outcomes[outcome] = result.outcomes.get(outcome, 0) + 1
    return result


# --- who asks -------------------------------------------------------------------------------


class _People:
    """The depositors (no persona) the random decisions draw from, each drawn at most once."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        rows = (
            FundAccount.objects.filter(person__demo_persona__isnull=True)
            .order_by("person_id")
            .values_list(
                "person_id",
                "status",
                "ledger_account__balance",
                "person__birth_date",
                "person__id_number_index",
            )
        )
        everyone = [
            _Depositor(pk, status, balance, born.year, index) for pk, status, balance, born, index in rows
        ]
        owners = set(
            SandboxPropertyOwner.objects.filter(property__region_code__startswith=_city_prefix()).values_list(
                "id_number_index", flat=True
            )
        )
        loans = list(SandboxLoan.objects.filter(status=ports.REPAYING).values_list("id_number_index", "kind"))
        borrowers = {index for index, _kind in loans}
        fund_borrowers = {index for index, kind in loans if kind == ports.FUND_LOAN}
        normal = [d for d in everyone if d.status == AccountStatus.NORMAL]
        usable = [d for d in everyone if d.status in (AccountStatus.NORMAL, AccountStatus.SEALED)]
        self.pools: dict[str, list[_Depositor]] = {
            "normal": normal,
            "sealed": [d for d in everyone if d.status == AccountStatus.SEALED],
            "older": [d for d in usable if d.birth_year <= OLDER_BIRTH_YEAR],
            "young": [d for d in normal if d.birth_year >= YOUNG_BIRTH_YEAR],
            "home_owners": [d for d in normal if d.index in owners],
            "borrowers": [d for d in usable if d.index in borrowers],
            "fund_borrowers": [d for d in usable if d.index in fund_borrowers],
        }
        self.used: set[int] = set()

    def draw(self, pool: str, *, fallback: bool = True, where=None) -> _Depositor | None:
        """An unused depositor from ``pool`` or, with ``fallback`` when it runs dry, any normal account."""
        for name in (pool, "normal") if fallback else (pool,):
            free = [
                d for d in self.pools[name] if d.person_id not in self.used and (where is None or where(d))
            ]
            if free:
                chosen = self.rng.choice(free)
                self.used.add(chosen.person_id)
                return chosen
        return None

    def persons(self) -> dict[int, Person]:
        """The drawn people, in one query (the services take Person instances)."""
        return {
            person.pk: person for person in Person.objects.filter(pk__in=self.used).select_related("user")
        }


def _city_prefix() -> str:
    try:
        return policy_value("city.local_region_prefix")
    except UnknownPolicyParameter:
        return "3502"


def _channel(rng: random.Random) -> str:
    return rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0]


def _actor(channel: str, person: Person, clerk: User):
    """At the counter the clerk acts; online the citizen's own login, or the system without one."""
    if channel == Channel.COUNTER:
        return clerk
    return person.user if person.user_id else None


# --- what they ask for ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Request:
    kind: str  # PRECHECK or APPLICATION
    reason: str
    person_id: int
    payload: dict
    channel: str | None = None  # None: drawn


PRECHECK, APPLICATION = "precheck", "application"

# Where each reason's askers come from: the people the reason is about, so outcomes vary.
_PRECHECK_POOLS = {
    "RENT": "normal",
    "LEAVING_CITY": "sealed",
    "RETIREMENT": "older",
    "LIXIU": "older",
    "LOAN_ELIGIBILITY": "normal",
    "LOAN_REPAYMENT_ANNUAL": "borrowers",
    "LOAN_REPAYMENT_MONTHLY": "fund_borrowers",
    "PURCHASE_IN_CITY": "home_owners",
}


def _persona_requests() -> list[_Request]:
    by_persona = dict(DemoPersona.objects.values_list("persona", "person_id"))
    requests = []
    for number, (persona, (reason, payload)) in enumerate(PERSONA_CHECKS.items()):
        if persona in by_persona:
            channel = PERSONA_CHANNELS[number % len(PERSONA_CHANNELS)]
            requests.append(_Request(PRECHECK, reason, by_persona[persona], payload, channel))
    return requests


def _random_prechecks(rng: random.Random, people: _People) -> list[_Request]:
    requests = []
    for reason, count in PRECHECKS.items():
        for _ in range(count):
            chosen = people.draw(_PRECHECK_POOLS[reason])
            if chosen is not None:
                payload = {"period_months": rng.choice((1, 1, 3))} if reason == "RENT" else {}
                requests.append(_Request(PRECHECK, reason, chosen.person_id, payload))
    rng.shuffle(requests)
    # Every channel at least once, the rest as citizens use them.
    channels = list(CHANNEL_WEIGHTS)
    return [
        replace(request, channel=channels[number] if number < len(channels) else _channel(rng))
        for number, request in enumerate(requests)
    ]


def _review_applications(rng: random.Random, people: _People) -> list[_Request]:
    requests = []
    for number in range(REVIEW_APPLICATIONS):
        chosen = people.draw("normal", where=lambda d: d.balance >= MIN_REVIEW_BALANCE)
        if chosen is None:
            break
        # Whole hundreds of yuan, a third to nine tenths of the balance: always within it.
        amount = int(chosen.balance * rng.uniform(0.3, 0.9)) // 10_000 * 10_000
        reason = REVIEW_REASONS[number % len(REVIEW_REASONS)]
        requests.append(_Request(APPLICATION, reason, chosen.person_id, {"amount": amount}))
    return requests


def _rejected_applications(rng: random.Random, people: _People) -> list[_Request]:
    requests = []
    for reason, pool in REJECTED_APPLICATIONS:
        # Only from the pool itself: a stand-in from elsewhere might be approved.
        chosen = people.draw(pool, fallback=False)
        if chosen is not None:
            payload = {"period_months": 1} if reason == "RENT" else {}
            requests.append(_Request(APPLICATION, reason, chosen.person_id, payload))
    return requests


def _call(request: _Request, person: Person, channel: str, actor):
    def call() -> tuple[str, str | None]:
        if request.kind == PRECHECK:
            decision = check_eligibility(
                reason=request.reason, person=person, channel=channel, actor=actor, payload=request.payload
            )
            return PRECHECK, decision.outcome
        try:
            application = submit_application(
                kind=KIND,
                reason=request.reason,
                applicant=person,
                channel=channel,
                payload=request.payload,
                actor=actor,
            )
        except ApplicationInFlight:
            return "skipped", None
        return APPLICATION, application.status

    return call


def _calls(rng: random.Random, requests: list[_Request], clerk: User) -> list:
    persons = {
        person.pk: person
        for person in Person.objects.filter(
            pk__in={request.person_id for request in requests}
        ).select_related("user")
    }
    calls = []
    for request in requests:
        person = persons[request.person_id]
        channel = request.channel or _channel(rng)
        calls.append(_call(request, person, channel, _actor(channel, person, clerk)))
    return calls


# --- running them ----------------------------------------------------------------------------


def _in_parallel(calls: list) -> list[tuple[str, str | None]]:
    """A few decisions at a time, each thread on its own connection; inside a transaction, in turn.

    Each decision gathers its facts in autocommit and writes in its own durable transaction, so
    the threads need no coordination. Inside a caller's transaction (the tests) every call runs
    on the caller's connection, which alone sees the uncommitted city.
    """
    if connection.in_atomic_block or len(calls) < 2:
        return [call() for call in calls]

    def run(call):
        try:
            return call()
        finally:
            connection.close()  # this thread's own connection

    workers = min(WORKERS, max(2, os.cpu_count() or 2))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="demo-decisions") as pool:
        return list(pool.map(run, calls))
