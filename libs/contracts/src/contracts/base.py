"""The base every domain event derives from.

An event class is the *data* of a CloudEvent: the envelope attributes (id, time, source)
live in :class:`contracts.envelope.Envelope`. The class carries its CloudEvents ``type``,
which is also its NATS subject and includes the version, so a breaking change is a new
class with a new type, published beside the old one for a while.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]
"""A datetime that carries its offset; naive datetimes are refused at the boundary."""

RuleId = Annotated[str, Field(pattern=r"^(BY|YF|BZ|DY|YL)-[0-9A-Z][0-9A-Za-z.]*$", examples=["BY-47.3b"])]
"""A stable rule ID from RULES.md, e.g. ``BY-22.7``."""

AmountFen = Annotated[int, Field(ge=0, description="Amount in 分 (0.01 CNY); never a float")]


class PackRef(BaseModel):
    """The policy pack version a project is judged by (kept from its declaration)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str = Field(pattern=r"^(BY|YF|BZ|DY|YL)$")
    version: str


class Event(BaseModel):
    """A domain event as published on NATS.

    Consumers ignore fields they do not know, so adding an optional field is a compatible
    change; removing or retyping one, or adding a required one, needs a new version.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    TYPE: ClassVar[str]
    """CloudEvents type and NATS subject, ``<context>.<aggregate>.<event>.v<N>``."""

    SUBJECT_FIELD: ClassVar[str] = "project_id"
    """The field whose value becomes ``ce-subject`` (the aggregate the event is about)."""

    def ce_subject(self) -> str:
        return str(getattr(self, self.SUBJECT_FIELD))

    @classmethod
    def context(cls) -> str:
        return cls.TYPE.split(".", 1)[0]

    @classmethod
    def version(cls) -> int:
        return int(cls.TYPE.rsplit(".v", 1)[1])

    @classmethod
    def event_name(cls) -> str:
        """The vocabulary name used in RULES.md and ARCHITECTURE.md, e.g. ``AcceptanceFailed``."""
        return cls.__name__


def jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value
