"""The API against its own OpenAPI schema, fuzzed by schemathesis as an employee and as an employer's
operators: no server error, and every answer (status, content type, headers, body) is one the
schema documents; data the schema forbids is refused.

Each run is ``st run`` (the schemathesis CLI) against the served city, with the person's bearer
token on every request. Deterministic by default, so CI is reproducible. Longer runs:

- ``FUZZ_EXAMPLES`` (10): the most examples per operation and phase;
- ``FUZZ_SEED``: explore at random from this seed instead of the deterministic examples.

The reports (JUnit, and a pytest file that reproduces each failure) are kept under
``$E2E_OUTPUT/fuzz/<who>``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from e2e.city import OUTPUT

CHECKS = (
    "not_a_server_error",
    "response_schema_conformance",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
)
EMPLOYER_PATHS = "^/api/v1/employer/"
# Who fuzzes what: the employee every operation but the employer's lists (which only refuse an
# employee, 403); each operator the employer's lists, where the preparer uploads, submits and
# discards, and the approver approves, returns and asks the bank again.
RUNS = {
    "employee": ({"role": "employee", "persona": "loan_repayer"}, ("--exclude-path-regex", EMPLOYER_PATHS)),
    "preparer": ({"role": "employer_preparer"}, ("--include-path-regex", EMPLOYER_PATHS)),
    "approver": ({"role": "employer_approver"}, ("--include-path-regex", EMPLOYER_PATHS)),
}
ST = Path(sys.executable).with_name("st")


def _generation() -> list[str]:
    examples = ["--max-examples", os.environ.get("FUZZ_EXAMPLES", "10")]
    seed = os.environ.get("FUZZ_SEED")
    return [*examples, "--seed", seed] if seed else [*examples, "--generation-deterministic"]


@pytest.fixture(scope="session")
def bearer(token_of):
    """Every run's token before any fuzzing: the fuzz spends the token endpoints' anonymous throttle."""
    return {who: token_of(**login) for who, (login, _selection) in RUNS.items()}


@pytest.mark.parametrize("who", list(RUNS))
def test_the_api_keeps_to_its_schema(city, bearer, who):
    _login, selection = RUNS[who]
    reports = OUTPUT / "fuzz" / who
    command = [
        str(ST),
        "run",
        f"{city.url}/api/schema/?format=json",
        *("--header", f"Authorization: Bearer {bearer[who]}"),
        *("--checks", ",".join(CHECKS)),
        *selection,
        *_generation(),
        # One at a time: the city's runserver and worker share two cores with the fuzz.
        *("--workers", "1"),
        *("--request-timeout", "30"),
        "--no-color",
        *("--report", "junit,pytest"),
        *("--report-dir", str(reports)),
    ]
    started = time.monotonic()

    done = subprocess.run(command, capture_output=True, text=True, timeout=1800)

    summary = done.stdout[done.stdout.rfind("=== SUMMARY") - 40 :] if "SUMMARY" in done.stdout else ""
    print(f"{who}: {time.monotonic() - started:.0f} s\n{summary}")
    assert done.returncode == 0, (
        f"schemathesis found problems as {who}:\n{done.stdout[-20000:]}\n{done.stderr}"
    )
