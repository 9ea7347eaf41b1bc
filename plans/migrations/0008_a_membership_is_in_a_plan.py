# Written by hand on Django 5.2.19 (2026-12): the plan required, once 0007 gave every membership its plan.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('plans', '0007_each_role_takes_its_memberships'),
    ]

    operations = [
        migrations.AlterField(
            model_name='membership',
            name='plan',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='plans.plan', verbose_name='plan'),
        ),
        migrations.AddConstraint(
            model_name='membership',
            constraint=models.UniqueConstraint(fields=('plan', 'user', 'organisation'), name='unique_membership_per_plan'),
        ),
    ]
