import pytest

from tandem.resources.models import Resource
from tandem.resources.services import resource_create, starter_content_load
from tandem.resources.tests.fixtures import write_content


@pytest.fixture
def content_dir(tmp_path):
    return write_content(tmp_path / "content")


@pytest.fixture
def library(cast, content_dir):
    """The five fixture pieces loaded into cast.org, plus one addition to cast.program."""
    starter_content_load(organization=cast.org, directory=content_dir)
    addition = resource_create(
        actor=cast.manager,
        program_id=cast.program.pk,
        kind="guide",
        title="Cohort kick-off questions",
        summary="For our cohort only.",
        body_markdown="? What do you hope to learn?\n? What would make this year a success?",
        audience="both",
        stages=["getting-started"],
        skills=["goal setting"],
    )
    pieces = {r.slug: r for r in Resource.objects.filter(organization=cast.org)}
    pieces["addition"] = addition
    return pieces
