"""`make demo` shows the product, not Django's internals: DEBUG off (a wrong address gets
Tandem's own "not found" page, not the list of every URL pattern), static files still served
without `collectstatic`, and emails written to the folder the README names."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
missing = client.get("/no-such-page/")
css = client.get("/static/tandem/tandem.css")
print(json.dumps({
    "debug": settings.DEBUG,
    "email_backend": settings.EMAIL_BACKEND,
    "email_file_path": str(settings.EMAIL_FILE_PATH),
    "missing_status": missing.status_code,
    "missing_body": missing.content.decode(),
    "css_status": css.status_code,
}))
"""


def _probe(tmp_path: Path, **environment: str) -> dict[str, object]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DEBUG", "EMAIL_BACKEND", "EMAIL_FILE_PATH"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        **environment,
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed probe
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_demo_shows_its_own_not_found_page_and_still_serves_static_files(tmp_path):
    # given the demo's settings as `make demo` sets them (DEBUG=false)
    seen = _probe(tmp_path, DEBUG="false")
    # then
    assert seen["debug"] is False
    assert seen["missing_status"] == 404
    assert "We couldn" in str(seen["missing_body"])
    assert "URLconf" not in str(seen["missing_body"])  # Django's debug page lists the patterns
    assert seen["css_status"] == 200


def test_the_demo_writes_emails_to_the_folder_the_readme_names(tmp_path):
    seen = _probe(tmp_path, DEBUG="false")
    assert seen["email_backend"] == "django.core.mail.backends.filebased.EmailBackend"
    assert Path(str(seen["email_file_path"])) == ROOT / "demo-emails"
    assert "`demo-emails/`" in (ROOT / "README.md").read_text()
    assert "demo-emails/" in (ROOT / ".gitignore").read_text().splitlines()
    makefile = (ROOT / "Makefile").read_text()
    assert "demo: export DEBUG ?= false" in makefile
