"""Small resource files for the tests (never the shipped folder, except in one test)."""

from pathlib import Path

ARTICLE = """---
title: Asking open questions
kind: article
audience: both
stages: getting-started, working-together
skills: asking questions, active listening
summary: Questions that start with what and how.
minutes: 4
---
Open questions start with **what** or **how**.
"""

CHECKLIST = """---
title: First meeting checklist
kind: checklist            # article | checklist | ...
audience: mentor
stages: getting-started
skills: building trust
summary: Before, during and after.
minutes: 5
---
Before the meeting:

- [ ] Read their profile.
- [ ] Send the invitation.

During:

- [ ] Agree how often you meet.
"""

GUIDE = """---
title: Mid-point conversation
kind: guide
audience: both
stages: mid-point-review
skills: reflection
summary: Questions for half-time.
minutes: 10
---
Use these at the half-way meeting.

? What has changed since we started?
? What would you like more of?
"""

LINK = """---
title: A talk on listening
kind: video
audience: mentee
stages: working-together
summary: Twenty minutes worth watching.
url: https://example.org/talk
minutes: 20
---
"""

MODULE = """---
title: Mentoring in five lessons
kind: module
audience: mentor
stages: getting-started
skills: mentoring basics
summary: A short course for new mentors.
minutes: 30
---
Welcome.

## Lesson: What a mentor does
Listens more than talks.

## Lesson: The first meeting
Agree the ground rules.

## Check
Q: Who owns the goals?
- [ ] The mentor
- [x] The mentee

Q: Who talks most?
- [x] The mentee
- [ ] The mentor
"""

ALL = {
    "asking-open-questions": ARTICLE,
    "first-meeting-checklist": CHECKLIST,
    "mid-point-conversation": GUIDE,
    "a-talk-on-listening": LINK,
    "mentoring-in-five-lessons": MODULE,
}


def write_content(directory: Path, files: dict[str, str] | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for slug, text in (ALL if files is None else files).items():
        (directory / f"{slug}.md").write_text(text, encoding="utf-8")
    return directory
