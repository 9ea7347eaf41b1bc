# Written by hand on Django 5.2.19 (2026-12): the data step between 0006 and 0008.

from collections import defaultdict

from django.db import migrations
from django.utils import timezone

LEFT_NO_PLAN = "Sans rôle dans un plan : l’appartenance ne s’applique plus (migration)."


def act_in_each_plan(apps, schema_editor):
    """Memberships were global. Each of a person's roles in a plan now takes their memberships: they act
    for the same organisations as before, in every plan they take part in, and each plan's coordinator
    changes only their own plan's. A membership of a person without any role acted in no plan: it ends,
    and its history says so. Past history rows are given each plan of their person in the same way."""
    Membership = apps.get_model("plans", "Membership")
    HistoricalMembership = apps.get_model("plans", "HistoricalMembership")
    PlanRole = apps.get_model("plans", "PlanRole")
    plans_of = defaultdict(list)
    for user_id, plan_id in PlanRole.objects.order_by("plan_id").values_list("user_id", "plan_id"):
        plans_of[user_id].append(plan_id)

    for membership in Membership.objects.order_by("pk"):
        plan_ids = plans_of.get(membership.user_id)
        if not plan_ids:
            HistoricalMembership.objects.create(
                id=membership.pk, user_id=membership.user_id, organisation_id=membership.organisation_id,
                joined_on=membership.joined_on, history_date=timezone.now(), history_type="-",
                history_change_reason=LEFT_NO_PLAN,
            )
            membership.delete()
            continue
        Membership.objects.filter(pk=membership.pk).update(plan_id=plan_ids[0])
        for plan_id in plan_ids[1:]:
            copy = Membership.objects.create(
                plan_id=plan_id, user_id=membership.user_id, organisation_id=membership.organisation_id
            )
            Membership.objects.filter(pk=copy.pk).update(joined_on=membership.joined_on)  # not auto_now_add's

    current = {
        (row.plan_id, row.user_id, row.organisation_id): row.pk for row in Membership.objects.all()
    }
    for record in HistoricalMembership.objects.filter(plan_id__isnull=True).exclude(
        history_change_reason=LEFT_NO_PLAN
    ).order_by("history_id"):
        plan_ids = plans_of.get(record.user_id, [])
        for index, plan_id in enumerate(plan_ids):
            if index:
                record.pk = None  # a new history row, the same event in another plan
                record.id = current.get((plan_id, record.user_id, record.organisation_id), record.id)
            record.plan_id = plan_id
            record.save()


def act_for_organisations_everywhere(apps, schema_editor):
    """Back to global memberships: one per person and organisation, whatever the plan."""
    Membership = apps.get_model("plans", "Membership")
    kept = set()
    for membership in Membership.objects.order_by("pk"):
        key = (membership.user_id, membership.organisation_id)
        if key in kept:
            membership.delete()
        kept.add(key)


def move_content_types(apps, schema_editor):
    """Admin log entries and permissions point at content types: they follow the models here."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ["membership", "historicalmembership"]:
        if not ContentType.objects.filter(app_label="plans", model=model).exists():
            ContentType.objects.filter(app_label="partners", model=model).update(app_label="plans")


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ["membership", "historicalmembership"]:
        if not ContentType.objects.filter(app_label="partners", model=model).exists():
            ContentType.objects.filter(app_label="plans", model=model).update(app_label="partners")


class Migration(migrations.Migration):

    dependencies = [
        ('plans', '0006_people_act_for_an_organisation_in_a_plan'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.RunPython(act_in_each_plan, act_for_organisations_everywhere),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
