"""Only the part of Bootstrap's CSS our pages use is shipped (issue 18): the subset keeps every
Bootstrap class our templates, scripts and Python code use, and drops what nothing uses."""
import re
from pathlib import Path

import pytest

from app.assets import (
    BOOTSTRAP_CSS,
    CLASS_ATTRIBUTE,
    JINJA_EXPRESSION,
    JINJA_STATEMENT,
    VENDOR_FILES,
    UsedNames,
    bootstrap_subset,
    parse_css,
    used_class_names,
)

APP = Path(__file__).resolve().parents[2] / "app"
FULL = VENDOR_FILES[BOOTSTRAP_CSS].read_text(encoding="utf-8")
SELECTOR_CLASS = re.compile(r"\.(-?[A-Za-z_][A-Za-z0-9_-]*)")


class Everything:
    def __contains__(self, name):
        return True


@pytest.fixture(scope="module")
def subset():
    return bootstrap_subset(FULL, used_class_names(APP))


def defined_classes(css):
    """The classes a rule needs (not those in :not(…), which only narrow a selector down)."""
    classes = set()
    for node in _rules(parse_css(css)):
        classes.update(SELECTOR_CLASS.findall(re.sub(r":(?:not|is|where|has)\([^()]*\)", "", node[1])))
    return classes


def _rules(nodes):
    for node in nodes:
        if node[0] == "group":
            yield from _rules(node[2])
        elif node[0] == "block" and not node[1].startswith("@"):
            yield node


def classes_in_our_code():
    """Every class a template writes literally, and every class our scripts set."""
    found = set()
    for path in (APP / "templates").rglob("*.html"):
        for value in CLASS_ATTRIBUTE.findall(path.read_text(encoding="utf-8")):
            value = JINJA_EXPRESSION.sub(" ", JINJA_STATEMENT.sub(" ", value))
            found.update(value.split())
    for path in (APP / "static" / "js").glob("*.js"):
        script = path.read_text(encoding="utf-8")
        for value in re.findall(r"className\s*=\s*\"([^\"]*)\"", script):
            found.update(value.split())
        found.update(re.findall(r"classList\.(?:add|remove|toggle|contains)\(\"([^\"]+)\"", script))
    return found


def test_parsing_and_writing_back_loses_nothing_but_the_source_map_comment():
    kept = bootstrap_subset(FULL, Everything())
    expected = re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", FULL)
    assert kept.replace("\n", "") == expected.replace("\n", "")


def test_every_bootstrap_class_our_templates_and_scripts_use_is_kept(subset):
    ours = classes_in_our_code()
    assert {"navbar", "btn", "card", "form-control", "visually-hidden"} <= ours  # the scan works
    bootstrap = defined_classes(FULL)
    missing = sorted(name for name in ours & bootstrap if name not in defined_classes(subset))
    assert missing == []


def test_classes_built_in_templates_python_and_bootstraps_scripts_are_kept(subset):
    kept = defined_classes(subset)
    # alert-{{ category }} for flash messages: every alert colour.
    assert {"alert-success", "alert-danger", "alert-warning", "alert-info"} <= kept
    # Badge colours chosen in Python (labs' status badges).
    assert {"text-bg-success", "text-bg-secondary"} <= kept
    # What the collapse and dropdown plugins set: the header menu opens on a phone.
    assert {"show", "collapsing", "collapse", "dropdown-menu-end"} <= kept
    assert ".dropdown-menu[data-bs-popper]" in subset


def test_what_nothing_uses_is_dropped(subset):
    kept = defined_classes(subset)
    for unused in ("carousel", "modal", "offcanvas", "tooltip", "popover", "toast", "accordion",
                   "btn-check", "was-validated", "placeholder-glow"):
        assert unused not in kept, unused
    assert "[data-bs-theme=dark]" not in subset  # we have no dark mode
    assert "@keyframes progress-bar-stripes" not in subset
    assert len(subset) < len(FULL) / 2
    assert subset.startswith('@charset "UTF-8";/*!\n * Bootstrap')  # the licence stays


def test_a_class_inside_not_is_not_needed_and_empty_media_blocks_go():
    css = (".a:not(.b){x:1}.c .a{x:2}@media (min-width:1px){.c{x:3}}"
           "@media print{.a,.c{x:4}}@keyframes spin{to{x:5}}.a{animation:spin 1s}")
    kept = bootstrap_subset(css, UsedNames({"a"}))
    assert kept == ".a:not(.b){x:1}@media print{.a{x:4}}@keyframes spin{to{x:5}}.a{animation:spin 1s}\n"
    assert bootstrap_subset(css, UsedNames({"d"})) == "\n"


def test_a_template_expression_in_a_class_keeps_every_class_it_may_give(tmp_path):
    (tmp_path / "page.html").write_text('<div class="d-{{ fold }}-block alert alert-{{ kind }}">')
    used = used_class_names(tmp_path)
    assert "d-lg-block" in used and "alert-danger" in used
    assert "d-lg-flex" not in used and "btn-danger" not in used
