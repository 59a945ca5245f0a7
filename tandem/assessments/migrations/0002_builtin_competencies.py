"""Tandem's six built-in competencies. Idempotent: a built-in already there (by key) keeps
whatever an operator changed; only missing ones are created."""

from django.db import migrations

BUILTINS = [
    (
        "communication",
        "Communication",
        "I say what I mean clearly and briefly, check I was understood, and adapt how I say it "
        "to the person in front of me.",
    ),
    (
        "active_listening",
        "Active listening",
        "I give the speaker my full attention, let them finish, notice what is not said, and "
        "play back what I heard before I answer.",
    ),
    (
        "empathy",
        "Empathy",
        "I try to understand how a situation feels from the other person's side, and I show "
        "it without judging or rushing to fix it.",
    ),
    (
        "giving_feedback",
        "Giving feedback",
        "My feedback is specific, timely and actionable; I name strengths as well as what to "
        "develop, and I describe behaviour rather than the person.",
    ),
    (
        "receiving_feedback",
        "Receiving feedback",
        "I ask for feedback, listen without defending myself, ask questions to understand it, "
        "and decide what I will do with it.",
    ),
    (
        "goal_setting",
        "Goal setting",
        "I turn what I want into specific goals with a measure and a date, break them into "
        "steps, and review them as things change.",
    ),
]


def create_builtins(apps, schema_editor):
    Competency = apps.get_model("assessments", "Competency")
    for order, (key, name, description) in enumerate(BUILTINS):
        Competency.objects.get_or_create(
            key=key,
            program=None,
            defaults={
                "organization": None,
                "name": name,
                "description": description,
                "order": order,
                "is_active": True,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_competencies_self_assessments_ratings")]

    operations = [migrations.RunPython(create_builtins, migrations.RunPython.noop)]
