"""What a web worker loads at start-up: the PDF library (fpdf2 with Pillow and fontTools, about
38 MB) only comes in with the first PDF download, image upload or the demo seeding, not with
create_app()."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys
from app import create_app
from config import TestingConfig
app = create_app(TestingConfig)
with app.test_request_context():
    app.preprocess_request()
print(",".join(sorted({name.split(".")[0] for name in sys.modules} & {"fpdf", "PIL", "fontTools"})))
"""


def test_creating_the_app_does_not_load_the_pdf_library():
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, env={"APP_ENV": "testing", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
