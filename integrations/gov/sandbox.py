"""Sandbox government sources: answers from the sandbox tables, with simulated latency and failures.

Latency per call is the source's ``SandboxKnobs.latency_ms`` or ``settings.SANDBOX_GOV_LATENCY_MS``;
the failure rate its ``failure_per_mille`` or ``settings.SANDBOX_GOV_FAILURE_RATE`` (a fraction
such as ``0.1``, or per mille such as ``100‰``). A call whose latency exceeds its ``timeout``
sleeps ``timeout`` and raises the port's Unavailable, as a slow real source looks to its caller.
Knobs are read at most every ``KNOB_TTL_SECONDS`` per process, so a call is not an extra query.

Calls may run in any thread; they only read, in autocommit, and must not be made inside a
transaction (the registry refuses that).
"""

from __future__ import annotations

import random
import threading
import time
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.utils import timezone

from core.crypto import blind_index

from . import ports
from .fakes import first_of_months_back

KNOB_TTL_SECONDS = 3.0

_knob_lock = threading.Lock()
_knob_cache: dict[str, tuple[int | None, int | None]] = {}
_knob_read_at: float | None = None
_rng_lock = threading.Lock()
_rng: tuple[object, random.Random] | None = None


def clear_knob_cache() -> None:
    """Forget the cached knobs (the admin calls this on save; tests after changing them)."""
    global _knob_read_at, _rng
    with _knob_lock:
        _knob_read_at = None
        _knob_cache.clear()
    with _rng_lock:
        _rng = None


def parse_failure_rate(text: str | int | Decimal) -> int:
    """``"0.1"`` → 100, ``"100‰"`` → 100, ``"0"`` → 0: the rate in per mille (0–1000)."""
    raw = str(text).strip()
    try:
        per_mille = Decimal(raw[:-1]) if raw.endswith("‰") else Decimal(raw) * 1000
    except InvalidOperation as exc:
        raise ImproperlyConfigured(f"SANDBOX_GOV_FAILURE_RATE {raw!r} is not a number") from exc
    if not 0 <= per_mille <= 1000:
        raise ImproperlyConfigured(f"SANDBOX_GOV_FAILURE_RATE {raw!r} is outside 0–1 (0‰–1000‰)")
    return int(per_mille)


def _knobs(source: str) -> tuple[int, int]:
    """(latency in ms, failure rate per mille) for ``source``."""
    global _knob_read_at
    from integrations.models import SandboxKnobs

    now = time.monotonic()
    with _knob_lock:
        stale = _knob_read_at is None or now - _knob_read_at > KNOB_TTL_SECONDS
    if stale:
        rows = {k.source: (k.latency_ms, k.failure_per_mille) for k in SandboxKnobs.objects.all()}
        with _knob_lock:
            _knob_cache.clear()
            _knob_cache.update(rows)
            _knob_read_at = now
    with _knob_lock:
        latency, failure = _knob_cache.get(source, (None, None))
    if latency is None:
        latency = settings.SANDBOX_GOV_LATENCY_MS
    if failure is None:
        failure = parse_failure_rate(settings.SANDBOX_GOV_FAILURE_RATE)
    return int(latency), int(failure)


def _draw_per_mille() -> int:
    """A number in 0..999; seeded by settings.SANDBOX_GOV_RANDOM_SEED when set."""
    global _rng
    seed = getattr(settings, "SANDBOX_GOV_RANDOM_SEED", None)
    with _rng_lock:
        if _rng is None or _rng[0] != seed:
            _rng = (seed, random.Random(seed))
        return _rng[1].randrange(1000)


def _today() -> date:
    return timezone.localdate()


class SandboxSource:
    name = ""
    error: type[ports.SourceUnavailable] = ports.SourceUnavailable

    def _run(self, operation: str, timeout: float, read):
        start = time.monotonic()
        latency_ms, failure_per_mille = _knobs(self.name)
        latency = latency_ms / 1000
        fails = failure_per_mille > 0 and _draw_per_mille() < failure_per_mille
        answer = None
        if not fails and latency <= timeout:
            try:
                answer = read()
            except DatabaseError as exc:
                raise self.error(f"{self.name}.{operation}: sandbox store failed") from exc
        if latency > timeout:
            time.sleep(max(0.0, timeout - (time.monotonic() - start)))
            raise self.error(f"{self.name}.{operation}: no answer within {timeout:g} s")
        time.sleep(max(0.0, latency - (time.monotonic() - start)))
        if fails:
            raise self.error(f"{self.name}.{operation}: simulated failure")
        return answer

    @staticmethod
    def _citizen(id_number: str):
        from integrations.models import SandboxCitizen

        return SandboxCitizen.objects.filter(id_number_index=blind_index(id_number)).first()


class SandboxPublicSecurity(SandboxSource):
    name = ports.PUBLIC_SECURITY
    error = ports.PublicSecurityUnavailable

    def verify_identity(self, id_number: str, name: str, *, timeout: float) -> ports.IdentityCheck | None:
        def read():
            citizen = self._citizen(id_number)
            if citizen is None:
                return None
            return ports.IdentityCheck(name_matches=citizen.name == name.strip(), alive=citizen.alive)

        return self._run("verify_identity", timeout, read)

    def hukou(self, id_number: str, *, timeout: float) -> ports.HukouRecord | None:
        def read():
            citizen = self._citizen(id_number)
            if citizen is None or not citizen.hukou_region:
                return None
            return ports.HukouRecord(
                region_code=citizen.hukou_region, since=citizen.hukou_since or date(1900, 1, 1)
            )

        return self._run("hukou", timeout, read)

    def emigration(self, id_number: str, *, timeout: float) -> ports.EmigrationRecord:
        def read():
            citizen = self._citizen(id_number)
            if citizen is None or not citizen.settled_abroad:
                return ports.EmigrationRecord(settled_abroad=False)
            return ports.EmigrationRecord(settled_abroad=True, since=citizen.settled_abroad_on)

        return self._run("emigration", timeout, read)


class SandboxMarketRegulation(SandboxSource):
    name = ports.MARKET_REGULATION
    error = ports.MarketRegulationUnavailable

    def unit_registration(self, credit_code: str, *, timeout: float) -> ports.UnitRegistration | None:
        from integrations.models import SandboxUnit

        def read():
            unit = SandboxUnit.objects.filter(credit_code=credit_code.strip().upper()).first()
            if unit is None:
                return None
            return ports.UnitRegistration(
                credit_code=unit.credit_code,
                name=unit.name,
                status=unit.status,
                registered_on=unit.registered_on,
            )

        return self._run("unit_registration", timeout, read)


class SandboxSocialSecurity(SandboxSource):
    name = ports.SOCIAL_SECURITY
    error = ports.SocialSecurityUnavailable

    def employment(self, id_number: str, *, timeout: float) -> ports.EmploymentRecord | None:
        def read():
            citizen = self._citizen(id_number)
            if citizen is None or citizen.employed_since is None:
                return None
            return ports.EmploymentRecord(
                employer_credit_code=citizen.employer_credit_code or None,
                employer_name=citizen.employer_name,
                since=citizen.employed_since,
                ended_on=citizen.employment_ended_on,
            )

        return self._run("employment", timeout, read)

    def retirement(self, id_number: str, *, timeout: float) -> ports.RetirementRecord:
        def read():
            citizen = self._citizen(id_number)
            if citizen is None or not (citizen.retired or citizen.lixiu):
                return ports.RetirementRecord(retired=False)
            return ports.RetirementRecord(retired=True, retired_on=citizen.retired_on, lixiu=citizen.lixiu)

        return self._run("retirement", timeout, read)

    def disability(self, id_number: str, *, timeout: float) -> ports.DisabilityRecord:
        def read():
            citizen = self._citizen(id_number)
            if citizen is None or not citizen.total_incapacity:
                return ports.DisabilityRecord(total_incapacity=False)
            return ports.DisabilityRecord(total_incapacity=True, assessed_on=citizen.incapacity_assessed_on)

        return self._run("disability", timeout, read)

    def contribution_months(self, id_number: str, months: int, *, timeout: float) -> tuple[date, ...]:
        """Months paid are derived from the employment dates: every month the person was employed."""

        def read():
            citizen = self._citizen(id_number)
            if citizen is None or citizen.employed_since is None:
                return ()
            first_paid = citizen.employed_since.replace(day=1)
            last_paid = citizen.employment_ended_on or _today()
            return tuple(m for m in first_of_months_back(_today(), months) if first_paid <= m <= last_paid)

        return self._run("contribution_months", timeout, read)


class SandboxCivilAffairs(SandboxSource):
    name = ports.CIVIL_AFFAIRS
    error = ports.CivilAffairsUnavailable

    def marriage(self, id_number: str, *, timeout: float) -> ports.MarriageRecord | None:
        def read():
            citizen = self._citizen(id_number)
            if citizen is None:
                return None
            married = citizen.marital_status == ports.MARRIED
            return ports.MarriageRecord(
                status=citizen.marital_status,
                spouse_id_number=citizen.spouse_id_number if married else None,
                since=citizen.married_on if married else None,
            )

        return self._run("marriage", timeout, read)

    def death(self, id_number: str, *, timeout: float) -> ports.DeathRecord:
        def read():
            citizen = self._citizen(id_number)
            if citizen is None or citizen.alive:
                return ports.DeathRecord(deceased=False)
            return ports.DeathRecord(deceased=True, died_on=citizen.died_on)

        return self._run("death", timeout, read)


class SandboxEmploymentOffice(SandboxSource):
    name = ports.EMPLOYMENT_OFFICE
    error = ports.EmploymentOfficeUnavailable

    def unemployment(self, id_number: str, *, timeout: float) -> ports.UnemploymentRecord:
        def read():
            citizen = self._citizen(id_number)
            if citizen is None or citizen.unemployment_registered_on is None:
                return ports.UnemploymentRecord(registered=False)
            return ports.UnemploymentRecord(registered=True, since=citizen.unemployment_registered_on)

        return self._run("unemployment", timeout, read)


class SandboxRealEstate(SandboxSource):
    name = ports.REAL_ESTATE
    error = ports.RealEstateUnavailable

    def properties(self, id_number: str, *, timeout: float) -> tuple[ports.Property, ...]:
        from integrations.models import SandboxProperty

        def read():
            homes = (
                SandboxProperty.objects.filter(owners__id_number_index=blind_index(id_number))
                .distinct()
                .prefetch_related("owners")
                .order_by("contract_on", "pk")
            )
            return tuple(
                ports.Property(
                    property_id=home.property_id,
                    region_code=home.region_code,
                    address=home.address,
                    kind=home.kind,
                    contract_on=home.contract_on,
                    title_on=home.title_on,
                    price=home.price,
                    loan_amount=home.loan_amount,
                    full_payment=home.full_payment,
                    owners=tuple(o.id_number for o in sorted(home.owners.all(), key=lambda o: o.pk)),
                )
                for home in homes
            )

        return self._run("properties", timeout, read)


class SandboxCreditBureau(SandboxSource):
    name = ports.CREDIT_BUREAU
    error = ports.CreditBureauUnavailable

    def credit_report(self, id_number: str, *, timeout: float) -> ports.CreditReport | None:
        from integrations.models import SandboxLoan

        def read():
            citizen = self._citizen(id_number)
            loans = tuple(
                ports.CreditLoan(
                    kind=loan.kind,
                    lender=loan.lender,
                    principal=loan.principal,
                    monthly_payment=loan.monthly_payment,
                    status=loan.status,
                    opened_on=loan.opened_on,
                    centre=loan.centre or None,
                )
                for loan in SandboxLoan.objects.filter(id_number_index=blind_index(id_number)).order_by(
                    "opened_on", "pk"
                )
            )
            if citizen is None and not loans:
                return None
            repaying = sum(loan.monthly_payment for loan in loans if loan.status == ports.REPAYING)
            return ports.CreditReport(
                loans=loans,
                overdue_months_last_24=citizen.overdue_months_last_24 if citizen else 0,
                monthly_debt=repaying + (citizen.other_monthly_debt if citizen else 0),
            )

        return self._run("credit_report", timeout, read)
