"""The time-zone field every app's forms share: canonical names only, checked on the server, and
the browser's own zone chosen when nobody has chosen one yet."""

from django import forms

from cohortkit.common.forms import TimeZoneField


class ZoneForm(forms.Form):
    time_zone = TimeZoneField(label="Time zone")


def test_a_list_with_no_zone_yet_asks_the_script_for_the_browsers_zone():
    html = str(ZoneForm()["time_zone"])

    assert 'data-zone-default="browser"' in html
    assert 'data-zone-filter="id_time_zone"' in html


def test_a_list_with_a_zone_keeps_it():
    html = str(ZoneForm(initial={"time_zone": "Asia/Tokyo"})["time_zone"])

    assert "data-zone-default" not in html
    assert '<option value="Asia/Tokyo" data-aliases="Japan" selected>' in html


def test_only_canonical_names_are_offered_and_an_old_name_sent_is_stored_as_the_current_one():
    html = str(ZoneForm()["time_zone"])
    sent_old_name = ZoneForm(data={"time_zone": "Asia/Calcutta"})
    sent_nonsense = ZoneForm(data={"time_zone": "Mars/Olympus_Mons"})

    assert 'value="Asia/Kolkata"' in html and 'value="Asia/Calcutta"' not in html
    assert sent_old_name.is_valid() and sent_old_name.cleaned_data["time_zone"] == "Asia/Kolkata"
    assert not sent_nonsense.is_valid()
    assert "is not a time zone we know" in sent_nonsense.errors["time_zone"][0]


def test_each_zone_carries_its_old_names_for_searching_and_for_the_browsers_report():
    html = str(ZoneForm()["time_zone"])

    assert '<option value="Asia/Kolkata" data-aliases="Asia/Calcutta">' in html
    kyiv = html.split('<option value="Europe/Kyiv"')[1].split(">")[0]
    assert "Europe/Kiev" in kyiv.split('data-aliases="')[1].rstrip('"').split()
