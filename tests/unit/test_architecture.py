"""The direction of imports, checked: the import-linter contract in .importlinter (worker and CLI
on top, then the web layer, domain, platform, models and core) must hold. An upward import, even
one placed inside a function, fails here."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_imports_follow_the_layers():
    lint = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "1 kept, 0 broken" in done.stdout


def test_the_search_engine_gets_rights_from_the_app_not_the_permission_module(app):
    """The platform asks the function create_app registered; without one, only public text."""
    from app.search.events import register_search
    from app.search.schema import AUDIENCE_PUBLIC
    from app.search.searching import rights_of

    class Member:
        is_authenticated = is_active = True
        is_staff = is_partner = False
        is_collective_member = True

    assert rights_of(Member())[0] > {AUDIENCE_PUBLIC}
    saved = app.extensions["search"]
    try:
        register_search(app)  # no rights function
        assert rights_of(Member()) == (frozenset({AUDIENCE_PUBLIC}), False)
    finally:
        app.extensions["search"] = saved


def test_no_import_of_our_code_hides_inside_a_function():
    """Imports of app modules sit at the top of their module, so a cycle cannot hide; only the
    application factory (the composition root) imports the layers inside create_app."""
    import ast

    allowed = {ROOT / "app" / "__init__.py"}
    hidden = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        if path in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for inner in ast.walk(node):
                names = []
                if isinstance(inner, ast.ImportFrom):
                    names = [inner.module or ""] if inner.level == 0 else ["." * inner.level]
                elif isinstance(inner, ast.Import):
                    names = [alias.name for alias in inner.names]
                if any(name == "app" or name.startswith(("app.", ".")) for name in names):
                    hidden.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    assert hidden == []
