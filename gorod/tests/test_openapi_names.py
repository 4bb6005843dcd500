"""Every schema class the API uses has a name of its own in /api/v1/openapi.json.

OpenAPI components are keyed by the class's name: two classes called `PersonOut` become one
component, and every operation that used the other is documented with the wrong shape.
"""

import typing

from pydantic import BaseModel

from gorod.api import api


def _models_in(annotation) -> typing.Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in typing.get_args(annotation):
        yield from _models_in(argument)


def _reachable(model: type[BaseModel], seen: set) -> None:
    if model in seen:
        return
    seen.add(model)
    for field in model.model_fields.values():
        for inner in _models_in(field.annotation):
            _reachable(inner, seen)


def _router_models() -> set[type[BaseModel]]:
    """The body, parameter and response models of every operation, and the models inside."""
    seen: set[type[BaseModel]] = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in [*operation.models, *operation.response_models.values()]:
                    if isinstance(model, type) and issubclass(model, BaseModel):
                        _reachable(model, seen)
    # Ninja's own wrappers (the parameter and response envelopes) never reach the document.
    return {model for model in seen if not model.__module__.startswith("ninja")}


def test_every_schema_name_is_one_class(client):
    by_name: dict[str, set[str]] = {}
    for model in _router_models():
        by_name.setdefault(model.__name__, set()).add(f"{model.__module__}.{model.__qualname__}")
    clashes = {name: places for name, places in by_name.items() if len(places) > 1}

    assert clashes == {}


def test_each_component_documents_its_own_class(client):
    components = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    models = [model for model in _router_models() if model.__name__ in components]

    assert len(models) >= 40
    for model in models:
        fields = {field.alias or name for name, field in model.model_fields.items()}
        # A namesake's fields here mean one class overwrote the other in the document.
        assert set(components[model.__name__].get("properties", {})) == fields, model
