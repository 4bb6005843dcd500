from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "gorod.feedback"
    verbose_name = _("Оценки и отзывы")

    def ready(self):
        # Models are importable only once the registry is ready, hence the imports here.
        from gorod.analytics.ratings import RatingsSource, ratings_provide
        from gorod.feedback.selectors import rating_figures_for
        from gorod.feedback.services import rating_rollup

        ratings_provide(RatingsSource(figures_for=rating_figures_for, rollup=rating_rollup))
