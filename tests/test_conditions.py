"""Conditions stated and priced after the regraded review (issue 11).

A use the law or practice allows only under a condition (data/conditions.csv) is stated in the
pair's reason, and a share of the need it may cover caps the pair; bottom ash reaches road layers
only after a priced characterisation and maturation; rubble is crushed before it becomes fill; an
asphalt plant's aggregates meet NF EN 13043; a small lot is said to go through a collector; the
demo's hazardous-waste regrouping centre charges a cited gate fee. Tiny networks with the
arithmetic in comments; the knowledge base read from the repository's data/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_demo_data import _make_demo_module

from symbiose.candidates import arc_capacity, build_candidates
from symbiose.compat import load_knowledge_base
from symbiose.domain import Company, Need, Network, PhysicalState, Route, Stream
from symbiose.errors import ValidationError
from symbiose.i18n import language
from symbiose.suggestions import suggest
from symbiose.units import Unit

ROOT = Path(__file__).resolve().parents[1]
P = PhysicalState.PASTY
S = PhysicalState.SOLID
L = PhysicalState.LIQUID


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


def _sites(naf: str = "") -> tuple[Company, ...]:
    # 1 degree of longitude at 45.5 N is 77.95 km: sites 2 km apart; the producer C0 has the NAF code
    return (Company("C0", "c0", 45.5, -0.5, naf_code=naf),
            *(Company(f"C{i}", f"c{i}", 45.5, -0.5 + 2 * i / 77.95) for i in (1, 2)))  # fmt: skip


def _network(streams, needs, naf: str = "") -> Network:
    return Network(_sites(naf), tuple(streams), tuple(needs))


def _arc(cands, stream_id: str, need_id: str) -> pd.Series:
    arcs = cands.arcs
    hit = arcs[(arcs["stream_id"].astype(str) == stream_id) & (arcs["need_id"].astype(str) == need_id)]
    assert len(hit) == 1, (stream_id, need_id, len(hit))
    return hit.iloc[0]


def _digester() -> Need:
    # a digester's solid inlet of 1 000 t that lists marc and lees by code
    return Need("DIG", "C1", 1_000_000, Unit.T, category="methanisation_feedstock",
                accepted_codes=("020701", "020704"), virgin_price_cents=2500)  # fmt: skip


# ------------------------------------------------------------------ the conditions table


def test_every_condition_cites_known_sources_and_states_fr_and_en(kb):
    assert kb.conditions
    for c in kb.conditions:
        assert c.condition_fr and c.condition_en and c.source
        assert set(c.source.split(";")) <= set(kb.sources), c.id
    page = (ROOT / "data" / "KNOWLEDGE_BASE.md").read_text(encoding="utf-8")
    assert "`conditions.csv`" in page


def test_a_bad_conditions_table_names_the_file_row_and_column(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("demo", "evaluation", "reference"))
    table = pd.read_csv(data / "conditions.csv", dtype=str, keep_default_na=False)
    table.loc[0, "max_share_of_need"] = "10"  # 10 for 10 %: not a share
    table.to_csv(data / "conditions.csv", index=False)
    from symbiose import compat

    with pytest.raises(ValidationError) as err:
        compat._load_conditions(data / "conditions.csv", load_knowledge_base().categories, load_knowledge_base().sources)
    text = str(err.value)
    assert "conditions.csv" in text and "max_share_of_need" in text and "2" in text


# ------------------------------------------------------------------ B1: marc and lees to a digester


def test_growers_marc_to_a_digester_states_the_registration_and_is_capped_at_a_tenth_of_the_need(kb):
    # 500 t of marc, 1 000 t of need: without the condition the pair trades 500 t; fresh marc is
    # kept to 10 % of the digester's ration, so 100 t
    marc = Stream("MARC", "C0", 500_000, Unit.T, ewc_code="020701", physical_state=P, route_cost_cents=1000)
    grower = build_candidates(_network([marc], [_digester()], naf="01.21Z"), kb=kb)
    arc = _arc(grower, "MARC", "DIG")
    assert arc["capacity_base"] == 100_000
    assert "marc_digester_grower" in str(arc["conditions"])
    # the planning tools recompute the capacity with the same cap
    assert arc_capacity(grower.streams, grower.needs, grower.arcs).tolist() == [100_000]
    with language("fr"):
        reason = suggest(grower, top_n=1)["reason"].iloc[0]
    assert "sous condition" in reason and "FranceAgriMer" in reason and "plafonnée à 10 %" in reason
    with language("en"):
        public = suggest(grower, top_n=1)["reason_public"].iloc[0]
    # the public text states the condition, not the cap (it would give the need's quantity away)
    assert "registered with FranceAgriMer" in public and "capped" not in public
    # the same code from a producer the decree does not cover (a fruit-juice maker): no condition
    juice = build_candidates(_network([marc], [_digester()], naf="10.32Z"), kb=kb)
    arc = _arc(juice, "MARC", "DIG")
    assert arc["capacity_base"] == 500_000 and str(arc["conditions"]) == ""
    with language("fr"):
        assert "sous condition" not in suggest(juice, top_n=1)["reason"].iloc[0]


def test_wine_lees_to_a_digester_state_the_registration_without_a_cap(kb):
    lees = Stream("LEES", "C0", 300_000, Unit.T, ewc_code="020704", physical_state=P, route_cost_cents=1000)
    cands = build_candidates(_network([lees], [_digester()], naf="11.02Z"), kb=kb)
    arc = _arc(cands, "LEES", "DIG")
    assert arc["capacity_base"] == 300_000 and np.isnan(arc["max_need_share"])
    with language("fr"):
        reason = suggest(cands, top_n=1)["reason"].iloc[0]
    assert "FranceAgriMer" in reason and "plafonnée" not in reason


# ------------------------------------------------------------------ B7 and B2: priced pre-treatments


def test_bottom_ash_to_road_aggregates_pays_characterisation_and_maturation(kb):
    # 15 EUR/t: maturation as incinerator bottom ash (10) and screening (5)
    ash = Stream("ASH", "C0", 1_000_000, Unit.T, ewc_code="100101", physical_state=S, route=Route.LANDFILL,
                 route_cost_cents=14_100)  # fmt: skip
    road = Need("ROAD", "C1", 5_000_000, Unit.T, category="aggregates", virgin_price_cents=1500)
    cands = build_candidates(_network([ash], [road]), kb=kb)
    arc = _arc(cands, "ASH", "ROAD")
    assert str(arc["pretreatment"]) == "characterisation+maturation"
    assert arc["pretreatment_cents"] == pytest.approx(1500)
    assert str(arc["conditions"]) == "bottom_ash_road"
    with language("fr"):
        reason = suggest(cands, top_n=1)["reason"].iloc[0]
    assert "caractérisation + maturation 15 EUR/t" in reason and "guide SETRA 2011" in reason


def test_raw_rubble_to_fill_counts_its_crushing(kb):
    rubble = Stream("RUB", "C0", 1_000_000, Unit.T, ewc_code="170107", physical_state=S, route=Route.LANDFILL,
                    route_cost_cents=2500)  # fmt: skip
    fill = Need("FILL", "C1", 5_000_000, Unit.T, category="backfill", virgin_price_cents=800)
    arc = _arc(build_candidates(_network([rubble], [fill]), kb=kb), "RUB", "FILL")
    assert str(arc["pretreatment"]) == "crushing" and arc["pretreatment_cents"] == pytest.approx(800)
    assert str(arc["conditions"]) == "rubble_fill"


# ------------------------------------------------------------------ C10: NF EN 13043


def test_an_asphalt_need_bound_to_nf_en_13043_refuses_bottom_ash_and_points_concrete_to_a_platform(kb):
    assert "nf_en_13043" in kb.standards
    ash = Stream("ASH", "C0", 1_000_000, Unit.T, ewc_code="100101", physical_state=S, route=Route.LANDFILL,
                 route_cost_cents=14_100)  # fmt: skip
    concrete = Stream("CON", "C0", 1_000_000, Unit.T, ewc_code="170101", physical_state=S, route=Route.LANDFILL,
                      route_cost_cents=2500)  # fmt: skip
    asphalt = Need("ASPH", "C1", 5_000_000, Unit.T, category="aggregates", virgin_price_cents=1500,
                   required_standards=("nf_en_13043",))  # fmt: skip
    cands = build_candidates(_network([ash, concrete], [asphalt]), kb=kb)
    assert not len(cands.arcs)  # neither raw residue meets the standard
    leads = set(cands.leads["stream_id"].astype(str)) if cands.leads is not None else set()
    assert leads == {"CON"}  # the platform crushes concrete to NF EN 13043, not boiler ash


# ------------------------------------------------------------------ B5: small lots


def test_a_lot_below_one_load_a_year_is_said_to_go_through_a_collector(kb):
    # 3 t/yr of used cooking oil, a tanker carries 25 t: a small lot; 300 t/yr is not
    small = Stream("UCO", "C0", 3_000, Unit.T, ewc_code="200125", physical_state=L, route_cost_cents=3500)
    large = Stream("UCO2", "C2", 300_000, Unit.T, ewc_code="200125", physical_state=L, route_cost_cents=3500)
    plant = Need("BIO", "C1", 3_000_000, Unit.T, category="biofuel_feedstock", virgin_price_cents=50_000)
    cands = build_candidates(_network([small, large], [plant]), kb=kb)
    with language("fr"):
        table = suggest(cands, top_n=5)
    stream_side = table[table["side"] == "stream"].set_index("stream_id")
    assert "petit lot : 3,0 t/an" in stream_side.loc["UCO", "reason"]
    assert "tournée d'un collecteur" in stream_side.loc["UCO", "reason_public"]
    assert "3,0 t/an" not in stream_side.loc["UCO", "reason_public"]  # the public text gives no quantity
    assert "petit lot" not in stream_side.loc["UCO2", "reason"]


# ------------------------------------------------------------------ B4 and C10 in the demo


def test_the_demo_regrouping_centre_charges_its_fee_and_the_asphalt_plant_requires_nf_en_13043():
    module = _make_demo_module()
    needs = pd.read_csv(ROOT / "data" / "demo" / "needs.csv", dtype=str, keep_default_na=False)
    centre = needs[needs["description"].str.startswith("Transit et regroupement de déchets dangereux")]
    assert len(centre) == 1
    fee = float(centre["gate_fee_eur_per_unit"].iloc[0].replace(",", "."))
    assert fee == module.HAZARDOUS_REGROUPING_GATE_FEE_EUR_PER_T > 0
    assert centre["permit"].iloc[0]
    asphalt = needs[needs["description"] == "Granulats pour enrobés"]
    assert len(asphalt) and (asphalt["required_standards"] == "nf_en_13043").all()
