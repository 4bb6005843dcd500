"""The optional topics: messages a citizen may take at once, once a day in a digest, or not
at all (TopicPreference).

An app registers its optional topics when it starts (in its AppConfig.ready), since this
app may not import the apps above it. A topic nobody registered is not optional: its
messages are always written at once (a doctor's reminder, the meter window, an
application's decision), whatever anyone chose.

The registry is filled the same way in every process as it starts and only read after, so
it is configuration, not state that processes would have to share.
"""

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class OptionalTopic:
    code: str  # the messages' topic, e.g. "school.marks"
    label: Promise  # gettext_lazy: the page is drawn in the reader's language
    description: Promise


_registered: dict[str, OptionalTopic] = {}


def topic_register(*topics: OptionalTopic) -> None:
    """Make topics optional; registering a code again replaces its words."""
    for topic in topics:
        _registered[topic.code] = topic


def optional_topics() -> list[OptionalTopic]:
    """Every optional topic, in the order the apps registered them."""
    return list(_registered.values())


def is_optional(code: str) -> bool:
    return code in _registered
