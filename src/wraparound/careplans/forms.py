"""The forms of the care team and care plan screens; each care-plan form turns into one ``Edit``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wraparound.accounts.models import Role
from wraparound.careplans.actions import CONTACT_ROLES, Edit, EditKind
from wraparound.careplans.models import CarePlan, CareTeam, CareTeamMember, Goal, Intervention, Problem
from wraparound.careplans.snapshot import member_name
from wraparound.registry.models import Condition

MemberRole = CareTeamMember.Role
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


class MemberChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{member_name(obj)} ({obj.get_role_display()})"


def agency_users(team: CareTeam, roles: tuple[str, ...] | None = None) -> QuerySet[Any]:
    users = get_user_model().objects.filter(
        memberships__organization_id=team.organization_id, memberships__is_active=True
    )
    if roles is not None:
        users = users.filter(memberships__role__in=roles)
    return users.distinct().order_by("last_name", "first_name", "username")


# --- care team -----------------------------------------------------------------------------


class AddUserMemberForm(forms.Form):
    user = PersonChoiceField(label=_("Person"), queryset=get_user_model().objects.none())
    role = forms.ChoiceField(
        label=_("Role on the team"),
        choices=[
            (value, label) for value, label in MemberRole.choices if value != MemberRole.LEAD_CARE_MANAGER
        ],
    )

    def __init__(self, *args: Any, team: CareTeam, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = agency_users(team)  # type: ignore[attr-defined]


class AddContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    role = forms.ChoiceField(
        label=_("Role on the team"),
        choices=[(value, label) for value, label in MemberRole.choices if value in CONTACT_ROLES],
    )


class HandoffForm(forms.Form):
    to_user = PersonChoiceField(label=_("New lead care manager"), queryset=get_user_model().objects.none())
    note = forms.CharField(
        label=_("Handoff note"),
        help_text=_("What the new lead needs to know: open issues, next steps, how to reach the patient."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, team: CareTeam, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = agency_users(team, (Role.CARE_MANAGER,))  # type: ignore[attr-defined]


# --- care plan -----------------------------------------------------------------------------


class PlanEditForm(forms.Form):
    """A care-plan form: its cleaned data, as model field values, make one ``Edit``."""

    kind: EditKind
    title = _("Edit the care plan")
    links: dict[str, str] = {}  # form field → model field (a chosen row → its id)

    def __init__(self, *args: Any, plan: CarePlan, **kwargs: Any) -> None:
        self.plan = plan
        super().__init__(*args, **kwargs)

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if name in self.links:
                values[self.links[name]] = value.pk if value is not None else None
            else:
                values[name] = value if value is not None else self.empty_value(name)
        return values

    def model_field(self, name: str) -> str:
        """The model field a form field sets."""
        return self.links.get(name, name)

    def empty_value(self, name: str) -> Any:
        return None if isinstance(self.fields[name], forms.DateField) else ""

    def edit(self, item_id: int | None = None) -> Edit:
        return Edit(self.kind, self.values(), item_id)


class ProblemForm(PlanEditForm):
    kind = "problem"
    title = _("Problem")
    links = {"condition": "condition_id"}

    problem_kind = forms.ChoiceField(label=_("Kind"), choices=Problem.Kind.choices)
    description = forms.CharField(label=_("Description"), max_length=500)
    condition = forms.ModelChoiceField(
        label=_("Linked condition"),
        help_text=_("One of the patient's active conditions (optional)."),
        queryset=Condition.objects.none(),
        required=False,
    )
    status = forms.ChoiceField(label=_("Status"), choices=Problem.Status.choices)

    def __init__(self, *args: Any, conditions: QuerySet[Condition], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["condition"]
        field.queryset = conditions  # type: ignore[attr-defined]
        field.label_from_instance = lambda condition: condition.display or condition.code  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        values = super().values()
        values["kind"] = values.pop("problem_kind")
        return values

    def model_field(self, name: str) -> str:
        return "kind" if name == "problem_kind" else super().model_field(name)


class GoalForm(PlanEditForm):
    kind = "goal"
    title = _("Goal")
    links = {"problem": "problem_id"}

    text = forms.CharField(
        label=_("Goal, in the patient's words"),
        help_text=_("Write it as the patient said it."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    measure = forms.CharField(label=_("Measure"), max_length=200, required=False)
    target = forms.CharField(label=_("Target"), max_length=200, required=False)
    target_date = forms.DateField(label=_("Target date"), required=False, widget=DATE)
    status = forms.ChoiceField(label=_("Status"), choices=Goal.Status.choices)
    problem = forms.ModelChoiceField(label=_("Problem"), queryset=Problem.objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["problem"].queryset = self.plan.problems.all()  # type: ignore[attr-defined]


class InterventionForm(PlanEditForm):
    kind = "intervention"
    title = _("Intervention")
    links = {"owner": "owner_id", "goal": "goal_id"}

    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = MemberChoiceField(
        label=_("Owner"),
        help_text=_("Who on the care team does it."),
        queryset=CareTeamMember.objects.none(),
        required=False,
    )
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE)
    status = forms.ChoiceField(label=_("Status"), choices=Intervention.Status.choices)
    goal = forms.ModelChoiceField(label=_("Goal"), queryset=Goal.objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owners = CareTeamMember.objects.filter(
            care_team__patient_id=self.plan.patient_id, care_team__status=CareTeam.Status.ACTIVE
        ).select_related("user")
        if self.initial.get("owner") is None:
            owners = owners.filter(end__isnull=True)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]
        self.fields["goal"].queryset = self.plan.goals.all()  # type: ignore[attr-defined]


class NarrativeForm(PlanEditForm):
    kind = "narrative"
    title = _("Strengths, preferences and the family's role")

    strengths = forms.CharField(
        label=_("Strengths"),
        help_text=_("In the patient's own words."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    preferences = forms.CharField(
        label=_("Preferences"),
        help_text=_("What matters to the patient; how they want care."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    family_role = forms.CharField(
        label=_("Family's role"),
        help_text=_("The family's or caregivers' part in the plan."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AcknowledgementForm(PlanEditForm):
    kind = "acknowledgement"
    title = _("The patient's acknowledgement")

    acknowledged_on = forms.DateField(label=_("Acknowledged on"), widget=DATE)
    acknowledgement = forms.ChoiceField(label=_("How"), choices=CarePlan.Acknowledgement.choices)
    acknowledgement_note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_acknowledged_on(self) -> Any:
        value = self.cleaned_data["acknowledged_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return value


class ReviewForm(PlanEditForm):
    kind = "review"
    title = _("Record a review")

    reviewed_on = forms.DateField(label=_("Reviewed on"), widget=DATE)
    note = forms.CharField(label=_("What the review found"), required=False, max_length=200)

    def clean_reviewed_on(self) -> Any:
        value = self.cleaned_data["reviewed_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return value


EDIT_FORMS: dict[str, type[PlanEditForm]] = {
    "problem": ProblemForm,
    "goal": GoalForm,
    "intervention": InterventionForm,
    "narrative": NarrativeForm,
    "acknowledgement": AcknowledgementForm,
    "review": ReviewForm,
}


def initial_for(kind: str, plan: CarePlan, item: Any) -> dict[str, Any]:
    """What an edit form shows first: the item (or the plan) as it is now."""
    if kind == "problem" and item is not None:
        return {
            "problem_kind": item.kind,
            "description": item.description,
            "condition": item.condition_id,
            "status": item.status,
        }
    if kind == "goal" and item is not None:
        return {
            "text": item.text,
            "measure": item.measure,
            "target": item.target,
            "target_date": item.target_date,
            "status": item.status,
            "problem": item.problem_id,
        }
    if kind == "intervention" and item is not None:
        return {
            "description": item.description,
            "owner": item.owner_id,
            "due_on": item.due_on,
            "status": item.status,
            "goal": item.goal_id,
        }
    if kind == "narrative":
        return {"strengths": plan.strengths, "preferences": plan.preferences, "family_role": plan.family_role}
    if kind == "acknowledgement":
        return {
            "acknowledged_on": plan.acknowledged_on or timezone.localdate(),
            "acknowledgement": plan.acknowledgement,
            "acknowledgement_note": plan.acknowledgement_note,
        }
    if kind == "review":
        return {"reviewed_on": timezone.localdate()}
    return {}
