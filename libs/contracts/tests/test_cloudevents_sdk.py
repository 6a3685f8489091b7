"""A consumer written by someone else, with the official CloudEvents SDK, reads our messages.

This is what the finance system does: it knows nothing of our classes, only the binding.
"""

from cloudevents.core.bindings.http import HTTPMessage, from_binary
from cloudevents.core.formats.json import JSONFormat

from contracts.base import Event
from contracts.envelope import Envelope


def test_official_sdk_reads_our_binary_mode_message(sample_event: Event) -> None:
    ours = Envelope(data=sample_event, source="/services/procurement")

    theirs = from_binary(HTTPMessage(headers=ours.headers(), body=ours.body()), JSONFormat())

    assert theirs.get_specversion() == "1.0"
    assert theirs.get_id() == ours.id
    assert theirs.get_type() == ours.type
    assert theirs.get_source() == ours.source
    assert theirs.get_subject() == ours.subject
    assert theirs.get_time() == ours.time
    assert theirs.get_dataschema() == ours.dataschema
    assert theirs.get_datacontenttype() == "application/json"
    assert theirs.get_data() == sample_event.model_dump(mode="json")
    assert type(sample_event).model_validate(theirs.get_data()) == sample_event
