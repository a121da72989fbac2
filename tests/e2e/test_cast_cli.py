"""The cast commands end to end (in process, tests/cli_in_process.py): import a world, export a cast,
view a subgraph."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

from personagraph.cast.card_spec import validate
from personagraph.cast.cards import read_card
from tests.cli_in_process import run_cli
from tests.conftest import cli_env

HARBOUR = Path(__file__).resolve().parent.parent / "data" / "harbour"


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(args, env=cli_env(PERSONAGRAPH_JVM_HEAP="1g"), cwd=cwd)


def test_one_command_exports_a_cast(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    imported = _cli(
        "--store", store, "import", str(HARBOUR / "personas.jsonl"), str(HARBOUR / "relations.jsonl"), cwd=tmp_path
    )
    assert imported.returncode == 0, imported.stderr

    out = tmp_path / "cast"
    run = _cli(
        "--store",
        store,
        "export",
        "cast",
        str(out),
        "--seed-persona",
        "harbour doctor",
        "--hops",
        "3",
        "--size",
        "8",
        "--exclude",
        "priest",
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert "8 NPCs from persona texts and relations (no LLM)" in run.stdout and "connected" in run.stdout
    assert run.stdout.strip().splitlines()[-1] == str(out / "cast.html")
    assert "note: seed 'harbour doctor'" in run.stderr  # two texts mention a harbour doctor: says which one
    document = json.loads((out / "cast.json").read_text())
    assert len(document["npcs"]) == 8 and document["selection"]["connected"] is True
    assert not any("priest" in n["persona_text"] for n in document["npcs"])
    cards = sorted((out / "cards").iterdir())
    assert len(cards) == 40  # v2/v3 JSON, v2/v3 PNG and CHARX for each of 8
    assert all(validate(read_card(path)) == [] for path in cards)
    assert (out / "cast.graphml").is_file() and (out / "cast.gexf").is_file()
    # The CHARX files import back (as cards) into a fresh store: the same 8 personas and their relations.
    charx = sorted(str(p) for p in (out / "cards").glob("*.charx"))
    again = _cli("--store", str(tmp_path / "again"), "import", *charx, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("character card, 1 new personas") == 8
    relations = sum(
        int(line.rsplit(", ", 1)[1].split()[0]) for line in again.stdout.splitlines() if "character card" in line
    )
    assert relations == len(document["relations"])

    # The cards go back into another store with plain `import`: a card .json is known by its spec.
    other = str(tmp_path / "other")
    v2 = sorted((out / "cards").glob("*.v2.json"))
    back = _cli("--store", other, "import", *map(str, v2), "--format", "jsonl", cwd=tmp_path)
    assert back.returncode == 0, back.stderr
    reports = [json.loads(line) for line in back.stdout.splitlines()]
    assert [r["kind"] for r in reports] == ["cards"] * 8 and sum(r["personas_new"] for r in reports) == 8
    wrong = _cli("--store", other, "import", str(v2[0]), "--kind", "personas", cwd=tmp_path)
    assert wrong.returncode == 3 and "is a Character Card (chara_card_v2), not personas records" in wrong.stderr
    assert "(import it as --kind cards or auto)" in wrong.stderr and "invalid JSON" not in wrong.stderr

    # One cast, each output format parsed back.
    chosen = ["--store", store, "cast", "--seed-persona", "harbour doctor", "--size", "5", "--follow", "PATIENT_OF"]
    as_json = json.loads(_cli(*chosen, "--format", "json", cwd=tmp_path).stdout)
    ids = [m["id"] for m in as_json["members"]]
    assert 1 < len(ids) <= 5 and {r["type"] for r in as_json["relations"]} == {"PATIENT_OF"}
    lines = _cli(*chosen, "--format", "jsonl", cwd=tmp_path).stdout.splitlines()
    assert [json.loads(line)["id"] for line in lines] == ids
    rows = list(csv.DictReader(io.StringIO(_cli(*chosen, "--format", "csv", cwd=tmp_path).stdout)))
    assert [r["id"] for r in rows] == ids and all(r["role"] and r["text"] for r in rows)
    table = _cli(*chosen, cwd=tmp_path).stdout
    assert f"{len(ids)} personas" in table and "connected" in table

    page = tmp_path / "rivals.html"
    view = _cli(
        "--store",
        store,
        "view",
        "MATCH (a:Persona)-[r:RIVAL]-(b:Persona) RETURN a, r, b",
        "-o",
        str(page),
        cwd=tmp_path,
    )
    assert view.returncode == 0, view.stderr
    assert view.stdout.strip() == str(page) and page.is_file()
    assert "4 personas, 2 relations" in view.stderr

    unknown = _cli("--store", store, "cast", "--seed-persona", "harbour doctor", "--follow", "ENEMY_OF", cwd=tmp_path)
    assert unknown.returncode == 2 and "unknown relation type 'ENEMY_OF'" in unknown.stderr
    # The library names its parameters (seed, community); the CLI shows them as this command's flags.
    no_seed = _cli("--store", store, "cast", "--community", "seed", cwd=tmp_path)
    assert no_seed.returncode == 2 and no_seed.stderr == "error: --community 'seed' needs --seed-persona\n"
    nothing = _cli("--store", store, "view", "-o", str(tmp_path / "v.html"), cwd=tmp_path)
    assert nothing.returncode == 2 and nothing.stderr == "error: give exactly one of query, --persona or --batch\n"

    apart = _cli(
        "--store",
        store,
        "cast",
        "--seed-persona",
        "lighthouse keeper",
        "--pin",
        "notary",
        "--format",
        "json",
        cwd=tmp_path,
    )
    assert apart.returncode == 0, apart.stderr
    assert json.loads(apart.stdout)["connected"] is False
    assert "note: the cast is NOT connected" in apart.stderr


def test_a_cast_of_200_exports(tmp_path: Path) -> None:
    """Issue #13: ``export cast --size 61`` died with "ran out of names"; a cast of 200 (with families)
    exports, every name unique, and a family's members share a surname nobody else has."""
    trades = ["net mender", "welder", "nurse", "baker", "ferry skipper", "teacher", "chandler", "fishmonger"]
    texts = [f"A {trades[i % len(trades)]} who keeps house number {i} on Rope Walk" for i in range(220)]
    # A tree of ten children per persona: everyone is within three relations of persona 0.
    relations = [{"src": texts[i // 10], "type": "NEIGHBOUR_OF", "dst": texts[i]} for i in range(1, 220)]
    relations += [{"src": texts[i], "type": "COLLEAGUE", "dst": texts[(i + 9) % 220]} for i in range(220)]
    relations += [
        {"src": texts[i], "type": "FAMILY_OF", "dst": texts[i + 3], "evidence": "siblings"} for i in range(0, 200, 10)
    ]
    (tmp_path / "personas.jsonl").write_text("".join(json.dumps({"persona": t}) + "\n" for t in texts))
    (tmp_path / "relations.jsonl").write_text("".join(json.dumps(r) + "\n" for r in relations))
    store = str(tmp_path / "store")
    imported = _cli(
        "--store", store, "import", str(tmp_path / "personas.jsonl"), str(tmp_path / "relations.jsonl"), cwd=tmp_path
    )
    assert imported.returncode == 0, imported.stderr
    out = tmp_path / "cast"
    run = _cli(
        "--store", store, "export", "cast", str(out), "--seed-persona", "house number 0 ", "--hops", "4",
        "--size", "200", cwd=tmp_path,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    document = json.loads((out / "cast.json").read_text())
    names = [n["name"] for n in document["npcs"]]
    assert len(names) == 200 and len(set(names)) == 200
    surname = {n["persona_id"]: n["name"].split(" ", 1)[1] for n in document["npcs"]}
    family = [r for r in document["relations"] if r["type"] == "FAMILY_OF"]
    assert family and all(surname[r["src"]] == surname[r["dst"]] for r in family)
    in_family = {p for r in family for p in (r["src"], r["dst"])}
    holders: dict[str, int] = {}
    for pid in surname:
        holders[surname[pid]] = holders.get(surname[pid], 0) + 1
    assert all(holders[surname[pid]] == 1 for pid in surname if pid not in in_family)
    assert len(list((out / "cards").glob("*.charx"))) == 200
    world = json.loads((out / "sillytavern" / "world-info.json").read_text())
    assert len(world["entries"]) == 200 + len(document["relations"])
