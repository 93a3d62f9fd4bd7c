"""Plain-language names of the application reasons (rule sets), as the pages show them.

Which rules explain a decision, and in which language, is the approvals selectors' business
(:func:`approvals.selectors.explained_reasons`).
"""

from django.utils.translation import gettext_lazy as _

#: The 秒批 reasons an employee can check in the hall, in the order the form offers them.
INSTANT_REASONS = (
    "LEAVING_CITY",
    "RETIREMENT",
    "LIXIU",
    "PURCHASE_IN_CITY",
    "RENT",
    "LOAN_REPAYMENT_ANNUAL",
    "LOAN_REPAYMENT_MONTHLY",
)

REASON_LABELS = {
    "LEAVING_CITY": _("Leaving the city (non-local household registration)"),
    "RETIREMENT": _("Retirement"),
    "LIXIU": _("Lixiu (veteran cadre retirement)"),
    "PURCHASE_IN_CITY": _("Buying a home in the city"),
    "RENT": _("Paying rent"),
    "LOAN_REPAYMENT_ANNUAL": _("Repaying a fund loan (once a year)"),
    "LOAN_REPAYMENT_MONTHLY": _("Repaying a fund loan (monthly, entrusted)"),
    "PURCHASE_ELSEWHERE": _("Buying a home outside the city"),
    "BUILD_RENOVATE": _("Building or renovating a home"),
    "COMMERCIAL_LOAN_REPAYMENT": _("Repaying a commercial home loan"),
    "EMIGRATION": _("Settling abroad"),
    "INCAPACITY": _("Total incapacity for work"),
    "DEATH": _("Death of the account holder"),
    "SERIOUS_ILLNESS": _("Serious illness"),
    "DISASTER": _("Natural disaster"),
    "ELEVATOR": _("Installing a lift"),
    "LOAN_ELIGIBILITY": _("Fund loan eligibility"),
}


def reason_label(code: str) -> str:
    """The reason's name in the active language; an unknown code is shown as it is."""
    return str(REASON_LABELS.get(code, code))
