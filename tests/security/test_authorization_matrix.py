"""Every route of the portal, asked as every role: let in exactly where the matrix says.

The expectations are in ``tests/security/matrix.py`` (how to declare a new route is explained
there); the users and objects in ``tests/security/world.py``. The world is built once for the
module inside a transaction that is rolled back at the end, as Django's ``setUpTestData`` does.
"""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import EMPLOYEE
from tests.security.matrix import ANONYMOUS, EMPLOYERS, MATRIX, ROLES, Entry
from tests.security.world import OUTSIDE_EMPLOYEE, OUTSIDE_OPERATOR, World, build_world

LOGIN_PAGES = ("/login/", "/admin/login/")
REFUSED = (401, 403, 404)


def _routes(resolver=None, namespace="", prefix=""):
    """(URL name, full pattern) of every route under ``resolver``, names with their namespaces."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}{entry.name}" if entry.name else None), prefix + str(entry.pattern)


def _in_admin(name, pattern) -> bool:
    return (name or "").startswith("admin:") or pattern.startswith("admin/")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        # Marked as Django's own test transactions are, so durable services still run inside it.
        outer._from_testcase = True
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def sessions(world, django_db_blocker):
    """A signed-in session per user, opened once: each case only presents its cookie."""
    keys = {}
    with django_db_blocker.unblock():
        for who, user in world.users.items():
            client = Client()
            client.force_login(user)
            if user.is_staff:
                # Staff pass their second factor on signing in; the matrix is about what follows.
                device = TOTPDevice.objects.create(user=user, name="matrix", confirmed=True)
                session = client.session
                session[DEVICE_ID_SESSION_KEY] = device.persistent_id
                session.save()
            keys[who] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return keys


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """A thousand requests in a minute: each case starts with the API's budgets untouched."""
    cache.clear()


def _as(who: str, sessions) -> Client:
    client = Client()
    if who != ANONYMOUS:
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[who]
    return client


def _ask(client, name: str, world: World):
    entry = MATRIX[name]
    url = reverse(name, kwargs={key: world.objects.get(value, value) for key, value in entry.kwargs.items()})
    response = client.post(url, entry.data) if entry.method == "POST" else client.get(url)
    if response.status_code == 405:
        response = client.post(url, entry.data)
    return response


def _answer(name: str, who: str, response) -> str:
    return f"{name} as {who}: {response.status_code} {response.get('Location', '')}"


def _to_login(response) -> bool:
    return response.status_code in (301, 302) and response.get("Location", "").split("?")[0].endswith(
        LOGIN_PAGES
    )


def _let_in(response, entry: Entry) -> bool:
    if entry.sends_to_login:
        return response.status_code < 400
    if entry.owner_may_be_refused and response.status_code in (403, 404):
        return True
    return response.status_code not in REFUSED and not _to_login(response)


def _refused(response) -> bool:
    return response.status_code in REFUSED or _to_login(response)


CASES = [(name, role) for name in MATRIX for role in ROLES]


@pytest.mark.django_db
class TestEveryRoute:
    def test_has_an_entry_in_the_matrix(self):
        routes = list(_routes())

        undeclared = sorted(
            f"{name or '(no name)'} {pattern}"
            for name, pattern in routes
            if not _in_admin(name, pattern) and name not in MATRIX
        )

        assert undeclared == [], "declare these routes in tests/security/matrix.py"

    def test_has_no_entry_for_a_route_that_is_gone(self):
        names = {name for name, _ in _routes()}

        assert sorted(set(MATRIX) - names) == []

    @pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{name}-{role}" for name, role in CASES])
    def test_lets_in_exactly_the_roles_of_the_matrix(self, world, sessions, name, role):
        entry = MATRIX[name]
        client = _as(role, sessions)

        response = _ask(client, name, world)

        if role in entry.allowed:
            assert _let_in(response, entry), _answer(name, role, response)
        else:
            assert _refused(response), _answer(name, role, response)


def _outsider_cases():
    for name, entry in MATRIX.items():
        if not entry.objects or ANONYMOUS in entry.allowed:
            continue
        if EMPLOYEE in entry.allowed:
            yield name, OUTSIDE_EMPLOYEE
        if entry.allowed & EMPLOYERS:
            yield name, OUTSIDE_OPERATOR


OUTSIDER_CASES = list(_outsider_cases())


@pytest.mark.django_db
class TestAnotherOwnersObject:
    @pytest.mark.parametrize(
        ("name", "outsider"), OUTSIDER_CASES, ids=[f"{name}-{who}" for name, who in OUTSIDER_CASES]
    )
    def test_is_refused(self, world, sessions, name, outsider):
        client = _as(outsider, sessions)

        response = _ask(client, name, world)

        assert _refused(response), _answer(name, outsider, response)


class TestTheMatrix:
    def test_names_only_known_roles(self):
        unknown = {name: entry.allowed - set(ROLES) for name, entry in MATRIX.items()}

        assert {name: roles for name, roles in unknown.items() if roles} == {}
