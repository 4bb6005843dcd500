import pytest

from gorod.housing.tasks import send_window_reminders
from gorod.housing.tests.conftest import IN_WINDOW
from gorod.notifications.models import Message


@pytest.mark.django_db
def test_the_hourly_task_writes_the_due_reminders(household, time_machine):
    time_machine.move_to(IN_WINDOW)
    result = send_window_reminders.enqueue()
    assert result.return_value == {"topic": "housing.window_open", "messages": 1}
    assert Message.objects.get().person.user == household.user
