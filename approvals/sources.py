"""What each withdrawal reason asks of the government's and banks' data, in words, for consent.

Before anything is asked, the hall and the API show the employee which records of theirs (and of
their spouse, where the rules need them) will be read and why, and ask for consent (PIPL). The
gatherers in :mod:`approvals.providers` are the truth of what is asked; a test runs every reason
against the sandbox sources and checks this list against the query log, so the two cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass

from integrations.gov import ports


@dataclass(frozen=True)
class SourceUse:
    """One question to one data source: ``source.operation`` as the query log records it."""

    source: str
    operation: str
    zh: str
    en: str
    spouse_too: bool = False  # asked again about the spouse when the rules need them

    @property
    def key(self) -> str:
        return f"{self.source}.{self.operation}"

    def text(self, language: str | None) -> str:
        return self.en if (language or "").startswith("en") else self.zh


_HUKOU = SourceUse(
    ports.PUBLIC_SECURITY,
    "hukou",
    "公安部门：您的户籍所在地（是否为本市户籍）",
    "Public security: where your household registration (hukou) is, in or outside the city",
)
_EMPLOYMENT = SourceUse(
    ports.SOCIAL_SECURITY,
    "employment",
    "社保部门：您目前在本市是否有在职参保记录",
    "Social security: whether you are currently employed and insured in the city",
)
_RETIREMENT = SourceUse(
    ports.SOCIAL_SECURITY,
    "retirement",
    "社保部门：您的退休或离休记录",
    "Social security: your retirement (or lixiu) record",
)
_PROPERTIES = SourceUse(
    ports.REAL_ESTATE,
    "properties",
    "不动产登记部门：您名下的房产及购房合同",
    "Real-estate registry: the homes and purchase contracts in your name",
)
_PROPERTIES_WITH_SPOUSE = SourceUse(
    ports.REAL_ESTATE,
    "properties",
    "不动产登记部门：您及配偶名下的房产及购房合同",
    "Real-estate registry: the homes and purchase contracts in your and your spouse's names",
    spouse_too=True,
)
_MARRIAGE = SourceUse(
    ports.CIVIL_AFFAIRS,
    "marriage",
    "民政部门：您的婚姻状况及配偶身份",
    "Civil affairs: your marital status and who your spouse is",
)
_CREDIT = SourceUse(
    ports.CREDIT_BUREAU,
    "credit_report",
    "人民银行征信中心：您的贷款及还款记录",
    "The credit bureau: your loans and their repayment record",
)

#: Reason → the questions its gatherer asks. Reasons decided by staff from documents ask none.
SOURCES_BY_REASON: dict[str, tuple[SourceUse, ...]] = {
    "LEAVING_CITY": (_HUKOU, _EMPLOYMENT),
    "RETIREMENT": (_RETIREMENT,),
    "LIXIU": (_RETIREMENT,),
    "PURCHASE_IN_CITY": (_PROPERTIES_WITH_SPOUSE, _MARRIAGE),
    "RENT": (_PROPERTIES_WITH_SPOUSE, _MARRIAGE),
    "LOAN_REPAYMENT_ANNUAL": (_CREDIT,),
    "LOAN_REPAYMENT_MONTHLY": (_CREDIT,),
    "LOAN_ELIGIBILITY": (_EMPLOYMENT, _PROPERTIES_WITH_SPOUSE, _MARRIAGE, _CREDIT),
}

#: What the centre reads from its own records for every reason, told alongside the sources.
OWN_RECORDS = (
    "本中心：您的公积金账户状态、余额、缴存记录及以往提取记录",
    "This centre: your fund account's status, balance, deposits and earlier withdrawals",
)


def sources_for(reason: str) -> tuple[SourceUse, ...]:
    """The data-source questions an application for ``reason`` asks (none for staff review)."""
    return SOURCES_BY_REASON.get(reason, ())


def own_records_text(language: str | None) -> str:
    return OWN_RECORDS[1] if (language or "").startswith("en") else OWN_RECORDS[0]


#: Each source's short name, as a timeline says who was asked.
SOURCE_NAMES: dict[str, tuple[str, str]] = {
    ports.PUBLIC_SECURITY: ("公安部门", "Public security"),
    ports.MARKET_REGULATION: ("市场监管部门", "Market regulation"),
    ports.SOCIAL_SECURITY: ("社保部门", "Social security"),
    ports.CIVIL_AFFAIRS: ("民政部门", "Civil affairs"),
    ports.EMPLOYMENT_OFFICE: ("就业管理部门", "Employment office"),
    ports.REAL_ESTATE: ("不动产登记部门", "Real-estate registry"),
    ports.CREDIT_BUREAU: ("人民银行征信中心", "Credit bureau"),
}


def source_name(source: str, language: str | None) -> str:
    zh, en = SOURCE_NAMES.get(source, (source, source))
    return en if (language or "").startswith("en") else zh
