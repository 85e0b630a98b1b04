"""Features sit side by side: each package plugs in at one place (its init_app, listed in network.FEATURES),
and create_app imports nothing for its side effects."""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

import network
from network.search import documents

NETWORK = Path(network.__file__).parent


def packages() -> list[str]:
    return sorted(p.name for p in NETWORK.iterdir() if (p / "__init__.py").exists())


def test_every_package_with_models_or_pages_is_a_feature_with_a_plug():
    for name in packages():
        has_parts = any((NETWORK / name / part).exists() for part in ("models.py", "views.py", "cli.py", "search.py"))
        if has_parts:
            assert name in network.FEATURES, f"network/{name} has models, pages or commands: add it to FEATURES"
    for name in network.FEATURES:
        assert callable(getattr(importlib.import_module(f"network.{name}"), "init_app", None)), name


def test_create_app_imports_nothing_for_its_side_effects():
    tree = ast.parse((NETWORK / "__init__.py").read_text())
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    used |= {node.value.id for node in ast.walk(tree) if isinstance(node, ast.Attribute)
             and isinstance(node.value, ast.Name)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                assert bound in used, f"`import {alias.name}` in network/__init__.py is only there for its effects"
    for name in network.FEATURES:
        plug = ast.parse((NETWORK / name / "__init__.py").read_text())
        bare = [node.names[0].name for node in ast.walk(plug) if isinstance(node, ast.Import)]
        assert not bare, f"network/{name}/__init__.py imports {bare} for their effects: register explicitly"


def test_the_search_documents_are_those_the_plugs_register(app):
    declared = {}
    for name in network.FEATURES:
        try:
            module = importlib.import_module(f"network.{name}.search")
        except ModuleNotFoundError:
            continue
        declared.update({document_type.name: document_type for document_type in
                         getattr(module, "DOCUMENT_TYPES", ())})
    assert declared and documents.registered() == declared


def _feature_imports() -> tuple[dict[str, set[str]], list[tuple[str, str, str]]]:
    """feature -> the features it imports, and every private name one feature imports from another."""
    edges: dict[str, set[str]] = {}
    private = []

    def feature_of(module: str) -> str | None:
        parts = module.split(".")
        return parts[1] if len(parts) > 1 and (NETWORK / parts[1] / "__init__.py").exists() else None

    for path in NETWORK.rglob("*.py"):
        source = feature_of(".".join(path.relative_to(NETWORK.parent).with_suffix("").parts))
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("network."):
                target, names = feature_of(node.module), [alias.name for alias in node.names]
            elif isinstance(node, ast.Import):
                target, names = next((feature_of(a.name) for a in node.names if a.name.startswith("network.")),
                                     None), []
            else:
                continue
            if source and target and source != target:
                edges.setdefault(source, set()).add(target)
                private += [(str(path.relative_to(NETWORK.parent)), target, name) for name in names
                            if name.startswith("_")]
    return edges, private


def test_no_feature_imports_another_ones_private_names():
    _edges, private = _feature_imports()
    assert not private, f"use a public function or a signal instead: {private}"


# Features that still import each other (issue 18: each to be cut by a signal or a public function of the
# lower layer). The list may only shrink: a new cycle fails, and so does one that is gone but still listed.
KNOWN_CYCLES = {("auth", "institutions"), ("institutions", "practices"), ("collections", "practices"),
                ("collections", "essays")}


def test_the_features_import_each_other_no_more_than_known():
    edges, _private = _feature_imports()
    cycles = {tuple(sorted((a, b))) for a, targets in edges.items() for b in targets if a in edges.get(b, ())}
    assert cycles - KNOWN_CYCLES == set(), "new import cycles between features"
    assert KNOWN_CYCLES - cycles == set(), "these cycles are gone: take them out of KNOWN_CYCLES"
