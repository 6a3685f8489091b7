"""The event catalogue: every event RULES.md §6 needs, each with a well-formed, unique type."""

import importlib
import re

import pytest

from contracts.base import Event
from contracts.registry import all_events, event_class
from contracts.schema import event_schema
from contracts.streams import STREAMS

TYPE_PATTERN = re.compile(r"^[a-z]+\.[a-z_]+\.[a-z_]+\.v[0-9]+$")
RULE_CITATION = re.compile(r"(BY|YF|BZ|DY|YL)-[0-9A-Z]|RULES\.md §")

# RULES.md §6.1, plus the §6.2 additions another service or an external system consumes,
# plus the payment-clearance exchange with the finance system.
REQUIRED = {
    "UnitPlanFiled", "ApplicationSubmitted", "SchemeSubmitted", "MicroProjectFiled", "PlanReviewed",
    "ProjectApproved", "ProjectRejected", "ContractFiled", "ChangeFiled", "ChangeDecided", "ProjectTerminated",
    "FinanceHoldPlaced", "FinanceHoldReleased", "InitialAcceptancePassed", "ComplianceOpinionIssued",
    "AcceptancePassed", "AcceptanceFailed", "AcceptanceFilingRejected", "EvaluationCompleted",
    "RectificationOverdue", "DeadlineElapsed", "NotificationSent",
    "UnitStandingChanged", "SupervisionFindingRecorded", "RectificationCompleted", "AcceptanceFiled",
    "DataAggregationConfirmed", "ConstructionCompleted", "AcceptanceDeferred", "CloudResourceBlocked",
    "ProjectSuspended", "CircularIssued", "ProjectFiled", "ReviewStageCompleted", "ReviewStageCompletedV2", "AnnualListApproved", "CoReviewRequested", "CoReviewOpinionRecorded", "SchemeChangeDecided",
    "ProgressReported", "IncidentReported", "FinalAccountsFiled",
    "PaymentClearanceRequested", "PaymentClearanceAnswered",
}  # fmt: skip

EVENTS = all_events()


def test_every_event_of_the_vocabulary_is_defined() -> None:
    assert REQUIRED <= {cls.__name__ for cls in EVENTS}


def test_types_are_unique() -> None:
    types = [cls.TYPE for cls in EVENTS]
    assert len(types) == len(set(types))


@pytest.mark.parametrize("cls", EVENTS, ids=lambda cls: cls.TYPE)
def test_type_is_a_versioned_subject_owned_by_a_stream(cls: type[Event]) -> None:
    assert TYPE_PATTERN.match(cls.TYPE)
    assert cls.context() in {stream.context for stream in STREAMS}
    assert event_class(cls.TYPE) is cls


@pytest.mark.parametrize("cls", EVENTS, ids=lambda cls: cls.TYPE)
def test_event_lives_in_its_context_module_and_is_exported(cls: type[Event]) -> None:
    module = importlib.import_module(cls.__module__)

    assert cls.__module__ == f"contracts.events.{cls.context()}"
    assert cls.__name__ in module.__all__


@pytest.mark.parametrize("cls", EVENTS, ids=lambda cls: cls.TYPE)
def test_subject_fields_exist(cls: type[Event]) -> None:
    for name in (cls.SUBJECT_FIELD, *cls.SUBJECT_FALLBACKS):
        assert name in cls.model_fields


@pytest.mark.parametrize("cls", EVENTS, ids=lambda cls: cls.TYPE)
def test_docstring_is_one_line_citing_the_rules(cls: type[Event]) -> None:
    doc = cls.__doc__ or ""
    assert "\n" not in doc.strip()
    if cls.__name__ != "NotificationSent":  # the audit trail serves every rule, cites none
        assert RULE_CITATION.search(doc)


@pytest.mark.parametrize("cls", EVENTS, ids=lambda cls: cls.TYPE)
def test_no_floats_anywhere(cls: type[Event]) -> None:
    assert '"number"' not in str(event_schema(cls)).replace("'", '"')
