import pytest
from django.urls import reverse

from gorod.catalog import selectors, services
from gorod.catalog.models import Service
from gorod.core.errors import NotFound

pytestmark = pytest.mark.django_db


def test_every_category_has_services(catalog):
    categories = selectors.category_list()
    assert len(categories) == 10
    assert all(category.service_count > 0 for category in categories)
    assert sum(category.service_count for category in categories) == 469


def test_unknown_slugs_are_not_found(catalog):
    with pytest.raises(NotFound):
        selectors.service_get("no-such-service")
    with pytest.raises(NotFound):
        selectors.category_get("no-such-category")


def test_flagships_are_the_five_in_order(catalog):
    assert [service.slug for service in selectors.flagship_services()] == [
        "doctor-appointment",
        "emr",
        "meter-readings",
        "school-diary",
        "clubs-enrollment",
    ]


def test_a_flagship_leads_into_its_module_once_it_exists(catalog):
    assert selectors.service_entry_url(selectors.service_get("meter-readings")) == "/housing/"
    assert selectors.service_entry_url(selectors.service_get("doctor-appointment")) == "/health/"
    assert selectors.service_entry_url(selectors.service_get("emr")) == "/health/record/"
    assert selectors.service_entry_url(selectors.service_get("school-diary")) == "/school/"
    assert selectors.service_entry_url(selectors.service_get("clubs-enrollment")) == "/clubs/"


def test_search_issue_examples(catalog):
    assert selectors.service_search("pfgbcm r dhfxe").services[0].slug == "doctor-appointment"
    assert selectors.service_search("pfgbcm r dhfxe").understood_as == "запись к врачу"
    assert selectors.service_search("передать показания воды").services[0].slug == "meter-readings"
    transliterated = selectors.service_search("zapis k vrachu")
    assert transliterated.services[0].slug == "doctor-appointment"
    assert transliterated.understood_as == "запись к врачу"
    assert transliterated.transliterated
    assert not selectors.service_search("pfgbcm r dhfxe").transliterated


def test_search_of_nothing_finds_nothing(catalog):
    for query in ("", "   ", "!!!", "\x00", "😀" * 500):
        assert selectors.service_search(query).services == []


def test_service_page_url(catalog):
    assert reverse("web:service", args=["emr"]) == "/services/emr/"


def test_only_an_external_service_with_an_address_has_a_way_out(
    catalog, django_capture_on_commit_callbacks
):
    service = Service.objects.get(slug="our-city-portal")
    Service.objects.filter(pk=service.pk).update(external_url="")
    for slug in ("emr", "our-city-portal"):  # a flagship; an external one without an address
        with pytest.raises(NotFound):
            selectors.external_service_get(slug)
    service.external_url = "https://gorod.example.ru/"
    with django_capture_on_commit_callbacks(execute=True):
        services.service_save(actor=None, service=service, changed_fields=["external_url"])
    assert selectors.external_service_get("our-city-portal").external_url == (
        "https://gorod.example.ru/"
    )


def test_services_find_lists_or_searches_and_filters(catalog):
    everything, understood = selectors.services_find()
    assert (len(everything), understood) == (469, None)
    health, _ = selectors.services_find(category="health", kind="flagship")
    assert {service.slug for service in health} == {"doctor-appointment", "emr"}
    found, understood = selectors.services_find(q="cxtnxbrb", category="housing")
    assert understood == "счетчики"
    assert found[0].slug == "meter-readings"
    assert all(service.category.slug == "housing" for service in found)
    with pytest.raises(NotFound):
        selectors.services_find(q="счётчики", category="no-such-category")


def test_related_services_are_of_the_same_category_only(catalog):
    # "Электронный дом" (housing) shares words with services of other categories.
    for slug in ("electronic-house", "emr", "library-card", "passport"):
        service = selectors.service_get(slug)
        related = selectors.services_related(service)

        assert len(related) == 6
        assert service not in related
        assert {other.category_id for other in related} == {service.category_id}
