"""Production refuses weak secrets at start: the SECRET_KEY and the journal's Fernet keys."""

import base64
import importlib
import secrets
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import assume, given
from hypothesis import strategies as st

from config.settings.base import DEVELOPMENT_JOURNAL_KEY
from config.settings.validation import (
    METRICS_TOKEN_MIN_LENGTH,
    validate_journal_keys,
    validate_metrics_token,
    validate_secret_key,
    validate_trusted_proxies,
)

key_characters = st.characters(codec="utf-8", exclude_categories=["Cs"])


def _fernet_key(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


fernet_keys = st.binary(min_size=32, max_size=32).map(_fernet_key)


@given(key=st.text(key_characters, min_size=50, max_size=120))
def test_a_long_varied_secret_key_is_accepted(key):
    assume(len(set(key)) >= 5)
    assume(not key.startswith(("django-insecure", "insecure")))
    validate_secret_key(key)


@given(key=st.text(key_characters, max_size=49))
def test_a_secret_key_under_50_characters_is_refused(key):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        validate_secret_key(key)


@given(alphabet=st.lists(key_characters, min_size=1, max_size=4, unique=True), data=st.data())
def test_a_secret_key_of_fewer_than_5_different_characters_is_refused(alphabet, data):
    key = data.draw(st.text(st.sampled_from(alphabet), min_size=50, max_size=200))
    with pytest.raises(ImproperlyConfigured, match="different characters"):
        validate_secret_key(key)


@given(
    prefix=st.sampled_from(["django-insecure", "insecure"]),
    rest=st.text(key_characters, min_size=50, max_size=80),
)
def test_a_secret_key_with_an_insecure_prefix_is_refused(prefix, rest):
    with pytest.raises(ImproperlyConfigured, match="development default"):
        validate_secret_key(prefix + rest)


def test_the_base_settings_default_secret_key_is_refused():
    with pytest.raises(ImproperlyConfigured):
        validate_secret_key("insecure-development-key-change-me")


@given(keys=st.lists(fernet_keys, min_size=1, max_size=5, unique=True))
def test_distinct_fernet_keys_are_accepted(keys):
    assume(DEVELOPMENT_JOURNAL_KEY not in keys)
    validate_journal_keys(keys, development_key=DEVELOPMENT_JOURNAL_KEY)


@given(
    keys=st.lists(fernet_keys, min_size=1, max_size=4, unique=True),
    bad=st.one_of(
        st.binary(max_size=64).filter(lambda raw: len(raw) != 32).map(_fernet_key),
        st.text(max_size=60).filter(lambda text: len(text) != 44),
    ),
    position=st.integers(min_value=0, max_value=4),
)
def test_a_key_that_is_not_a_fernet_key_is_refused(keys, bad, position):
    keys.insert(min(position, len(keys)), bad)
    with pytest.raises(ImproperlyConfigured, match="not a Fernet key"):
        validate_journal_keys(keys, development_key=DEVELOPMENT_JOURNAL_KEY)


@given(keys=st.lists(fernet_keys, min_size=1, max_size=4, unique=True), data=st.data())
def test_a_repeated_key_is_refused(keys, data):
    repeated = data.draw(st.sampled_from(keys))
    keys.insert(data.draw(st.integers(min_value=0, max_value=len(keys))), repeated)
    with pytest.raises(ImproperlyConfigured, match="repeats an earlier key"):
        validate_journal_keys(keys, development_key=DEVELOPMENT_JOURNAL_KEY)


@given(keys=st.lists(fernet_keys, max_size=4, unique=True), data=st.data())
def test_the_development_key_is_refused_wherever_it_is(keys, data):
    keys.insert(data.draw(st.integers(min_value=0, max_value=len(keys))), DEVELOPMENT_JOURNAL_KEY)
    with pytest.raises(ImproperlyConfigured, match="development key"):
        validate_journal_keys(keys, development_key=DEVELOPMENT_JOURNAL_KEY)


def test_no_journal_key_is_refused():
    with pytest.raises(ImproperlyConfigured, match="JOURNAL_ENCRYPTION_KEYS"):
        validate_journal_keys([], development_key=DEVELOPMENT_JOURNAL_KEY)


@pytest.mark.parametrize(
    ("count", "proxies", "message"),
    [
        (-1, [], "cannot be negative"),
        (1, ["10.0.0.1"], "not both"),
        (0, ["10.0.0.0/8", "proxy.lan"], "proxy.lan"),
    ],
)
def test_a_wrong_proxy_setting_is_refused(count, proxies, message):
    with pytest.raises(ImproperlyConfigured, match=message.replace(".", r"\.")):
        validate_trusted_proxies(count, proxies)


def _load_production(monkeypatch, **environ):
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    # Both run afresh under this environment; monkeypatch puts the original base back after.
    monkeypatch.delitem(sys.modules, "config.settings.base")
    monkeypatch.delitem(sys.modules, "config.settings.production", raising=False)
    try:
        return importlib.import_module("config.settings.production")
    finally:
        sys.modules.pop("config.settings.production", None)


GOOD_SECRET = secrets.token_urlsafe(64)
GOOD_JOURNAL = _fernet_key(b"k" * 16 + secrets.token_bytes(16))


def test_production_settings_load_with_good_secrets(monkeypatch):
    module = _load_production(
        monkeypatch, SECRET_KEY=GOOD_SECRET, JOURNAL_ENCRYPTION_KEYS=GOOD_JOURNAL
    )
    assert module.SECRET_KEY == GOOD_SECRET
    assert module.JOURNAL_ENCRYPTION_KEYS == [GOOD_JOURNAL]


@pytest.mark.parametrize(
    "environ",
    [
        {"SECRET_KEY": "django-insecure-" + GOOD_SECRET, "JOURNAL_ENCRYPTION_KEYS": GOOD_JOURNAL},
        {"SECRET_KEY": "ab" * 40, "JOURNAL_ENCRYPTION_KEYS": GOOD_JOURNAL},
        {"SECRET_KEY": GOOD_SECRET, "JOURNAL_ENCRYPTION_KEYS": "not-a-key"},
        {"SECRET_KEY": GOOD_SECRET, "JOURNAL_ENCRYPTION_KEYS": f"{GOOD_JOURNAL},{GOOD_JOURNAL}"},
        {"SECRET_KEY": GOOD_SECRET, "JOURNAL_ENCRYPTION_KEYS": DEVELOPMENT_JOURNAL_KEY},
        {
            "SECRET_KEY": GOOD_SECRET,
            "JOURNAL_ENCRYPTION_KEYS": GOOD_JOURNAL,
            "TRUSTED_PROXY_COUNT": "1",
            "TRUSTED_PROXIES": "10.0.0.1",
        },
    ],
    ids=["insecure-prefix", "few-characters", "bad-fernet", "duplicate", "dev-key", "proxies"],
)
def test_production_settings_refuse_to_start_with_a_weak_secret(monkeypatch, environ):
    with pytest.raises(ImproperlyConfigured):
        _load_production(monkeypatch, **environ)


@given(token=st.text(min_size=1, max_size=METRICS_TOKEN_MIN_LENGTH - 1))
def test_a_short_metrics_token_is_refused(token):
    with pytest.raises(ImproperlyConfigured, match="METRICS_TOKEN has"):
        validate_metrics_token(token)


@given(token=st.text(min_size=METRICS_TOKEN_MIN_LENGTH, max_size=100))
def test_a_long_metrics_token_or_none_is_accepted(token):
    validate_metrics_token(token)
    validate_metrics_token("")
