"""Each audit test keeps its anchor file in its own temporary directory."""

import pytest


@pytest.fixture(autouse=True)
def anchor_file(settings, tmp_path):
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "audit-anchors.log")
    return tmp_path / "audit-anchors.log"
