"""The hall's messages (站内消息): the inbox, newest first, and marking messages read."""

from django.contrib import messages as flash
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications.models import MessageKind
from notifications.selectors import message_page
from notifications.services import MessageNotFound, mark_all_read, mark_read
from web.access import employee_only


def _kind_label(kind: str) -> str:
    return MessageKind(kind).label if kind in MessageKind.values else kind


@employee_only
def inbox(request):
    page = message_page(request.user.person, page=request.GET.get("page") or 1)
    rows = [
        {"message": message, "kind_label": _kind_label(message.kind), "texted": hasattr(message, "sms")}
        for message in page
    ]
    return render(request, "web/hall/messages.html", {"page": page, "rows": rows})


@employee_only
@require_POST
def read(request, pk: int):
    """Mark one message read, then follow its link (a path inside the portal) or go back to the list."""
    try:
        message = mark_read(person=request.user.person, message_id=pk)
    except MessageNotFound as error:
        # Another person's message answers as one that does not exist.
        raise Http404(error.message) from error
    if message.link and url_has_allowed_host_and_scheme(message.link, allowed_hosts={request.get_host()}):
        return redirect(message.link)
    return redirect("web:hall-messages")


@employee_only
@require_POST
def read_all(request):
    count = mark_all_read(person=request.user.person)
    if count:
        flash.success(request, _("All messages are marked read."))
    return redirect("web:hall-messages")
