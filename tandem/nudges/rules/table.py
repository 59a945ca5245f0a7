"""The table of nudge rules: each row names a rule, its category, its default timing and
bounds, and the family module's function that finds what is due."""

from django.utils.translation import gettext_noop

from tandem.notifications.models import NotificationCategory
from tandem.nudges.rules.activity import inactivity, inactivity_escalation
from tandem.nudges.rules.agreement import agreement_unsigned
from tandem.nudges.rules.base import Rule, Unit
from tandem.nudges.rules.digest import manager_digest
from tandem.nudges.rules.enrolment import match_announced, welcome
from tandem.nudges.rules.goals import goal_due_soon
from tandem.nudges.rules.journey import closing, journey_step_due, midpoint
from tandem.nudges.rules.meetings import checkin_request, meeting_reminder, no_meeting_scheduled
from tandem.nudges.rules.surveys import survey_reminder, survey_sent

PAIR = gettext_noop("the mentor and the mentee")

RULES: tuple[Rule, ...] = (
    Rule(
        "welcome",
        gettext_noop("Welcome on enrolment"),
        NotificationCategory.WELCOME,
        0,
        Unit.HOURS,
        gettext_noop("Hours after enrolling"),
        gettext_noop(
            "Welcomes each person who enrols and points them to their profile and the resources."
        ),
        gettext_noop("the person who enrolled"),
        welcome,
        maximum=168,
    ),
    Rule(
        "match_announced",
        gettext_noop("Match announced"),
        NotificationCategory.WELCOME,
        0,
        Unit.HOURS,
        gettext_noop("Hours after the match"),
        gettext_noop("Tells both people who they are paired with and how to start."),
        PAIR,
        match_announced,
        maximum=168,
    ),
    Rule(
        "agreement_unsigned",
        gettext_noop("Agreement still unsigned"),
        NotificationCategory.REMINDERS,
        7,
        Unit.DAYS,
        gettext_noop("Days after the start"),
        gettext_noop("Reminds a pair that has not signed its agreement."),
        PAIR,
        agreement_unsigned,
        minimum=1,
    ),
    Rule(
        "no_meeting_scheduled",
        gettext_noop("No meeting scheduled"),
        NotificationCategory.REMINDERS,
        14,
        Unit.DAYS,
        gettext_noop("Days after the start"),
        gettext_noop("Prompts a pair with no meeting in the calendar to book one."),
        PAIR,
        no_meeting_scheduled,
        minimum=1,
    ),
    Rule(
        "meeting_reminder",
        gettext_noop("Meeting reminder"),
        NotificationCategory.REMINDERS,
        24,
        Unit.HOURS,
        gettext_noop("Hours before the meeting"),
        gettext_noop(
            "Reminds both people of a coming meeting, with the calendar invitation attached."
        ),
        PAIR,
        meeting_reminder,
        minimum=1,
        maximum=168,
    ),
    Rule(
        "checkin_request",
        gettext_noop("Check-in after a meeting"),
        NotificationCategory.REMINDERS,
        2,
        Unit.HOURS,
        gettext_noop("Hours after the meeting was held"),
        gettext_noop("Asks each person who has not checked in how useful the meeting was."),
        PAIR,
        checkin_request,
        maximum=168,
    ),
    Rule(
        "journey_step_due",
        gettext_noop("Journey step due"),
        NotificationCategory.JOURNEY,
        3,
        Unit.DAYS,
        gettext_noop("Days before the step is due"),
        gettext_noop("Reminds a pair of the next step of the programme's journey."),
        PAIR,
        journey_step_due,
        maximum=60,
    ),
    Rule(
        "goal_due_soon",
        gettext_noop("Goal or milestone due soon"),
        NotificationCategory.REMINDERS,
        7,
        Unit.DAYS,
        gettext_noop("Days before the due date"),
        gettext_noop("Reminds a pair of a goal's target date or a milestone's due date."),
        PAIR,
        goal_due_soon,
        minimum=1,
        maximum=60,
    ),
    Rule(
        "inactivity",
        gettext_noop("No activity"),
        NotificationCategory.NUDGES,
        3,
        Unit.WEEKS,
        gettext_noop("Weeks without activity"),
        gettext_noop("Nudges both people of a pair that has gone quiet."),
        PAIR,
        inactivity,
        minimum=1,
        maximum=52,
    ),
    Rule(
        "inactivity_escalation",
        gettext_noop("No activity: tell the managers"),
        NotificationCategory.NUDGES,
        6,
        Unit.WEEKS,
        gettext_noop("Weeks without activity"),
        gettext_noop("Tells the programme's managers when a pair stays quiet after its own nudge."),
        gettext_noop("the programme's managers"),
        inactivity_escalation,
        minimum=1,
        maximum=52,
    ),
    Rule(
        "midpoint",
        gettext_noop("Mid-point review"),
        NotificationCategory.JOURNEY,
        0,
        Unit.DAYS,
        gettext_noop("Days after the half-way date"),
        gettext_noop("Prompts a pair to review its goals half-way through."),
        PAIR,
        midpoint,
        maximum=60,
    ),
    Rule(
        "closing",
        gettext_noop("Closing prompt"),
        NotificationCategory.JOURNEY,
        14,
        Unit.DAYS,
        gettext_noop("Days before the planned end"),
        gettext_noop("Prompts a pair to plan a closing conversation."),
        PAIR,
        closing,
        minimum=1,
        maximum=90,
    ),
    Rule(
        "manager_digest",
        gettext_noop("Weekly digest for managers"),
        NotificationCategory.DIGEST,
        1,
        Unit.WEEKDAY,
        gettext_noop("Day of the week (1 = Monday)"),
        gettext_noop("New enrolments, people not matched yet and pairs at risk, once a week."),
        gettext_noop("the programme's managers"),
        manager_digest,
        minimum=1,
        maximum=7,
    ),
    Rule(
        "survey_sent",
        gettext_noop("Survey sent"),
        NotificationCategory.JOURNEY,
        7,
        Unit.DAYS,
        gettext_noop("Days a survey is still sent after it falls due"),
        gettext_noop("Sends each of the programme's surveys when it falls due for a pair."),
        gettext_noop("who each survey is for"),
        survey_sent,
        minimum=1,
        maximum=30,
    ),
    Rule(
        "survey_reminder",
        gettext_noop("Survey reminder"),
        NotificationCategory.REMINDERS,
        4,
        Unit.DAYS,
        gettext_noop("Days after the survey was sent"),
        gettext_noop("Reminds, once, each person who has not answered a survey."),
        gettext_noop("who has not answered"),
        survey_reminder,
        minimum=1,
        maximum=30,
    ),
)

RULES_BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES}

# "Milestone celebrated" is not a rule here: `goals.services.milestone_complete` already tells
# both people the moment a milestone is ticked (and goal_achieve when a goal is), so a
# scheduled rule would tell them twice.
