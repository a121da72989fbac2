"""What a persona text says about the person's gender and language or culture, without a model.

Gender: the head of the text (before its first relative clause) is read first, for a gendered noun
or title ("a woman", "widow", "landlady", "Mr"), a gendered article or ending in the text's own
language ("Una periodista", "Spawaczka", "Une institutrice", "Ein Schiffbauingenieur"); failing
that, pronouns and gendered relative pronouns in the whole text vote ("in her fifties", "który").
No cue gives ``None``, and the name stays neutral.

Culture: a text written in Spanish, Portuguese, French, German, Italian or Polish (function words
and letters), else an English text's stated origin ("from Valencia", "originally from Manila",
"a Japanese ..."). Default English.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Literal

Gender = Literal["f", "m"]


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.U)

FEMALE_WORDS = _set(
    "woman women lady girl mother mum mom wife widow daughter sister grandmother grandma granny aunt "
    "niece bride nun actress waitress hostess landlady businesswoman chairwoman policewoman fisherwoman "
    "sportswoman spokeswoman stewardess heiress princess queen duchess mrs ms miss madam housewife matron "
    "seamstress goddess girlfriend schoolgirl ballerina headmistress laundress sorority mistress "
    "congresswoman craftswoman forewoman horsewoman councilwoman sister-in-law mother-in-law daughter-in- "
    "law grandmother-in-law"
)
MALE_WORDS = _set(
    "man men gentleman boy father dad husband widower son brother grandfather grandpa uncle nephew groom "
    "monk landlord businessman chairman policeman fisherman sportsman spokesman steward heir prince king "
    "duke mr sir boyfriend schoolboy fireman postman handyman craftsman salesman tradesman foreman "
    "headmaster congressman horseman councilman trawlerman ferryman boatman lifeboatman seaman brother- "
    "in-law father-in-law son-in-law"
)
# The whole-text vote: pronouns in English, gendered relative pronouns elsewhere.
FEMALE_PRONOUNS = _set("she her hers herself która która które ela dela ella elle celle")
MALE_PRONOUNS = _set("he him his himself który ele dele él lui celui")

# The head's first word after an article, by language, says the gender by its article or ending.
_ARTICLES: dict[str, dict[str, Gender]] = {
    "es": {"una": "f", "la": "f", "un": "m", "el": "m"},
    "pt": {"uma": "f", "a": "f", "um": "m", "o": "m"},
    "fr": {"une": "f", "la": "f", "un": "m", "le": "m"},
    "it": {"una": "f", "la": "f", "un": "m", "uno": "m", "il": "m", "lo": "m"},
    "de": {"eine": "f", "die": "f", "ein": "m", "der": "m"},
}
# Feminine endings of occupational nouns, by language (spawaczka, nauczycielka; Ingenieurin; institutrice).
_FEMININE_ENDINGS: dict[str, tuple[str, ...]] = {
    "pl": ("ka", "yni", "ini", "owa"),
    "de": ("in", "frau"),
    "fr": ("trice", "euse", "ière", "ienne", "ée", "esse"),
    "es": ("era", "ora", "ista", "ada", "ica", "ana", "esa"),
    "pt": ("eira", "ora", "ada", "ica", "ista", "esa"),
    "it": ("essa", "trice", "iera", "ista", "ora"),
}
_MASCULINE_ENDINGS: dict[str, tuple[str, ...]] = {
    "pl": ("acz", "arz", "ista", "iel", "ik", "ec", "or", "er", "ent", "ant", "yk", "ta"),
    "de": ("er", "eur", "ist", "ant", "mann", "ent", "or"),
    "fr": ("teur", "eur", "ier", "ien", "é", "ant"),
    "es": ("ero", "or", "ado", "ico", "ano", "o"),
    "pt": ("eiro", "or", "ado", "ico", "o"),
    "it": ("iere", "ore", "o"),
}

_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": _set("the a an of and who with in to is for on at his her their from that"),
    "es": _set("el la los las una un que y de del en con para por se su es como"),
    "pt": _set("o os as uma um que e de do da dos das em no na com para se seu sua anos"),
    "fr": _set("le la les une un qui et de du des en dans avec pour est au aux sur"),
    "de": _set("der die das ein eine und in im am von mit für ist sich aus den dem des jahre"),
    "it": _set("il lo la gli le una un che e di del della in con per è si"),
    "pl": _set("w z i na się który która które jest do od lat w oraz ze we"),
}
_LETTERS: dict[str, str] = {"pl": "łśżźćńąę", "pt": "ãõç", "es": "ñ", "de": "ßäöü", "fr": "èêëçàùœ"}

# Origin cues in English texts: a place or demonym -> culture. Matched after "from", "born in",
# "native of", or as an adjective in the head ("a Japanese teacher").
ORIGINS: dict[str, str] = {}
for _culture, _words in {
    "es": "spain spanish madrid barcelona valencia bilbao seville sevilla málaga malaga granada mexico mexican "
    "argentina argentine argentinian colombia colombian chile chilean peru peruvian cuba cuban venezuela "
    "venezuelan hispanic latina latino basque andalusia andalusian catalan ecuador ecuadorian bolivia",
    "pt": "portugal portuguese lisbon lisboa porto peniche brazil brazilian são paulo rio angola mozambique",
    "fr": "france french paris lyon marseille brest brittany breton normandy toulouse bordeaux nantes quebec "
    "québécois quebecois lille",
    "de": "germany german berlin munich hamburg kiel cologne frankfurt bavaria bavarian austria austrian vienna "
    "swiss bremen dresden leipzig",
    "it": "italy italian rome milan naples sicily sicilian florence venice turin genoa sardinia",
    "pl": "poland polish warsaw kraków krakow gdańsk gdansk poznań poznan wrocław wroclaw łódź lodz szczecin",
    "ar": "syria syrian lebanon lebanese egypt egyptian jordan jordanian iraq iraqi morocco moroccan saudi "
    "palestine palestinian yemen yemeni damascus cairo beirut aleppo arab algeria algerian tunisia tunisian",
    "ja": "japan japanese tokyo osaka kyoto hokkaido okinawa",
    "zh": "china chinese beijing shanghai guangzhou shenzhen taiwan taiwanese cantonese",
    "in": "india indian mumbai delhi bangalore bengaluru kolkata chennai punjab punjabi kerala gujarat tamil",
    "af": "nigeria nigerian lagos ghana ghanaian accra yoruba igbo kenya kenyan nairobi senegal",
    "ru": "russia russian moscow petersburg siberia ukraine ukrainian kyiv kiev belarus",
    "fil": "philippines filipino filipina manila cebu",
}.items():
    for _word in _words.split():
        ORIGINS[_word] = _culture
_ORIGIN_LEAD = re.compile(r"\b(?:from|born in|native of|grew up in|raised in|immigrated from|emigrated from)\s+", re.I)
_HEAD_END = re.compile(
    r"\s(?:who|whose|that|which|que|qui|der|die|das|który|która|które|che)\s|[,;:.(]|\s-\s|\s—\s", re.I
)


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def head_of(text: str) -> str:
    """The text up to its first relative clause or punctuation: "A widow of a fisherman who ..."."""
    match = _HEAD_END.search(text)
    return text[: match.start()] if match else text


def language_of(text: str) -> str:
    """ "en", "es", "pt", "fr", "de", "it" or "pl", by function words and letters (English on a tie)."""
    tokens = words(text)
    lowered = text.lower()
    scores = Counter({lang: sum(t in vocab for t in tokens) for lang, vocab in _FUNCTION_WORDS.items()})
    for lang, letters in _LETTERS.items():
        scores[lang] += 2 * sum(lowered.count(ch) for ch in letters)
    best, score = max(scores.items(), key=lambda kv: (kv[1], kv[0] == "en"))
    return best if best != "en" and score > scores["en"] else "en"


def culture_of(text: str, language: str | None = None) -> str:
    """The culture names are drawn from: the text's language, else an English text's stated origin."""
    language = language or language_of(text)
    if language != "en":
        return language
    for match in _ORIGIN_LEAD.finditer(text):
        following = words(text[match.end() : match.end() + 40])[:3]
        for i in range(len(following)):
            culture = ORIGINS.get(following[i]) or ORIGINS.get(" ".join(following[i : i + 2]))
            if culture:
                return culture
            if following[i] not in ("the", "a", "an"):
                break
    for word in words(head_of(text)):
        if word in ORIGINS and not word.endswith(("land",)):
            return ORIGINS[word]
    return "en"


def _ending_gender(word: str, language: str) -> Gender | None:
    # Polish -ista is masculine (szachista); its feminine is -istka, caught by -ka.
    polish_ista = language == "pl" and word.endswith("ista")
    if any(word.endswith(end) for end in _FEMININE_ENDINGS.get(language, ())) and not polish_ista:
        return "f"
    if any(word.endswith(end) for end in _MASCULINE_ENDINGS.get(language, ())):
        return "m"
    return None


def gender_of(text: str, language: str | None = None) -> Gender | None:
    """ "f", "m", or None when the text shows no gender."""
    language = language or language_of(text)
    head = words(head_of(text))
    for word in head:
        if word in FEMALE_WORDS:
            return "f"
        if word in MALE_WORDS:
            return "m"
    if language != "en" and head:
        articles = _ARTICLES.get(language, {})
        noun = head[1] if head[0] in articles and len(head) > 1 else head[0]
        by_article = articles.get(head[0])
        # Spanish/Portuguese nouns in -ista are either gender; their article decides.
        by_ending = _ending_gender(noun, language)
        if language in ("es", "pt", "it", "fr") and by_article:
            return by_article
        if by_ending:
            return by_ending
        if by_article:
            return by_article
    tokens = words(text)
    female = sum(t in FEMALE_PRONOUNS for t in tokens)
    male = sum(t in MALE_PRONOUNS for t in tokens)
    if female > male:
        return "f"
    if male > female:
        return "m"
    return None
