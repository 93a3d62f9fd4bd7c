"""Staff sessions must have passed their authenticator code (``request.user.is_verified()``).

Staff log in only through the code step, so an unverified staff session is one that got round
it (a session made before the second factor was turned on, a bug): it is ended, and the request
goes to the login page. Covers every page, the admin console and the API's session logins.
Nothing is checked while ``AUTH_SECOND_FACTOR`` is off.
"""

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

from signin.services import Factor, factor_of, second_factor_on


class StaffVerifiedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            second_factor_on()
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and factor_of(user) == Factor.TOTP
        ):
            logout(request)
            if request.path.startswith("/api/"):
                # The API's error shape (api.errors), without importing the layer above.
                return JsonResponse(
                    {
                        "code": "NOT_AUTHENTICATED",
                        "detail": str(_("Log in again with your authenticator app's code.")),
                        "errors": [],
                    },
                    status=401,
                )
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)
