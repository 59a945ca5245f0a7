"""The API's contract is committed (docs/openapi.json); a change to it must be deliberate."""

import json
from pathlib import Path

from config.api import api

SNAPSHOT = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def _normalised(schema: object) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False)


def test_openapi_is_3_1_and_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.1")
    assert client.get("/api/v1/docs").status_code == 200


def test_openapi_matches_the_committed_snapshot():
    current = _normalised(api.get_openapi_schema(path_prefix="/api/v1/"))
    committed = _normalised(json.loads(SNAPSHOT.read_text()))
    assert current == committed, (
        "The API changed. If that is intended, run `make openapi` and commit docs/openapi.json."
    )
