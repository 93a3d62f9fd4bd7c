"""Reading the catalogue: the published items, searched and filtered, grouped by category; one item;
where an item starts online."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.urls import NoReverseMatch, reverse

from catalogue.models import Category, ServiceItem

#: The fields a search looks in, both languages.
SEARCHED_FIELDS = ("code", "name", "name_en", "notes", "notes_en", "materials", "materials_en")
#: Longest search text taken; the rest is ignored (a search box, not a document).
MAX_QUERY_LENGTH = 100
#: The namespace the entry points are named in: every online start is a page of the portal.
ENTRY_POINT_NAMESPACE = "web"

_CATEGORY_ORDER = Case(
    *(When(category=value, then=Value(position)) for position, value in enumerate(Category.values)),
    default=Value(len(Category.values)),
    output_field=IntegerField(),
)


@dataclass(frozen=True)
class CategoryGroup:
    category: str
    label: str
    items: list[ServiceItem]


def _search(query: QuerySet, text: str) -> QuerySet:
    # Every word must appear somewhere, in either language: "rent 提取" narrows, never widens.
    for word in text[:MAX_QUERY_LENGTH].split():
        condition = Q()
        for field in SEARCHED_FIELDS:
            condition |= Q(**{f"{field}__icontains": word})
        query = query.filter(condition)
    return query


def service_items_query(
    *, q: str = "", category: str = "", online: bool | None = None, instant: bool | None = None
) -> QuerySet[ServiceItem]:
    """Published items matching the search text ``q`` and the filters, by category then display order.

    ``None`` for ``online`` or ``instant`` means either; an unknown category matches nothing.
    """
    query = ServiceItem.objects.filter(published=True)
    if q.strip():
        query = _search(query, q)
    if category:
        query = query.filter(category=category)
    if online is not None:
        query = query.filter(fully_online=online)
    if instant is not None:
        query = query.filter(instant=instant)
    return query.order_by(_CATEGORY_ORDER, "display_order", "code")


def published_count() -> int:
    return ServiceItem.objects.filter(published=True).count()


def grouped_by_category(items) -> list[CategoryGroup]:
    """``items`` in one group per category that has any, in the categories' order."""
    groups = {category: [] for category in Category.values}
    for item in items:
        groups.setdefault(item.category, []).append(item)
    return [
        CategoryGroup(category=category, label=str(Category(category).label), items=members)
        for category, members in groups.items()
        if members
    ]


def published_item(code: str) -> ServiceItem | None:
    return ServiceItem.objects.filter(code=code, published=True).first()


def entry_point_path(*, url_name: str, argument: str = "") -> str:
    """The path of a portal page by its name (and its one argument); ``NoReverseMatch`` if none."""
    return reverse(f"{ENTRY_POINT_NAMESPACE}:{url_name}", args=[argument] if argument else [])


def online_path(item: ServiceItem) -> str | None:
    """Where ``item`` starts online, or ``None`` when it has no entry point or the page does not exist.

    A name that does not resolve (a page renamed, or not deployed yet) shows no link rather than
    an error: the rest of the item is still worth reading.
    """
    if not item.online_url_name:
        return None
    try:
        return entry_point_path(url_name=item.online_url_name, argument=item.online_url_argument)
    except NoReverseMatch:
        return None
