"""Personas the tests make themselves, so the suite runs from a bare clone.

``generated_personas(n)`` writes ``n`` distinct, varied persona descriptions from fixed word lists
with a seeded generator: the same list on every machine and every run. The shapes follow the Persona
Hub sample's (one sentence, 4-40 words, mean ~13; a role, often a place, a "who ..." clause, an
interest), in three lengths: short (5-12 words), medium, long (18+ distinct words), so the dedup
tests find both the short personas a one-word edit takes below word-Jaccard 0.9 and the long ones
it does not. No two personas reach word Jaccard 0.6 (0.7 with the package tokeniser), which keeps them
apart under word Jaccard and under both embedders (tests/unit/test_persona_corpus.py checks it).

The real Persona Hub sample (5,000 personas, not in the repository: licence) is found only through
``persona_hub_sample()``, which skips the calling test when it is absent.
"""

from __future__ import annotations

import functools
import json
import os
import random
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _items(block: str) -> tuple[str, ...]:
    """Word-list items written as one block, separated by ``|``."""
    return tuple(" ".join(item.split()) for item in block.split("|"))


ROLES = _items(
    """
    nurse | welder | ferry captain | tax lawyer | beekeeper | pastry chef | school librarian | marine biologist
    | bus driver | violin teacher | structural engineer | dairy farmer | emergency dispatcher | museum curator |
    locksmith | sports physiotherapist | court interpreter | tram mechanic | wildlife photographer | pharmacist
    | bookbinder | air traffic controller | glassblower | union organiser | radio host | hospice chaplain | data
    journalist | stonemason | orthodontist | crossword setter | fire lookout | sommelier | tattoo artist |
    midwife | harbour pilot | game designer | seismologist | florist | insurance adjuster | puppeteer | patent
    examiner | vineyard manager | speech therapist | lighthouse keeper | fashion buyer | archivist | dog groomer
    | cryptographer | choir director | forensic accountant | customs officer | climbing instructor | perfumer |
    sound engineer | beat reporter | textile conservator | long-haul trucker | veterinary surgeon | urban
    planner | cheesemaker | parole officer | translator of Korean poetry | ice cream vendor | hydrologist |
    cartographer | night-shift baker | carpenter | occupational therapist | kite maker | meteorologist | wedding
    photographer | blacksmith | opera prompter | social worker | roboticist | chess coach | flight attendant |
    organic chemist | piano tuner | park ranger | sign language interpreter | comic book inker | deep-sea diver
    | bicycle courier | tailor | actuary | epidemiologist | auctioneer | zookeeper | video game speedrunner |
    potter | election observer | ski patroller | copy editor | ethnobotanist | dental hygienist | playwright |
    barista | mining surveyor | prison librarian | stage electrician | pediatric oncologist | fishmonger |
    watchmaker | aerospace technician | herbalist | storm chaser | ombudsman | saxophonist | landscape architect
    | sheep shearer | cybersecurity analyst | tour guide | falconer | court stenographer | mortician |
    kindergarten teacher | cocoa trader | rail signaller | drone pilot | esports commentator
    """
)

STAGES = _items(
    """
    retired | young | mid-career | newly qualified | veteran | aspiring | self-taught | semi-retired |
    overworked | freelance | part-time | award-winning | former | trainee
    """
)

PLACES = _items(
    """
    from Ohio | in rural Kenya | based in Lisbon | from a fishing village in Norway | in downtown Toronto | from
    Osaka | living in Buenos Aires | from the Scottish Highlands | in a small town in Iowa | based in Nairobi |
    from Marseille | working in Singapore | from Kerala | in suburban Melbourne | from Krakow | on a Greek
    island | from Tucson | in Reykjavik | from the Welsh valleys | based in Montreal | from Cape Town | in
    Manila | from rural Saskatchewan | in Tallinn | from New Orleans | based in Bogota | from Hokkaido | in
    Glasgow | from Lagos | in Hanoi
    """
)

ACTIVITIES = _items(
    """
    volunteers at the local animal shelter on weekends | keeps a detailed diary of every storm since 1998 |
    restores vintage motorcycles in a cramped garage | runs a podcast about forgotten inventors | teaches
    evening classes in basic bookkeeping | collects antique maps of the Baltic coast | is training for a first
    marathon at fifty | grows rare chilli peppers on a tiny balcony | writes letters to the editor about noisy
    leaf blowers | coaches an under-twelve girls' football team | is learning Portuguese to read Saramago in the
    original | builds ship models inside glass bottles | organises neighbourhood clean-ups along the river |
    maintains a spreadsheet of every bird seen since childhood | argues online about the best way to brew green
    tea | repairs broken radios for elderly neighbours | sings bass in an amateur barbershop quartet | is
    writing a mystery novel set in a lighthouse | plays competitive Scrabble at regional tournaments | documents
    abandoned railway stations | bakes sourdough for the village market every Saturday | mentors
    first-generation university students | translates children's books into Welsh | fosters retired greyhounds |
    brews cider from windfall apples | lobbies the city council for protected bike lanes | keeps bees on the
    roof of a hospital | studies medieval siege engines as a hobby | paints watercolours of industrial ruins |
    hosts a monthly board game night for strangers | reads every published account of polar expeditions |
    campaigns against light pollution in national parks | knits sweaters for penguins rescued from oil spills |
    runs a small youth chess club in a church basement | records the dialect words of older relatives | fixes
    typos on Wikipedia late at night | swims in the sea every morning, even in January | collects recipes from
    grandmothers across the region | builds birdhouses from reclaimed pallets | follows cricket statistics with
    unusual devotion | volunteers as a crisis line listener | restores stained glass windows in old chapels |
    keeps an aquarium of freshwater shrimp | teaches seniors how to spot phishing emails | rides a unicycle to
    work | plays the theremin at open mic nights | breeds heritage chickens | maps hiking trails for an
    open-source project | is obsessed with fermentation | tracks the migration of monarch butterflies |
    translates old sea shanties | referees amateur boxing | writes fan fiction about nineteenth-century
    explorers | builds mechanical keyboards from kits | donates blood every eight weeks and keeps count | runs a
    seed library from a converted phone box | practises Japanese calligraphy before sunrise | sails a wooden
    dinghy on the lake | grows bonsai from cuttings | designs tabletop role-playing campaigns | restores pinball
    machines | photographs doors of every town visited | learns sign language from online videos | researches
    the family tree back to the 1700s | plays bagpipes at funerals | investigates local ghost stories | cooks
    for a soup kitchen on Thursdays | debates philosophy in a pub reading group | repairs violins for a youth
    orchestra | collects meteorites | dances tango twice a week | keeps a blog about public toilets in Europe |
    writes haiku about commuting | carves spoons from green wood | surfs at dawn before shifts | competes in pub
    quizzes about geography | trains search-and-rescue dogs | teaches coding to refugees | rebuilds dry stone
    walls | charts tide tables by hand | hunts for fossils on eroding cliffs | sews costumes for a community
    theatre | curates a library of cassette tapes | volunteers at a hospice garden | races pigeons | restores
    typewriters | builds telescopes from salvaged lenses | interviews elderly sailors for an oral history
    """
)

INTERESTS = _items(
    """
    a passion for jazz | a soft spot for stray cats | a fear of deep water | a weakness for detective novels |
    strong opinions about punctuation | a love of spicy food | an interest in Byzantine history | a talent for
    mental arithmetic | a distrust of smartphones | a collection of vinyl records | two teenage children | a
    chronic back injury | a side business selling honey | a degree in philosophy | a pilot's licence | an
    allotment full of pumpkins | a habit of arriving early | a stammer | a large extended family | a background
    in the military | a dry sense of humour | a love of old films | a knack for fixing things | little patience
    for meetings | a brother in the navy | a vegan diet
    """
)

HABITS = _items(
    """
    often sketching strangers on the train | usually up before five | rarely without a notebook | always curious
    about how things are made | quietly sceptical of new technology | known for long emails | proud of never
    owning a car | happiest outdoors | saving for a trip to Patagonia | worried about rising rents | keen to
    retire by the sea | hoping to publish a memoir
    """
)


_COMMON = frozenset({"a", "an", "who", "with", "and", "in", "from", "the", "of", "to", "at", "on", "for", "has", "is"})


def _short(rng: random.Random, role: str, activity: str) -> str:
    # 5-12 words: a role and either a place or the first words of an activity.
    if rng.random() < 0.5:
        return f"A {rng.choice(STAGES)} {role} {rng.choice(PLACES)}"
    return f"A {role} who {activity}"


def _medium(rng: random.Random, role: str, activity: str) -> str:
    shape = rng.randrange(3)
    if shape == 0:
        return f"A {rng.choice(STAGES)} {role} who {activity}."
    if shape == 1:
        return f"A {role} {rng.choice(PLACES)} with {rng.choice(INTERESTS)}"
    return f"A {role} {rng.choice(PLACES)} who {activity}"


def _long(rng: random.Random, role: str, activity: str) -> str:
    shape = rng.randrange(3)
    stage, place, interest, habit = rng.choice(STAGES), rng.choice(PLACES), rng.choice(INTERESTS), rng.choice(HABITS)
    if shape == 0:
        return f"A {stage} {role} {place} who {activity} and has {interest}, {habit}."
    if shape == 1:
        return f"A {role} {place} with {interest} who {activity}, {habit}"
    return f"A {stage} {role} who {activity}; {habit}, with {interest}."


@functools.lru_cache(maxsize=4)
def generated_personas(n: int = 3000, seed: int = 7) -> tuple[str, ...]:
    """``n`` distinct personas, a third each short, medium and long, deterministic for a seed."""
    rng = random.Random(seed)
    pairs = [(r, a) for r in ROLES for a in ACTIVITIES]
    rng.shuffle(pairs)
    makers = (_short, _medium, _long)
    out: list[str] = []
    bags: list[set[str]] = []
    postings: dict[str, list[int]] = {}  # word -> personas holding it, to compare only with those
    for k, (role, activity) in enumerate(pairs):
        text = makers[k % 3](rng, role, activity)
        second = text.split()[1].lower()
        if second[0] in "aeiou" and not second.startswith(("uni", "eu")):
            text = "An " + text[2:]  # "An aspiring", "An organic chemist", but "A union organiser"
        # Keep word Jaccard < 0.6 between any two, well below the 0.9 the dedup tests plant copies at.
        bag = set(text.lower().replace(",", " ").replace(".", " ").replace(";", " ").split())
        rare = bag - _COMMON
        shared = Counter(i for w in rare for i in postings.get(w, ()))
        needed = 0.6 * len(bag) - (len(bag) - len(rare))  # J >= 0.6 needs this many shared rare words
        if any(c >= needed and len(bag & bags[i]) >= 0.6 * len(bag | bags[i]) for i, c in shared.items()):
            continue
        for w in rare:
            postings.setdefault(w, []).append(len(bags))
        bags.append(bag)
        out.append(text)
        if len(out) == n:
            return tuple(out)
    raise ValueError(f"only {len(out)} distinct personas from these word lists")


def sample_dir() -> Path | None:
    """The Persona Hub sample: PERSONAGRAPH_SAMPLE_DIR, else ``shared/personahub-sample`` beside the checkout or a parent."""
    if os.environ.get("PERSONAGRAPH_SAMPLE_DIR"):
        path = Path(os.environ["PERSONAGRAPH_SAMPLE_DIR"])
        return path if (path / "personas.jsonl").is_file() else None
    for parent in ROOT.parents:  # a git worktree sits a level or two below the folder holding shared/
        candidate = parent / "shared" / "personahub-sample"
        if (candidate / "personas.jsonl").is_file():
            return candidate
    return None


def persona_hub_sample() -> Path:
    """The sample's folder, or skip the calling test with the reason."""
    found = sample_dir()
    if found is None:
        pytest.skip(
            "Persona Hub sample not found beside the checkout (../shared/personahub-sample); set PERSONAGRAPH_SAMPLE_DIR"
        )
    return found


def persona_hub_texts(n: int | None = None) -> list[str]:
    lines = (persona_hub_sample() / "personas.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["persona"] for line in (lines if n is None else lines[:n])]
