"""The straight-through dashboard: how much the rules decide without staff, how fast, why the rest
went to people, and how the government sources behaved, for a period (default the last 30 days)."""

from datetime import date, datetime, time, timedelta

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from approvals.models import Channel, DecisionPurpose
from approvals.selectors import straight_through_figures
from integrations.models import Source
from web.access import staff_only
from web.reasons import reason_label

DEFAULT_DAYS = 30


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _bar(share: float | None) -> dict:
    """A share for the page: the percentage, and a width class in 5 % steps (no inline styles, so
    the page keeps working under a strict Content-Security-Policy)."""
    if share is None:
        return {"percent": None, "width": 0}
    return {"percent": round(share * 100, 1), "width": round(share * 20) * 5}


def _share_rows(shares: dict, label) -> list[dict]:
    return [
        {"name": name, "label": label(name), "total": s.total, "automatic": s.automatic, **_bar(s.share)}
        for name, s in shares.items()
    ]


def _channel_label(name: str) -> str:
    try:
        return str(Channel(name).label)
    except ValueError:
        return name


def _source_label(name: str) -> str:
    try:
        return str(Source(name).label)
    except ValueError:
        return name


@staff_only
def dashboard(request):
    today = timezone.localdate()
    first = _parse_date(request.GET.get("since"))
    last = _parse_date(request.GET.get("until")) or today
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    invalid = first > last
    if invalid:
        first, last = today - timedelta(days=DEFAULT_DAYS - 1), today
    since, until = _start_of(first), _start_of(last + timedelta(days=1))
    # Applications by default; citizens' eligibility pre-checks on request (same figures).
    prechecks = request.GET.get("of") == "prechecks"
    purpose = DecisionPurpose.PRECHECK if prechecks else DecisionPurpose.APPLICATION
    figures = straight_through_figures(since=since, until=until, language=get_language(), purpose=purpose)
    return render(
        request,
        "web/staff/dashboard.html",
        {
            "figures": figures,
            "first": first,
            "last": last,
            "invalid_period": invalid,
            "prechecks": prechecks,
            "overall": _bar(figures.overall.share),
            "by_reason": _share_rows(figures.by_reason, reason_label),
            "by_channel": _share_rows(figures.by_channel, _channel_label),
            "referrals": [
                {"code": code, "count": count, "text": figures.reason_texts.get(code, "")}
                for code, count in figures.referral_reasons
            ],
            "rejections": [
                {"code": code, "count": count, "text": figures.reason_texts.get(code, "")}
                for code, count in figures.rejection_reasons
            ],
            "sources": [
                {"figures": source, "label": _source_label(source.source), **_bar(source.availability)}
                for source in figures.sources
            ],
        },
    )
