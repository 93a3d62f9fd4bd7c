"""Plain-language names of the application reasons (rule sets), and picking a reason's text by language.

The rule engine is pure Python and carries each citizen-facing reason in both languages
(``zh_hans`` and ``en``); the pages choose one by the active language.
"""

from django.utils.translation import get_language
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


def reason_text(reason: dict | None) -> str:
    """A stored reason ``{code, zh_hans, en}`` in the active language (Chinese unless English)."""
    if not reason:
        return ""
    if (get_language() or "").startswith("en"):
        return reason.get("en") or reason.get("zh_hans") or reason.get("code", "")
    return reason.get("zh_hans") or reason.get("en") or reason.get("code", "")


#: The rule statuses that explain an outcome: a rejection by its failing rules, a referral by the
#: rules that could not decide or that ask for a person.
EXPLAINING_STATUSES = {"REJECT": {"FAIL"}, "REFER": {"UNKNOWN", "REFER"}}


def explaining_reasons(outcome: str, results: list[dict]) -> list[dict]:
    """The reasons ``{code, message}`` behind ``outcome``, from a decision's stored rule results."""
    wanted = EXPLAINING_STATUSES.get(outcome, set())
    reasons = []
    for result in results:
        if result.get("status") not in wanted or not result.get("reason"):
            continue
        reason = {"code": result["reason"].get("code", ""), "message": reason_text(result["reason"])}
        # Two rules can fail for one cause (e.g. an unsealed account): say it once.
        if reason not in reasons:
            reasons.append(reason)
    return reasons
