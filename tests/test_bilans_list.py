"""The bilans page as the committee reads it: years as the coalition writes them, the usual choice first,
people by their names."""

import datetime
import re

import pytest

from bilans.models import Bilan

pytestmark = pytest.mark.django_db


def year_options(html):
    select = re.search(r'<select name="year"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r">([^<]+)</option>", select)


def test_reporting_years_read_2024_2025_and_other_dates_come_last(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    options = year_options(client.get(f"/plans/{lanaudiere.slug}/bilans/").content.decode())
    assert options[0] == "2023-2024" and "2024-2025" in options
    assert options[-1] == "Autres dates"
    assert not any("(" in option for option in options)


def test_a_version_shows_its_year_and_who_noted_the_adoption_by_name(client, coordinator, committee_member, lanaudiere):
    committee_member.first_name, committee_member.last_name = "Louise", "Tremblay"
    committee_member.save()
    start, end = lanaudiere.reporting_year_starting(2024)
    bilan = Bilan.create_draft(lanaudiere, start, end, year=2024, user=coordinator)
    client.force_login(coordinator)
    listing = client.get(f"/plans/{lanaudiere.slug}/bilans/").content.decode()
    assert '<td data-label="Période">2024-2025</td>' in listing and "2024-04-01" not in listing
    other = Bilan.create_draft(lanaudiere, datetime.date(2024, 4, 1), datetime.date(2025, 1, 15), user=coordinator)
    listing = client.get(f"/plans/{lanaudiere.slug}/bilans/").content.decode()
    assert "1er avril 2024 – 15 janvier 2025" in listing
    assert other.pk != bilan.pk

    Bilan.objects.filter(pk=bilan.pk).update(
        state=Bilan.State.ADOPTED, adopted_by=committee_member, adopted_on=datetime.date(2025, 6, 12), data={},
        adopting_body="le comité de coordination", adopted_at_meeting="Réunion du 12 juin 2025",
    )
    page = client.get(bilan.get_absolute_url()).content.decode()
    assert "noté par Louise Tremblay" in page and "comite-test" not in page
