"""Admin search by a full resident ID number through its blind index, never echoing the number."""

import re

from django.contrib.admin.views.main import SEARCH_VAR
from django.http import HttpResponseRedirect

from core.crypto import blind_index, normalise_for_index

_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)
# The search box carries "idx:<blind index>" instead of an ID number.
_INDEX_TERM = re.compile(r"idx:([0-9a-f]{64})")


def looks_like_id_number(value: str | None) -> bool:
    """Shaped like an 18-character resident ID (any case of x, spaces ignored); not validated."""
    return bool(value) and bool(_ID_SHAPE.fullmatch(normalise_for_index(value)))


class IdNumberSearchMixin:
    """Search a changelist by full ID number through ``id_number_index_path``.

    The admin writes the search term back into the page (search box, result and pagination
    links). A search for an ID number is therefore redirected once to the same list searching
    for ``idx:<blind index>``, so the page and every later URL carry only the keyed hash.
    """

    id_number_index_path = "id_number_index"

    def changelist_view(self, request, extra_context=None):
        term = request.GET.get(SEARCH_VAR, "")
        if looks_like_id_number(term):
            params = request.GET.copy()
            params[SEARCH_VAR] = f"idx:{blind_index(term)}"
            return HttpResponseRedirect(f"{request.path}?{params.urlencode()}")
        return super().changelist_view(request, extra_context)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        match = _INDEX_TERM.fullmatch(term)
        index = match.group(1) if match else blind_index(term) if looks_like_id_number(term) else None
        if index is not None:
            # distinct(): the path may cross a to-many relation (a property's owners).
            return queryset.filter(**{self.id_number_index_path: index}).distinct(), False
        return super().get_search_results(request, queryset, term)
