"""The hall's sandbox phone: text 12329 from one's own mobile and read what the phone received."""

from django.contrib import messages as flash
from django.http import Http404
from django.shortcuts import redirect, render

from core.crypto import mask_mobile
from core.exceptions import DomainError
from hotline.keywords import KEYWORDS
from hotline.sandbox_phone import phone_texts, sandbox_phone_available, text_12329
from web.access import employee_only

# The keywords offered as buttons: the short forms 12329 prints on its leaflets.
SHORT_KEYWORDS = tuple(word for word in KEYWORDS if word.isascii() and len(word) == 2)


@employee_only
def phone(request):
    if not sandbox_phone_available():
        raise Http404("the SMS gateway is not the sandbox")
    person = request.user.person
    if request.method == "POST":
        try:
            text_12329(person=person, text=request.POST.get("text", ""))
        except DomainError as error:
            flash.error(request, error.message)
        return redirect("web:hall-sandbox-phone")
    return render(
        request,
        "web/hall/sandbox_phone.html",
        {
            "mobile": mask_mobile(person.mobile),
            "keywords": SHORT_KEYWORDS,
            "texts": phone_texts(person),
        },
    )
