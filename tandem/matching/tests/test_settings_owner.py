"""A programme's matching settings have one owner: both halves read the same values."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.matching.models import MatchingSettings
from tandem.matching.requests import selectors as request_selectors
from tandem.matching.runs import selectors as run_selectors
from tandem.matching.runs.services import REQUEST_EXPIRY_MAX_DAYS
from tandem.programs.models import Program

FIELDS = ("allow_self_matching", "requests_need_approval", "request_expiry_days")
STORED = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            "allow_self_matching": st.booleans(),
            "requests_need_approval": st.booleans(),
            "request_expiry_days": st.integers(min_value=1, max_value=REQUEST_EXPIRY_MAX_DAYS),
        }
    ),
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(stored=STORED)
def test_the_runs_settings_page_and_the_requests_read_the_same_values(cast, stored):
    # given a programme with no settings row, or one with any values
    MatchingSettings.objects.filter(program=cast.program).delete()
    if stored is not None:
        MatchingSettings.objects.create(program=cast.program, **stored)
    expected = stored or {
        name: MatchingSettings._meta.get_field(name).get_default() for name in FIELDS
    }
    # when each half reads them (a fresh programme object: requests cache per object)
    program = Program.objects.get(pk=cast.program.pk)
    view = run_selectors.matching_settings_view(program=program)
    row = request_selectors.matching_settings_get(program=Program.objects.get(pk=program.pk))
    # then both show what is stored, or the model's defaults, and reading created no row
    assert {name: getattr(view, name) for name in FIELDS} == expected
    assert {name: getattr(row, name) for name in FIELDS} == expected
    assert MatchingSettings.objects.filter(program=program).count() == (stored is not None)
