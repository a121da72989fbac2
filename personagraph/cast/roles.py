"""A persona's role in a few English words, from its text alone.

Three kinds of text:
- English third person, "A retired nurse who ...": the head noun phrase ("Retired nurse").
- First person, "I'm seventy and I have mended trawl nets by hand ...": "I'm a/an X" gives X;
  else the first "I <verb> <object>" gives an agent noun ("Net mender"), with the age when the
  text gives one ("Net mender of seventy").
- Another language, "Una periodista de Bilbao ...": the head's occupation words through a small
  word list (``occupations``), adjectives first ("Une institutrice retraitée" -> "Retired primary
  school teacher"); two occupations join with "and" ("Chess player and welder").
"""

from __future__ import annotations

import re

from personagraph.cast import occupations, persona_cues


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Leading articles, English and the other languages persona texts come in (es, pt, fr, de, it).
_ARTICLE = re.compile(r"^(?:a|an|the|un|una|uma|um|une|ein|eine|el|la|le|il|lo)\s+", re.I)
_FIRST_PERSON_LEFT = re.compile(r"^(?:I|I'm|I am|I've|my)\b", re.I)
_FIRST_PERSON = re.compile(r"^(?:I'm|I am|I’m)\s+(?=(?:a|an)\s)", re.I)
_STARTS_FIRST_PERSON = re.compile(r"^(?:I|I'm|I’m|I've|I’ve|I'd|My)\b")
_DETERMINERS = frozenset(("a", "an", "the", "of", "for", "to", "my", "his", "her", "their"))
_ROLE_END = re.compile(
    r"\s*(?:[,;:.(]|\s-\s|\b(?:who|whose|that|which|with|seeking|trying|looking|interested|passionate|"
    r"speciali[sz](?:ed|ing)|focus(?:ed|sed|ing)|known|working|living|dedicated|responsible|eager|keen|based|"
    r"at|from|in|on|for|into|obsessed|fluent|close|researching|studying|running|managing|teaching|writing|exploring|advocating|"
    r"and I|que|qui|der|die|das|który|która|które|che|con|com|mit|avec)\b)",
    re.I,
)
# -ing words that are part of a role ("mining engineer"), not the start of a clause ("woman recovering from").
_ROLE_GERUNDS = _set(
    "engineering nursing marketing accounting banking publishing training teaching mining building "
    "printing catering shipping planning farming fishing clothing housing recording racing sailing boxing "
    "climbing diving wedding gaming computing lighting landscaping hiking plumbing roofing welding baking "
    "brewing cleaning dressing finishing"
)
_AGE = re.compile(
    r"^I(?:'m|’m| am)\s+((?:\d{2,3})|(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-\w+)?))\b", re.I
)
_FIRST_PERSON_VERB = re.compile(
    r"\bI(?:\s+(?:have|had|'ve|’ve|still|also|now|often|always|usually|just))*\s+([a-z]+)\b"
)
_OBJECT_STOP = re.compile(
    r"\s*(?:[,;:.(]|\b(?:by|for|on|in|at|to|from|with|and|than|because|since|so|but|behind|along|near|since|"
    r"every|each|out|off|up|after|into)\b)",
    re.I,
)
_OBJECT_SKIP = _set(
    "a an the my our his her their this that these those some more most many much all three two four five "
    "six seven eight nine ten several few every lots of"
)


def _capital(role: str) -> str:
    return role[0].upper() + role[1:] if role else role


def _singular(noun: str) -> str:
    if noun.endswith("ies") and len(noun) > 4:
        return noun[:-3] + "y"
    if noun.endswith(("ches", "shes", "sses", "xes")):
        return noun[:-2]
    if noun.endswith("s") and not noun.endswith("ss") and len(noun) > 3:
        return noun[:-1]
    return noun


def _verb_base(word: str) -> str:
    word = word.lower()
    if word in occupations.VERB_FORMS:
        return occupations.VERB_FORMS[word]
    for suffix, cut in (("ied", "y"), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and word[: -len(suffix)] + cut in occupations.VERB_AGENTS:
            return word[: -len(suffix)] + cut
        if suffix == "ed" and word.endswith("ed") and word[:-1] in occupations.VERB_AGENTS:
            return word[:-1]  # "cared" -> "care"
    return word


def first_person_role(text: str) -> str | None:
    """ "I'm seventy and I have mended trawl nets by hand" -> "Net mender of seventy"; None if no verb fits."""
    flat = " ".join(text.split())
    if re.search(r"\b(?:rent|let)s?\s+(?:them|it|out|rooms|flats|houses)\b", flat):
        return _with_age("Landlord", flat)  # "I own three houses ... and rent them" lets, not owns
    for match in _FIRST_PERSON_VERB.finditer(flat):
        verb = _verb_base(match.group(1))
        agent = occupations.VERB_AGENTS.get(verb)
        if agent is None:
            continue
        rest = flat[match.end() :]
        if verb in ("look", "care") and re.match(r"\s+(?:after|for)\b", rest):
            return _with_age("Carer", flat)
        if agent in ("landlord", "courier", "student", "volunteer", "coach", "nurse", "cook", "tailor"):
            return _with_age(_capital(agent), flat)
        stop = _OBJECT_STOP.search(rest)
        phrase = rest[: stop.start()] if stop else rest
        nouns = [w for w in re.findall(r"[A-Za-z-]+", phrase) if w.lower() not in _OBJECT_SKIP]
        role = f"{_singular(nouns[-1].lower())} {agent}" if nouns else agent
        return _with_age(_capital(role), flat)
    return None


def _with_age(role: str, text: str) -> str:
    age = _AGE.match(text)
    return f"{role} of {age.group(1).lower()}" if age else role


def translated_role(text: str, language: str) -> str | None:
    """The head's occupations in English for a text in another language, or None when none is listed."""
    head = persona_cues.words(persona_cues.head_of(text))
    # A Polish or German head often lists two roles separated by a comma: read up to the relative clause.
    clause = persona_cues.words(re.split(r"\s(?:który|która|które|der|die|das|que|qui|che)\s", text, maxsplit=1)[0])
    found: list[str] = []
    adjectives: list[str] = []
    for word in clause if len(clause) <= 14 else head:
        # "retraitée" is an adjective once a noun is found ("institutrice retraitée"), else a noun (pensioner).
        if word in occupations.ROLE_ADJECTIVES and (found or word not in occupations.OCCUPATIONS):
            adjectives.append(occupations.ROLE_ADJECTIVES[word])
        elif word in occupations.OCCUPATIONS and occupations.OCCUPATIONS[word] not in found:
            found.append(occupations.OCCUPATIONS[word])
    if not found:
        return None
    if "software" in clause and found[0] in ("developer", "engineer"):
        found[0] = f"software {found[0]}"  # "desarrollador de software", "engenheiro de software"
    role = " and ".join(found[:2])
    words_before = [a for a in dict.fromkeys(adjectives) if a not in role]
    return _capital(" ".join([*words_before, role]))


def english_head_role(text: str, max_words: int = 6) -> str:
    """The head noun phrase of an English persona text ("" when it names none)."""
    head = _ARTICLE.sub("", _FIRST_PERSON.sub("", " ".join(text.split())))
    match = next((m for m in _ROLE_END.finditer(head) if m.start() > 0), None)
    if match:
        head = head[: match.start()]
    words = head.split()
    for i, word in enumerate(words[2:], start=2):
        bare = word.lower().strip(",.;:")
        # "woman recovering from ..." ends the role; "skipper of a sightseeing boat" does not.
        if bare.endswith("ing") and bare not in _ROLE_GERUNDS and words[i - 1].lower() not in _DETERMINERS:
            words = words[:i]
            break
    role = " ".join(words[:max_words]).strip(" ,.;:")
    if not role or _FIRST_PERSON_LEFT.match(role):
        return ""
    return _capital(role)


def derived_role(text: str, max_words: int = 6) -> str:
    """A short English role for the persona: "A retired nurse who ..." gives "Retired nurse"."""
    flat = " ".join(text.split())
    language = persona_cues.language_of(flat)
    if language != "en":
        translated = translated_role(flat, language)
        if translated:
            return translated
    if _STARTS_FIRST_PERSON.match(flat) and not _FIRST_PERSON.match(flat):
        role = first_person_role(flat)
        if role:
            return role
        place = re.search(r"\b(?:on|in|at)\s+((?:[A-Z][\w'’-]+\s?){1,3})", flat)
        return f"Resident of {place.group(1).strip()}" if place else "Resident"
    return english_head_role(flat, max_words) or "Resident"
