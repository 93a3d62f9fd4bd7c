"""Roles as groups: creation, permissions per role, and the checks on a user."""

import pytest
from django.contrib.auth.models import Group

from accounts import roles
from accounts.roles import ensure_roles, has_role, roles_of
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def _codenames(role):
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name=role).permissions.all()
    }


class TestEnsureRoles:
    def test_creates_one_group_per_role(self):
        ensure_roles()

        assert set(Group.objects.filter(name__in=roles.ALL_ROLES).values_list("name", flat=True)) == set(
            roles.ALL_ROLES
        )

    def test_can_run_twice(self):
        ensure_roles()
        before = _codenames(roles.STAFF_CLERK)

        ensure_roles()

        assert _codenames(roles.STAFF_CLERK) == before
        assert Group.objects.filter(name=roles.STAFF_CLERK).count() == 1

    def test_gives_the_auditor_only_view_permissions_everywhere(self):
        ensure_roles()

        granted = _codenames(roles.STAFF_AUDITOR)

        assert "audit.view_auditevent" in granted
        assert "accounts.view_person" in granted
        assert all(name.split(".")[1].startswith("view_") for name in granted)

    def test_gives_a_clerk_views_of_the_business_records(self):
        ensure_roles()

        granted = _codenames(roles.STAFF_CLERK)

        assert {"accounts.view_fundaccount", "ledger.view_journalentry"} <= granted
        assert "accounts.confirm_credit_code" not in granted

    def test_lets_a_section_chief_confirm_credit_codes(self):
        ensure_roles()

        assert "accounts.confirm_credit_code" in _codenames(roles.STAFF_SECTION_CHIEF)

    @pytest.mark.parametrize(
        "role",
        [
            roles.STAFF_CLERK,
            roles.STAFF_SECTION_CHIEF,
            roles.STAFF_DEPUTY_DIRECTOR,
            roles.STAFF_DIRECTOR,
            roles.ADMIN,
        ],
    )
    def test_lets_every_deciding_role_decide_review_cases(self, role):
        ensure_roles()

        assert "approvals.decide_reviewcase" in _codenames(role)

    def test_never_lets_the_auditor_decide_review_cases(self):
        ensure_roles()

        assert "approvals.decide_reviewcase" not in _codenames(roles.STAFF_AUDITOR)

    def test_gives_admin_every_permission(self):
        ensure_roles()

        assert "accounts.change_user" in _codenames(roles.ADMIN)

    def test_gives_employees_no_admin_permissions(self):
        ensure_roles()

        assert _codenames(roles.EMPLOYEE) == set()

    def test_ran_after_migrate(self):
        assert "accounts.view_person" in _codenames(roles.STAFF_CLERK)


class TestRolesOf:
    def test_lists_role_groups_and_ignores_other_groups(self):
        user = UserFactory()
        user.groups.add(ensure_roles()[roles.STAFF_CLERK], Group.objects.create(name="newsletter"))

        assert roles_of(user) == {roles.STAFF_CLERK}
        assert has_role(user, roles.STAFF_CLERK)
        assert not has_role(user, roles.ADMIN)

    def test_gives_an_anonymous_user_no_roles(self):
        from django.contrib.auth.models import AnonymousUser

        assert roles_of(AnonymousUser()) == frozenset()

    def test_refuses_an_unknown_role_name(self):
        with pytest.raises(ValueError, match="unknown role"):
            has_role(UserFactory(), "superman")
