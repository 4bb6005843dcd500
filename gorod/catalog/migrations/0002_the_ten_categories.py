"""The ten areas of city life the catalog is organised by (DOMAIN.md, "Catalog")."""

from django.db import migrations

CATEGORIES = [
    ("health", "Здоровье", "Health",
     "Запись к врачу, медицинская карта, полис ОМС, лекарства",
     "Doctor appointments, medical record, health insurance, medicines"),
    ("education", "Образование", "Education",
     "Детский сад, школа, электронный дневник, кружки и секции",
     "Kindergarten, school, e-diary, clubs and sports sections"),
    ("housing", "Жильё и ЖКХ", "Housing and utilities",
     "Показания счетчиков, ЕПД, ремонт, управление домом",
     "Meter readings, utility bills, repairs, building management"),
    ("transport", "Транспорт", "Transport",
     "Парковки, штрафы, «Тройка», такси и общественный транспорт",
     "Parking, fines, Troika card, taxis and public transport"),
    ("family", "Семья и дети", "Family and children",
     "Рождение ребёнка, пособия, многодетные семьи, ЗАГС",
     "Birth of a child, allowances, large families, civil registry"),
    ("social", "Социальная поддержка", "Social support",
     "Льготы, выплаты, помощь пенсионерам и людям с инвалидностью",
     "Benefits, payments, help for pensioners and people with disabilities"),
    ("documents", "Документы", "Documents",
     "Паспорт, регистрация, справки и выписки",
     "Passport, registration, certificates and extracts"),
    ("business", "Бизнес", "Business",
     "Разрешения, лицензии, торговля, поддержка предпринимателей",
     "Permits, licences, trade, support for entrepreneurs"),
    ("leisure", "Досуг и спорт", "Leisure and sport",
     "Музеи, парки, спорт, культура и отдых",
     "Museums, parks, sport, culture and recreation"),
    ("safety", "Безопасность", "Safety",
     "Экстренные службы, правопорядок, сообщения о происшествиях",
     "Emergency services, law and order, incident reports"),
]


def create_categories(apps, schema_editor):
    Category = apps.get_model("catalog", "Category")
    for position, (slug, title, title_en, description, description_en) in enumerate(CATEGORIES):
        Category.objects.update_or_create(
            slug=slug,
            defaults={
                "title": title,
                "title_en": title_en,
                "description": description,
                "description_en": description_en,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(create_categories, migrations.RunPython.noop)]
