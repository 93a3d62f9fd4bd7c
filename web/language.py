"""The page-language switch, which an employee's switch also records as their message language.

Django's own ``set_language`` sets the cookie; when the one switching is a logged-in employee,
their choice also becomes ``Person.language``, the language their messages and texts are
written in (notifications).
"""

from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts.models import Language
from accounts.services import set_language as set_person_language


@require_POST
def set_language(request):
    response = django_set_language(request)
    language = request.POST.get("language")
    person = getattr(request.user, "person", None) if request.user.is_authenticated else None
    if person is not None and language in Language.values:
        set_person_language(person=person, language=language, actor=request.user)
    return response
