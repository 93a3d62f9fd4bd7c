"""Top-level URL map: the web pages by audience, the admin console and the REST API."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from web import health, language

admin.site.site_header = _("Housing Provident Fund Centre · admin console")
admin.site.site_title = _("FundPortal admin console")
admin.site.index_title = _("Centre administration")

urlpatterns = [
    # Outside any language or login handling: load balancers and monitoring call these.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Before Django's own: an employee's switch also sets the language of their messages.
    path("i18n/setlang/", language.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from local files, its start-up script a separate file (no inline script); its
    # page's own small <style> block and the styles it sets at run time are allowed there only.
    path(
        "api/docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="api-docs",
    ),
    path("api/v1/", include("api.urls")),
    path("", include("web.urls")),
]
