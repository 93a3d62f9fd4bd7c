"""REST API v1."""

app_name = "api"
urlpatterns: list = []
