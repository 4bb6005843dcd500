"""The API's schema as JSON parsers other than Python's read it.

Python's json module keeps the last of two equal keys; Swagger UI's YAML parser refuses the
whole document ("duplicated mapping key") and the API docs show nothing. Two keys come out
equal when a response is given by number by Ninja and by string in `openapi_extra`.
"""

import json

from django.test import Client


def no_key_twice(pairs: list[tuple[str, object]]) -> dict:
    keys = [key for key, _value in pairs]
    twice = sorted({key for key in keys if keys.count(key) > 1})
    assert not twice, f"keys given twice: {twice}"
    return dict(pairs)


def test_the_schema_has_no_key_twice():
    response = Client(HTTP_HOST="127.0.0.1").get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content, object_pairs_hook=no_key_twice)
    assert "/api/v1/applications/files/{file_id}" in schema["paths"]
