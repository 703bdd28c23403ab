"""LinkPattern builds the same URLs as reverse(), one pattern a page."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from wraparound.web.links import LinkPattern


def test_the_same_urls_as_reverse() -> None:
    step = LinkPattern("worklists:task_step", task_id=int, step="complete")
    patient = LinkPattern("web:patient_detail", patient_id=uuid.UUID)
    for task_id in (1, 42, 987_654_321):
        assert step(task_id=task_id) == reverse(
            "worklists:task_step", kwargs={"task_id": task_id, "step": "complete"}
        )
    for patient_id in (uuid.uuid4(), uuid.UUID(int=0)):
        assert patient(patient_id=patient_id) == reverse(
            "web:patient_detail", kwargs={"patient_id": patient_id}
        )


def test_a_value_is_quoted_and_a_missing_one_named() -> None:
    step = LinkPattern("worklists:task_step", task_id=int, step=str)
    assert step(task_id=7, step="start") == "/worklist/tasks/7/start/"
    assert step(task_id=7, step="a/b") == "/worklist/tasks/7/a%2Fb/"  # never a different path
    with pytest.raises(KeyError):
        step(task_id=7)
