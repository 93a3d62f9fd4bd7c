"""Every /api/v1 operation in the OpenAPI document says what it does, so a channel app's developer
can read the API from its documentation alone."""

import pytest
from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        f"{method.upper()} {path}": operation
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in item.items()
        if method in METHODS
    }


class TestOperationDescriptions:
    def test_walks_the_whole_api(self, operations):
        assert "GET /api/v1/me/account" in operations
        assert "POST /api/v1/hotline/sms" in operations

    def test_every_operation_has_a_description(self, operations):
        undescribed = sorted(
            name for name, operation in operations.items() if not operation.get("description", "").strip()
        )

        assert undescribed == []

    def test_the_hotline_endpoints_have_request_and_response_examples(self, operations):
        for name in ("POST /api/v1/hotline/sms", "POST /api/v1/hotline/ivr"):
            operation = operations[name]
            request_examples = operation["requestBody"]["content"]["application/json"]["examples"]
            response_examples = operation["responses"]["200"]["content"]["application/json"]["examples"]

            assert request_examples and response_examples
