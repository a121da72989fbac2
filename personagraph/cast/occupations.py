"""A small word list: occupations and role words in the languages the example persona texts use
(Spanish, Portuguese, French, German, Italian, Polish), in English, both genders' forms.

Enough for the head nouns of persona texts ("Spawaczka z Poznania" -> welder, "Una periodista de
Bilbao" -> journalist); a word not listed keeps the text's own wording.
"""

from __future__ import annotations


def _table(rows: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in rows.strip().splitlines():
        english, forms = line.split(":", 1)
        for form in forms.split():
            out[form.strip().lower()] = english.strip()
    return out


OCCUPATIONS: dict[str, str] = _table(
    """
    welder: spawacz spawaczka soldador soldadora soudeur soudeuse schweißer schweißerin saldatore saldatrice
    chess player: szachista szachistka ajedrecista xadrezista joueur joueuse schachspieler schachspielerin scacchista
    journalist: periodista dziennikarz dziennikarka jornalista journaliste journalist journalistin giornalista
    correspondent: corresponsal correspondente correspondant correspondante korrespondent korrespondentin corrispondente
    fishmonger: peixeira peixeiro pescadera pescadero poissonnier poissonnière fischhändler fischhändlerin pescivendolo pescivendola sprzedawczyni_ryb
    fisher: pescador pescadora pêcheur pêcheuse fischer fischerin pescatore pescatrice rybak rybaczka
    nurse: enfermera enfermero enfermeira enfermeiro infirmière infirmier krankenschwester krankenpfleger pflegerin pfleger infermiera infermiere pielęgniarka pielęgniarz
    doctor: médico médica médecin arzt ärztin medico lekarz lekarka
    teacher: maestra maestro profesora profesor professora professor professeur professeure lehrer lehrerin insegnante nauczyciel nauczycielka
    primary school teacher: institutrice instituteur grundschullehrer grundschullehrerin
    engineer: ingeniera ingeniero engenheira engenheiro ingénieur ingénieure ingenieur ingenieurin ingegnere inżynier inżynierka
    shipbuilding engineer: schiffbauingenieur schiffbauingenieurin
    naval architect: schiffbauer schiffbauerin
    cook: cocinera cocinero cozinheira cozinheiro cuisinier cuisinière koch köchin cuoca cuoco kucharz kucharka
    baker: panadera panadero padeira padeiro boulanger boulangère bäcker bäckerin fornaia fornaio piekarz piekarka
    lawyer: abogada abogado advogada advogado avocat avocate anwalt anwältin avvocata avvocato prawnik prawniczka adwokat
    student: estudiante estudante étudiant étudiante student studentin studentessa studente studentka
    pensioner: jubilada jubilado reformada reformado retraité retraitée rentner rentnerin pensionata pensionato emeryt emerytka
    sailor: marinera marinero marinheira marinheiro marin matrose marinaio marynarz
    shopkeeper: comerciante tendera tendero lojista commerçant commerçante händler händlerin negoziante sklepikarz sklepikarka
    seller: vendedora vendedor vendeuse vendeur verkäufer verkäuferin venditrice venditore sprzedawca sprzedawczyni
    farmer: agricultora agricultor campesina campesino agricultrice agriculteur bauer bäuerin contadina contadino rolnik rolniczka
    driver: conductora conductor motorista chauffeur fahrer fahrerin autista kierowca
    shipyard worker: stoczniowiec astillero estaleiro werftarbeiter werftarbeiterin
    dockworker: estibador estivador docker hafenarbeiter portuale doker
    mechanic: mecánica mecánico mecânico mécanicien mécanicienne mechaniker mechanikerin meccanico mechanik
    electrician: electricista eletricista électricien électricienne elektriker elektrikerin elettricista elektryk
    carpenter: carpintera carpintero carpinteiro charpentier menuisier tischler tischlerin zimmermann falegname stolarz cieśla
    painter: pintora pintor peintre maler malerin pittore pittrice malarz malarka
    writer: escritora escritor écrivain écrivaine schriftsteller schriftstellerin scrittore scrittrice pisarz pisarka
    priest: sacerdote cura padre prêtre pfarrer priester prete ksiądz
    pharmacist: farmacéutica farmacéutico farmacêutica farmacêutico pharmacien pharmacienne apotheker apothekerin farmacista farmaceuta
    waiter: camarera camarero empregada garçon serveuse serveur kellner kellnerin cameriere cameriera kelner kelnerka
    cleaner: limpiadora limpiador faxineira femme_de_ménage reinigungskraft putzfrau addetta sprzątaczka
    gardener: jardinera jardinero jardineiro jardinier jardinière gärtner gärtnerin giardiniere ogrodnik ogrodniczka
    police officer: policía polícia policier policière polizist polizistin poliziotto poliziotta policjant policjantka
    soldier: soldado soldat soldatin soldato żołnierz
    musician: música músico musicien musicienne musiker musikerin musicista muzyk
    translator: traductora traductor tradutora tradutor traducteur traductrice übersetzer übersetzerin traduttore traduttrice tłumacz tłumaczka
    accountant: contable contador contabilista comptable buchhalter buchhalterin contabile księgowy księgowa
    midwife: matrona comadrona parteira sage-femme hebamme ostetrica położna
    developer: desarrollador desarrolladora desenvolvedor desenvolvedora développeur développeuse entwickler entwicklerin sviluppatore sviluppatrice programista programistka
    economist: economista économiste ökonom ökonomin ekonomista ekonomistka
    adventurer: aventurero aventurera aventureiro aventureira aventurier aventurière abenteurer abenteurerin avventuroso avventurosa
    artist: artista artiste künstler künstlerin artysta artystka
    caretaker: conserje zelador concierge hausmeister hausmeisterin custode dozorca
    """
)

# Adjectives that go before the English noun ("Une institutrice retraitée" -> "Retired primary school teacher").
ROLE_ADJECTIVES: dict[str, str] = _table(
    """
    retired: retirada retirado jubilada jubilado reformada reformado retraitée retraité pensionierte pensionierter pensionata pensionato emerytowana emerytowany
    young: joven jovem jeune junge junger giovane młoda młody
    old: vieja viejo velha velho vieille vieux alte alter vecchia vecchio stara stary
    independent: independiente independente indépendante indépendant unabhängige unabhängiger indipendente niezależna niezależny
    """
)

# First-person texts name what the speaker does ("I have mended trawl nets"): verb -> agent noun.
VERB_AGENTS: dict[str, str] = {
    "mend": "mender",
    "keep": "keeper",
    "own": "owner",
    "run": "owner",
    "manage": "manager",
    "grow": "grower",
    "fix": "fixer",
    "repair": "repairer",
    "build": "builder",
    "make": "maker",
    "sell": "seller",
    "teach": "teacher",
    "write": "writer",
    "drive": "driver",
    "fish": "fisher",
    "bake": "baker",
    "deliver": "courier",
    "clean": "cleaner",
    "paint": "painter",
    "play": "player",
    "sing": "singer",
    "cook": "cook",
    "coach": "coach",
    "train": "trainer",
    "nurse": "nurse",
    "farm": "farmer",
    "knit": "knitter",
    "weld": "welder",
    "study": "student",
    "volunteer": "volunteer",
    "breed": "breeder",
    "brew": "brewer",
    "carve": "carver",
    "collect": "collector",
    "design": "designer",
    "edit": "editor",
    "guard": "guard",
    "herd": "herder",
    "hunt": "hunter",
    "mine": "miner",
    "photograph": "photographer",
    "program": "programmer",
    "sew": "tailor",
    "tend": "keeper",
    "translate": "translator",
    "care": "carer",
    "look": "carer",  # "I look after ..."
}
# Irregular and inflected verb forms -> base.
VERB_FORMS: dict[str, str] = {
    "mended": "mend",
    "mends": "mend",
    "kept": "keep",
    "keeps": "keep",
    "owned": "own",
    "owns": "own",
    "ran": "run",
    "runs": "run",
    "grew": "grow",
    "grown": "grow",
    "grows": "grow",
    "built": "build",
    "made": "make",
    "sold": "sell",
    "taught": "teach",
    "wrote": "write",
    "written": "write",
    "drove": "drive",
    "driven": "drive",
    "sang": "sing",
    "sung": "sing",
    "studied": "study",
    "bred": "breed",
    "sewn": "sew",
    "sewed": "sew",
    "cared": "care",
    "looked": "look",
}
