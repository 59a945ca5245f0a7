"""schemathesis against every operation of the live API, as the people who use it.

Each operation gets a few generated requests as each role (a member with a pair, a programme
manager, an organisation admin), with the path ids of that person's real objects so that the
happy paths are reached too, and each answer is checked against the published contract: never
a 5xx, a documented status, the documented media type, a body of the documented shape. Every
request runs in a savepoint that is rolled back, so one request's writes never change what
the next one sees. Failures are collected over every operation and reported together.
"""

import json
import re
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from config.api import api
from tandem.accounts.services import api_token_create
from tandem.actions.tests.factories import ActionItemFactory
from tandem.feedback.tests.factories import MentorFeedbackFactory
from tandem.goals.tests.factories import GoalFactory, MilestoneFactory
from tandem.journals.tests.factories import JournalEntryFactory
from tandem.matching.tests.factories import MatchProposalFactory, MatchRunFactory
from tandem.people.tests.factories import SkillFactory
from tandem.programs.tests.factories import EnrollmentQuestionFactory
from tandem.webhooks.tests.factories import endpoint_for

POSITIVE_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
NEGATIVE_CHECKS = [*POSITIVE_CHECKS, negative_data_rejection]
# Per operation and role: enough to reach each operation's success and its refusals, few
# enough that the three roles stay around 1.5 minutes of CPU together (about 5,000 requests).
EXAMPLES = 5
NEGATIVE_EXAMPLES = 3


def _schema() -> Any:
    document = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/")))
    schema = schemathesis.openapi.from_dict(document)
    schema.app = get_wsgi_application()
    return schema


def _known_ids(pair: Any) -> dict[str, int]:
    """One real object for each kind of path id the fixtures can build, in the pair's world.

    Path ids with no object here are generated, and mostly answer 404: that is checked too.
    """
    cast = pair.cast
    relationship = pair.relationship
    goal = GoalFactory(relationship=relationship, created_by=pair.mentee)
    run = MatchRunFactory(program=cast.program)
    return {
        "program_id": cast.program.pk,
        "relationship_id": relationship.pk,
        "user_id": cast.member.pk,
        "participant_id": cast.mentee_participant.pk,
        "goal_id": goal.pk,
        "milestone_id": MilestoneFactory(goal=goal).pk,
        "action_item_id": ActionItemFactory(relationship=relationship).pk,
        "entry_id": JournalEntryFactory(relationship=relationship, author=pair.mentee).pk,
        "feedback_id": MentorFeedbackFactory(relationship=relationship).pk,
        "skill_id": SkillFactory(organization=cast.org).pk,
        "question_id": EnrollmentQuestionFactory(program=cast.program).pk,
        "run_id": run.pk,
        "proposal_id": MatchProposalFactory(run=run).pk,
        "endpoint_id": endpoint_for(cast.admin, "https://hooks.northwind.example/fuzz")[0].pk,
    }


def _takes_input(operation: Any) -> bool:
    # Only inputs can be malformed: an operation without any has no negative case.
    definition = operation.definition.raw
    return bool(definition.get("parameters") or definition.get("requestBody"))


def _run(
    operation: Any, token: str, ids: dict[str, int], mode: Any, checks: list, examples: int
) -> list[str]:
    names = set(re.findall(r"\{(\w+)\}", operation.path))
    path_parameters = {name: value for name, value in ids.items() if name in names}
    failures: list[str] = []

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        # No shrinking: a failure is reported as found (with a curl line to replay it), so a
        # broken operation costs its few examples, not minutes of search.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def exercise(case: Any) -> None:
        with transaction.atomic():
            try:
                case.call_and_validate(
                    headers={"Authorization": f"Bearer {token}", "Host": "testserver"},
                    checks=checks,
                )
            finally:
                transaction.set_rollback(True)

    try:
        exercise()
    except (Exception, BaseExceptionGroup) as error:  # every operation is tried, then reported
        failures.append(f"{operation.method.upper()} {operation.path}: {error}"[:3000])
    return failures


@pytest.fixture
def in_process_wsgi():
    """Serve the WSGI app inside the test's transaction, as Django's test client does.

    Django closes "obsolete" connections when a request starts and ends; inside the test's
    transaction that would poison it, so the handlers are detached for the test.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", ["mentee", "manager", "admin"])
def test_every_operation_keeps_the_contract(pair, in_process_wsgi, role):
    # given the live schema and someone in each role, with their own token
    user = pair.cast.by_name(role)
    _, token = api_token_create(user=user, name="fuzz")
    ids = _known_ids(pair)
    schema = _schema()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 150
    # when every operation gets generated requests, well-formed ones and malformed ones
    failures: list[str] = []
    for operation in operations:
        failures += _run(operation, token, ids, GenerationMode.POSITIVE, POSITIVE_CHECKS, EXAMPLES)
        if _takes_input(operation):
            failures += _run(
                operation, token, ids, GenerationMode.NEGATIVE, NEGATIVE_CHECKS, NEGATIVE_EXAMPLES
            )
    # then none broke the contract
    assert failures == [], "\n\n".join(failures)
