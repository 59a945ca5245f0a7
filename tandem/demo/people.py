"""The demo's cast, generated deterministically so every `seed_demo` run describes the same people.

Pure data: no Django here. The command turns these records into rows through the services.
"""

import random
from dataclasses import dataclass, field

FIRST_NAMES = [
    "Priya",
    "Liam",
    "Amara",
    "Noah",
    "Sofia",
    "Kenji",
    "Fatima",
    "Lucas",
    "Chloe",
    "Mateo",
    "Aisha",
    "Oliver",
    "Mei",
    "Ethan",
    "Zara",
    "Gabriel",
    "Ingrid",
    "Tomás",
    "Nadia",
    "Samuel",
    "Leila",
    "Jonas",
    "Yuki",
    "Daniel",
    "Hana",
    "Marcus",
    "Elena",
    "Kwame",
    "Isla",
    "Ravi",
    "Grace",
    "Omar",
    "Freya",
    "Diego",
    "Anika",
    "Hugo",
    "Maya",
    "Felix",
    "Ama",
    "Arjun",
    "Clara",
    "Tariq",
    "Nora",
    "Ivan",
    "Lucía",
    "Benedict",
    "Sana",
    "Emeka",
    "Julia",
    "Wei",
]
LAST_NAMES = [
    "Sharma",
    "O'Connor",
    "Okafor",
    "Müller",
    "Rossi",
    "Tanaka",
    "Haddad",
    "Silva",
    "Dubois",
    "García",
    "Bello",
    "Smith",
    "Chen",
    "Johnson",
    "Ahmed",
    "Costa",
    "Larsen",
    "Fernández",
    "Kowalski",
    "Mensah",
    "Nakamura",
    "Novak",
    "Park",
    "Evans",
    "Hoffmann",
    "Ivanova",
    "Kaur",
    "Lindqvist",
    "Moreau",
    "Nguyen",
    "Patel",
    "Quinn",
    "Reyes",
    "Schmidt",
    "Taylor",
    "Usman",
    "Virtanen",
    "Walsh",
    "Yilmaz",
    "Zhang",
]
DEPARTMENTS = {
    "Engineering": [
        "Software Engineer",
        "Senior Software Engineer",
        "Engineering Manager",
        "Staff Engineer",
        "QA Engineer",
        "Site Reliability Engineer",
    ],
    "Product": ["Product Manager", "Senior Product Manager", "Product Designer", "UX Researcher"],
    "Data": ["Data Analyst", "Data Scientist", "Analytics Engineer", "Head of Data"],
    "Sales": ["Account Executive", "Sales Development Rep", "Regional Sales Director"],
    "Marketing": ["Content Marketer", "Brand Manager", "Marketing Operations Lead"],
    "People": ["HR Business Partner", "Talent Acquisition Partner", "L&D Specialist"],
    "Finance": ["Financial Analyst", "Controller", "FP&A Manager"],
    "Operations": ["Operations Coordinator", "Supply Chain Analyst", "Operations Director"],
}
LOCATIONS = [
    ("London", "Europe/London"),
    ("Manchester", "Europe/London"),
    ("Berlin", "Europe/Berlin"),
    ("Lisbon", "Europe/Lisbon"),
    ("New York", "America/New_York"),
    ("Toronto", "America/Toronto"),
    ("São Paulo", "America/Sao_Paulo"),
    ("Bangalore", "Asia/Kolkata"),
    ("Singapore", "Asia/Singapore"),
    ("Lagos", "Africa/Lagos"),
]
SKILLS = {
    "Leadership": [
        "Leading without authority",
        "Giving feedback",
        "Coaching",
        "Delegation",
        "Managing conflict",
        "Strategic thinking",
    ],
    "Communication": [
        "Public speaking",
        "Writing for executives",
        "Negotiation",
        "Storytelling with data",
        "Facilitation",
    ],
    "Technical": [
        "Python",
        "SQL",
        "System design",
        "Cloud architecture",
        "Machine learning",
        "Security basics",
        "Product analytics",
    ],
    "Career": [
        "Career planning",
        "Building a network",
        "Getting promoted",
        "Changing teams",
        "Work-life balance",
    ],
    "Business": [
        "Financial literacy",
        "Stakeholder management",
        "Customer discovery",
        "Roadmapping",
        "Pricing",
    ],
}
LANGUAGES = [
    "English",
    "Spanish",
    "Portuguese",
    "German",
    "French",
    "Hindi",
    "Mandarin",
    "Yoruba",
    "Japanese",
]
MENTEE_GOALS = [
    "I want to feel confident presenting to senior leaders and stop over-preparing slides.",
    "I'm aiming for my first team-lead role within a year and want to learn how to delegate.",
    "I'd like to move from analysis into data science and need a plan for the skills gap.",
    "I want to get better at negotiating scope with stakeholders without damaging trust.",
    "Returning from parental leave, I want to rebuild my network and visibility.",
    "I want to understand how decisions get made above my level and how to influence them.",
    "I'd like to build a habit of giving direct, kind feedback to peers.",
    "I want to decide whether to specialise technically or move towards management.",
    "I'm new to the company and want to learn how things really work here.",
    "I want to write clearer proposals that get approved the first time.",
]
MENTOR_BIOS = [
    "Led teams through two reorganisations; happy to talk about the messy middle of leadership.",
    "Started in support, now run a department. I enjoy helping people find their next step.",
    "Engineer turned manager turned engineer again — I can help you weigh both paths.",
    "I coach new managers on feedback and difficult conversations.",
    "Fifteen years in sales; I love helping people find their own voice with customers.",
    "Moved countries twice for work. Ask me about building a network from scratch.",
    "Data leader who cares about clear writing and honest metrics.",
    "I mentor because someone once did it for me; I listen more than I talk.",
]
AVAILABILITY = [
    "Tuesday and Thursday afternoons",
    "Early mornings before 10:00, any weekday",
    "Fridays, flexible",
    "Monday lunchtimes",
    "Wednesday late afternoon",
]


@dataclass
class DemoPerson:
    email: str
    first_name: str
    last_name: str
    job_title: str
    department: str
    location: str
    timezone: str
    seniority: int
    languages: list[str]
    skills_offered: list[str] = field(default_factory=list)
    skills_wanted: list[str] = field(default_factory=list)
    bio: str = ""
    goals: str = ""
    availability: str = ""
    mentor_capacity: int = 1


def all_skill_names() -> list[tuple[str, str]]:
    """(name, category) for every skill in the demo organisation's list."""
    return [(name, category) for category, names in SKILLS.items() for name in names]


def _person(
    rng: random.Random, email: str, *, senior: bool, first: str = "", last: str = ""
) -> DemoPerson:
    department = rng.choice(list(DEPARTMENTS))
    titles = DEPARTMENTS[department]
    location, tz = rng.choice(LOCATIONS)
    skill_names = [name for name, _ in all_skill_names()]
    others = [lang for lang in LANGUAGES if lang != "English"]
    languages = ["English", *rng.sample(others, rng.randint(0, 2))]
    person = DemoPerson(
        email=email,
        first_name=first or rng.choice(FIRST_NAMES),
        last_name=last or rng.choice(LAST_NAMES),
        job_title=titles[-1] if senior else titles[0],
        department=department,
        location=location,
        timezone=tz,
        seniority=rng.randint(4, 6) if senior else rng.randint(1, 3),
        languages=languages,
        availability=rng.choice(AVAILABILITY),
    )
    if senior:
        person.skills_offered = rng.sample(skill_names, rng.randint(3, 6))
        person.bio = rng.choice(MENTOR_BIOS)
        person.mentor_capacity = rng.randint(1, 4)
    else:
        person.skills_wanted = rng.sample(skill_names, rng.randint(2, 4))
        person.goals = rng.choice(MENTEE_GOALS)
        person.bio = f"{person.job_title} in {department}, based in {location}."
    return person


def northwind_people(
    *, mentors: int = 60, mentees: int = 150, seed: int = 2026
) -> tuple[list[DemoPerson], list[DemoPerson]]:
    """The named demo mentor and mentee first, then generated colleagues. Same seed, same people."""
    rng = random.Random(seed)
    mentor_list = [
        _person(rng, "mentor@northwind.example", senior=True, first="Morgan", last="Reyes")
    ]
    mentee_list = [
        _person(rng, "mentee@northwind.example", senior=False, first="Priya", last="Sharma")
    ]
    for index in range(1, mentors):
        mentor_list.append(_person(rng, f"mentor{index:03d}@northwind.example", senior=True))
    for index in range(1, mentees):
        mentee_list.append(_person(rng, f"mentee{index:03d}@northwind.example", senior=False))
    # The seeker (tandem.demo.self_matching) last and from a generator of her own, so the
    # generated colleagues stay who they were.
    mentee_list.append(
        _person(
            random.Random(seed + 1),
            "seeker@northwind.example",
            senior=False,
            first="Isla",
            last="Novak",
        )
    )
    return mentor_list, mentee_list
