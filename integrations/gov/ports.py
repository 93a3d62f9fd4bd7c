"""The seven government data sources as ports: one Protocol each, frozen results, exceptions.

Every method takes the keyword ``timeout`` (seconds) and raises its port's own ``Unavailable``
(a ``SourceUnavailable``) on failure or timeout. "No record" is a normal answer (``None`` or an
empty tuple), never an exception. Persons are identified by resident ID number; amounts are
integer fen; dates are ``datetime.date``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable

# Registry names, as used in settings.GOV_SOURCES.
PUBLIC_SECURITY = "public_security"
MARKET_REGULATION = "market_regulation"
SOCIAL_SECURITY = "social_security"
CIVIL_AFFAIRS = "civil_affairs"
EMPLOYMENT_OFFICE = "employment_office"
REAL_ESTATE = "real_estate"
CREDIT_BUREAU = "credit_bureau"
SOURCE_NAMES = (
    PUBLIC_SECURITY,
    MARKET_REGULATION,
    SOCIAL_SECURITY,
    CIVIL_AFFAIRS,
    EMPLOYMENT_OFFICE,
    REAL_ESTATE,
    CREDIT_BUREAU,
)


class SourceUnavailable(Exception):
    """A source did not answer in time or failed; the caller refers the case, never rejects."""

    source = ""


class PublicSecurityUnavailable(SourceUnavailable):
    source = PUBLIC_SECURITY


class MarketRegulationUnavailable(SourceUnavailable):
    source = MARKET_REGULATION


class SocialSecurityUnavailable(SourceUnavailable):
    source = SOCIAL_SECURITY


class CivilAffairsUnavailable(SourceUnavailable):
    source = CIVIL_AFFAIRS


class EmploymentOfficeUnavailable(SourceUnavailable):
    source = EMPLOYMENT_OFFICE


class RealEstateUnavailable(SourceUnavailable):
    source = REAL_ESTATE


class CreditBureauUnavailable(SourceUnavailable):
    source = CREDIT_BUREAU


UNAVAILABLE = {
    PUBLIC_SECURITY: PublicSecurityUnavailable,
    MARKET_REGULATION: MarketRegulationUnavailable,
    SOCIAL_SECURITY: SocialSecurityUnavailable,
    CIVIL_AFFAIRS: CivilAffairsUnavailable,
    EMPLOYMENT_OFFICE: EmploymentOfficeUnavailable,
    REAL_ESTATE: RealEstateUnavailable,
    CREDIT_BUREAU: CreditBureauUnavailable,
}


# 公安 public security -------------------------------------------------------------------------


@dataclass(frozen=True)
class IdentityCheck:
    name_matches: bool
    alive: bool


@dataclass(frozen=True)
class HukouRecord:
    region_code: str
    since: date


@dataclass(frozen=True)
class EmigrationRecord:
    settled_abroad: bool
    since: date | None = None


@runtime_checkable
class PublicSecurity(Protocol):
    def verify_identity(self, id_number: str, name: str, *, timeout: float) -> IdentityCheck | None:
        """Whether the name belongs to the ID number and the person is alive; None if unknown."""
        ...

    def hukou(self, id_number: str, *, timeout: float) -> HukouRecord | None: ...

    def emigration(self, id_number: str, *, timeout: float) -> EmigrationRecord: ...


# 市场监管 market regulation ---------------------------------------------------------------------

UNIT_ACTIVE = "存续"
UNIT_CANCELLED = "注销"
UNIT_REVOKED = "吊销"


@dataclass(frozen=True)
class UnitRegistration:
    credit_code: str
    name: str
    status: str  # UNIT_ACTIVE, UNIT_CANCELLED or UNIT_REVOKED
    registered_on: date


@runtime_checkable
class MarketRegulation(Protocol):
    def unit_registration(self, credit_code: str, *, timeout: float) -> UnitRegistration | None: ...


# 社保 social security --------------------------------------------------------------------------


@dataclass(frozen=True)
class EmploymentRecord:
    employer_credit_code: str | None
    employer_name: str
    since: date
    ended_on: date | None = None


@dataclass(frozen=True)
class RetirementRecord:
    retired: bool
    retired_on: date | None = None
    lixiu: bool = False


@dataclass(frozen=True)
class DisabilityRecord:
    total_incapacity: bool
    assessed_on: date | None = None


@runtime_checkable
class SocialSecurity(Protocol):
    def employment(self, id_number: str, *, timeout: float) -> EmploymentRecord | None:
        """The latest employment on record (ended or not); None if never insured."""
        ...

    def retirement(self, id_number: str, *, timeout: float) -> RetirementRecord: ...

    def disability(self, id_number: str, *, timeout: float) -> DisabilityRecord: ...

    def contribution_months(self, id_number: str, months: int, *, timeout: float) -> tuple[date, ...]:
        """The first day of each month paid within the last ``months`` months, oldest first."""
        ...


# 民政 civil affairs ----------------------------------------------------------------------------

MARRIED = "married"
SINGLE = "single"
DIVORCED = "divorced"
WIDOWED = "widowed"


@dataclass(frozen=True)
class MarriageRecord:
    status: str  # MARRIED, SINGLE, DIVORCED or WIDOWED
    spouse_id_number: str | None = None
    since: date | None = None


@dataclass(frozen=True)
class DeathRecord:
    deceased: bool
    died_on: date | None = None


@runtime_checkable
class CivilAffairs(Protocol):
    def marriage(self, id_number: str, *, timeout: float) -> MarriageRecord | None: ...

    def death(self, id_number: str, *, timeout: float) -> DeathRecord: ...


# 就业管理 employment office ---------------------------------------------------------------------


@dataclass(frozen=True)
class UnemploymentRecord:
    registered: bool
    since: date | None = None


@runtime_checkable
class EmploymentOffice(Protocol):
    def unemployment(self, id_number: str, *, timeout: float) -> UnemploymentRecord: ...


# 不动产登记 real-estate registry ----------------------------------------------------------------

NEW_HOME = "new"
RESALE_HOME = "resale"


@dataclass(frozen=True)
class Property:
    property_id: str
    region_code: str
    address: str
    kind: str  # NEW_HOME or RESALE_HOME
    contract_on: date
    title_on: date | None
    price: int  # fen
    loan_amount: int  # fen
    full_payment: bool
    owners: tuple[str, ...]  # ID numbers


@runtime_checkable
class RealEstate(Protocol):
    def properties(self, id_number: str, *, timeout: float) -> tuple[Property, ...]:
        """Homes the person owns or has under a purchase contract, anywhere; empty if none."""
        ...


# 银行征信 credit bureau -------------------------------------------------------------------------

FUND_LOAN = "fund"
COMMERCIAL_LOAN = "commercial"
REPAYING = "repaying"
SETTLED = "settled"


@dataclass(frozen=True)
class CreditLoan:
    kind: str  # FUND_LOAN or COMMERCIAL_LOAN
    lender: str
    principal: int  # fen
    monthly_payment: int  # fen
    status: str  # REPAYING or SETTLED
    opened_on: date
    centre: str | None = None  # the lending fund centre's code for a fund loan


@dataclass(frozen=True)
class CreditReport:
    loans: tuple[CreditLoan, ...]
    overdue_months_last_24: int
    monthly_debt: int  # fen


@runtime_checkable
class CreditBureau(Protocol):
    def credit_report(self, id_number: str, *, timeout: float) -> CreditReport | None:
        """None when the bureau holds no file on the person."""
        ...


PORTS = {
    PUBLIC_SECURITY: PublicSecurity,
    MARKET_REGULATION: MarketRegulation,
    SOCIAL_SECURITY: SocialSecurity,
    CIVIL_AFFAIRS: CivilAffairs,
    EMPLOYMENT_OFFICE: EmploymentOffice,
    REAL_ESTATE: RealEstate,
    CREDIT_BUREAU: CreditBureau,
}
