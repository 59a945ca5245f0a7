"""Every string a person reads is translated: the global checks of issue 13 ("Languages").

Three checks, over the apps on TRANSLATED_APPS:

1. every catalogue under tandem/ (tandem/locale for the project's templates, tandem/<app>/locale
   for an app) is complete for every language Tandem offers: no untranslated msgid, no fuzzy
   flag, and `msgfmt -c` clean (placeholders identical, plural forms filled);
2. no template of an allow-listed app shows text outside {% translate %} / {% blocktranslate %}:
   letters in the HTML's text, or in a `title`, `aria-label`, `placeholder` or `alt` attribute
   (words in UNTRANSLATED_WORDS, the product's name, excepted);
3. makemessages, run on a temporary copy of each allow-listed app, finds no msgid that the
   committed catalogue does not translate: a new string left untranslated fails here.

An app joins TRANSLATED_APPS once every template and person-facing string of it is translated
and its catalogue is complete (the contract: /docs/architecture.md, "Languages"): add its
directory name under tandem/ ("templates" is the project-level templates, whose catalogue is
tandem/locale). Run `pytest tests/test_translations.py` after adding it; the failures name the
template and line, or the msgid, to fix.
"""

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template.base import Lexer, TokenType

from tandem.accounts.languages import SOURCE_LANGUAGE

TANDEM = Path(settings.BASE_DIR) / "tandem"

# Directory names under tandem/ whose templates and catalogue are complete.
TRANSLATED_APPS = [
    "templates",
    "core",
    "accounts",
    "people",
    "privacy",
    "sso",
    "audit",
    "pwa",
    "workspace",
    "relationships",
    "meetings",
    "goals",
    "actions",
    "notifications",
    "resources",
    "nudges",
]

# Words that read the same in every language: the product's name, the API's.
UNTRANSLATED_WORDS = {"Tandem", "API", "xoxb"}

# Attributes whose value a person reads (or a screen reader says).
HUMAN_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}

TARGET_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != SOURCE_LANGUAGE]

LETTERS = re.compile(r"[^\W\d_]+")


def _locale_dir(app: str) -> Path:
    return TANDEM / "locale" if app == "templates" else TANDEM / app / "locale"


def _catalogue(app: str, language: str) -> Path:
    return _locale_dir(app) / language / "LC_MESSAGES" / "django.po"


def _catalogues() -> list[Path]:
    return sorted(TANDEM.glob("**/locale/*/LC_MESSAGES/django.po"))


# --- a .po file, read just enough -----------------------------------------------------------


def _unquote(line: str) -> str:
    text = line[line.index('"') + 1 : line.rindex('"')]
    return re.sub(r'\\(["\\nt])', lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), text)


def po_entries(path: Path) -> list[dict[str, object]]:
    """Each entry of a .po file as {"msgctxt", "msgid", "msgid_plural", "msgstr": {...},
    "fuzzy"}; gettext separates entries by a blank line. The header (empty msgid) and obsolete
    (#~) entries are left out."""
    entries: list[dict[str, object]] = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry: dict[str, object] = {"msgstr": {}}
        field = ""
        for raw in block.splitlines():
            line = raw.strip()
            if line.startswith("#"):
                if line.startswith("#,") and "fuzzy" in line:
                    entry["fuzzy"] = True
                continue
            if not line.startswith('"'):
                field = line.split(" ", 1)[0]
            value = _unquote(line)
            if field.startswith("msgstr"):
                strings = entry["msgstr"]
                assert isinstance(strings, dict)
                strings[field] = strings.get(field, "") + value
            else:
                entry[field] = str(entry.get(field, "")) + value
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def _key(entry: dict[str, object]) -> tuple[str, str]:
    return (str(entry.get("msgctxt", "")), str(entry["msgid"]))


def _translated(entry: dict[str, object]) -> bool:
    strings = entry.get("msgstr") or {}
    assert isinstance(strings, dict)
    return bool(strings) and all(strings.values()) and not entry.get("fuzzy")


# --- 1. catalogues complete -----------------------------------------------------------------


def test_every_allow_listed_app_has_a_catalogue_per_language():
    missing = [
        str(_catalogue(app, language).relative_to(settings.BASE_DIR))
        for app in TRANSLATED_APPS
        for language in TARGET_LANGUAGES
        if not _catalogue(app, language).is_file()
    ]
    assert missing == []


@pytest.mark.parametrize(
    "catalogue", _catalogues(), ids=lambda p: str(p.relative_to(settings.BASE_DIR))
)
def test_catalogue_is_complete_and_msgfmt_clean(catalogue, tmp_path):
    # when
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "gettext is missing: make locale installs it"
    checked = subprocess.run(  # noqa: S603 (a fixed program on our own files)
        [msgfmt, "-c", "--statistics", "-o", str(tmp_path / "django.mo"), str(catalogue)],
        capture_output=True,
        text=True,
        check=False,
    )
    # then
    assert checked.returncode == 0, checked.stderr
    untranslated = [entry["msgid"] for entry in po_entries(catalogue) if not _translated(entry)]
    assert untranslated == []
    assert "fuzzy" not in checked.stderr
    assert "untranslated" not in checked.stderr


# --- 2. no visible text outside the translation tags ----------------------------------------


class _VisibleText(HTMLParser):
    """Collects the text a person would read: data outside script/style, and the values of
    HUMAN_ATTRIBUTES. Template tags arrive already replaced by a letter-free marker."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip_depth += 1
        for name, value in attrs:
            if name in HUMAN_ATTRIBUTES and value:
                self._check(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip_depth:
            self._skip_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self._check(data)

    def _check(self, text: str) -> None:
        words = [word for word in LETTERS.findall(text) if word not in UNTRANSLATED_WORDS]
        if words:
            self.found.append((self.getpos()[0], " ".join(text.split())))


# Tags whose body is not shown, or is already a msgid.
_OPAQUE = {
    "comment": "endcomment",
    "blocktranslate": "endblocktranslate",
    "blocktrans": "endblocktrans",
    "verbatim": "endverbatim",
}


def visible_untranslated_text(source: str) -> list[tuple[int, str]]:
    """(line, text) for every piece of text in a template a person would read untranslated."""
    skeleton: list[str] = []
    closing = ""
    for token in Lexer(source).tokenize():
        if closing:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == closing:
                closing = ""
            skeleton.append("\n" * token.contents.count("\n"))
            continue
        if token.token_type == TokenType.TEXT:
            skeleton.append(token.contents)
        elif token.token_type == TokenType.BLOCK and token.contents.split()[0] in _OPAQUE:
            closing = _OPAQUE[token.contents.split()[0]]
            skeleton.append("\x00")
        else:
            # A variable or tag: data, or a translation; a marker without letters.
            skeleton.append("\x00" + "\n" * token.contents.count("\n"))
    parser = _VisibleText()
    parser.feed("".join(skeleton))
    parser.close()
    return parser.found


def _templates(app: str) -> list[Path]:
    root = TANDEM / "templates" if app == "templates" else TANDEM / app / "templates"
    return sorted(p for p in root.glob("**/*") if p.suffix in {".html", ".txt"})


@pytest.mark.parametrize("app", TRANSLATED_APPS)
def test_templates_show_no_untranslated_text(app):
    found = [
        f"{path.relative_to(settings.BASE_DIR)}:{line}: {text}"
        for path in _templates(app)
        for line, text in visible_untranslated_text(path.read_text(encoding="utf-8"))
    ]
    assert found == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>Hello</p>", ["Hello"]),
        ('<button aria-label="Close"></button>', ["Close"]),
        ('<img alt="A chart">', ["A chart"]),
        ('<input placeholder="Search people">', ["Search people"]),
        ('<a title="{% translate "Open" %}" href="/x">{{ name }}</a>', []),
        ('{% load i18n %}<p>{% translate "Hello" %}</p>', []),
        ("{% blocktranslate trimmed %}Hello {{ n }}{% endblocktranslate %}", []),
        ("{# a note #}{% comment %}Not shown{% endcomment %}<p>  · — 3 </p>", []),
        ('<div class="row" data-x="anything"></div><script>let a = "b";</script>', []),
        ("<title>{% block title %}Tandem{% endblock %}</title>", []),
        ("<p>{{ count }} unread</p>", ["\x00 unread"]),
    ],
)
def test_the_scan_finds_visible_text_and_nothing_else(source, expected):
    assert [text for _line, text in visible_untranslated_text(source)] == expected


# --- 3. a new string left untranslated fails ------------------------------------------------


@pytest.mark.parametrize("app", TRANSLATED_APPS)
@pytest.mark.parametrize("language", TARGET_LANGUAGES)
def test_makemessages_finds_no_string_the_catalogue_leaves_untranslated(
    app, language, tmp_path, monkeypatch
):
    # given: a copy of the app alone, so the real catalogue is left as it is
    copy = tmp_path / app
    source = TANDEM / app
    shutil.copytree(
        source, copy, ignore=shutil.ignore_patterns("locale", "__pycache__", "*.mo", "*.pyc")
    )
    (copy / "locale").mkdir()
    monkeypatch.chdir(copy)
    # when
    call_command(
        "makemessages", locale=[language], no_obsolete=True, add_location="file", verbosity=0
    )
    # then
    extracted = po_entries(copy / "locale" / language / "LC_MESSAGES" / "django.po")
    committed = {_key(entry): entry for entry in po_entries(_catalogue(app, language))}
    missing = [
        entry["msgid"]
        for entry in extracted
        if _key(entry) not in committed or not _translated(committed[_key(entry)])
    ]
    assert missing == []
