"""In-memory fakes of the government sources, for tests; set up with plain dicts.

    FakeCivilAffairs(marriages={"350203199001011234": MarriageRecord(MARRIED, spouse, since)})
    FakeRealEstate(properties=[Property(...)], unavailable=True)
    FakeSocialSecurity(delay=0.3)   # slower than a 0.2 s timeout: sleeps 0.2 s, then Unavailable

Every fake counts its calls in ``calls`` (operation names, no arguments) so a test can assert
that a source was or was not asked. Unknown persons get the same "no record" answers as the
sandbox: ``None``, an empty tuple, or a negative record (not retired, not deceased, ...).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from datetime import date

from core.crypto import normalise_for_index

from . import ports


def _key(id_number: str) -> str:
    return normalise_for_index(id_number)


def _keyed(mapping: Mapping | None) -> dict:
    return {_key(k): v for k, v in (mapping or {}).items()}


def first_of_months_back(today: date, months: int) -> list[date]:
    """The first day of each of the last ``months`` months up to ``today``'s month, oldest first."""
    out = []
    year, month = today.year, today.month
    for _ in range(max(months, 0)):
        out.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


class FakeSource:
    """Programmable availability: ``unavailable=True`` always fails; ``delay`` seconds per call."""

    error: type[ports.SourceUnavailable] = ports.SourceUnavailable

    def __init__(self, *, unavailable: bool = False, delay: float = 0.0):
        self.unavailable = unavailable
        self.delay = delay
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def _call(self, operation: str, timeout: float) -> None:
        with self._lock:
            self.calls.append(operation)
        if self.delay:
            if self.delay > timeout:
                time.sleep(timeout)
                raise self.error(f"{self.error.source}: no answer within {timeout:g} s")
            time.sleep(self.delay)
        if self.unavailable:
            raise self.error(f"{self.error.source}: unavailable (fake)")


class FakePublicSecurity(FakeSource):
    error = ports.PublicSecurityUnavailable

    def __init__(
        self,
        *,
        names: Mapping[str, str] | None = None,
        deceased: Iterable[str] = (),
        hukou: Mapping[str, ports.HukouRecord] | None = None,
        emigration: Mapping[str, ports.EmigrationRecord] | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.names = _keyed(names)
        self.deceased = {_key(i) for i in deceased}
        self.hukou_records = _keyed(hukou)
        self.emigration_records = _keyed(emigration)

    def verify_identity(self, id_number: str, name: str, *, timeout: float) -> ports.IdentityCheck | None:
        self._call("verify_identity", timeout)
        known = self.names.get(_key(id_number))
        if known is None:
            return None
        return ports.IdentityCheck(
            name_matches=known == name.strip(), alive=_key(id_number) not in self.deceased
        )

    def hukou(self, id_number: str, *, timeout: float) -> ports.HukouRecord | None:
        self._call("hukou", timeout)
        return self.hukou_records.get(_key(id_number))

    def emigration(self, id_number: str, *, timeout: float) -> ports.EmigrationRecord:
        self._call("emigration", timeout)
        return self.emigration_records.get(_key(id_number), ports.EmigrationRecord(settled_abroad=False))


class FakeMarketRegulation(FakeSource):
    error = ports.MarketRegulationUnavailable

    def __init__(self, *, units: Mapping[str, ports.UnitRegistration] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.units = {code.strip().upper(): unit for code, unit in (units or {}).items()}

    def unit_registration(self, credit_code: str, *, timeout: float) -> ports.UnitRegistration | None:
        self._call("unit_registration", timeout)
        return self.units.get(credit_code.strip().upper())


class FakeSocialSecurity(FakeSource):
    error = ports.SocialSecurityUnavailable

    def __init__(
        self,
        *,
        employment: Mapping[str, ports.EmploymentRecord] | None = None,
        retirement: Mapping[str, ports.RetirementRecord] | None = None,
        disability: Mapping[str, ports.DisabilityRecord] | None = None,
        contributions: Mapping[str, Iterable[date]] | None = None,
        today: date | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.employment_records = _keyed(employment)
        self.retirement_records = _keyed(retirement)
        self.disability_records = _keyed(disability)
        self.contributions = {k: tuple(sorted(v)) for k, v in _keyed(contributions).items()}
        self.today = today

    def employment(self, id_number: str, *, timeout: float) -> ports.EmploymentRecord | None:
        self._call("employment", timeout)
        return self.employment_records.get(_key(id_number))

    def retirement(self, id_number: str, *, timeout: float) -> ports.RetirementRecord:
        self._call("retirement", timeout)
        return self.retirement_records.get(_key(id_number), ports.RetirementRecord(retired=False))

    def disability(self, id_number: str, *, timeout: float) -> ports.DisabilityRecord:
        self._call("disability", timeout)
        return self.disability_records.get(_key(id_number), ports.DisabilityRecord(total_incapacity=False))

    def contribution_months(self, id_number: str, months: int, *, timeout: float) -> tuple[date, ...]:
        self._call("contribution_months", timeout)
        window = set(first_of_months_back(self.today or date.today(), months))
        return tuple(d for d in self.contributions.get(_key(id_number), ()) if d.replace(day=1) in window)


class FakeCivilAffairs(FakeSource):
    error = ports.CivilAffairsUnavailable

    def __init__(
        self,
        *,
        marriages: Mapping[str, ports.MarriageRecord] | None = None,
        deaths: Mapping[str, ports.DeathRecord] | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.marriages = _keyed(marriages)
        self.deaths = _keyed(deaths)

    def marriage(self, id_number: str, *, timeout: float) -> ports.MarriageRecord | None:
        self._call("marriage", timeout)
        return self.marriages.get(_key(id_number))

    def death(self, id_number: str, *, timeout: float) -> ports.DeathRecord:
        self._call("death", timeout)
        return self.deaths.get(_key(id_number), ports.DeathRecord(deceased=False))


class FakeEmploymentOffice(FakeSource):
    error = ports.EmploymentOfficeUnavailable

    def __init__(self, *, unemployment: Mapping[str, ports.UnemploymentRecord] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.records = _keyed(unemployment)

    def unemployment(self, id_number: str, *, timeout: float) -> ports.UnemploymentRecord:
        self._call("unemployment", timeout)
        return self.records.get(_key(id_number), ports.UnemploymentRecord(registered=False))


class FakeRealEstate(FakeSource):
    error = ports.RealEstateUnavailable

    def __init__(self, *, properties: Iterable[ports.Property] = (), **kwargs):
        super().__init__(**kwargs)
        self.all_properties = tuple(properties)

    def properties(self, id_number: str, *, timeout: float) -> tuple[ports.Property, ...]:
        self._call("properties", timeout)
        key = _key(id_number)
        return tuple(p for p in self.all_properties if key in {_key(o) for o in p.owners})


class FakeCreditBureau(FakeSource):
    error = ports.CreditBureauUnavailable

    def __init__(self, *, reports: Mapping[str, ports.CreditReport] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.reports = _keyed(reports)

    def credit_report(self, id_number: str, *, timeout: float) -> ports.CreditReport | None:
        self._call("credit_report", timeout)
        return self.reports.get(_key(id_number))


FAKES = {
    ports.PUBLIC_SECURITY: FakePublicSecurity,
    ports.MARKET_REGULATION: FakeMarketRegulation,
    ports.SOCIAL_SECURITY: FakeSocialSecurity,
    ports.CIVIL_AFFAIRS: FakeCivilAffairs,
    ports.EMPLOYMENT_OFFICE: FakeEmploymentOffice,
    ports.REAL_ESTATE: FakeRealEstate,
    ports.CREDIT_BUREAU: FakeCreditBureau,
}
