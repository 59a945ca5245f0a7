"""The nudge rules, as one declarative table, and how each one finds what is due.

Every rule is evaluated over every programme at once: one query (or a fixed few) returns the
due (rule, subject, recipient, period) tuples, whatever the number of relationships. A
programme's settings (off, or a different timing) are loaded once and folded into that query
as an exclusion and a CASE over programme ids, never as a query per programme or per pair.

The period makes each occurrence unique (the meeting's start for a reminder, the ISO week for
the digest, the "since" date for inactivity), so the key `<rule>:<subject>:<recipient>:<period>`
names one message for good and evaluating again never enqueues it twice.

Where things are: `base` (Nudge, Rule, RuleSettings, the evaluation's Context and its
directory of open pairs, the shared query pieces), one module per rule family (`enrolment`,
`agreement`, `meetings`, `journey`, `goals`, `activity`, `digest`), and `table` (RULES).
A rule asks each concept's owner for it (signed, held, active goal) instead of writing it
again.
"""

from tandem.nudges.rules.base import Context, Nudge, Rule, RuleSettings, Unit
from tandem.nudges.rules.table import RULES, RULES_BY_NAME

__all__ = ["RULES", "RULES_BY_NAME", "Context", "Nudge", "Rule", "RuleSettings", "Unit"]
