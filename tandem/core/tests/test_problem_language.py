"""problem+json titles and the kernel's own details follow the request's language; the
`type` a program matches on does not."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("accept_language", "title", "detail"),
    [
        ("es", "No encontrado", "No hay ninguna operación de la API en /api/v1/no-such-thing."),
        ("en-GB", "Not found", "No API operation at /api/v1/no-such-thing."),
        ("de", "Not found", "No API operation at /api/v1/no-such-thing."),
    ],
)
def test_an_unknown_api_path_answers_in_the_reader_language(client, accept_language, title, detail):
    # when
    response = client.get("/api/v1/no-such-thing", HTTP_ACCEPT_LANGUAGE=accept_language)
    # then
    assert response.status_code == 404
    assert response.json() == {
        "type": "https://tandem.example/problems/not-found",
        "title": title,
        "status": 404,
        "detail": detail,
    }
