"""What the registry holds: counts per FHIR resource type, mapped and raw together."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count

from wraparound.registry.models import MAPPED_MODELS, RawResource


def resource_counts() -> dict[str, int]:
    counts: Counter[str] = Counter()
    for model in MAPPED_MODELS:
        number = model._default_manager.count()
        if number:
            counts[model.FHIR_TYPE] += number
    for row in RawResource.objects.values("resource_type").annotate(n=Count("pk")).order_by():
        counts[row["resource_type"]] += row["n"]
    return dict(sorted(counts.items()))
