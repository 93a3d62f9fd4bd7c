"""Masked everywhere: no page, API answer or admin page of the demo city shows a full ID or card number.

The demo city is seeded once for the module. Every URL of the portal that takes no argument is
read (GET) by a login of every role; every API detail URL is read with the identifiers its
list answered; the admin's changelist and change pages of every model holding an ID or card
number are read by the administrator. The numbers looked for come from the city's plan, in
clear, independently of the database.
"""

import json
import re

import pytest
from django.contrib.admin import site
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.selectors import person_by_id_number
from core.crypto import EncryptedTextField
from demo.city import plan_city
from tests.demo.conftest import seeded_city

PERSONS, EMPLOYERS, SEED = 120, 12, 3
_SEPARATORS = re.compile(r"[\s\-_.]")
_PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
# Not read: actions reached by GET that end the session, and the admin (read on its own below).
_SKIPPED = ("admin/", "logout", "i18n/", "static/", "media/")


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker, tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("var")
    with seeded_city(django_db_blocker, var_dir, persons=PERSONS, employers=EMPLOYERS, seed=SEED):
        logins = json.loads((var_dir / "demo-logins.json").read_text(encoding="utf-8"))
        yield {"logins": logins}


@pytest.fixture(scope="module")
def secrets():
    plan = plan_city(persons=PERSONS, employers=EMPLOYERS, seed=SEED, today=timezone.localdate())
    people = plan.people + plan.walk_in_people
    numbers = {p.id_number for p in people} | {p.bank_card for p in people if p.bank_card}
    numbers |= {e.bank_account_no for e in plan.employers}
    return {_SEPARATORS.sub("", n).upper() for n in numbers if n}


def _leaks(body: bytes, secrets: set[str]) -> list[str]:
    flat = _SEPARATORS.sub("", body.decode("utf-8", errors="replace")).upper()
    return sorted(n for n in secrets if n in flat)


def _routes(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if not route.startswith("^") and not route.startswith(_SKIPPED):
                yield "/" + route


def _values(data, key: str, found: list):
    if isinstance(data, dict):
        for name, value in data.items():
            if name == key and isinstance(value, int | str) and value not in found:
                found.append(value)
            _values(value, key, found)
    elif isinstance(data, list):
        for item in data:
            _values(item, key, found)
    return found


def _filled(route: str, client) -> list[str]:
    """``route`` with its one parameter filled from what the list before it answers."""
    match = _PARAMETER.search(route)
    if match is None:
        return [route]
    if len(_PARAMETER.findall(route)) > 1 or not route.startswith("/api/"):
        return []
    listing = client.get(route[: match.start()].rstrip("/"))
    if listing.status_code != 200 or "json" not in listing.get("Content-Type", ""):
        return []
    key = "id" if match["converter"] == "int" else match["name"]
    values = _values(listing.json(), key, [])[:3]
    return [route[: match.start()] + str(value) + route[match.end() :] for value in values]


def _read_everything(client) -> dict[str, bytes]:
    bodies = {}
    for route in _routes():
        for path in _filled(route, client):
            response = client.get(path)
            if response.status_code == 200 and not getattr(response, "streaming", False):
                bodies[path] = response.content
    return bodies


def _user(username: str) -> User:
    # Employees sign in with their ID number; their User has another name.
    user = User.objects.filter(username=username).first()
    return user if user is not None else person_by_id_number(username).user


def _logins(city) -> list[tuple[str, User]]:
    seen, users = set(), []
    for login in city["logins"]:
        if login["username"] not in seen:
            seen.add(login["username"])
            users.append((f"{login['role']}:{login['persona'] or ''}", _user(login["username"])))
    return users


@pytest.mark.usefixtures("db", "city")
class TestMaskedEverywhere:
    def test_no_page_or_api_answer_shows_a_full_number_to_any_role(self, city, secrets):
        read, leaks = 0, {}

        for who, user in _logins(city):
            web = APIClient()
            web.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            for path, body in _read_everything(web).items():
                read += 1
                if found := _leaks(body, secrets):
                    leaks[f"{who} {path}"] = found

        assert read > 100
        assert leaks == {}

    def test_no_api_answer_shows_a_full_number_to_a_token_user(self, city, secrets):
        leaks, read = {}, 0

        for who, user in _logins(city):
            api = APIClient()
            api.force_authenticate(user)
            for path, body in _read_everything(api).items():
                if path.startswith("/api/"):
                    read += 1
                    if found := _leaks(body, secrets):
                        leaks[f"{who} {path}"] = found

        assert read > 50
        assert leaks == {}

    def test_the_admin_shows_only_masked_numbers(self, client, secrets):
        admin = User.objects.create_superuser("privacy-admin", password="Fund-portal-2026!")
        client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
        # Every registered model: a change page also shows its inlines' rows.
        models = list(site._registry)
        leaks, read = {}, 0

        for model in models:
            info = f"{model._meta.app_label}_{model._meta.model_name}"
            pages = [client.get(reverse(f"admin:{info}_changelist"))] + [
                client.get(reverse(f"admin:{info}_change", args=[pk]))
                for pk in model._default_manager.order_by("pk").values_list("pk", flat=True)[:3]
            ]
            for page in pages:
                read += 1
                assert page.status_code == 200, model
                if found := _leaks(page.content, secrets):
                    leaks[model._meta.label] = found

        encrypted = {
            m._meta.label for m in models if any(isinstance(f, EncryptedTextField) for f in m._meta.fields)
        }
        assert encrypted >= {"accounts.Person", "accounts.Employer", "integrations.SandboxCitizen"}
        assert leaks == {}
