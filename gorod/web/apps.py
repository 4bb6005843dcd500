from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "gorod.web"
    label = "web"
    verbose_name = _("Портал")

    def ready(self):
        # The site stands above every domain, so it may join two of them: the long-tail
        # services' `resident` rule asks housing whether a person's premises is known.
        from gorod.applications.residence import residence_provide
        from gorod.housing.selectors import person_lives_in_city

        residence_provide(person_lives_in_city)
