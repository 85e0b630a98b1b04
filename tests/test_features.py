"""Features sit side by side: each package plugs in at one place (its init_app, listed in network.FEATURES),
and create_app imports nothing for its side effects."""
from __future__ import annotations

import ast
import builtins
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


def _runtime_imports(tree: ast.Module):
    """Every import statement, except those under `if TYPE_CHECKING:`: they are for annotations only, never
    run, so they make no dependency (auth names the Institution type of a member's home institution)."""
    def visit(node):
        type_checking = isinstance(node, ast.If) and ast.unparse(node.test).split(".")[-1] == "TYPE_CHECKING"
        for child in node.orelse if type_checking else ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                yield child
            else:
                yield from visit(child)

    yield from visit(tree)


def _feature_imports() -> tuple[dict[str, set[str]], list[tuple[str, str, str]]]:
    """feature -> the features it imports, and every private name one feature imports from another."""
    edges: dict[str, set[str]] = {}
    private = []

    def feature_of(module: str) -> str | None:
        parts = module.split(".")
        return parts[1] if len(parts) > 1 and (NETWORK / parts[1] / "__init__.py").exists() else None

    for path in NETWORK.rglob("*.py"):
        source = feature_of(".".join(path.relative_to(NETWORK.parent).with_suffix("").parts))
        for node in _runtime_imports(ast.parse(path.read_text())):
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


def import_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph (["a", "b", "a"]: a imports b, b imports a), or None: a depth-first search that
    meets a feature still on its path has gone round."""
    done: set[str] = set()
    path: list[str] = []

    def visit(feature: str) -> list[str] | None:
        if feature in path:
            return path[path.index(feature):] + [feature]
        if feature in done:
            return None
        path.append(feature)
        for target in sorted(edges.get(feature, ())):
            cycle = visit(target)
            if cycle:
                return cycle
        path.pop()
        done.add(feature)
        return None

    for feature in sorted(edges):
        cycle = visit(feature)
        if cycle:
            return cycle
    return None


def test_import_cycle_finds_a_cycle_of_any_length():
    assert import_cycle({"a": {"b"}, "b": {"c"}, "c": {"d"}}) is None
    assert import_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert import_cycle({"a": {"a"}}) == ["a", "a"]


def test_the_features_import_each_other_without_a_cycle():
    """A feature reaches those above it through their signals and registries (docs/architecture.md), never by
    importing them: any cycle, of any length, fails, named."""
    edges, _private = _feature_imports()
    cycle = import_cycle(edges)
    assert cycle is None, "import cycle between features: " + " -> ".join(cycle or [])


# The layers, lowest first (docs/architecture.md): a feature imports only features of lower layers. Search,
# background jobs and notifications serve every feature and know none; accounts come first, then the
# certificates features issue to people (above auth's personal-data registry), the institutions people belong
# to, the practices institutions write, the mobility between them, the events of their partnerships (a
# completed visit is one), the essays about what was learned at them, the collections gathering practices and
# essays; admin and the API present all of them.
LAYERS = (("search", "jobs", "notifications"), ("auth",), ("certificates",), ("institutions",), ("practices",),
          ("mobility",), ("events",), ("essays",), ("collections",), ("self_assessment",), ("learning",), ("evaluation",),
          ("admin", "api"))


def test_the_features_import_only_features_of_lower_layers():
    layer = {feature: number for number, features in enumerate(LAYERS) for feature in features}
    assert set(layer) == set(network.FEATURES), "place each feature of network.FEATURES in LAYERS"
    edges, _private = _feature_imports()
    upward = sorted((source, target) for source, targets in edges.items() for target in targets
                    if layer[target] >= layer[source])
    assert not upward, f"these features import one of their own layer or above (use a signal): {upward}"


def test_every_feature_with_a_demo_step_registers_it_in_its_plug(app):
    """seed-demo runs the steps in the order the plugs register them, network.FEATURES' order."""
    from network import demo

    with_a_step = [name for name in network.FEATURES if (NETWORK / name / "demo.py").exists()]
    assert with_a_step and list(demo.steps(app)) == with_a_step
    for name, seed in demo.steps(app).items():
        assert seed.__module__ == f"network.{name}.demo", f"network/{name} registers another module's step"


def test_a_demo_step_builds_only_on_the_features_before_it():
    """A step runs after those of the features before it in network.FEATURES, so it may use only their data."""
    for position, name in enumerate(network.FEATURES):
        path = NETWORK / name / "demo.py"
        if not path.exists():
            continue
        imported = {node.module.split(".")[1] for node in ast.walk(ast.parse(path.read_text()))
                    if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("network.")
                    and (NETWORK / node.module.split(".")[1] / "__init__.py").exists()}
        later = imported - set(network.FEATURES[:position + 1])
        assert not later, f"network/{name}/demo.py imports {sorted(later)}, whose demo steps run after it"


# --- one service error ---------------------------------------------------------------------------------

# The exception classes under network/ that are not a service's refusal of a change, each with why. A service
# refuses with network.errors.ServiceError (field -> messages) and its views show it through web.attempt(),
# web.outcome() and web.form_status(); a new exception class carrying a person's form messages belongs here
# only if it is not that.
NOT_REFUSALS = {
    "ConfigurationError": "the platform refusing to start with an unsafe configuration (a click error)",
    "BackupError": "a backup or restore an operator runs that cannot go on (command line)",
    "SnapshotError": "the search index snapshot inside a backup cannot be written or read",
    "DemoDataError": "a demo data file is missing or malformed (seed-demo, a click error)",
    "ImportFileError": "an import file that cannot be read at all (command line); its records' refusals are "
                       "ServiceErrors",
    "ApiError": "the API's error response (status, envelope): what a ServiceError becomes in the JSON API",
    "InputError": "the API parser's refusal of a body's shape (unknown fields, wrong types), before any service",
    "WeekError": "parse_week's ValueError for a text that is not a week; services turn it into their messages",
    "AttachmentError": "check_upload's reason to refuse one file; check_uploads collects them for the form",
    "MatchingError": "the solver failing or breaking a capacity: a bug, never a person's mistake",
    "PdfBusy": "another process is building the same PDF right now (the page says: try again shortly)",
    "PdfUnavailable": "WeasyPrint or its system libraries are missing on the server",
}
# The kinds of ServiceError a caller must tell apart from the others, each with why.
SERVICE_ERROR_KINDS = {
    "LoginThrottled": "too many failures: answered with 429 and Retry-After (its retry_after), not as a form",
}


def _classes() -> dict[str, tuple[Path, list[str], ast.ClassDef]]:
    """Every class defined under network/: name -> (its file, its bases' last names, its node)."""
    found: dict[str, tuple[Path, list[str], ast.ClassDef]] = {}
    for path in sorted(NETWORK.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                assert node.name not in found or not node.name.endswith(("Error", "Exception")), node.name
                found.setdefault(node.name, (path, [ast.unparse(b).split(".")[-1] for b in node.bases], node))
    return found


def _exception_classes() -> tuple[set[str], set[str]]:
    """(the exception classes defined under network/, those of them that are ServiceErrors)."""
    classes = _classes()

    def reaches(name: str, test) -> bool:
        if test(name):
            return True
        return name in classes and any(reaches(base, test) for base in classes[name][1])

    def outside_exception(name: str) -> bool:
        builtin = getattr(builtins, name, None)
        if isinstance(builtin, type) and issubclass(builtin, BaseException):
            return True
        return name not in classes and name.endswith(("Error", "Exception"))  # click.ClickException...

    exceptions = {name for name in classes if reaches(name, outside_exception)}
    refusals = {name for name in exceptions if reaches(name, lambda base: base == "ServiceError")}
    return exceptions, refusals


def test_services_refuse_with_the_one_service_error():
    """An AccountError, PartnershipError... of a service's own, with its own .message and .field, made every
    view catch and show it by hand; ServiceError is the one refusal. Any other exception class is listed."""
    exceptions, refusals = _exception_classes()
    others = exceptions - refusals - {"ServiceError"}
    assert others == set(NOT_REFUSALS), (
        f"new: {sorted(others - set(NOT_REFUSALS))}, gone: {sorted(set(NOT_REFUSALS) - others)}. A service refusing "
        "a change raises network.errors.ServiceError; anything else goes in NOT_REFUSALS with why")
    assert "ServiceError" in refusals
    kinds = refusals - {"ServiceError"}
    assert kinds == set(SERVICE_ERROR_KINDS), "a ServiceError subclass only where a caller tells it apart"
    classes = _classes()
    for name in kinds:
        assert ast.get_docstring(classes[name][2]), f"{name}: say in its docstring why it is a kind of its own"


def _handlers_by_function(tree: ast.Module):
    """(function name, except handler) for every handler, named by the innermost function holding it."""
    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield from visit(child, child.name)
                continue
            if isinstance(child, ast.ExceptHandler):
                yield function, child
            yield from visit(child, function)

    yield from visit(tree, "<module>")


# Views that catch a ServiceError themselves, each with why.
CATCHING_VIEWS = {
    ("api/views.py", "_write"): "the JSON API's one counterpart of web.attempt(): a refusal becomes a 422 body",
    ("api/views.py", "_authenticate"): "a throttled token address gets the API's 429 body with Retry-After",
}


def test_views_leave_catching_a_service_error_to_the_helpers():
    """web.attempt() (flash or form, rollback), web.outcome() (a refusal answered another way) and
    web.form_status() are the views' service-call shape; a view's own try/except drifts from it."""
    _exceptions, refusals = _exception_classes()
    caught = []
    for path in sorted(NETWORK.rglob("*.py")):
        if path.name != "views.py" and not path.name.endswith("_views.py"):
            continue
        where = str(path.relative_to(NETWORK))
        for function, handler in _handlers_by_function(ast.parse(path.read_text())):
            names = {ast.unparse(n).split(".")[-1] for n in
                     (handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]) if n}
            if names & refusals and (where, function) not in CATCHING_VIEWS:
                caught.append(f"{where}:{handler.lineno} ({function}) catches {sorted(names & refusals)}")
        statuses = [node.lineno for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.IfExp)
                    and {ast.unparse(node.body), ast.unparse(node.orelse)} == {"422", "200"}]
        assert not statuses, f"{where}, lines {statuses}: the status of a form shown again is web.form_status(form)"
    assert not caught, "use web.attempt() or web.outcome(): " + "; ".join(caught)


# A library the platform wraps is imported by its one wrapper only (DEVELOPERS' standards): a change of the
# library, or of how it is used safely, then touches one file.
WRAPPED_LIBRARIES = {"whoosh": "search/backend.py", "bleach": "sanitize.py", "weasyprint": "printing.py",
                     "huey": "jobs/runner.py"}


def test_each_wrapped_library_is_imported_by_its_wrapper_only():
    importers: dict[str, set[str]] = {library: set() for library in WRAPPED_LIBRARIES}
    for path in NETWORK.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                library = module.split(".")[0]
                if library in importers:
                    importers[library].add(str(path.relative_to(NETWORK)))
    assert importers == {library: {wrapper} for library, wrapper in WRAPPED_LIBRARIES.items()}
