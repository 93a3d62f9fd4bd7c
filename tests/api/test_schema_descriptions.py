"""Every /api/v1 operation in the OpenAPI document says what it does, so a channel app's developer
can read the API from its documentation alone."""

import pytest
from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.fixture(scope="module")
def operations(schema):
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


def _examples(content: dict) -> dict:
    return {media_type: media["examples"] for media_type, media in content.items() if media.get("examples")}


def _response_examples(operation) -> dict:
    return {
        code: examples
        for code, response in operation.get("responses", {}).items()
        if (examples := _examples(response.get("content", {})))
    }


def _resolve(schema, document):
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _strays(value, schema, document, where=""):
    """The keys of ``value`` that ``schema`` does not describe, as dotted paths."""
    schema = _resolve(schema, document)
    for variant in ("allOf", "oneOf", "anyOf"):
        if variant in schema:
            candidates = [_resolve(part, document) for part in schema[variant]]
            if variant == "allOf":
                merged = {"properties": {}}
                for part in candidates:
                    merged["properties"].update(part.get("properties", {}))
                return _strays(value, merged, document, where)
            results = [list(_strays(value, part, document, where)) for part in candidates]
            return min(results, key=len)
    found = []
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found += _strays(item, schema["items"], document, f"{where}[{index}]")
    elif isinstance(value, dict) and "properties" in schema:
        for key, item in value.items():
            if key not in schema["properties"]:
                found.append(f"{where}.{key}" if where else key)
            else:
                found += _strays(
                    item, schema["properties"][key], document, f"{where}.{key}" if where else key
                )
    elif isinstance(value, list) and schema.get("type") == "object":
        found.append(f"{where} is a list, the schema an object")
    elif isinstance(value, dict) and schema.get("type") == "array":
        found.append(f"{where or 'the example'} is an object, the schema a list")
    return found


class TestOperationExamples:
    def test_every_operation_has_a_response_example(self, operations):
        without = sorted(name for name, operation in operations.items() if not _response_examples(operation))

        assert without == []

    def test_every_operation_with_a_request_body_has_a_request_example(self, operations):
        without = sorted(
            name
            for name, operation in operations.items()
            if "requestBody" in operation and not _examples(operation["requestBody"].get("content", {}))
        )

        assert without == []

    def test_the_examples_use_only_the_fields_their_schema_describes(self, schema, operations):
        # A list answer's example is one item: drf-spectacular wraps it in the list itself, so an
        # example written as a list shows up as a list of lists ("[0] is a list").
        strays = {}
        for name, operation in operations.items():
            contents = [response.get("content", {}) for response in operation.get("responses", {}).values()]
            contents.append(operation.get("requestBody", {}).get("content", {}))
            for content in contents:
                for media in content.values():
                    if "schema" not in media:
                        continue
                    for title, example in media.get("examples", {}).items():
                        if found := _strays(example.get("value"), media["schema"], schema):
                            strays[f"{name} {title}"] = found

        assert strays == {}
