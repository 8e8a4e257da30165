"""Held-out evaluation of the knowledge base on documented exchanges it was not written from.

Twelve test sets (KNOWLEDGE_BASE.md says how each was kept apart from the rules, and which were read
after their first measure):

* ``maestri``: the 300 MAESTRI exchanges (``data/reference/maestri_exchanges.csv``);
* ``documented``: 47 exchanges from other published cases (Kalundborg, Dunkerque, NISP,
  Händelö...), each with its source, in ``data/evaluation/documented_exchanges.csv``;
* ``heldout``: 47 further exchanges (Le Havre, Strasbourg, Lacq, Roussillon, Bazancourt,
  Rotterdam, Ulsan, NISP, French dairies and breweries...), chosen and coded without running
  this script, in ``data/evaluation/heldout_exchanges.csv`` (same columns);
* ``blind``: 46 exchanges (Graz, Antwerp, Gothenburg, Spremberg, Luleå, Tornio, Hamburg,
  Kansas City, Speyside...), researched and coded by reviewers who did not open the knowledge
  base, committed before this script first ran on them, in
  ``data/evaluation/blind_exchanges.csv`` (same columns);
* ``blind2``: 44 exchanges (Delfzijl, Moerdijk, Ghent, Brescia, Gijón, Höchst, Runcorn, Chicago,
  Alberta, Secunda, Tiwai Point...), kept blind the same way and committed after the rule pass
  written from the blind set's misses, which it judges, in ``data/evaluation/blind2_exchanges.csv``.
* ``blind3``: 46 exchanges (Monthey, Heringen, Schwechat, Salzgitter, Lenzing, Lannemezan,
  Carrara, Kwinana, Kawasaki, Guitang, Gwangyang, Barceloneta, Sarnia, Tsumeb, Moneypoint,
  Svartsengi, Geleen...), kept blind the same way (one row dropped before any measure: its source
  did not confirm the receiver), committed after the sized-rows protocol below was set and the
  three annex IX rules were written, which it is the first set to judge, in
  ``data/evaluation/blind3_exchanges.csv``.
* ``blind4``: 47 exchanges (Bremen, Duisburg, Linz, Tarragona, As Pontes, Parma, Bełchatów,
  Glenbrook, Tullibardine, Odense, Aichi, Naoshima, Tarong, Shippingport, Midong...), 29 of them
  coded wastes, kept blind the same way (one row dropped before any measure: its source does not
  name the provider), committed after the hot-water cap and the pipes' economies of scale, which
  it is the first set to judge, in ``data/evaluation/blind4_exchanges.csv``.
* ``blind5``: 46 exchanges from 39 places (Dombasle, Cognac, Gravelines, Saillat, Briec, Terni,
  Santander, Kozani, Galabovo, Krško, Zenica, Esch-Belval, Dormagen, Leuna, Narva, Borlänge,
  Immingham, Scunthorpe, Bokaro, Kaohsiung, Port Pirie, Lytton, Astoria...), 26 of them coded
  wastes, kept blind the same way (two rows dropped before any measure: their sources are
  judicial investigations of alleged illegal disposal, not documented reuse), committed after the
  sector-use pass written from blind3's and blind4's coverage misses, which it is the first set
  to judge, in ``data/evaluation/blind5_exchanges.csv``.
* ``blind6``: 48 exchanges (Charleville-Mézières, Val d'Europe, Machecoul, Étrépagny, Billy-Berclau,
  Eppeville, Helsingborg, Verona, Bjerringbro, Holstebro, Bitterfeld-Wolfen, Kungshamn, Lahti,
  Warsaw, Turceni, Győr, Eerbeek; Wairakei, Taweelah, Burnaby, Chennai, Kitakyushu, Ofunato,
  Shakopee, Halewood, Kendal, El Segundo, Incheon, St Helens, Whitecourt, Estevan...), 28 of them
  coded wastes, kept blind the same way, committed after the heat cascade in a supplier's list
  and the repricing of pipes in robustness draws, which it is the first set to judge, in
  ``data/evaluation/blind6_exchanges.csv``.
* ``blind7``: 48 exchanges (Issoire, Haguenau, Sausheim, Calce, Aÿ, Cruviers-Lascours, Périgny, Hamina,
  Hallein, Dinteloord, Piteå, Hennigsdorf, Engis, Taranto, Skogn, Ostrava, Košice; Saint-Félicien,
  Cedar Rapids, Golden, Edmonton, Port Arthur, Volta Redonda, Wilton, Daesan, Shunan, Guangzhou,
  Lephalale, Mesaieed, Melbourne, Mokai...), kept blind the same way, committed after the sector
  uses were re-sourced without MAESTRI, which it is the first set to judge, with ``--permits held``
  chosen as its protocol before it was read (both are reported), in
  ``data/evaluation/blind7_exchanges.csv``.
* ``blind8``: 48 exchanges (La Vraie-Croix, Chagny, Rousset, Lescar, Locminé, Carhaix-Plouguer,
  Boulogne-sur-Mer, Bègles, Dortmund, Freiburg, Ludwigshafen, Horsens, Cardiff, Carlisle, Milan,
  Helsinki; Nagpur, Surat, Cadereyta, Monterrey, Cilacap, Singareni, Hachinohe, Delaware City,
  Dunedin...), kept blind the same way, committed after the gas uses of CO2 for enhanced oil
  recovery and of fuel gases by food, pharmaceutical, brick, cement and car plants, which it is the
  first set to judge, with ``--permits held`` as its protocol, as for blind7, in
  ``data/evaluation/blind8_exchanges.csv``.
* ``blind9``: 48 exchanges (Halluin, Le Mans, Toulouse, Toulon, Nice, Anzin, Saint-Saulve,
  Tain-l'Hermitage, Dillingen, Dingolfing, Weurt, Tønsberg, Stenungsund, Gävle, Libramont, Rauma,
  Obrenovac, Pirdop; Bundaberg, Assiut, Jepara...), the first coded with ``fuel_gas`` apart from
  ``industrial_gas``, kept blind the same way, committed after the gas split, which it is the first
  set to judge, with blind7's protocol, in ``data/evaluation/blind9_exchanges.csv``.
* ``blind10``: 48 exchanges (24 in Europe, 9 of them in France; 24 in 17 countries elsewhere), the
  first coded with ``fermentation_feedstock`` and ``food_ingredient``, kept blind the same way,
  committed after those two categories, which it is the first set to judge, with blind7's protocol,
  in ``data/evaluation/blind10_exchanges.csv``.
* ``blind11``: 48 exchanges (24 in Europe, 10 of them in France; 24 in 12 countries elsewhere),
  asked for no family in particular, kept blind the same way, committed after the two rules written
  after blind10 (electric-arc-furnace dust, glass packaging to glass sand), with blind7's protocol,
  in ``data/evaluation/blind11_exchanges.csv``.

Two measures per set:

1. **category coverage**: the share of exchanges whose waste code (or material, for heat, water
   and gases) reaches, through ``compatibility.csv`` (and the heat grades a supply serves), a
   resource category that the receiving sector uses (``sector_uses.csv``, a division or group
   counting its sub-sectors);
2. **recall@1 and recall@5 of the true partner** in a network built from each exchange:
   the provider with one stream of the exchange's code (1000 units a year, landfilled at
   80 EUR/t), the true receiver and one distractor company per other receiving sector of the
   same set (receivers whose NACE code equals the true receiver's are left out: nothing could
   tell them apart). Every receiver gets one need per category its sector uses, 1000 units a
   year at a fixed order-of-magnitude price per category (``PRICE_EUR_PER_UNIT`` below), and
   stands 0.5 to 4 km from the provider (an industrial park; distance and bearing drawn from a
   hash of the exchange and company ids, so they carry no information about the truth).
   Candidates are built by the matcher itself (:func:`symbiose.candidates.build_candidates`);
   receivers are ranked by their best arc value for the stream (``--ranking value``) or, as a
   company sees them, by the stream's list of suggestions (``--ranking suggestions``: outlet
   group, then the Pareto front over the waste hierarchy and the two-sided key, then the key;
   :mod:`symbiose.suggestions`). Ties count as a random order (expected recall). A receiver the
   matcher gives no arc is a miss.

Two protocols for what each receiver asks for (``--protocol``):

* ``sector``: one need per category its sector uses (``sector_uses.csv``), as above; the tool's
  pre-filled needs for a company nobody has visited;
* ``stated``: the needs a receiver states in a real network, namely the inputs the sources say it
  takes (``receiver_input`` of the documented set, named from ``final_use`` alone, without looking
  at what the rules give: one category per exchange, a receiver of several exchanges states
  each). Coverage is then "the code reaches the receiver's stated input". MAESTRI gives no input
  (210 of its 300 final uses read "Raw material(s)"), so it has the ``sector`` protocol only.

Two protocols for the quantity of the flow (``--quantity``, recall only; coverage does not depend
on it):

* ``fixed``: 1000 units a year for every stream and need, as first measured;
* ``case``: the network is built from the case: where the exchange's cited source states a
  yearly quantity (``quantity``, ``quantity_unit`` and ``quantity_source`` of the documented and
  held-out sets, read from that source only, blank where it gives none), the stream has that
  quantity and so has every need, of every receiver, whose unit is the stream's (the true
  receiver gets no more than the distractors, so the quantity says nothing about which one is
  true); other rows and MAESTRI keep 1000. A quantity given as tonnes of steam (``t_steam``) is
  turned into MWh at 0.655 MWh/t: the enthalpy of saturated steam at 10 bar(a), 2 778 kJ/kg, less
  condensate returned at 100 C, 419 kJ/kg (IAPWS-IF97 steam tables), the heat the receiver no
  longer raises itself.

Which rows' recall says something about the matcher (``sized``, decided after blind2 was
measured and before blind3 was built or read): a flow that goes by truck is a fair test at
1000 t a year, a typical SME stream; a flow that goes by pipe (heat, water, gases) is not,
since whether a pipe pays depends on the yearly quantity, which 1000 MWh (0.11 MW on average)
sets far below any documented heat exchange. So each run also reports recall over the *sized*
rows: trucked flows, and piped flows whose yearly quantity the source states (``case`` quantity
only); the piped rows without one are counted in the overall figure and left out of this one.
(As first committed, piped was told by the unit, MWh or m3, which left gases, counted in
tonnes but carried by pipe, among the sized rows; corrected after blind3 was measured, and both
figures are in KNOWLEDGE_BASE.md.)

Each run also prints a **ceiling of recall@5**: what an order of the same arcs could expect
knowing only their categories. Per row, the true receiver's category is put first (as if
an oracle chose it among the categories of its arcs) and the receivers with an arc of that
category are ranked at random, so recall@5 is at most 5 / their number; a row whose true
receiver gets no arc counts 0. Receivers that take the same input are what nothing in the
protocol tells apart (added after blind6 was measured, as a yardstick for the other figures, not a
score). It is an expectation, not a strict bound: an order that uses distance and value among the
receivers of one input can pass it, as on blind8 (52.1 % against 50.8 %).

No receiver holds a permit or an approval: a hazardous code reaches none of them, nor does a
code that needs an intake approval (whey or fish waste to a digester: an animal by-product
approval, ``data/intake_approvals.csv``). ``--permits held`` gives every receiver's need the
hazardous-waste permit and each approval its category can require, the same for all (added after
blind6 was measured; reported beside the protocol's figure, never instead of it).

A row coded with several List of Waste entries (its source leaves the choice open) is built on
its first code; ``--codes best`` builds it on each in turn and keeps the best result, an upper
bound (added after blind5 was measured; never quoted instead of the protocol's figure).

Usage (from the repository root)::

    PYTHONPATH=. python scripts/evaluate_knowledge.py            # the ten sets, all protocols
    PYTHONPATH=. python scripts/evaluate_knowledge.py --misses   # and the exchanges missed
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from symbiose.candidates import build_candidates
from symbiose.compat import KnowledgeBase, load_knowledge_base
from symbiose.domain import Company, Need, Network, Route, Stream
from symbiose.reference import check_ewc_prefix, maestri_exchanges
from symbiose.units import Unit

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTED = ROOT / "data" / "evaluation" / "documented_exchanges.csv"
HELDOUT = ROOT / "data" / "evaluation" / "heldout_exchanges.csv"
BLIND = ROOT / "data" / "evaluation" / "blind_exchanges.csv"
BLIND2 = ROOT / "data" / "evaluation" / "blind2_exchanges.csv"
BLIND3 = ROOT / "data" / "evaluation" / "blind3_exchanges.csv"
BLIND4 = ROOT / "data" / "evaluation" / "blind4_exchanges.csv"
BLIND5 = ROOT / "data" / "evaluation" / "blind5_exchanges.csv"
BLIND6 = ROOT / "data" / "evaluation" / "blind6_exchanges.csv"
BLIND7 = ROOT / "data" / "evaluation" / "blind7_exchanges.csv"
BLIND8 = ROOT / "data" / "evaluation" / "blind8_exchanges.csv"
BLIND9 = ROOT / "data" / "evaluation" / "blind9_exchanges.csv"
BLIND10 = ROOT / "data" / "evaluation" / "blind10_exchanges.csv"
BLIND11 = ROOT / "data" / "evaluation" / "blind11_exchanges.csv"
SETS = {"documented": DOCUMENTED, "heldout": HELDOUT, "blind": BLIND, "blind2": BLIND2, "blind3": BLIND3,
        "blind4": BLIND4, "blind5": BLIND5, "blind6": BLIND6, "blind7": BLIND7,
        "blind8": BLIND8, "blind9": BLIND9, "blind10": BLIND10,
        "blind11": BLIND11}

#: Orders of magnitude of what a receiver pays per unit for the virgin input (EUR), fixed
#: before any evaluation; unknown categories get DEFAULT_PRICE.
PRICE_EUR_PER_UNIT = {
    "aggregates": 15, "backfill": 8, "cement_raw_material": 20, "alternative_fuel": 40,
    "wood_fuel": 35, "lignocellulosic_biomass": 40, "wood_panel": 45, "animal_bedding": 60,
    "methanisation_feedstock": 15, "compost_feedstock": 5, "soil_amendment": 30,
    "animal_feed_ruminant": 200, "animal_feed_monogastric": 200,
    "wine_byproduct_distillation": 8, "glass_cullet": 60, "scrap_metal": 250, "paper_fibre": 120,
    "plastic_polymer": 350, "gypsum": 25, "oil_regeneration": 300, "solvent_regeneration": 600,
    "biofuel_feedstock": 500, "pallets_packaging_reuse": 60, "textile_fibre": 200, "rubber": 150,
    "heat_steam": 55, "heat_hot_water": 58, "heat_low_temperature": 40, "process_water": 3,
    "chemical_feedstock": 150, "industrial_gas": 100,
    # added with the split of gases (December 2026), before blind9 was read: natural gas for
    # industry, about 45 EUR/MWh before taxes in France (order of magnitude)
    "fuel_gas": 45,
    # added with fermentation_feedstock and food_ingredient (December 2026), before blind10 was
    # read: cane and beet molasses, about 150-200 EUR/t; raw milk, about 400 EUR/t, the input a
    # dairy's whey or a yeast extract maker's yeast stands for (orders of magnitude)
    "fermentation_feedstock": 150, "food_ingredient": 400,
}  # fmt: skip
DEFAULT_PRICE = 50
LANDFILL_EUR_PER_T = 80
QUANTITY = 1000
#: MWh of heat per tonne of steam (saturated at 10 bar(a), condensate back at 100 C; IAPWS-IF97)
MWH_PER_T_STEAM = (2778 - 419) / 3600


@dataclass(frozen=True)
class Exchange:
    id: str
    codes: tuple[str, ...]  # compact six-digit codes (any of them may explain the exchange)
    material: str  # resource category for heat, water and gases
    receiver_nace: tuple[str, ...]
    receiver: str  # company key used to tell receivers apart
    receiver_input: str = ""  # the category the source says the receiver takes (documented sets)
    quantity: float | None = None  # units a year the cited source states, in the stream's unit


def _codes(text: str) -> tuple[str, ...]:
    found = []
    for part in str(text).replace(",", ";").split(";"):
        try:
            compact = check_ewc_prefix(part) if part.strip() else ""
        except ValueError:
            continue
        if len(compact) == 6:
            found.append(compact)
    return tuple(found)


def _nace(text: str) -> tuple[str, ...]:
    from symbiose.compat import normalize_nace

    out = []
    for part in str(text).split(";"):
        try:
            out.append(normalize_nace(part))
        except ValueError:
            continue
    return tuple(out)


def load_set(name: str) -> list[Exchange]:
    """The exchanges of a test set, in a common form (rows without a usable code are dropped)."""
    if name == "maestri":
        table = maestri_exchanges()
        out = []
        for i, r in enumerate(table.itertuples()):
            codes = _codes(r.ewc_code) or _codes(r.ewc_code_as_published)
            nace = _nace(r.receiver_nace)
            if codes and nace:
                out.append(Exchange(f"m{i:03d}", codes, "", nace, "|".join(nace)))
        return out
    table = pd.read_csv(SETS[name], dtype=str, keep_default_na=False)
    if name in CODED_BEFORE_FUEL_GAS:
        table = table.apply(_gas_split, axis=1)
    if name in CODED_BEFORE_FERMENTATION:
        table = table.apply(_fermentation_split, axis=1)
    return [
        Exchange(r.id, _codes(r.ewc_code), r.material, _nace(r.receiver_nace),
                 f"{r.receiver}|{r.receiver_nace}", r.receiver_input, _quantity(r))
        for r in table.itertuples()
    ]  # fmt: skip


#: Sets coded while one category, industrial_gas, took every gas (before fuel_gas was split off)
CODED_BEFORE_FUEL_GAS = frozenset({"documented", "heldout", "blind", "blind2", "blind3", "blind4", "blind5",
                                   "blind6", "blind7", "blind8"})  # fmt: skip
FUEL_WORDS = ("fuel", "burn", "boiler", "combust", "cogeneration", "chp", "furnace", "kiln", "power", "electric",
              "district heat", "steam", "heating", "energy", "engine", "turbine", "dry", "gas grid",
              "natural gas", "renewable natural gas")  # fmt: skip
CO2_WORDS = ("co2", "carbon dioxide", "dioxyde de carbone")


def _gas_split(row: pd.Series) -> pd.Series:
    """A row of a set coded before the split, its coarse ``industrial_gas`` read in the split
    vocabulary from its own words (the rule was written before blind9, the first set coded with
    fuel_gas, was read): a gas whose description names CO2 stays industrial_gas; otherwise a gas
    whose use burns it (fuel, boiler, furnace, power, heat...) is fuel_gas; otherwise it stays. A
    stated quantity in another unit than fuel gas's MWh is dropped (the row becomes unsized)."""
    if "industrial_gas" not in (row["material"], row["receiver_input"]):
        return row
    waste, use = row["waste"].lower(), row["final_use"].lower()
    if any(w in waste for w in CO2_WORDS) or not any(w in use for w in FUEL_WORDS):
        return row
    row = row.copy()
    for column in ("material", "receiver_input"):
        if row[column] == "industrial_gas":
            row[column] = "fuel_gas"
    if row["material"] == "fuel_gas" and row["quantity_unit"] != "MWh":
        row["quantity"] = row["quantity_unit"] = ""
    return row


#: Sets coded before fermentation_feedstock existed: ethanol made from sugars or starch was coded
#: with the lipid biofuels (biofuel_feedstock), which serve biodiesel plants
CODED_BEFORE_FERMENTATION = CODED_BEFORE_FUEL_GAS | {"blind9"}
FERMENTING = re.compile(r"ferment|distil|\bbrew|yeast")
ALCOHOLS = re.compile(r"\b(?:bio-?)?(?:ethanol|butanol)\b")
SUGARS = re.compile(r"sugar|starch|grain|wheat|maize|\bcorn\b|potato|bread|beer|whey|molasses|yeast|draff|cereal")


def _fermentation_split(row: pd.Series) -> pd.Series:
    """A row of a set coded before fermentation_feedstock, its ``biofuel_feedstock`` receiver input
    read from its own words (the rule was written before blind10, the first set coded with it,
    was read): a use that ferments, distils or brews, or that makes ethanol or butanol from a
    sugar or a starch, takes a fermentation feedstock; fats and oils for biodiesel stay."""
    if row["receiver_input"] != "biofuel_feedstock":
        return row
    use, waste = row["final_use"].lower(), row["waste"].lower()
    if not (FERMENTING.search(use) or (ALCOHOLS.search(use) and SUGARS.search(waste))):
        return row
    row = row.copy()
    row["receiver_input"] = "fermentation_feedstock"
    return row


def _quantity(row) -> float | None:
    """The row's stated yearly quantity in the unit of its stream (t, m3 or MWh), or None."""
    if not row.quantity:
        return None
    value = float(row.quantity)
    if row.quantity_unit == "t_steam":
        return value * MWH_PER_T_STEAM
    if row.quantity_unit not in ("t", "m3", "MWh"):
        raise ValueError(f"{row.id}: quantity_unit {row.quantity_unit!r} is not t, m3, MWh or t_steam")
    return value


def _receiver_categories(kb: KnowledgeBase, nace: tuple[str, ...]) -> set[str]:
    return {c for code in nace for c in kb.categories_for_nace(code, include_subsectors=True)}


def _supply_categories(kb: KnowledgeBase, ex: Exchange) -> set[str]:
    if ex.material:
        return set(kb.served_by(kb.canonical_category(ex.material)))
    return {r.category for code in ex.codes for r in kb.rules_for_code(code)}


def _stated_inputs(kb: KnowledgeBase, ex: Exchange) -> set[str]:
    return {kb.canonical_category(ex.receiver_input)} if ex.receiver_input else set()


def coverage(kb: KnowledgeBase, exchanges: list[Exchange], protocol: str = "sector") -> pd.DataFrame:
    rows = []
    for ex in exchanges:
        supply = _supply_categories(kb, ex)
        uses = _stated_inputs(kb, ex) if protocol == "stated" else _receiver_categories(kb, ex.receiver_nace)
        rows.append({"id": ex.id, "explained": bool(supply & uses),
                     "matched": ",".join(sorted(supply & uses)),
                     "code_categories": ",".join(sorted(supply)),
                     "receiver_categories": ",".join(sorted(uses))})  # fmt: skip
    return pd.DataFrame(rows)


def _place(key: str) -> tuple[float, float]:
    """Deterministic spot 0.5-4 km from the provider at (45.5, -0.5), from a hash of the key."""
    digest = hashlib.sha256(key.encode()).digest()
    u, v = int.from_bytes(digest[:4], "big") / 2**32, int.from_bytes(digest[4:8], "big") / 2**32
    km, bearing = 0.5 + 3.5 * u, 2 * math.pi * v
    return 45.5 + km * math.cos(bearing) / 111.2, -0.5 + km * math.sin(bearing) / (111.2 * math.cos(math.radians(45.5)))


def _unit(kb: KnowledgeBase, ex: Exchange) -> Unit:
    """The unit of the exchange's stream: tonnes for a coded waste, its category's for a material."""
    return kb.categories[kb.canonical_category(ex.material)].unit if ex.material else Unit.T


def _piped(kb: KnowledgeBase, ex: Exchange) -> bool:
    """Whether the exchange's flow goes by pipe, as the matcher carries it: heat, and the
    categories with a pipe cost (water, gases; ``symbiose.candidates``)."""
    if not ex.material:
        return False
    category = kb.categories[kb.canonical_category(ex.material)]
    return category.unit is Unit.MWH or category.transport_cost_eur_per_unit_km is not None


def _sized(kb: KnowledgeBase, ex: Exchange, quantity: str) -> bool:
    """Whether the network built from the exchange has a size that says whether its flow pays:
    trucked, or piped at the yearly quantity the source states (see the module docstring)."""
    return not _piped(kb, ex) or (quantity == "case" and ex.quantity is not None)


def _network(kb: KnowledgeBase, ex: Exchange, receivers: dict[str, set[str]], quantity: str = "fixed",
             permits: str = "none") -> Network:  # fmt: skip
    unit = _unit(kb, ex)
    # the case's own quantity where its source states one; the same for every receiver's need
    amount = ex.quantity if quantity == "case" and ex.quantity else QUANTITY
    stream = Stream(
        "S", "P", round(amount * 1000), unit, ewc_code="" if ex.material else ex.codes[0],
        material=kb.canonical_category(ex.material), route=Route.LANDFILL if unit is Unit.T else Route.OTHER,
        route_cost_cents=LANDFILL_EUR_PER_T * 100 if unit is Unit.T else 0,
    )  # fmt: skip
    companies = [Company("P", "provider", 45.5, -0.5)]
    needs = []
    for i, (key, categories) in enumerate(sorted(receivers.items())):
        cid = f"R{i:03d}"
        lat, lon = _place(f"{ex.id}/{key}")
        companies.append(Company(cid, key, lat, lon))
        for cat in sorted(categories):
            need_unit = kb.categories[cat].unit
            need_amount = amount if need_unit is unit else QUANTITY
            needs.append(Need(f"{cid}-{cat}", cid, round(need_amount * 1000), need_unit, category=cat,
                              virgin_price_cents=PRICE_EUR_PER_UNIT.get(cat, DEFAULT_PRICE) * 100,
                              **_permits_held(kb, cat, permits)))  # fmt: skip
    return Network(tuple(companies), (stream,), tuple(needs))


def _permits_held(kb: KnowledgeBase, category: str, permits: str) -> dict:
    """What a receiver's need holds under ``--permits``: nothing (``none``, the protocol), or
    (``held``) the hazardous-waste permit and every intake approval its category can require,
    the same for every receiver, so that it says nothing about which one is true."""
    if permits == "none":
        return {}
    approvals = sorted({a.approval for a in kb.intake_approvals if category in a.categories})
    return {"hazardous_permit": True, "approvals": tuple(approvals)}


def _needs_by_receiver(kb: KnowledgeBase, exchanges: list[Exchange], protocol: str) -> dict[str, set[str]]:
    """What each receiver of the set asks for: its sector's uses, or the inputs the sources state."""
    needs: dict[str, set[str]] = {}
    for ex in exchanges:
        if protocol == "stated":
            needs.setdefault(ex.receiver, set()).update(_stated_inputs(kb, ex))
        else:
            needs[ex.receiver] = _receiver_categories(kb, ex.receiver_nace)
    return needs


def _places(candidates, ranking: str) -> list[tuple]:
    """Per arc of the stream, where it places its receiver (higher is better): its value per
    unit, or its place in the stream's list of suggestions (outlet group, hierarchy front, key)."""
    arcs = candidates.arcs
    if ranking == "value" or not len(arcs):
        return [(float(v),) for v in arcs["value_cents"]]
    from symbiose.suggestions import hierarchy_fronts, pair_economics, rank_key, use_levels

    pairs = pair_economics(candidates)
    key = rank_key(pairs["score"].to_numpy(dtype=float), pairs["value_cents"].to_numpy(dtype=float),
                   ((pairs["stream_share"] + pairs["need_share"]) / 2).to_numpy(dtype=float))  # fmt: skip
    group = pairs["outlet"].astype(str).map({"substitution": 0, "treatment": 1, "same_use": 2}).to_numpy()
    front = hierarchy_fronts(group, use_levels(candidates, arcs), key, len(arcs))
    front = np.zeros(len(arcs), dtype=np.int64) if front is None else front
    return [(-int(g), -int(f), float(k)) for g, f, k in zip(group, front, key, strict=True)]


def _recall_row(kb: KnowledgeBase, ex: Exchange, receivers: dict[str, set[str]], ks: tuple[int, ...],
                quantity: str, ranking: str, permits: str = "none") -> dict:  # fmt: skip
    """Whether the true receiver is reached and its expected recall@k, in the network built from
    the exchange on its first code (or its material)."""
    net = _network(kb, ex, receivers, quantity, permits)
    candidates = build_candidates(net, kb=kb)
    names = {c.id: c.name for c in net.companies}
    score: dict[str, tuple] = {}  # per receiver, its best place: higher is better
    uses: dict[str, set[str]] = {}  # per receiver, the categories of its arcs
    for need_id, category, place in zip(candidates.arcs["need_id"].astype(str), candidates.arcs["category"].astype(str),
                                        _places(candidates, ranking), strict=True):  # fmt: skip
        name = names[need_id.split("-")[0]]
        score[name] = max(score.get(name, place), place)
        uses.setdefault(name, set()).add(category)
    row = {"reached": ex.receiver in score}
    mine = score.get(ex.receiver)
    better = sum(v > mine for k, v in score.items() if k != ex.receiver) if mine is not None else 0
    ties = sum(v == mine for k, v in score.items() if k != ex.receiver) if mine is not None else 0
    # what an order of these arcs could expect knowing only categories: the true receiver's
    # category first (an oracle's choice), the receivers that share it in a random order
    sharing = min((sum(category in cats for cats in uses.values()) for category in uses[ex.receiver]),
                  default=0) if mine is not None else 0  # fmt: skip
    for k in ks:
        row[f"recall@{k}"] = min(1.0, max(0.0, (k - better) / (ties + 1))) if mine is not None else 0.0
        row[f"ceiling@{k}"] = min(1.0, k / sharing) if sharing else 0.0
    return row


def recall(kb: KnowledgeBase, exchanges: list[Exchange], ks: tuple[int, ...] = (1, 5),
           protocol: str = "sector", quantity: str = "fixed", ranking: str = "value",
           codes: str = "first", permits: str = "none") -> pd.DataFrame:  # fmt: skip
    """Expected recall@k of the true receiver for each exchange (see the module docstring).

    ``codes``: a row coded with several entries (its source leaves the choice open) is built on
    its first code (``first``, the protocol), or on each in turn keeping the best result
    (``best``, an upper bound: an officer enters one code)."""
    nace_of = {ex.receiver: ex.receiver_nace for ex in exchanges}
    needs = _needs_by_receiver(kb, exchanges, protocol)
    rows = []
    for ex in exchanges:
        if not ex.codes and not ex.material:
            continue
        receivers = {k: needs[k] for k, v in nace_of.items() if k == ex.receiver or set(v).isdisjoint(ex.receiver_nace)}
        variants = [ex] if codes == "first" or len(ex.codes) < 2 else [
            dataclasses.replace(ex, codes=(c,)) for c in ex.codes]  # fmt: skip
        found = [_recall_row(kb, v, receivers, ks, quantity, ranking, permits) for v in variants]
        row = {"id": ex.id, "reached": any(f["reached"] for f in found), "sized": _sized(kb, ex, quantity)}
        row.update({f"{m}@{k}": max(f[f"{m}@{k}"] for f in found) for k in ks for m in ("recall", "ceiling")})
        rows.append(row)
    return pd.DataFrame(rows)


def evaluate(name: str, kb: KnowledgeBase | None = None, protocol: str = "sector", quantity: str = "fixed",
             ranking: str = "value", codes: str = "first", permits: str = "none") -> dict:  # fmt: skip
    kb = kb or load_knowledge_base()
    exchanges = load_set(name)
    if protocol == "stated" and not any(ex.receiver_input for ex in exchanges):
        raise ValueError(f"the {name} set does not state each receiver's input: use --protocol sector")
    cov = coverage(kb, exchanges, protocol)
    rec = recall(kb, exchanges, protocol=protocol, quantity=quantity, ranking=ranking, codes=codes, permits=permits)
    return {"set": name, "protocol": protocol, "quantity": quantity, "ranking": ranking, "exchanges": len(exchanges),
            "coverage": float(cov["explained"].mean()),
            "recall@1": float(rec["recall@1"].mean()), "recall@5": float(rec["recall@5"].mean()),
            "sized": int(rec["sized"].sum()), "sized_recall@5": float(rec.loc[rec["sized"], "recall@5"].mean()),
            "ceiling@5": float(rec["ceiling@5"].mean()),
            "sized_ceiling@5": float(rec.loc[rec["sized"], "ceiling@5"].mean()),
            "coverage_rows": cov, "recall_rows": rec}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=["maestri", *SETS, "all"], default="all")
    parser.add_argument("--misses", action="store_true", help="list the exchanges missed")
    parser.add_argument("--protocol", choices=["sector", "stated", "both"], default="both",
                        help="receivers' needs: their sector's uses, or the inputs the sources state "
                             "(documented sets only); default both")  # fmt: skip
    parser.add_argument("--quantity", choices=["fixed", "case", "both"], default="both",
                        help="quantity of the flow: 1000 units a year, or the case's where its source states "
                             "one; default both")  # fmt: skip
    parser.add_argument("--ranking", choices=["value", "suggestions", "both"], default="both",
                        help="receivers ranked by their best arc's value per unit, or by the stream's list "
                             "of suggestions (waste hierarchy, two-sided key); default both")  # fmt: skip
    parser.add_argument("--codes", choices=["first", "best"], default="first",
                        help="a row coded with several entries: built on its first code (the protocol), or "
                             "on each in turn keeping the best (an upper bound)")  # fmt: skip
    parser.add_argument("--permits", choices=["none", "held"], default="none",
                        help="receivers hold no permit or approval (the protocol), or every receiver holds the "
                             "hazardous-waste permit and the intake approvals of its needs (beside it)")  # fmt: skip
    parser.add_argument("--no-hierarchy", action="store_true",
                        help="every use at one level of the waste hierarchy (the key and, for heat, the grades)")
    args = parser.parse_args(argv)
    kb = load_knowledge_base()
    if args.no_hierarchy:
        kb = dataclasses.replace(kb, hierarchy={})
    names = ["maestri", *SETS] if args.set == "all" else [args.set]
    rankings = ["value", "suggestions"] if args.ranking == "both" else [args.ranking]
    quantities = ["fixed", "case"] if args.quantity == "both" else [args.quantity]
    runs = [(n, p, q) for n in names for p in (["sector", "stated"] if args.protocol == "both" else [args.protocol])
            for q in quantities
            if not (n == "maestri" and p == "stated")  # MAESTRI names no input ("Raw material")
            and not (n == "maestri" and q == "case")]  # nor quantities: the case protocol is the fixed one there
    for (name, protocol, quantity), ranking in ((run, r) for run in runs for r in rankings):
        result = evaluate(name, kb=kb, protocol=protocol, quantity=quantity, ranking=ranking, codes=args.codes,
                          permits=args.permits)  # fmt: skip
        held = ", permits held" if args.permits == "held" else ""
        print(f"{name} ({protocol} needs, {quantity} quantity, by {ranking}{held}): {result['exchanges']} exchanges; "
              f"category coverage {result['coverage']:.1%}; "
              f"recall@1 {result['recall@1']:.1%}; recall@5 {result['recall@5']:.1%} "
              f"({result['sized_recall@5']:.1%} over the {result['sized']} sized rows); "
              f"ceiling of recall@5 {result['ceiling@5']:.1%} ({result['sized_ceiling@5']:.1%})")  # fmt: skip
        if args.misses:
            cov = result["coverage_rows"]
            for r in cov[~cov["explained"]].itertuples():
                print(f"  not covered {r.id}: code -> {r.code_categories or '-'}; receiver uses {r.receiver_categories or '-'}")
            rec = result["recall_rows"]
            for r in rec[rec["recall@5"] < 1].to_dict("records"):
                print(f"  recall@5 {r['recall@5']:.2f} {r['id']}{'' if r['sized'] else ' (unsized)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
