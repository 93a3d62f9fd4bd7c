"""API fuzzing: schemathesis against the OpenAPI schema of a served demo city."""
