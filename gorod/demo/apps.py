from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo city: `gorod demo` and one generator module per domain.

    It stands above every domain app (it fills them all) and no app imports it, so a
    production portal carries no demo code on any request path. It has no models.
    """

    name = "gorod.demo"
    label = "demo"
