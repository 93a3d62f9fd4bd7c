import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
OTHER_PACKAGES = {
    "django",
    "core",
    "accounts",
    "ledger",
    "audit",
    "web",
    "api",
    "demo",
    "fundportal",
    "integrations",
}
SCRIPT = (
    "import json, sys, approvals.engine, approvals.rulesets; "
    "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))"
)


class TestEngineAndRuleSets:
    def test_import_neither_django_nor_any_other_project_package(self):
        output = subprocess.run(
            [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout

        loaded = set(json.loads(output))

        assert "approvals" in loaded
        assert not loaded & OTHER_PACKAGES
