"""Every message the portal sends is worded by the catalogue: English message ids with Chinese translations.

The test reads the source of every module that sends a message (a call of ``notify`` or of one of
the helpers around it) and follows the title and body it passes — through the module's tables
(``_NOTICES[status]``) and the function's own variables — down to their strings. None may be
Chinese written into the code (it would reach an English reader untranslated), a title or body
may not be a plain or f-string (it could not be translated), every message id found must have its
Chinese in the catalogue, and every kind must be one of ``MessageKind``. No app is exempt.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from notifications.models import MessageKind

ROOT = Path(settings.BASE_DIR)
APPS = [
    "accounts",
    "approvals",
    "deposits",
    "loans",
    "notifications",
    "payouts",
    "transfers",
    "withdrawals",
    "appointments",
]
# The calls that hand a title and body on to notifications.services.notify.
SENDERS = {"notify", "notify_many", "_notify", "_tell", "notify_borrowers"}
TEXT_ARGUMENTS = {"title", "body"}
TRANSLATORS = {"_", "_lazy", "gettext_lazy", "gettext", "pgettext_lazy"}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield app, path


def _name(node) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


class _Source:
    """A module's syntax tree, its top-level names and each function's local assignments."""

    def __init__(self, path: Path):
        self.path = path
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.top = self._assignments(self.tree.body)
        self.parents = {}
        for parent in ast.walk(self.tree):
            for child in ast.iter_child_nodes(parent):
                self.parents[child] = parent

    @staticmethod
    def _assignments(statements) -> dict[str, list]:
        found: dict[str, list] = {}
        for statement in statements:
            for node in ast.walk(statement) if not isinstance(statement, ast.FunctionDef) else [statement]:
                if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    for target in targets:
                        if isinstance(target, ast.Name):
                            found.setdefault(target.id, []).append(node.value)
                        elif isinstance(target, ast.Tuple):
                            values = node.value.elts if isinstance(node.value, ast.Tuple) else None
                            for index, element in enumerate(target.elts):
                                if isinstance(element, ast.Name):
                                    value = values[index] if values and index < len(values) else node.value
                                    found.setdefault(element.id, []).append(value)
                elif isinstance(node, ast.For) and isinstance(node.target, ast.Tuple | ast.Name):
                    names = node.target.elts if isinstance(node.target, ast.Tuple) else [node.target]
                    for element in names:
                        if isinstance(element, ast.Name):
                            found.setdefault(element.id, []).append(node.iter)
        return found

    def local(self, node) -> dict[str, list]:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef):
                return self._assignments(node.body)
        return {}

    def calls(self):
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call) and _name(node.func) in SENDERS:
                yield node

    def reach(self, node, scope: dict[str, list]):
        """Every node the expression ``node`` reaches, through names bound in the function or module."""
        seen, todo = set(), [node]
        while todo:
            current = todo.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            yield current
            if isinstance(current, ast.Name):
                todo.extend(scope.get(current.id, []) or self.top.get(current.id, []))
            todo.extend(ast.iter_child_nodes(current))


SOURCES = [(app, _Source(path)) for app, path in _modules()]
SENDING = [(app, source, call) for app, source in SOURCES for call in source.calls()]


def _where(source: _Source, call) -> str:
    return f"{source.path.relative_to(ROOT)}:{call.lineno}"


def _catalogue() -> dict[str, str]:
    po = polib.pofile(str(ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    return {entry.msgid: entry.msgstr for entry in po if not entry.obsolete and "fuzzy" not in entry.flags}


def test_finds_the_call_sites_of_every_app():
    apps = {app for app, _source, _call in SENDING}

    assert {"accounts", "appointments", "approvals", "deposits", "loans", "transfers", "withdrawals"} <= apps


@pytest.mark.parametrize(("app", "source", "call"), SENDING, ids=[_where(s, c) for _a, s, c in SENDING])
class TestEveryCallSite:
    def test_writes_no_chinese_into_a_message(self, app, source, call):
        scope = source.local(call)
        chinese = [
            node.value
            for argument in [*call.args, *(keyword.value for keyword in call.keywords)]
            for node in source.reach(argument, scope)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and CHINESE.search(node.value)
            and not _inside_audit(source, node)
        ]

        assert chinese == [], f"{_where(source, call)} writes Chinese into a message: {chinese}"

    def test_passes_no_ready_made_text_as_title_or_body(self, app, source, call):
        ready_made = [
            keyword.arg
            for keyword in call.keywords
            if keyword.arg in TEXT_ARGUMENTS and isinstance(keyword.value, ast.JoinedStr | ast.Constant)
        ]

        assert ready_made == [], f"{_where(source, call)} passes text that cannot be translated: {ready_made}"

    def test_every_message_id_it_reaches_has_its_chinese(self, app, source, call):
        catalogue = _catalogue()
        scope = source.local(call)
        msgids = {
            node.args[0].value
            for argument in [*call.args, *(keyword.value for keyword in call.keywords)]
            for node in source.reach(argument, scope)
            if isinstance(node, ast.Call)
            and _name(node.func) in TRANSLATORS
            and node.args
            and isinstance(node.args[0], ast.Constant)
        }

        missing = sorted(msgid for msgid in msgids if not catalogue.get(msgid))

        assert missing == [], f"{_where(source, call)}: no Chinese for {missing}"

    def test_sends_a_kind_the_portal_knows(self, app, source, call):
        kinds = [keyword.value for keyword in call.keywords if keyword.arg == "kind"]
        named = [
            kind.value if isinstance(kind, ast.Constant) else kind.attr
            for kind in kinds
            if isinstance(kind, ast.Constant)
            or (isinstance(kind, ast.Attribute) and _name(kind.value) == "MessageKind")
        ]

        unknown = [kind for kind in named if kind not in MessageKind.values and kind not in MessageKind.names]

        assert unknown == [], f"{_where(source, call)} sends kinds MessageKind does not list: {unknown}"


def _inside_audit(source: _Source, node) -> bool:
    # A Chinese audit summary near a message (reached through a shared variable) is not message text.
    while node in source.parents:
        node = source.parents[node]
        if isinstance(node, ast.Call) and _name(node.func) == "record_event":
            return True
    return False


def test_every_kind_has_its_chinese_label():
    def label(kind, language):
        with translation.override(language):
            return str(kind.label)

    missing = [kind for kind in MessageKind if label(kind, "zh-hans") == label(kind, "en")]

    assert missing == []
