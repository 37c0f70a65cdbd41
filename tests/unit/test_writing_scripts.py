"""The scripts of the writing features (drafts, mentions, images, the editor's toolbar, preview
and quotes) are ours, served from the app, loaded with defer, and under 30 KB compressed together
(issue 16)."""
import gzip
import re
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
SCRIPTS = ("drafts.js", "people-list.js", "mentions.js", "images.js", "editor.js")
BUDGET = 30 * 1024


def test_the_writing_scripts_stay_under_30_kb_compressed_together():
    sizes = {name: len(gzip.compress((APP / "static" / "js" / name).read_bytes(), 9))
             for name in SCRIPTS}
    assert sum(sizes.values()) < BUDGET, sizes


def test_the_writing_scripts_are_loaded_from_the_app_with_defer():
    tags = []
    for template in (APP / "templates").rglob("*.html"):
        tags += re.findall(r"<script\b[^>]*>", template.read_text(encoding="utf-8"))
    loaded = [tag for tag in tags if any(name in tag for name in SCRIPTS)]
    assert {name for name in SCRIPTS if any(name in tag for tag in loaded)} == set(SCRIPTS)
    for tag in loaded:
        assert " defer" in tag and "url_for('static'" in tag, tag
