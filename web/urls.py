"""Web pages."""

app_name = "web"
urlpatterns: list = []
