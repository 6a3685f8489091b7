"""The base every domain event derives from.

An event class is the *data* of a CloudEvent: the envelope attributes (id, time, source)
live in :class:`contracts.envelope.Envelope`. The class carries its CloudEvents ``type``,
which is also its NATS subject and includes the version, so a breaking change is a new
class with a new type, published beside the old one for a while.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]
"""A datetime that carries its offset; naive datetimes are refused at the boundary."""

RuleId = Annotated[str, Field(pattern=r"^(BY|YF|BZ|DY|YL)-[0-9A-Z][0-9A-Za-z.]*$", examples=["BY-47.3b"])]
"""A stable rule ID from RULES.md, e.g. ``BY-22.7``."""

AmountFen = Annotated[int, Field(ge=0, description="Amount in 分 (0.01 CNY); never a float")]

ProjectClass = Literal[
    # BY-4
    "build_develop",  # 建设开发类
    "operation_maintenance",  # 运行维护类 (BY) / 运维服务 (YF, DY, YL)
    "service",  # 服务类
    # YF-3, DY-2.2, YL-11
    "infrastructure",  # 基础设施服务 (YF, DY, YL) / 信息化基础设施 (BZ-2)
    "software_development",  # 软件开发服务
    "business_operation",  # 系统业务运营服务
    "third_party_service",  # 第三方服务
    # BZ-2
    "application_system",  # 信息化应用系统
    "security_system",  # 信息化安全体系
]
"""A project's class in the taxonomy of its pack; drives review, acceptance and same-type bans."""


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

    SUBJECT_FALLBACKS: ClassVar[tuple[str, ...]] = ()
    """Fields tried in order when ``SUBJECT_FIELD`` is null, e.g. a finding about a unit, not a project."""

    PRODUCER: ClassVar[str | None] = None
    """The publishing party when it is not the context of the type (the ``FINANCE`` stream)."""

    def ce_subject(self) -> str:
        for name in (self.SUBJECT_FIELD, *self.SUBJECT_FALLBACKS):
            value = getattr(self, name)
            if value is not None:
                return str(value)
        raise ValueError(f"{type(self).__name__} has no subject: {self.SUBJECT_FIELD} is null")

    @model_validator(mode="after")
    def _has_subject(self) -> Event:
        # Refuse at construction, not at publish time, an event whose ce-subject would be empty.
        self.ce_subject()
        return self

    @classmethod
    def context(cls) -> str:
        return cls.TYPE.split(".", 1)[0]

    @classmethod
    def producer(cls) -> str:
        """Who publishes this type: a service name, or ``finance-system`` for the external side."""
        return cls.PRODUCER or cls.context()

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
