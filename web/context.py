"""Template context every page needs: how to name the logged-in user in the header, and an
employee's count of unread messages for the header's badge."""

from core.crypto import mask_id_number
from notifications.selectors import unread_count


def user_label(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    person = getattr(user, "person", None)
    if person is not None:
        # An employee's user name is derived from their ID number: show their name instead.
        return {
            "user_label": f"{person.name} ({mask_id_number(person.id_number)})",
            # One indexed count of unread rows (a partial index) per page an employee opens.
            "unread_messages": unread_count(person),
        }
    return {"user_label": user.get_full_name() or user.username}
