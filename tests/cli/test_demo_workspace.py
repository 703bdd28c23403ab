"""The demo's workspace: tasks in every due bucket, contacts with core services, a billing month
with billable and non-billable members, and nothing added by a second run.

Built on a few patients with the demo's own pieces (organizations and users, caseloads with their
enrollment history), not on the full 2,000-member demo.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.utils import timezone

from wraparound.careplans.models import CarePlan, Goal, Intervention
from wraparound.cli.demo import (
    ensure_demo_workspace,
)
from wraparound.core.models import CareOrganization
from wraparound.enrollment.models import OutreachAttempt
from wraparound.worklists.billing.engine import member_months
from wraparound.worklists.billing.rulepacks import pack_for
from wraparound.worklists.models import Alert, Contact, ContactService, Task


def _counts() -> dict[str, int]:
    models = (CarePlan, Goal, Intervention, Task, Alert, Contact, ContactService, OutreachAttempt)
    return {model.__name__: model._default_manager.count() for model in models}


def test_demo_workspace_is_lived_in_and_idempotent(demo_world: CareOrganization) -> None:
    added = ensure_demo_workspace()
    assert added > 0
    today = timezone.localdate()
    caremanager = User.objects.get(username="caremanager")

    # Tasks in each due bucket, and the monthly recurring contact.
    open_tasks = Task.objects.filter(assignee=caremanager, status__in=Task.OPEN_STATUSES)
    assert open_tasks.filter(due_on__lt=today).exists()
    assert open_tasks.filter(due_on=today).exists()
    assert open_tasks.filter(due_on__gt=today, due_on__lte=today + dt.timedelta(days=7)).exists()
    assert open_tasks.filter(recurrence=Task.Recurrence.MONTHLY).exists()
    assert Alert.objects.filter(organization=demo_world, acknowledged_at__isnull=True).exists()

    # Care plans with goals and interventions that have owners on the team.
    assert CarePlan.objects.filter(organization=demo_world).exists()
    assert Goal.objects.exists()
    assert Intervention.objects.filter(owner__isnull=False).exists()

    # Contacts with core services, through the one write path.
    assert Contact.objects.filter(organization=demo_world, successful=True, services__isnull=False).exists()
    assert Contact.objects.filter(organization=demo_world, successful=False).exists()

    # Last month: the engine finds both billable and non-billable members.
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    members = member_months(demo_world.pk, last_month, pack_for(last_month))
    assert any(member.billable for member in members)
    assert any(not member.billable for member in members)

    # A second run adds nothing.
    before = _counts()
    assert ensure_demo_workspace() == 0
    assert _counts() == before
