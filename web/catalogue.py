"""The public service catalogue (最多跑一趟): every service, what it needs and where to start it.

No login. The list is searched and filtered through the address (``?q=&category=&online=1&instant=1``)
so a search can be bookmarked, shared and printed; an item's page has the "start online" button,
or, for a service done at a counter, the office and a link to book a visit when the counters take
bookings for it.
"""

from __future__ import annotations

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from appointments.selectors import offers_of, service_by_code
from catalogue.models import Category
from catalogue.selectors import (
    MAX_QUERY_LENGTH,
    grouped_by_category,
    online_path,
    published_count,
    published_item,
    service_items_query,
)


class CatalogueSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=MAX_QUERY_LENGTH)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *Category.choices]
    )
    online = forms.BooleanField(label=_("Fully online"), required=False)
    instant = forms.BooleanField(label=_("Approved in seconds"), required=False)


def catalogue(request):
    form = CatalogueSearchForm(request.GET)
    # A tampered address (an unknown category, a search too long) shows every item, not an error.
    filters = form.cleaned_data if form.is_valid() else {}
    items = list(
        service_items_query(
            q=filters.get("q", ""),
            category=filters.get("category", ""),
            online=True if filters.get("online") else None,
            instant=True if filters.get("instant") else None,
        )
    )
    return render(
        request,
        "web/catalogue/list.html",
        {
            "form": form,
            "groups": grouped_by_category(items),
            "shown": len(items),
            "total": published_count(),
            "online_count": sum(item.fully_online for item in items),
            "instant_count": sum(item.instant for item in items),
            "filtered": any(filters.values()),
        },
    )


def _booking(item):
    """The first booking step and the counters for ``item``, when the counters take bookings for it."""
    if not item.appointment_service:
        return None, []
    service = service_by_code(item.appointment_service)
    offers = offers_of(service) if service is not None else []
    if not offers:
        return None, []
    return reverse("web:hall-appointment-counter", args=[service.code]), [offer.counter for offer in offers]


def item(request, code: str):
    found = published_item(code)
    if found is None:
        raise Http404(_("There is no such service in the catalogue."))
    start = online_path(found)
    booking, counters = (None, []) if start else _booking(found)
    return render(
        request,
        "web/catalogue/item.html",
        {"item": found, "start": start, "booking": booking, "counters": counters},
    )
