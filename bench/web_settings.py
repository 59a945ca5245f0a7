"""`bench.web`'s settings: production's, with one extra URL, the floor (a minimal view)."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.web_urls"
