from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "gorod.applications"
    verbose_name = _("Заявления в ведомства")

    def ready(self):
        # Models are importable only once the registry is ready, hence the imports here.
        from gorod.analytics.applications_port import ApplicationsSource, applications_provide
        from gorod.applications.selectors.performance import applications_figures_for

        applications_provide(ApplicationsSource(figures_for=applications_figures_for))
