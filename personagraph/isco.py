"""ISCO-08 (the ILO's International Standard Classification of Occupations): the 10 major groups and
43 sub-major groups, each with a few occupation words that point to it.

The codes are the standard's; the keyword lists are ours, short on purpose: ``code_for`` is a
fallback for imported occupation strings (Nemotron-Personas gives ``registered_nurse``,
``software_developer``, ...), not a coder. It answers only when one keyword matches as a whole word
and returns None otherwise, so an occupation it does not know stays without a code.
"""

from __future__ import annotations

import re
from functools import cache

MAJOR: dict[str, str] = {
    "0": "Armed forces occupations",
    "1": "Managers",
    "2": "Professionals",
    "3": "Technicians and associate professionals",
    "4": "Clerical support workers",
    "5": "Service and sales workers",
    "6": "Skilled agricultural, forestry and fishery workers",
    "7": "Craft and related trades workers",
    "8": "Plant and machine operators, and assemblers",
    "9": "Elementary occupations",
}

# code: (title, keywords). Keywords are matched as whole words in the lower-cased occupation, longest first.
SUB_MAJOR: dict[str, tuple[str, tuple[str, ...]]] = {
    "01": ("Commissioned armed forces officers", ("army officer", "naval officer", "military officer")),
    "02": ("Non-commissioned armed forces officers", ("sergeant", "corporal")),
    "03": ("Armed forces occupations, other ranks", ("soldier", "private soldier", "sailor")),
    "11": ("Chief executives, senior officials and legislators", ("ceo", "chief executive", "legislator", "senator")),
    "12": ("Administrative and commercial managers", ("hr manager", "finance manager", "marketing manager")),
    "13": ("Production and specialised services managers", ("construction manager", "it manager", "school principal")),
    "14": ("Hospitality, retail and other services managers", ("hotel manager", "restaurant manager", "shop manager")),
    "21": (
        "Science and engineering professionals",
        ("engineer", "physicist", "chemist", "biologist", "architect", "mathematician", "astronomer", "geologist"),
    ),
    "22": ("Health professionals", ("doctor", "physician", "nurse", "midwife", "dentist", "pharmacist", "surgeon")),
    "23": ("Teaching professionals", ("teacher", "professor", "lecturer", "educator", "tutor")),
    "24": ("Business and administration professionals", ("accountant", "financial analyst", "auditor", "economist")),
    "25": (
        "Information and communications technology professionals",
        ("software developer", "programmer", "software engineer", "data scientist", "web developer"),
    ),
    "26": (
        "Legal, social and cultural professionals",
        ("lawyer", "judge", "librarian", "journalist", "writer", "artist", "musician", "social worker", "psychologist"),
    ),
    "31": ("Science and engineering associate professionals", ("technician", "lab technician", "draughtsperson")),
    "32": ("Health associate professionals", ("paramedic", "nursing assistant", "dental hygienist", "optician")),
    "33": ("Business and administration associate professionals", ("bookkeeper", "insurance agent", "broker")),
    "34": ("Legal, social, cultural and related associate professionals", ("paralegal", "coach", "athlete", "chef")),
    "35": ("Information and communications technicians", ("it support", "network technician", "help desk")),
    "41": ("General and keyboard clerks", ("clerk", "secretary", "typist", "data entry")),
    "42": ("Customer services clerks", ("receptionist", "cashier", "call centre", "call center", "bank teller")),
    "43": ("Numerical and material recording clerks", ("payroll clerk", "stock clerk", "dispatcher")),
    "44": ("Other clerical support workers", ("mail carrier", "postman", "filing clerk")),
    "51": ("Personal service workers", ("cook", "waiter", "waitress", "hairdresser", "barber", "bartender", "barista")),
    "52": ("Sales workers", ("salesperson", "sales worker", "shop assistant", "retail", "vendor")),
    "53": ("Personal care workers", ("caregiver", "child care", "childcare", "home health aide", "nanny")),
    "54": ("Protective services workers", ("police", "firefighter", "security guard", "prison officer")),
    "61": ("Market-oriented skilled agricultural workers", ("farmer", "gardener", "beekeeper", "shepherd")),
    "62": ("Market-oriented skilled forestry, fishery and hunting workers", ("fisher", "fisherman", "forester")),
    "63": ("Subsistence farmers, fishers, hunters and gatherers", ("subsistence farmer",)),
    "71": ("Building and related trades workers", ("carpenter", "plumber", "electrician", "roofer", "mason")),
    "72": ("Metal, machinery and related trades workers", ("welder", "mechanic", "blacksmith", "machinist")),
    "73": ("Handicraft and printing workers", ("potter", "jeweller", "jeweler", "printer", "glassblower")),
    "74": ("Electrical and electronic trades workers", ("electronics repairer", "line installer")),
    "75": ("Food processing, wood working, garment and other craft workers", ("baker", "butcher", "tailor")),
    "81": ("Stationary plant and machine operators", ("machine operator", "plant operator")),
    "82": ("Assemblers", ("assembler",)),
    "83": ("Drivers and mobile plant operators", ("driver", "truck driver", "bus driver", "crane operator")),
    "91": ("Cleaners and helpers", ("cleaner", "janitor", "housekeeper")),
    "92": ("Agricultural, forestry and fishery labourers", ("farm labourer", "farmworker", "farm worker")),
    "93": ("Labourers in mining, construction, manufacturing and transport", ("labourer", "laborer", "mover")),
    "94": ("Food preparation assistants", ("kitchen helper", "dishwasher", "fast food")),
    "95": ("Street and related sales and service workers", ("street vendor",)),
    "96": ("Refuse workers and other elementary workers", ("garbage collector", "refuse collector", "courier")),
}

CODES: frozenset[str] = frozenset(MAJOR) | frozenset(SUB_MAJOR)


def title(code: str) -> str | None:
    """The group's title, for a 1-digit (major) or 2-digit (sub-major) code."""
    if code in MAJOR:
        return MAJOR[code]
    entry = SUB_MAJOR.get(code)
    return entry[0] if entry else None


@cache
def _pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    owner = {word: code for code, (_, words) in SUB_MAJOR.items() for word in words}
    words = sorted(owner, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")s?\b"), owner


def code_for(occupation: str | None) -> str | None:
    """The sub-major group an occupation string names by one of its keywords, else None."""
    if not occupation:
        return None
    text = re.sub(r"[_\-/]+", " ", occupation.lower())
    pattern, owner = _pattern()
    found = {owner[m.group(1)] for m in pattern.finditer(text)}
    return found.pop() if len(found) == 1 else None
