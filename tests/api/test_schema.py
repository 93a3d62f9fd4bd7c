"""The OpenAPI document describes the API without warnings, so channel apps can generate clients."""

import pytest
from django.core.management import call_command


class TestOpenApiSchema:
    @pytest.mark.django_db
    def test_generates_without_warnings_or_errors(self, tmp_path):
        target = tmp_path / "schema.yaml"

        call_command("spectacular", "--fail-on-warn", "--file", str(target))

        assert "/api/v1/me/account" in target.read_text()
