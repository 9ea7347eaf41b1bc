# Written by hand on Django 5.2.19 (2026-12): memberships move from partners/ to plans/ and gain their plan
# (0006: the tables and a plan column; 0007: each membership's plan; 0008: the plan required).

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0003_instance_administrators_deactivations_memberships_to_plans'),
        ('plans', '0005_move_steps_to_suivi'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Memberships lived in partners/ until they became part of a role in a plan: their tables stay as
        # they are (partners_membership, partners_historicalmembership) and only Django's state moves here.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalMembership',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('joined_on', models.DateField(blank=True, editable=False, verbose_name='depuis le')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('organisation', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='partners.organisation', verbose_name='organisation')),
                        ('user', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='personne')),
                    ],
                    options={
                        'verbose_name': 'historical appartenance',
                        'verbose_name_plural': 'historical appartenances',
                        'db_table': 'partners_historicalmembership',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='Membership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('joined_on', models.DateField(auto_now_add=True, verbose_name='depuis le')),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='partners.organisation', verbose_name='organisation')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL, verbose_name='personne')),
                    ],
                    options={
                        'verbose_name': 'appartenance',
                        'verbose_name_plural': 'appartenances',
                        'db_table': 'partners_membership',
                        'constraints': [models.UniqueConstraint(fields=('user', 'organisation'), name='unique_membership')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name='membership',
            name='plan',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='plans.plan', verbose_name='plan'),
        ),
        migrations.AddField(
            model_name='historicalmembership',
            name='plan',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='plans.plan', verbose_name='plan'),
        ),
        migrations.RemoveConstraint(
            model_name='membership',
            name='unique_membership',
        ),
        # Each membership gets its plan in 0007, which 0008 then requires: data and schema in separate
        # migrations, since PostgreSQL refuses to alter or index a table in the transaction that has just
        # written its rows (« pending trigger events »).
    ]
