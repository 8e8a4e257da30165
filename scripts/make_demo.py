"""Generate the fictional demo network of a Réseau Symbiose in Haute-Saintonge.

Every company, name, contact and figure written by this script is invented. The places are real
(the 129 member communes of the Communauté de communes de la Haute-Saintonge and a few other
communes of Charente-Maritime, read from ``data/reference``), and the sectors, waste codes,
quantities, seasons and prices are chosen to be plausible for the territory, so that a matcher
finds meaningful synergies and an opportunity finder finds wastes with no local outlet.

The output is deterministic (fixed seed, no network access, no clock): running the script twice
gives byte-identical files, and the committed ``data/demo`` must equal a fresh run::

    /work/venv/bin/python scripts/make_demo.py              # writes data/demo/*.csv
    /work/venv/bin/python scripts/make_demo.py --out /tmp/x # writes elsewhere

Files are written in the canonical bundle format of ``docs/DATA_FORMAT.md``: comma separator,
UTF-8 without BOM, ``\\n`` line ends, decimal point, canonical English headers in the documented
order, numbers without trailing zeros.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import sys
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "data" / "reference"
DEFAULT_OUT = ROOT / "data" / "demo"
SEED = 17_500  # Jonzac's postal code; change it and every figure changes
MAX_JITTER_KM = 1.4  # sites are placed within this radius of the commune centre
FICTIONAL = "fictional company (demo data)"

COMPANY_COLUMNS = [
    "id", "name", "siret", "naf_code", "address", "postal_code", "commune", "insee_code",
    "latitude", "longitude", "contact_name", "contact_email", "contact_phone", "notes",
    "freight_access",
]  # fmt: skip
STREAM_COLUMNS = [
    "id", "company_id", "ewc_code", "material", "description", "quantity", "unit",
    "physical_state", "months", "route", "route_cost_eur_per_unit", "notes",
]  # fmt: skip
NEED_COLUMNS = [
    "id", "company_id", "category", "accepted_codes", "description", "quantity", "unit",
    "virgin_price_eur_per_unit", "max_distance_km", "months", "hazardous_permit", "notes",
]  # fmt: skip
SYNERGY_COLUMNS = [
    "id", "stream_id", "need_id", "stage", "quantity", "abandoned_reason", "created_on",
    "updated_on", "notes",
]  # fmt: skip


class DemoDataError(ValueError):
    """The generator's own tables are inconsistent (a bug in this script, not in user data)."""


def fmt_number(value: float, decimals: int = 3) -> str:
    """A number without trailing zeros: 120 -> '120', 12.50 -> '12.5', -0.0 -> '0'."""
    text = f"{round(float(value), decimals):.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def fold(text: str) -> str:
    """ASCII, lower case, hyphen-free key of a name (for e-mail addresses and look-ups)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_text.lower() if ch.isalnum())


# --------------------------------------------------------------------------------------------
# Reference data


@dataclass(frozen=True, slots=True)
class Commune:
    insee_code: str
    name: str
    postal_code: str
    latitude: float
    longitude: float
    in_cdc: bool


def load_communes() -> dict[str, Commune]:
    """All communes of Charente-Maritime keyed by name; CdC membership from its own table."""
    with open(REFERENCE / "haute_saintonge_communes.csv", encoding="utf-8", newline="") as f:
        cdc = {row["insee_code"] for row in csv.DictReader(f)}
    communes: dict[str, Commune] = {}
    with open(REFERENCE / "communes_17.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            communes[row["name"]] = Commune(
                row["insee_code"],
                row["name"],
                row["postal_code"],
                float(row["latitude"]),
                float(row["longitude"]),
                row["insee_code"] in cdc,
            )
    return communes


def load_ewc() -> dict[str, bool]:
    """Compact six-digit List of Waste code -> hazardous."""
    with open(REFERENCE / "ewc_codes.csv", encoding="utf-8", newline="") as f:
        return {
            row["code_compact"]: row["hazardous"] == "true"
            for row in csv.DictReader(f)
            if row["level"] == "entry"
        }


def load_naf() -> set[str]:
    with open(REFERENCE / "naf_rev2_sousclasses.csv", encoding="utf-8", newline="") as f:
        return {row["naf_code"] for row in csv.DictReader(f)}


# --------------------------------------------------------------------------------------------
# The generator


@dataclass(slots=True)
class Site:
    """A company being generated (``key`` is internal, used to wire the synergies)."""

    key: str
    id: str
    sector: str
    name: str
    naf_code: str
    commune: Commune
    latitude: float
    longitude: float
    row: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Generator:
    rng: random.Random
    ewc: dict[str, bool]
    sites: list[Site] = field(default_factory=list)
    streams: list[dict[str, str]] = field(default_factory=list)
    needs: list[dict[str, str]] = field(default_factory=list)
    stream_tags: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    need_tags: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)

    # random helpers -------------------------------------------------------------------------
    def q(self, low: float, high: float, step: float = 1.0) -> float:
        """A quantity or price drawn uniformly in [low, high], rounded to a multiple of step."""
        value = round(self.rng.uniform(low, high) / step) * step
        value = min(max(value, low), high)
        return round(value, 3)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    # rows -----------------------------------------------------------------------------------
    def stream(
        self,
        site: Site,
        tag: str,
        *,
        code: str = "",
        material: str = "",
        description: str,
        quantity: float,
        unit: str = "t",
        state: str = "solid",
        months: str = "",
        route: str = "other",
        cost: float = 0.0,
        notes: str = "",
    ) -> None:
        ewc_code = ""
        if code:
            compact = code.replace(" ", "")
            if compact not in self.ewc:
                raise DemoDataError(f"{site.key}/{tag}: {code} is not in the List of Waste")
            spaced = " ".join(compact[i : i + 2] for i in range(0, 6, 2))
            ewc_code = spaced + ("*" if self.ewc[compact] else "")
        if quantity <= 0:
            raise DemoDataError(f"{site.key}/{tag}: quantity must be > 0")
        row = {
            "id": f"S{len(self.streams) + 1:04d}",
            "company_id": site.id,
            "ewc_code": ewc_code,
            "material": material,
            "description": description,
            "quantity": fmt_number(quantity),
            "unit": unit,
            "physical_state": state,
            "months": months,
            "route": route,
            "route_cost_eur_per_unit": fmt_number(cost, 2),
            "notes": notes,
        }
        if (site.key, tag) in self.stream_tags:
            raise DemoDataError(f"stream tag {site.key}/{tag} used twice")
        self.stream_tags[(site.key, tag)] = row
        self.streams.append(row)

    def need(
        self,
        site: Site,
        tag: str,
        *,
        category: str = "",
        accepted_codes: str = "",
        description: str,
        quantity: float,
        unit: str = "t",
        price: float = 0.0,
        max_km: float | None = None,
        months: str = "",
        permit: bool = False,
        notes: str = "",
    ) -> None:
        for prefix in filter(None, accepted_codes.split(",")):
            if len(prefix) == 6 and prefix not in self.ewc:
                raise DemoDataError(f"{site.key}/{tag}: {prefix} is not in the List of Waste")
        if quantity <= 0:
            raise DemoDataError(f"{site.key}/{tag}: quantity must be > 0")
        row = {
            "id": f"N{len(self.needs) + 1:04d}",
            "company_id": site.id,
            "category": category,
            "accepted_codes": accepted_codes,
            "description": description,
            "quantity": fmt_number(quantity),
            "unit": unit,
            "virgin_price_eur_per_unit": fmt_number(price, 2),
            "max_distance_km": "" if max_km is None else fmt_number(max_km),
            "months": months,
            "hazardous_permit": "true" if permit else "false",
            "notes": notes,
        }
        if (site.key, tag) in self.need_tags:
            raise DemoDataError(f"need tag {site.key}/{tag} used twice")
        self.need_tags[(site.key, tag)] = row
        self.needs.append(row)


# --------------------------------------------------------------------------------------------
# Sectors: each function writes the typical streams and needs of one establishment.
# Quantities are per year; money in EUR per unit (t, m3 or MWh). Route costs include gate fee,
# TGAP (65 EUR/t on landfill) and collection; a negative cost means the stream is sold today.

SectorFn = Callable[[Generator, Site], None]


def cognac_distillery(g: Generator, s: Site, big: bool = False) -> None:
    low, high = (12_000, 20_000) if big else (1_000, 9_000)
    g.stream(s, "vinasses", code="02 07 02", state="liquid", unit="m3", months="11-3",
             description="Vinasses from the double distillation of Cognac (vinasses)",
             quantity=g.q(low, high, 100), route="recovery", cost=g.q(6, 14, 0.5),
             notes="trucked to a treatment or spreading outlet today")  # fmt: skip
    g.stream(s, "marc", code="02 07 01", state="pasty", months="9-12",
             description="Grape marc from the house's own presses (marc de raisin)",
             quantity=g.q(1_000, 2_000, 10) if big else g.q(200, 900, 10),
             route="recovery", cost=g.q(0, 12, 1))  # fmt: skip
    g.stream(s, "lees", code="02 07 04", state="pasty", months="11-3",
             description="Wine lees left after racking (lies de vin)",
             quantity=g.q(150, 400, 5) if big else g.q(30, 150, 5), route="recovery",
             cost=g.q(0, 10, 1))  # fmt: skip
    g.stream(s, "heat", material="heat_hot_water", unit="MWh", state="energy", months="11-3",
             description="Surplus heat from the still condensers (cooling water at 60-80 °C)",
             quantity=g.q(1_500, 2_500, 50) if big else g.q(300, 1_200, 50))  # fmt: skip
    if big or g.chance(0.4):
        g.stream(s, "cooling_water", material="process_water", unit="m3", state="liquid",
                 months="11-3", description="Clean condenser cooling water (not in contact)",
                 quantity=g.q(2_000, 15_000, 100), cost=g.q(1, 2, 0.5))  # fmt: skip
    if big or g.chance(0.4):
        g.stream(s, "glass", code="15 01 07", description="Broken and off-spec bottles from the "
                 "bottling line", quantity=g.q(5, 60, 1), route="recovery",
                 cost=g.q(15, 40, 1),
                 notes="shipped to a glassworks outside the territory")  # fmt: skip
    if g.chance(0.3):
        g.stream(s, "cardboard", code="15 01 01", description="Cardboard cases and dividers",
                 quantity=g.q(3, 30, 1), route="recovery", cost=g.q(5, 25, 1))  # fmt: skip
    if g.chance(0.25):
        g.stream(s, "pallets", code="15 01 03", description="Broken wooden pallets",
                 quantity=g.q(2, 20, 1), route="recovery", cost=g.q(10, 30, 1))  # fmt: skip
    if not big and g.chance(0.5):
        g.need(s, "water", category="process_water", unit="m3", months="11-3",
               description="Cooling water for the stills during the distillation campaign",
               quantity=g.q(3_000, 15_000, 100), price=g.q(3, 4.5, 0.1), max_km=10)  # fmt: skip
    if g.chance(0.2):
        g.need(s, "wood", category="wood_fuel", months="11-3",
               description="Wood chips for a biomass boiler heating the stills (project)",
               quantity=g.q(300, 900, 10), price=g.q(30, 38, 1), max_km=50)  # fmt: skip


def big_distillery(g: Generator, s: Site) -> None:
    cognac_distillery(g, s, big=True)


def wine_grower(g: Generator, s: Site, distils: bool = False) -> None:
    g.stream(s, "marc", code="02 07 01", state="pasty", months="9-10",
             description="Grape marc from pressing (marc de raisin)",
             quantity=g.q(30, 400, 5), route="recovery", cost=g.q(0, 10, 1),
             notes="delivered to a by-product distillery (prestations viniques)")  # fmt: skip
    if distils or g.chance(0.5):
        g.stream(s, "lees", code="02 07 04", state="pasty", months="10-12",
                 description="Wine lees (lies de vin)", quantity=g.q(5, 80, 1),
                 route="recovery", cost=g.q(0, 10, 1))  # fmt: skip
    if g.chance(0.35):
        g.stream(s, "prunings", code="02 01 03", months="12-3",
                 description="Vine prunings (sarments), burnt or mulched in the rows today",
                 quantity=g.q(20, 150, 5), route="other")  # fmt: skip
    if distils:
        g.stream(s, "vinasses", code="02 07 02", state="liquid", unit="m3", months="11-3",
                 description="Vinasses from the grower's own still (bouilleur de cru)",
                 quantity=g.q(300, 3_000, 50), route="recovery", cost=g.q(8, 14, 0.5))  # fmt: skip
    if g.chance(0.25):
        g.stream(s, "plastic", code="02 01 04", description="Vineyard plastics: ties, trunk "
                 "protectors, wrapping", quantity=g.q(0.5, 3, 0.5), route="landfill",
                 cost=g.q(110, 130, 1))  # fmt: skip
    g.need(s, "amendment", category="soil_amendment", months="11-3",
           description="Organic amendment for the vineyard (compost, digestate)",
           quantity=g.q(80, 600, 10), price=g.q(20, 40, 1), max_km=g.q(25, 40, 5))  # fmt: skip
    if g.chance(0.35):
        g.need(s, "water", category="process_water", unit="m3", months="9-10",
               description="Water for washing the press, vats and harvest trailers",
               quantity=g.q(300, 1_500, 50), price=g.q(3, 4.5, 0.1), max_km=10)  # fmt: skip
    if distils and g.chance(0.5):
        g.need(s, "wood", category="wood_fuel", months="11-3",
               description="Wood chips to replace fuel oil under the still (project)",
               quantity=g.q(60, 200, 10), price=g.q(32, 40, 1), max_km=40)  # fmt: skip


def distilling_grower(g: Generator, s: Site) -> None:
    wine_grower(g, s, distils=True)


def byproduct_distillery(g: Generator, s: Site) -> None:
    g.need(s, "marc_lees", category="wine_byproduct_distillation", months="9-11",
           description="Grape marc for alcohol, tartaric acid and grape-seed oil (ensiled)",
           quantity=18_000, price=8, max_km=80)  # fmt: skip
    g.need(s, "lees", accepted_codes="020704", months="10-3",
           description="Wine lees for alcohol and tartaric acid", quantity=6_000, price=8,
           max_km=80)  # fmt: skip
    g.need(s, "wood", category="wood_fuel", months="9-4",
           description="Wood chips and sawdust for the steam boiler (with exhausted marc)",
           quantity=4_000, price=32, max_km=80)  # fmt: skip
    g.stream(s, "exhausted_marc", code="02 07 02", state="solid", months="10-5",
             description="Exhausted grape marc after alcohol and seed extraction",
             quantity=6_000, route="recovery", cost=12)  # fmt: skip
    g.stream(s, "vinasses", code="02 07 02", state="liquid", unit="m3", months="10-4",
             description="Vinasses from the distillation of marc and lees",
             quantity=22_000, route="recovery", cost=10)  # fmt: skip
    g.stream(s, "heat", material="heat_low_temperature", unit="MWh", state="energy", months="10-4",
             description="Surplus low-temperature heat from the distillation columns",
             quantity=3_000)  # fmt: skip
    g.stream(s, "ash", code="10 01 01", description="Boiler bottom ash (marc and wood fired)",
             quantity=380, route="landfill", cost=95)  # fmt: skip


def methaniser(g: Generator, s: Site, big: bool = True) -> None:
    if big:
        g.need(s, "solid", accepted_codes="0201,0203,0207,0205",
               description="Solid feedstock: manure, crop and agri-food residues, marc, lees",
               quantity=30_000, price=25, max_km=50)  # fmt: skip
        g.need(s, "vinasses", accepted_codes="020702", unit="m3", months="11-4",
               description="Liquid feedstock: vinasses (replace dilution water)",
               quantity=20_000, price=1, max_km=40)  # fmt: skip
        g.need(s, "biowaste", category="methanisation_feedstock",
               description="Food waste and fats from canteens and shops (hygienised on site)",
               quantity=4_000, price=15, max_km=40)  # fmt: skip
        g.stream(s, "digestate", code="19 06 06", state="pasty", route="recovery", cost=6,
                 description="Solid digestate, spread on farms under the spreading plan",
                 quantity=26_000)  # fmt: skip
        g.stream(s, "liquid_digestate", code="19 06 05", state="liquid", unit="m3",
                 route="recovery", cost=4, quantity=12_000,
                 description="Liquid fraction of digestate (liquor), nitrogen-rich")  # fmt: skip
        g.stream(s, "heat", material="heat_hot_water", unit="MWh", state="energy",
                 description="Surplus heat of the CHP engine after heating the digesters",
                 quantity=4_500)  # fmt: skip
    else:
        g.need(s, "solid", accepted_codes="0201,0203",
               description="Manure, crop residues and vegetable rejects for the farm digester",
               quantity=8_000, price=20, max_km=20)  # fmt: skip
        g.stream(s, "digestate", code="19 06 06", state="pasty", route="recovery", cost=5,
                 description="Digestate from the farm digester", quantity=7_000)  # fmt: skip
        g.stream(s, "heat", material="heat_hot_water", unit="MWh", state="energy",
                 description="Surplus heat of the farm CHP engine", quantity=1_200)  # fmt: skip


def farm_methaniser(g: Generator, s: Site) -> None:
    methaniser(g, s, big=False)


def composting(g: Generator, s: Site) -> None:
    g.need(s, "feedstock", category="compost_feedstock",
           description="Green waste, bark, marc and other biodegradable residues to compost",
           quantity=9_000, price=0, max_km=40)  # fmt: skip
    g.stream(s, "compost", material="soil_amendment", route="other", cost=-6,
             description="Standardised compost (NF U 44-051), sold to farms today",
             quantity=4_500)  # fmt: skip
    g.stream(s, "rejects", code="19 12 12", description="Screening rejects (plastics, stones)",
             quantity=400, route="landfill", cost=105)  # fmt: skip


def heat_network(g: Generator, s: Site) -> None:
    g.need(s, "wood", category="wood_fuel",
           description="Wood chips for the heat network boilers (with geothermal water)",
           quantity=10_000, price=32, max_km=80)  # fmt: skip
    g.need(s, "heat", category="heat_hot_water", unit="MWh", months="10-4",
           description="Surplus heat injected into the heat network",
           quantity=2_500, price=30, max_km=8)  # fmt: skip
    g.stream(s, "ash", code="10 01 01", description="Wood-boiler bottom ash",
             quantity=260, route="landfill", cost=95)  # fmt: skip
    g.stream(s, "fly_ash", code="10 01 03", description="Fly ash from the wood boilers",
             quantity=45, route="landfill", cost=110)  # fmt: skip


def hospital(g: Generator, s: Site) -> None:
    g.need(s, "wood", category="wood_fuel", months="10-4",
           description="Wood chips for the hospital boiler", quantity=1_800, price=35,
           max_km=60)  # fmt: skip
    g.stream(s, "food", code="20 01 08", description="Kitchen and canteen waste",
             quantity=70, route="incineration", cost=135)  # fmt: skip
    g.stream(s, "cardboard", code="15 01 01", description="Cardboard packaging",
             quantity=45, route="recovery", cost=20)  # fmt: skip
    g.stream(s, "textile", code="20 01 11", description="Worn linen and uniforms",
             quantity=4, route="incineration", cost=140)  # fmt: skip


def school(g: Generator, s: Site) -> None:
    g.need(s, "wood", category="wood_fuel", months="10-4",
           description="Wood chips for the school boiler", quantity=g.q(150, 500, 10),
           price=g.q(34, 38, 1), max_km=50)  # fmt: skip
    g.stream(s, "food", code="20 01 08", months="9-6", description="Canteen food waste",
             quantity=g.q(15, 40, 1), route="incineration", cost=g.q(125, 140, 1))  # fmt: skip


def care_home(g: Generator, s: Site) -> None:
    g.need(s, "wood", category="wood_fuel", months="10-4",
           description="Wood pellets or chips for the boiler", quantity=250, price=38,
           max_km=40)  # fmt: skip
    g.stream(s, "food", code="20 01 08", description="Kitchen waste", quantity=20,
             route="incineration", cost=130)  # fmt: skip
    g.stream(s, "oil", code="20 01 25", state="liquid", description="Used frying oil",
             quantity=0.8, route="recovery", cost=50)  # fmt: skip


def aquatic_centre(g: Generator, s: Site) -> None:
    g.need(s, "heat", category="heat_low_temperature", unit="MWh",
           description="Heat for pool water and halls", quantity=3_200, price=60,
           max_km=4)  # fmt: skip
    g.stream(s, "water", material="process_water", unit="m3", state="liquid",
             description="Filter backwash and emptying water, dechlorinated",
             quantity=6_000, cost=2)  # fmt: skip


def dairy(g: Generator, s: Site) -> None:
    g.stream(s, "whey", code="02 05 01", state="liquid", unit="m3",
             description="Sweet whey (lactosérum)", quantity=6_000, route="recovery",
             cost=4)  # fmt: skip
    g.stream(s, "sludge", code="02 05 02", state="pasty", quantity=500, route="recovery",
             cost=22, description="Sludge from the on-site effluent treatment plant")  # fmt: skip
    g.stream(s, "heat", material="heat_low_temperature", unit="MWh", state="energy", quantity=900,
             description="Heat recovered from refrigeration and pasteuriser cooling")  # fmt: skip
    g.stream(s, "cardboard", code="15 01 01", description="Cardboard packaging", quantity=30,
             route="recovery", cost=12)  # fmt: skip
    g.stream(s, "film", code="15 01 02", description="Stretch film and plastic liners",
             quantity=20, route="landfill", cost=118)  # fmt: skip
    g.need(s, "water", category="process_water", unit="m3",
           description="Water for cleaning in place", quantity=25_000, price=3.6,
           max_km=10)  # fmt: skip


def cannery(g: Generator, s: Site) -> None:
    g.stream(s, "rejects", code="02 03 04", months="6-10", quantity=1_500, route="recovery",
             cost=15, description="Melon and vegetable peelings and rejects")  # fmt: skip
    g.stream(s, "sludge", code="02 03 05", state="pasty", quantity=450, route="recovery",
             cost=25, description="Sludge from the on-site effluent treatment plant")  # fmt: skip
    g.stream(s, "cans", code="15 01 04", description="Steel can offcuts and rejects",
             quantity=12, route="recovery", cost=-40)  # fmt: skip
    g.need(s, "heat", category="heat_steam", unit="MWh", months="6-10",
           description="Steam and hot water for blanching and sterilisation", quantity=3_500,
           price=55, max_km=4)  # fmt: skip
    g.need(s, "water", category="process_water", unit="m3", months="6-10",
           description="Washing water for vegetables", quantity=40_000, price=3.4,
           max_km=10)  # fmt: skip


def slaughterhouse(g: Generator, s: Site) -> None:
    g.stream(s, "tissue", code="02 02 02", quantity=900, route="other", cost=60,
             description="Category 3 animal by-products, rendered outside the area")  # fmt: skip
    g.stream(s, "manure", code="02 01 06", state="pasty", quantity=1_200, route="recovery",
             cost=12, description="Lairage manure and stomach contents")  # fmt: skip
    g.stream(s, "sludge", code="02 02 04", state="pasty", quantity=600, route="recovery",
             cost=25, description="Sludge from the on-site effluent treatment plant")  # fmt: skip
    g.need(s, "heat", category="heat_hot_water", unit="MWh", description="Hot water for scalding and "
           "cleaning", quantity=1_400, price=58, max_km=4)  # fmt: skip
    g.need(s, "water", category="process_water", unit="m3",
           description="Water for cleaning", quantity=18_000, price=3.8, max_km=10)  # fmt: skip


def bakery(g: Generator, s: Site) -> None:
    g.stream(s, "bread", code="02 06 01", quantity=g.q(60, 150, 5), route="incineration",
             cost=g.q(120, 135, 1), description="Unsold bread and off-spec pastry")  # fmt: skip
    g.stream(s, "cardboard", code="15 01 01", description="Cardboard packaging",
             quantity=g.q(10, 30, 1), route="recovery", cost=g.q(5, 20, 1))  # fmt: skip
    if g.chance(0.6):
        g.stream(s, "oil", code="20 01 25", state="liquid", description="Used frying oil",
                 quantity=g.q(1, 4, 0.5), route="recovery", cost=g.q(30, 60, 5))  # fmt: skip


def feed_mill(g: Generator, s: Site) -> None:
    g.need(s, "feed", category="animal_feed_ruminant",
           description="By-products for feed formulation: bran, bakery meal, pulp, whey",
           quantity=6_000, price=210, max_km=60)  # fmt: skip
    g.stream(s, "screenings", code="02 03 04", quantity=120, route="recovery", cost=10,
             description="Grain screenings and dust unsuitable for feed")  # fmt: skip
    g.stream(s, "bags", code="15 01 01", description="Paper sacks", quantity=15,
             route="recovery", cost=15)  # fmt: skip


def grain_dryer(g: Generator, s: Site) -> None:
    g.need(s, "heat", category="heat_hot_water", unit="MWh", months="7-10",
           description="Heat for drying maize and sunflower at harvest",
           quantity=g.q(1_200, 2_200, 100), price=g.q(60, 70, 1), max_km=5)  # fmt: skip
    g.stream(s, "husks", code="02 01 03", months="7-11", route="recovery", cost=g.q(3, 8, 1),
             description="Cleaning screenings, husks and broken grain",
             quantity=g.q(300, 700, 10))  # fmt: skip


def cereal_farm(g: Generator, s: Site) -> None:
    g.stream(s, "residues", code="02 01 03", months="7-9", route="other",
             description="Cereal chaff and crop residues not sold as straw",
             quantity=g.q(50, 300, 10))  # fmt: skip
    g.need(s, "amendment", category="soil_amendment", months="2-4",
           description="Organic fertiliser (digestate, compost) replacing mineral fertiliser",
           quantity=g.q(200, 1_500, 50), price=g.q(15, 40, 1), max_km=g.q(20, 40, 5))  # fmt: skip
    if g.chance(0.5):
        g.need(s, "water", category="process_water", unit="m3", months="6-8",
               description="Irrigation water for maize (agricultural rate)",
               quantity=g.q(5_000, 30_000, 500), price=0.45, max_km=10)  # fmt: skip
    if g.chance(0.2):
        g.stream(s, "plastic", code="02 01 04", description="Silage and big-bag plastics",
                 quantity=g.q(1, 4, 0.5), route="landfill", cost=g.q(110, 130, 1))  # fmt: skip


def melon_farm(g: Generator, s: Site) -> None:
    g.stream(s, "melons", code="02 01 03", months="6-9", route="other",
             description="Unsold and damaged melons, vines after harvest",
             quantity=g.q(100, 600, 10))  # fmt: skip
    if g.chance(0.6):
        g.stream(s, "mulch", code="02 01 04", description="Used plastic mulch film and tunnels",
                 quantity=g.q(3, 15, 1), route="landfill", cost=g.q(110, 130, 1))  # fmt: skip
    g.need(s, "amendment", category="soil_amendment", months="2-4",
           description="Compost or digestate before planting", quantity=g.q(150, 600, 10),
           price=g.q(25, 35, 1), max_km=30)  # fmt: skip
    g.need(s, "water", category="process_water", unit="m3", months="5-8",
           description="Irrigation water (agricultural rate)", quantity=g.q(5_000, 25_000, 500),
           price=0.45, max_km=10)  # fmt: skip


def greenhouse(g: Generator, s: Site) -> None:
    g.need(s, "heat", category="heat_low_temperature", unit="MWh", months="10-4",
           description="Heat for tomato and cucumber greenhouses",
           quantity=g.q(1_500, 4_000, 100), price=g.q(65, 80, 1), max_km=5)  # fmt: skip
    g.stream(s, "residues", code="02 01 03", months="7-11", route="recovery",
             cost=g.q(15, 25, 1), description="Plant residues after the crop",
             quantity=g.q(80, 200, 10))  # fmt: skip
    if g.chance(0.5):
        g.stream(s, "films", code="02 01 04", description="Greenhouse films and substrate bags",
                 quantity=g.q(2, 6, 1), route="landfill", cost=g.q(110, 130, 1))  # fmt: skip
    g.need(s, "water", category="process_water", unit="m3", months="3-10",
           description="Irrigation water (drip and misting)", quantity=g.q(3_000, 8_000, 500),
           price=g.q(3, 3.5, 0.1), max_km=10)  # fmt: skip
    g.need(s, "amendment", category="soil_amendment", months="1-2",
           description="Compost for the soil beds", quantity=g.q(50, 150, 10),
           price=g.q(30, 40, 1), max_km=30)  # fmt: skip


def cattle_farm(g: Generator, s: Site) -> None:
    g.stream(s, "manure", code="02 01 06", state="pasty", route="other",
             description="Cattle manure, spread on the farm's own land today",
             quantity=g.q(1_500, 5_000, 100))  # fmt: skip
    if g.chance(0.5):
        g.stream(s, "film", code="02 01 04", description="Silage film and wrapping",
                 quantity=g.q(1, 4, 0.5), route="landfill", cost=g.q(110, 130, 1))  # fmt: skip
    g.need(s, "bedding", category="animal_bedding", description="Bedding (straw, sawdust)",
           quantity=g.q(100, 400, 10), price=g.q(45, 70, 1), max_km=30)  # fmt: skip
    g.need(s, "feed", category="animal_feed_ruminant", description="Complementary feed",
           quantity=g.q(200, 800, 10), price=g.q(180, 250, 5), max_km=40)  # fmt: skip
    if g.chance(0.6):
        g.need(s, "water", category="process_water", unit="m3",
               description="Water for cleaning the milking parlour and yards",
               quantity=g.q(1_000, 3_000, 100), price=g.q(3, 4, 0.1), max_km=10)  # fmt: skip


def poultry_farm(g: Generator, s: Site) -> None:
    g.stream(s, "litter", code="02 01 06", route="other",
             description="Poultry litter (manure and bedding)", quantity=g.q(200, 800,
             10))  # fmt: skip
    g.need(s, "bedding", category="animal_bedding", description="Wood shavings for litter",
           quantity=g.q(60, 200, 5), price=g.q(50, 80, 1), max_km=40)  # fmt: skip
    g.need(s, "heat", category="heat_low_temperature", unit="MWh", months="10-4",
           description="Heat for the poultry houses (gas today)",
           quantity=g.q(150, 450, 10), price=75, max_km=5)  # fmt: skip


def pig_farm(g: Generator, s: Site) -> None:
    g.stream(s, "slurry", code="02 01 06", state="liquid", unit="m3", route="other",
             description="Pig slurry, spread on the farm's own land today",
             quantity=g.q(3_000, 8_000, 100))  # fmt: skip
    g.need(s, "feed", category="animal_feed_monogastric", description="Feed (cereals, whey, by-products)",
           quantity=g.q(600, 1_500, 10), price=g.q(200, 240, 5), max_km=50)  # fmt: skip


def sawmill(g: Generator, s: Site, big: bool = False) -> None:
    g.stream(s, "sawdust", code="03 01 05", route="recovery", cost=g.q(-15, 5, 1),
             description="Sawdust and shavings (maritime pine, oak)",
             quantity=g.q(4_000, 8_000, 50) if big else g.q(500, 4_000, 50))  # fmt: skip
    g.stream(s, "bark", code="03 01 01", route="recovery", cost=g.q(0, 10, 1),
             description="Bark, sold as mulch or burnt", quantity=g.q(300, 3_000, 50))  # fmt: skip
    g.stream(s, "chips", code="03 01 05", route="recovery", cost=g.q(-25, -10, 1),
             description="Slabs and offcuts chipped (plaquettes de scierie)",
             quantity=g.q(800, 5_000, 50))  # fmt: skip
    if g.chance(0.5):
        g.stream(s, "ash", code="10 01 01", description="Bottom ash of the kiln boiler",
                 quantity=g.q(50, 150, 5), route="landfill", cost=g.q(90, 100, 1))  # fmt: skip
    if g.chance(0.5):
        g.stream(s, "oil", code="13 02 05", state="liquid", route="recovery",
                 description="Used hydraulic and engine oil from saws and loaders",
                 quantity=g.q(1, 3, 0.5), cost=g.q(0, 30, 5))  # fmt: skip
    if big or g.chance(0.6):
        g.need(s, "water", category="process_water", unit="m3", months="5-9",
               description="Water to sprinkle pine logs in the yard (against blue stain)",
               quantity=g.q(2_000, 10_000, 500), price=g.q(2.5, 3.5, 0.1), max_km=10)  # fmt: skip


def big_sawmill(g: Generator, s: Site) -> None:
    sawmill(g, s, big=True)


def joinery(g: Generator, s: Site) -> None:
    g.stream(s, "shavings", code="03 01 05", route="recovery", cost=g.q(20, 60, 1),
             description="Shavings and offcuts of untreated wood", quantity=g.q(30, 300,
             5))  # fmt: skip
    if g.chance(0.6):
        g.stream(s, "treated", code="03 01 04", route="incineration", cost=g.q(300, 380, 5),
                 description="Offcuts and dust of treated or varnished wood",
                 quantity=g.q(3, 20, 1))  # fmt: skip
    if g.chance(0.6):
        g.stream(s, "solvents", code="14 06 03", state="liquid", route="incineration",
                 cost=g.q(450, 600, 10), description="Spent cleaning solvents (varnish line)",
                 quantity=g.q(0.5, 3, 0.5))  # fmt: skip
    if s.naf_code == "43.32A":
        g.stream(s, "site_wood", code="17 02 01", route="incineration", cost=g.q(80, 100, 1),
                 description="Wood from site removals (old windows and doors, untreated)",
                 quantity=g.q(10, 60, 1))  # fmt: skip
    else:
        g.stream(s, "packaging", code="15 01 03", route="recovery", cost=g.q(10, 30, 1),
                 description="Wooden packaging and crates", quantity=g.q(5, 20, 1))  # fmt: skip


def pallet_maker(g: Generator, s: Site) -> None:
    g.stream(s, "offcuts", code="03 01 05", route="recovery", cost=g.q(-8, 0, 1),
             description="Offcuts and sawdust from pallet making", quantity=g.q(150, 600,
             10))  # fmt: skip
    g.need(s, "pallets", category="pallets_packaging_reuse",
           description="Used pallets to repair and resell", quantity=g.q(150, 500, 10),
           price=60, max_km=60)  # fmt: skip


def quarry(g: Generator, s: Site, kaolin: bool = False) -> None:
    if kaolin:
        g.stream(s, "sand", code="01 04 09", route="storage",
                 description="Waste sand and clays from kaolin washing",
                 quantity=g.q(5_000, 20_000, 500))  # fmt: skip
    else:
        g.stream(s, "gravel", code="01 04 08", route="storage",
                 description="Waste gravel and crushed rock fines",
                 quantity=g.q(3_000, 12_000, 500))  # fmt: skip
    g.need(s, "backfill", category="backfill",
           description="Inert soil and stones for the restoration of worked-out pits",
           quantity=g.q(20_000, 60_000, 1_000), price=g.q(3, 5, 0.5), max_km=40)  # fmt: skip
    if g.chance(0.6):
        g.stream(s, "oil", code="13 02 05", state="liquid", route="recovery",
                 description="Used engine oil from dumpers and loaders",
                 quantity=g.q(2, 5, 0.5), cost=g.q(0, 30, 5))  # fmt: skip


def kaolin_quarry(g: Generator, s: Site) -> None:
    quarry(g, s, kaolin=True)


def builder(g: Generator, s: Site) -> None:
    g.stream(s, "soil", code="17 05 04", route="landfill", cost=g.q(10, 25, 1),
             description="Excavated soil and stones (inert)", quantity=g.q(500, 8_000, 100),
             notes="inert waste landfill (ISDI) today")  # fmt: skip
    g.stream(s, "rubble", code="17 01 07", route="landfill", cost=g.q(12, 25, 1),
             description="Concrete, brick and tile rubble", quantity=g.q(200, 2_000,
             50))  # fmt: skip
    if g.chance(0.7):
        g.stream(s, "wood", code="17 02 01", route="incineration", cost=g.q(80, 100, 1),
                 description="Site wood (formwork, offcuts)", quantity=g.q(20, 150, 5))  # fmt: skip
    if g.chance(0.7):
        g.stream(s, "plasterboard", code="17 08 02", route="landfill", cost=g.q(95, 110, 1),
                 description="Plasterboard offcuts (asbestos-free)",
                 quantity=g.q(10, 60, 1))  # fmt: skip
    if g.chance(0.5):
        g.stream(s, "steel", code="17 04 05", route="recovery", cost=g.q(-120, -80, 5),
                 description="Reinforcing steel and scrap iron", quantity=g.q(10, 60,
                 1))  # fmt: skip
    if g.chance(0.4):
        g.stream(s, "plastic", code="17 02 03", route="landfill", cost=g.q(110, 125, 1),
                 description="Plastic pipes, membranes and offcuts", quantity=g.q(3, 15,
                 1))  # fmt: skip
    if g.chance(0.3):
        g.stream(s, "insulation", code="17 06 04", route="landfill", cost=g.q(110, 125, 1),
                 description="Mineral wool and polystyrene insulation offcuts",
                 quantity=g.q(3, 20, 1))  # fmt: skip
    g.need(s, "aggregates", category="aggregates",
           description="Sub-base and trench aggregates (0/31.5)", quantity=g.q(500, 3_000, 50),
           price=g.q(12, 20, 0.5), max_km=30)  # fmt: skip
    if g.chance(0.8):
        g.need(s, "backfill", category="backfill", description="Backfill for landscaping",
               quantity=g.q(300, 2_000, 50), price=g.q(8, 12, 0.5), max_km=30)  # fmt: skip


def road_works(g: Generator, s: Site) -> None:
    g.stream(s, "asphalt", code="17 03 02", route="recovery", cost=g.q(6, 10, 1),
             description="Milled asphalt without tar", quantity=g.q(1_000, 5_000, 100))  # fmt: skip
    g.stream(s, "soil", code="17 05 04", route="landfill", cost=g.q(10, 15, 1),
             description="Excavated soil and stones (inert)", quantity=g.q(3_000, 15_000,
             500))  # fmt: skip
    g.need(s, "aggregates", category="aggregates",
           description="Aggregates for road sub-bases and embankments",
           quantity=g.q(8_000, 20_000, 500), price=g.q(14, 18, 0.5), max_km=40)  # fmt: skip


def garage(g: Generator, s: Site) -> None:
    g.stream(s, "oil", code="13 02 05", state="liquid", route="recovery", cost=g.q(0, 30, 5),
             description="Used engine oil from oil changes", quantity=g.q(2, 8, 0.5))  # fmt: skip
    g.stream(s, "tyres", code="16 01 03", route="recovery", cost=g.q(90, 130, 5),
             description="End-of-life tyres", quantity=g.q(5, 30, 1))  # fmt: skip
    if g.chance(0.5):
        g.stream(s, "filters", code="16 01 07", route="incineration", cost=g.q(380, 450, 10),
                 description="Oil filters", quantity=g.q(0.5, 2, 0.5))  # fmt: skip
    if g.chance(0.4):
        g.stream(s, "metal", code="16 01 17", route="recovery", cost=g.q(-130, -90, 5),
                 description="Ferrous parts (brake discs, exhausts)", quantity=g.q(5, 25,
                 1))  # fmt: skip
    if s.naf_code == "45.20B":
        g.stream(s, "solvents", code="14 06 03", state="liquid", route="incineration",
                 cost=g.q(450, 600, 10), description="Spent gun-cleaning solvents",
                 quantity=g.q(1, 4, 0.5))  # fmt: skip
        g.stream(s, "paint", code="08 01 11", state="pasty", route="incineration",
                 cost=g.q(600, 700, 10), description="Paint residues with solvents",
                 quantity=g.q(0.5, 2, 0.5))  # fmt: skip


def metalworks(g: Generator, s: Site) -> None:
    g.stream(s, "turnings", code="12 01 01", route="recovery", cost=g.q(-130, -100, 5),
             description="Steel turnings and offcuts", quantity=g.q(10, 200, 5))  # fmt: skip
    if g.chance(0.6):
        g.stream(s, "nonferrous", code="12 01 03", route="recovery", cost=g.q(-700, -500, 10),
                 description="Aluminium and brass turnings", quantity=g.q(1, 20, 0.5))  # fmt: skip
    if g.chance(0.3):
        g.stream(s, "dust", code="12 01 02", route="landfill", cost=g.q(100, 120, 1),
                 description="Grinding dust and shot-blasting fines", quantity=g.q(1, 8,
                 0.5))  # fmt: skip
    if g.chance(0.7):
        g.stream(s, "solvents", code="14 06 03", state="liquid", route="incineration",
                 cost=g.q(450, 600, 10), description="Spent degreasing solvents",
                 quantity=g.q(0.5, 4, 0.5))  # fmt: skip


def plastics_film(g: Generator, s: Site) -> None:
    g.stream(s, "scrap", code="07 02 13", route="landfill", cost=g.q(110, 125, 1),
             description="Multilayer film scrap and purgings that cannot be regranulated in-house",
             quantity=g.q(20, 150, 5))  # fmt: skip
    g.stream(s, "cardboard", code="15 01 01", description="Cardboard cores and cases",
             quantity=g.q(10, 40, 1), route="recovery", cost=g.q(5, 20, 1))  # fmt: skip
    g.need(s, "film", category="plastic_polymer", accepted_codes="150102",
           description="Clean polyethylene film bales to make refuse sacks",
           quantity=g.q(300, 800, 10), price=350, max_km=100)  # fmt: skip


def plastics_parts(g: Generator, s: Site) -> None:
    g.stream(s, "purgings", code="07 02 13", route="incineration", cost=g.q(120, 140, 1),
             description="Mixed-polymer purgings and rejected parts", quantity=g.q(10, 60,
             1))  # fmt: skip
    g.stream(s, "shavings", code="12 01 05", route="landfill", cost=g.q(110, 120, 1),
             description="Plastic shavings from machining", quantity=g.q(5, 20, 1))  # fmt: skip


def cardboard_maker(g: Generator, s: Site) -> None:
    g.stream(s, "offcuts", code="03 03 08", route="recovery", cost=-40,
             description="Corrugated board offcuts and misprints", quantity=1_800)  # fmt: skip
    g.stream(s, "ink", code="08 03 18", description="Printing toner and ink residues "
             "(water-based)", quantity=1.5, route="incineration", cost=160)  # fmt: skip
    g.need(s, "heat", category="heat_steam", unit="MWh", description="Steam for the corrugator",
           quantity=2_500, price=55, max_km=4)  # fmt: skip
    g.need(s, "pallets", category="pallets_packaging_reuse",
           description="Repaired pallets for shipping", quantity=150, price=60,
           max_km=50)  # fmt: skip


def collection_centre(g: Generator, s: Site, main: bool = False) -> None:
    scale = 1.0 if main else 0.6
    g.stream(s, "green", code="20 02 01", route="recovery", cost=g.q(35, 45, 1),
             description="Green waste from households and municipal parks",
             quantity=g.q(2_500, 4_000, 100) * scale, months="3-11")  # fmt: skip
    g.stream(s, "wood", code="20 01 38", route="recovery", cost=g.q(20, 30, 1),
             description="Untreated and lightly treated wood (furniture, pallets)",
             quantity=g.q(600, 1_200, 50) * scale)  # fmt: skip
    g.stream(s, "glass", code="20 01 02", route="recovery", cost=g.q(20, 30, 1),
             description="Glass from bottle banks, shipped to a glassworks outside the area",
             quantity=g.q(800, 1_500, 50) * scale)  # fmt: skip
    g.stream(s, "cardboard", code="20 01 01", route="recovery", cost=g.q(5, 15, 1),
             description="Paper and cardboard", quantity=g.q(300, 600, 10) * scale)  # fmt: skip
    g.stream(s, "metal", code="20 01 40", route="recovery", cost=g.q(-100, -80, 5),
             description="Scrap metal", quantity=g.q(250, 500, 10) * scale)  # fmt: skip
    g.stream(s, "rubble", code="17 01 07", route="landfill", cost=g.q(15, 20, 1),
             description="Rubble from small works", quantity=g.q(800, 2_000,
             50) * scale)  # fmt: skip
    g.stream(s, "plasterboard", code="17 08 02", route="landfill", cost=g.q(100, 110, 1),
             description="Plasterboard (asbestos-free)", quantity=g.q(100, 250,
             10) * scale)  # fmt: skip
    g.stream(s, "tyres", code="16 01 03", route="recovery", cost=g.q(100, 130, 5),
             description="Tyres brought by households and farms", quantity=g.q(20, 80,
             5))  # fmt: skip
    g.stream(s, "textile", code="20 01 11", route="other", cost=g.q(20, 40, 5),
             description="Textiles and shoes from collection bins", quantity=g.q(40, 150,
             5))  # fmt: skip
    g.stream(s, "oil", code="13 02 05", state="liquid", route="recovery", cost=0,
             description="Used engine oil from households", quantity=g.q(5, 20, 1))  # fmt: skip
    if main or g.chance(0.5):
        g.stream(s, "cooking_oil", code="20 01 25", state="liquid", route="recovery",
                 cost=g.q(30, 50, 5), description="Used cooking oil",
                 quantity=g.q(2, 10, 0.5))  # fmt: skip
    if main:
        g.stream(s, "plastics", code="20 01 39", route="landfill", cost=120,
                 description="Rigid plastics (garden furniture, crates, toys)",
                 quantity=95)  # fmt: skip
        g.stream(s, "bulky", code="20 03 07", route="landfill", cost=125,
                 description="Bulky waste (mattresses, mixed furniture)",
                 quantity=1_400)  # fmt: skip


def main_collection_centre(g: Generator, s: Site) -> None:
    collection_centre(g, s, main=True)


def waste_operator(g: Generator, s: Site) -> None:
    g.need(s, "hazardous", accepted_codes="1302,1406,160107,080111,030104", permit=True,
           description="Transit and regrouping of hazardous waste before regeneration or "
           "incineration (regroupement)", quantity=400, price=0)  # fmt: skip
    g.need(s, "metal", category="scrap_metal", description="Scrap metal to sort and bale",
           quantity=3_000, price=0, max_km=80)  # fmt: skip
    g.need(s, "paper", category="paper_fibre", description="Paper and cardboard to sort and "
           "bale", quantity=2_500, price=0, max_km=60)  # fmt: skip
    g.need(s, "film", accepted_codes="150102", description="Clean plastic film to bale",
           quantity=500, price=0, max_km=60)  # fmt: skip
    g.stream(s, "bales", code="19 12 01", route="recovery", cost=-60,
             description="Baled paper and cardboard, sold to a paper mill",
             quantity=2_400)  # fmt: skip
    g.stream(s, "ferrous", code="19 12 02", route="recovery", cost=-150,
             description="Sorted ferrous scrap", quantity=2_600)  # fmt: skip
    g.stream(s, "rejects", code="19 12 12", route="landfill", cost=110,
             description="Sorting rejects", quantity=1_200)  # fmt: skip


def campsite(g: Generator, s: Site) -> None:
    g.stream(s, "food", code="20 01 08", months="5-9", route="incineration",
             cost=g.q(120, 130, 1), description="Restaurant and snack-bar food waste",
             quantity=g.q(10, 40, 1))  # fmt: skip
    g.stream(s, "glass", code="15 01 07", months="5-9", route="recovery", cost=g.q(25, 35, 1),
             description="Glass bottles and jars", quantity=g.q(8, 30, 1))  # fmt: skip
    g.need(s, "heat", category="heat_low_temperature", unit="MWh", months="4-9",
           description="Heat for the outdoor pool (gas today)", quantity=g.q(200, 400, 10),
           price=75, max_km=5)  # fmt: skip


def laundry(g: Generator, s: Site) -> None:
    g.stream(s, "water", material="process_water", unit="m3", state="liquid", cost=2.5,
             description="Warm rinse water (35 °C) after filtration", quantity=18_000)  # fmt: skip
    g.stream(s, "textile", code="20 01 11", route="incineration", cost=130,
             description="Worn-out linen (hospital and hotel sheets)", quantity=12)  # fmt: skip
    g.need(s, "heat", category="heat_steam", unit="MWh", description="Hot water and steam for "
           "washing and ironing", quantity=1_800, price=60, max_km=3)  # fmt: skip


def supermarket(g: Generator, s: Site) -> None:
    g.stream(s, "food", code="20 01 08", route="incineration", cost=g.q(115, 125, 1),
             description="Unsold food past its date (after donations)",
             quantity=g.q(40, 120, 5))  # fmt: skip
    g.stream(s, "cardboard", code="15 01 01", route="recovery", cost=g.q(-25, -10, 1),
             description="Cardboard, baled in store and sold", quantity=g.q(80, 200,
             5))  # fmt: skip
    g.stream(s, "film", code="15 01 02", route="recovery", cost=g.q(20, 40, 1),
             description="Clean stretch film", quantity=g.q(10, 40, 1))  # fmt: skip
    g.stream(s, "pallets", code="15 01 03", route="recovery", cost=0,
             description="Broken and one-way pallets", quantity=g.q(20, 60, 1))  # fmt: skip


def equestrian_centre(g: Generator, s: Site) -> None:
    g.stream(s, "manure", code="02 01 06", route="other",
             description="Horse manure with bedding", quantity=g.q(300, 800, 10))  # fmt: skip
    g.need(s, "bedding", category="animal_bedding", description="Wood shavings for boxes",
           quantity=g.q(150, 300, 10), price=g.q(60, 90, 1), max_km=40)  # fmt: skip
    g.need(s, "feed", category="animal_feed_ruminant", description="Bran and pulp for horse feed",
           quantity=g.q(60, 150, 5), price=g.q(200, 250, 5), max_km=40)  # fmt: skip


def goat_farm(g: Generator, s: Site) -> None:
    g.stream(s, "manure", code="02 01 06", route="other",
             description="Goat manure with straw", quantity=g.q(200, 600, 10))  # fmt: skip
    g.need(s, "bedding", category="animal_bedding", description="Bedding (straw, shavings)",
           quantity=g.q(60, 150, 5), price=g.q(50, 70, 1), max_km=30)  # fmt: skip
    g.need(s, "feed", category="animal_feed_ruminant", description="Complementary feed (whey, bran)",
           quantity=g.q(80, 250, 5), price=g.q(190, 240, 5), max_km=40)  # fmt: skip


def landscaper(g: Generator, s: Site) -> None:
    g.stream(s, "green", code="20 02 01", months="3-11", route="recovery", cost=g.q(35, 45, 1),
             description="Hedge and lawn clippings from clients' gardens",
             quantity=g.q(200, 600, 10))  # fmt: skip
    g.need(s, "amendment", category="soil_amendment", months="9-4",
           description="Compost for plantings", quantity=g.q(200, 600, 10),
           price=g.q(30, 40, 1), max_km=30)  # fmt: skip
    g.need(s, "backfill", category="backfill", description="Topsoil and backfill for "
           "landscaping", quantity=g.q(500, 2_000, 50), price=g.q(10, 14, 0.5),
           max_km=30)  # fmt: skip


def concrete_plant(g: Generator, s: Site) -> None:
    g.stream(s, "returns", code="10 13 14", route="landfill", cost=g.q(15, 22, 1),
             description="Returned concrete and washing sludge", quantity=g.q(300, 800,
             10))  # fmt: skip
    g.need(s, "aggregates", category="aggregates",
           description="Gravel and sand for ready-mixed concrete (recycled share allowed)",
           quantity=g.q(10_000, 30_000, 500), price=g.q(15, 19, 0.5), max_km=30)  # fmt: skip
    g.need(s, "water", category="process_water", unit="m3",
           description="Mixing and washing water", quantity=g.q(3_000, 8_000, 500),
           price=g.q(3.2, 4, 0.1), max_km=10)  # fmt: skip


def asphalt_plant(g: Generator, s: Site) -> None:
    g.need(s, "asphalt", accepted_codes="170302",
           description="Milled asphalt to recycle in hot mix (replaces aggregates and bitumen)",
           quantity=g.q(5_000, 10_000, 500), price=25, max_km=50)  # fmt: skip
    g.need(s, "aggregates", category="aggregates", description="Aggregates for asphalt mixes",
           quantity=g.q(15_000, 25_000, 500), price=g.q(14, 17, 0.5), max_km=40)  # fmt: skip


def municipal_services(g: Generator, s: Site) -> None:
    g.stream(s, "green", code="20 02 01", months="3-11", route="recovery", cost=40,
             description="Green waste from parks, verges and cemeteries", quantity=450)  # fmt: skip
    g.need(s, "amendment", category="soil_amendment", months="10-4",
           description="Compost for flower beds and plantings", quantity=300, price=32,
           max_km=30)  # fmt: skip
    g.need(s, "aggregates", category="aggregates", description="Aggregates for paths and "
           "rural roads", quantity=1_500, price=17, max_km=30)  # fmt: skip
    g.need(s, "backfill", category="backfill", description="Backfill for trenches and "
           "embankments", quantity=1_000, price=9, max_km=30)  # fmt: skip


def pellet_maker(g: Generator, s: Site) -> None:
    g.need(s, "sawdust", accepted_codes="030105",
           description="Dry, untreated sawdust and shavings to press into wood pellets",
           quantity=15_000, price=40, max_km=80)  # fmt: skip
    g.need(s, "heat", category="heat_hot_water", unit="MWh", description="Heat for the sawdust dryer",
           quantity=3_000, price=35, max_km=3)  # fmt: skip
    g.stream(s, "fines", code="03 01 05", route="recovery", cost=0, quantity=300,
             description="Fines and broken pellets screened out")  # fmt: skip


def brewery(g: Generator, s: Site) -> None:
    g.stream(s, "grains", code="02 07 01", state="pasty", route="recovery", cost=5,
             description="Brewer's spent grains (drêches)", quantity=g.q(100, 300, 10))  # fmt: skip
    g.stream(s, "yeast", code="02 07 04", state="liquid", route="other", cost=20,
             description="Surplus yeast and tank bottoms", quantity=g.q(5, 20, 1))  # fmt: skip
    g.need(s, "water", category="process_water", unit="m3",
           description="Water for cleaning tanks and kegs", quantity=g.q(1_500, 4_000, 100),
           price=g.q(3.5, 4.5, 0.1), max_km=5)  # fmt: skip


def nursery(g: Generator, s: Site) -> None:
    g.need(s, "amendment", category="soil_amendment", description="Compost for potting mixes",
           quantity=g.q(300, 800, 10), price=40, max_km=40)  # fmt: skip
    g.need(s, "heat", category="heat_low_temperature", unit="MWh", months="11-3",
           description="Frost protection heat for the glasshouses", quantity=g.q(400, 800, 50),
           price=70, max_km=5)  # fmt: skip
    g.need(s, "water", category="process_water", unit="m3", months="4-9",
           description="Irrigation water", quantity=g.q(4_000, 10_000, 500), price=3.2,
           max_km=10)  # fmt: skip
    g.stream(s, "pots", code="02 01 04", description="Broken plastic pots and trays",
             quantity=g.q(2, 8, 1), route="landfill", cost=g.q(110, 130, 1))  # fmt: skip


def oil_regenerator(g: Generator, s: Site) -> None:
    g.need(s, "oil", category="oil_regeneration", accepted_codes="1302", permit=True,
           description="Used mineral oils for regeneration into base oil",
           quantity=20_000, price=80)  # fmt: skip


def paper_mill(g: Generator, s: Site) -> None:
    g.need(s, "fibre", category="paper_fibre", description="Recovered paper and board",
           quantity=60_000, price=110, max_km=150)  # fmt: skip


def panel_maker(g: Generator, s: Site) -> None:
    g.need(s, "wood", category="wood_panel", description="Sawmill chips and sawdust for "
           "particleboard", quantity=40_000, price=45, max_km=120)  # fmt: skip
    g.stream(s, "dust", code="03 01 05", route="recovery", cost=0, quantity=2_500,
             description="Sanding dust, burnt in the dryer furnace")  # fmt: skip


def biodiesel(g: Generator, s: Site) -> None:
    g.need(s, "oil", category="biofuel_feedstock", description="Used cooking oil and animal "
           "fats for biodiesel", quantity=3_000, price=500, max_km=150)  # fmt: skip


# Sector id -> (generator, NAF code, name patterns with {S} for an invented surname)
SECTORS: dict[str, tuple[SectorFn, str, tuple[str, ...]]] = {
    "distillery": (cognac_distillery, "11.01Z", ("Distillerie {S}", "Maison {S} Cognac")),
    "big_distillery": (big_distillery, "11.01Z", ("Distillerie coopérative {S}",)),
    "grower": (wine_grower, "01.21Z", ("Vignobles {S}", "Domaine {S}", "EARL {S} Père et Fils")),
    "distilling_grower": (distilling_grower, "01.21Z", ("Domaine {S} (bouilleur de cru)",)),
    "byproduct_distillery": (byproduct_distillery, "11.01Z", ("Distillerie vinicole {S}",)),
    "methaniser": (methaniser, "35.21Z", ("Méthanisation {S} Énergies",)),
    "farm_methaniser": (farm_methaniser, "35.21Z", ("SAS Biogaz {S}",)),
    "composting": (composting, "38.21Z", ("Compost {S}",)),
    "heat_network": (heat_network, "35.30Z", ("Régie de chaleur {S}",)),
    "hospital": (hospital, "86.10Z", ("Centre de soins {S}",)),
    "school": (school, "85.31Z", ("Lycée {S}", "Collège {S}")),
    "care_home": (care_home, "87.10A", ("EHPAD {S}",)),
    "aquatic_centre": (aquatic_centre, "93.11Z", ("Centre aquatique {S}",)),
    "dairy": (dairy, "10.51C", ("Fromagerie {S}",)),
    "cannery": (cannery, "10.39A", ("Conserverie {S}",)),
    "slaughterhouse": (slaughterhouse, "10.11Z", ("Abattoir {S}",)),
    "bakery": (bakery, "10.71A", ("Boulangerie industrielle {S}",)),
    "feed_mill": (feed_mill, "10.91Z", ("Aliments {S}",)),
    "grain_dryer": (grain_dryer, "01.63Z", ("Coopérative agricole {S}",)),
    "cereal_farm": (cereal_farm, "01.11Z", ("EARL {S}", "GAEC {S}", "Ferme {S}")),
    "melon_farm": (melon_farm, "01.13Z", ("Melons {S}", "EARL {S} Melons")),
    "greenhouse": (greenhouse, "01.13Z", ("Serres {S}",)),
    "cattle_farm": (cattle_farm, "01.41Z", ("GAEC {S}", "Élevage {S}")),
    "poultry_farm": (poultry_farm, "01.47Z", ("Volailles {S}", "EARL {S} Volailles")),
    "pig_farm": (pig_farm, "01.46Z", ("Porcs {S}",)),
    "sawmill": (sawmill, "16.10A", ("Scierie {S}",)),
    "big_sawmill": (big_sawmill, "16.10A", ("Scierie {S} et Fils",)),
    "joinery": (joinery, "16.23Z", ("Menuiserie {S}",)),
    "carpentry": (joinery, "43.32A", ("Menuiserie {S} Bâtiment",)),
    "pallet_maker": (pallet_maker, "16.24Z", ("Palettes {S}",)),
    "quarry": (quarry, "08.12Z", ("Carrières {S}",)),
    "kaolin_quarry": (kaolin_quarry, "08.12Z", ("Kaolins {S}", "Argiles {S}")),
    "builder": (builder, "41.20A", ("Bâtiment {S}", "Constructions {S}")),
    "mason": (builder, "43.99C", ("Maçonnerie {S}",)),
    "road_works": (road_works, "42.11Z", ("Routes {S} TP",)),
    "garage": (garage, "45.20A", ("Garage {S}",)),
    "body_shop": (garage, "45.20B", ("Carrosserie {S}",)),
    "metalworks": (metalworks, "25.11Z", ("Métallerie {S}",)),
    "machining": (metalworks, "25.62B", ("Mécanique {S}",)),
    "plastics_film": (plastics_film, "22.22Z", ("Plastiques {S}",)),
    "plastics_parts": (plastics_parts, "22.29A", ("Injection {S}",)),
    "cardboard_maker": (cardboard_maker, "17.21A", ("Cartonnages {S}",)),
    "collection_centre": (collection_centre, "38.11Z", ("Déchetterie {S}",)),
    "main_collection_centre": (main_collection_centre, "38.11Z", ("Pôle déchets {S}",)),
    "waste_operator": (waste_operator, "38.32Z", ("Recyclage {S}",)),
    "campsite": (campsite, "55.30Z", ("Camping {S}",)),
    "laundry": (laundry, "96.01A", ("Blanchisserie {S}",)),
    "supermarket": (supermarket, "47.11D", ("Supermarché {S}",)),
    "equestrian_centre": (equestrian_centre, "01.43Z", ("Écuries {S}",)),
    "goat_farm": (goat_farm, "01.45Z", ("Chèvrerie {S}",)),
    "landscaper": (landscaper, "81.30Z", ("Paysages {S}",)),
    "concrete_plant": (concrete_plant, "23.63Z", ("Bétons {S}",)),
    "asphalt_plant": (asphalt_plant, "23.99Z", ("Enrobés {S}",)),
    "municipal_services": (municipal_services, "84.11Z", ("Services techniques {S}",)),
    "pellet_maker": (pellet_maker, "16.29Z", ("Granulés {S}",)),
    "brewery": (brewery, "11.05Z", ("Brasserie {S}",)),
    "nursery": (nursery, "01.30Z", ("Pépinières {S}",)),
    "oil_regenerator": (oil_regenerator, "38.32Z", ("Régénération {S} Huiles",)),
    "paper_mill": (paper_mill, "17.12Z", ("Papeterie {S}",)),
    "panel_maker": (panel_maker, "16.21Z", ("Panneaux {S}",)),
    "biodiesel": (biodiesel, "20.59Z", ("Biocarburants {S}",)),
}

# The establishments: (key, sector, commune). Keys are internal; synergies refer to them.
# Weighted towards the real hubs (Jonzac, Montendre, Montguyon, Pons, Saint-Genis, Archiac,
# Mirambeau, Montlieu-la-Garde, Saint-Aigulin, Clérac, Saint-Fort-sur-Gironde); the last
# four are outside the Communauté de communes.
ESTABLISHMENTS: tuple[tuple[str, str, str], ...] = (
    # Jonzac, seat of the CdC
    ("heat_network_jonzac", "heat_network", "Jonzac"),
    ("hospital_jonzac", "hospital", "Jonzac"),
    ("lycee_jonzac", "school", "Jonzac"),
    ("aquatic_jonzac", "aquatic_centre", "Jonzac"),
    ("slaughterhouse_jonzac", "slaughterhouse", "Jonzac"),
    ("bakery_jonzac", "bakery", "Jonzac"),
    ("distillery_jonzac", "distillery", "Jonzac"),
    ("garage_jonzac", "garage", "Jonzac"),
    ("body_shop_jonzac", "body_shop", "Jonzac"),
    ("builder_jonzac", "builder", "Jonzac"),
    ("road_works_jonzac", "road_works", "Jonzac"),
    ("metalworks_jonzac", "metalworks", "Jonzac"),
    ("joinery_jonzac", "joinery", "Jonzac"),
    ("collection_jonzac", "main_collection_centre", "Jonzac"),
    ("supermarket_jonzac", "supermarket", "Jonzac"),
    ("waste_operator", "waste_operator", "Ozillac"),
    ("methaniser", "methaniser", "Saint-Germain-de-Lusignan"),
    ("greenhouse_lusignan", "greenhouse", "Saint-Germain-de-Lusignan"),
    # Montendre
    ("sawmill_montendre", "sawmill", "Montendre"),
    ("dairy_montendre", "dairy", "Montendre"),
    ("college_montendre", "school", "Montendre"),
    ("garage_montendre", "garage", "Montendre"),
    ("plastics_montendre", "plastics_parts", "Montendre"),
    ("collection_montendre", "collection_centre", "Montendre"),
    ("campsite_montendre", "campsite", "Montendre"),
    ("dryer_montendre", "grain_dryer", "Montendre"),
    ("road_works_montendre", "road_works", "Montendre"),
    ("machining_montendre", "machining", "Montendre"),
    # Montguyon, Montlieu-la-Garde and the Double saintongeaise forest
    ("sawmill_montguyon", "sawmill", "Montguyon"),
    ("care_home_montguyon", "care_home", "Montguyon"),
    ("builder_montguyon", "mason", "Montguyon"),
    ("garage_montguyon", "garage", "Montguyon"),
    ("collection_montguyon", "collection_centre", "Montguyon"),
    ("sawmill_montlieu", "big_sawmill", "Montlieu-la-Garde"),
    ("pallets_montlieu", "pallet_maker", "Montlieu-la-Garde"),
    ("plastics_montlieu", "plastics_film", "Montlieu-la-Garde"),
    ("sawmill_bussac", "sawmill", "Bussac-Forêt"),
    ("sawmill_cercoux", "sawmill", "Cercoux"),
    ("sawmill_saint_aigulin", "sawmill", "Saint-Aigulin"),
    ("pallets_saint_aigulin", "pallet_maker", "Saint-Aigulin"),
    ("joinery_saint_aigulin", "joinery", "Saint-Aigulin"),
    ("metalworks_saint_aigulin", "metalworks", "Saint-Aigulin"),
    ("cardboard_saint_aigulin", "cardboard_maker", "Saint-Aigulin"),
    ("kaolin_clerac_1", "kaolin_quarry", "Clérac"),
    ("kaolin_clerac_2", "kaolin_quarry", "Clérac"),
    ("quarry_saint_pierre", "kaolin_quarry", "Saint-Pierre-du-Palais"),
    ("carpentry_clerac", "carpentry", "Clérac"),
    ("quarry_vibrac", "quarry", "Saint-Germain-de-Vibrac"),
    ("composting_clion", "composting", "Clion"),
    # Pons
    ("cannery_pons", "cannery", "Pons"),
    ("lycee_pons", "school", "Pons"),
    ("laundry_pons", "laundry", "Pons"),
    ("distillery_pons", "distillery", "Pons"),
    ("builder_pons", "builder", "Pons"),
    ("garage_pons", "garage", "Pons"),
    ("machining_pons", "machining", "Pons"),
    ("carpentry_pons", "carpentry", "Pons"),
    ("supermarket_pons", "supermarket", "Pons"),
    # Saint-Genis-de-Saintonge and the estuary
    ("distillery_saint_genis", "distillery", "Saint-Genis-de-Saintonge"),
    ("feed_mill_saint_genis", "feed_mill", "Saint-Genis-de-Saintonge"),
    ("dryer_saint_genis", "grain_dryer", "Saint-Genis-de-Saintonge"),
    ("builder_saint_genis", "mason", "Saint-Genis-de-Saintonge"),
    ("garage_saint_genis", "garage", "Saint-Genis-de-Saintonge"),
    ("distillery_saint_fort", "distillery", "Saint-Fort-sur-Gironde"),
    ("cereal_saint_fort", "cereal_farm", "Saint-Fort-sur-Gironde"),
    ("campsite_saint_fort", "campsite", "Saint-Fort-sur-Gironde"),
    ("cereal_saint_dizant", "cereal_farm", "Saint-Dizant-du-Gua"),
    ("cereal_lorignac", "cereal_farm", "Lorignac"),
    ("cereal_saint_bonnet", "cereal_farm", "Saint-Bonnet-sur-Gironde"),
    ("cereal_saint_thomas", "cereal_farm", "Saint-Thomas-de-Conac"),
    ("cereal_saint_sorlin", "cereal_farm", "Saint-Sorlin-de-Conac"),
    ("cereal_champagnolles", "cereal_farm", "Champagnolles"),
    ("cereal_plassac", "cereal_farm", "Plassac"),
    # Archiac and the Cognac crus (Petite Champagne, Fins Bois, Bons Bois)
    ("coop_distillery_archiac", "big_distillery", "Archiac"),
    ("byproduct_archiac", "byproduct_distillery", "Archiac"),
    ("builder_archiac", "builder", "Archiac"),
    ("distillery_lonzac", "distillery", "Lonzac"),
    ("distillery_celles", "distillery", "Celles"),
    ("distillery_neulles", "distillery", "Neulles"),
    ("distillery_reaux", "distillery", "Réaux sur Trèfle"),
    ("grower_arthenac", "grower", "Arthenac"),
    ("grower_germignac", "distilling_grower", "Germignac"),
    ("grower_cierzac", "grower", "Cierzac"),
    ("grower_saint_martial", "distilling_grower", "Saint-Martial-sur-Né"),
    ("grower_jarnac", "grower", "Jarnac-Champagne"),
    ("grower_sainte_lheurine", "distilling_grower", "Sainte-Lheurine"),
    ("grower_neuillac", "grower", "Neuillac"),
    ("grower_brie", "grower", "Brie-sous-Archiac"),
    ("grower_saint_eugene", "grower", "Saint-Eugène"),
    ("grower_allas", "grower", "Allas-Champagne"),
    ("grower_saint_ciers", "grower", "Saint-Ciers-Champagne"),
    ("grower_clam", "distilling_grower", "Clam"),
    ("grower_bougneau", "grower", "Bougneau"),
    ("grower_echebrune", "grower", "Échebrune"),
    ("grower_perignac", "distilling_grower", "Pérignac"),
    ("grower_biron", "grower", "Biron"),
    ("grower_chadenac", "grower", "Chadenac"),
    ("grower_mosnac", "grower", "Mosnac"),
    # Mirambeau and the melon country
    ("distillery_mirambeau", "distillery", "Mirambeau"),
    ("greenhouse_mirambeau", "greenhouse", "Mirambeau"),
    ("melon_mirambeau", "melon_farm", "Mirambeau"),
    ("bakery_mirambeau", "bakery", "Mirambeau"),
    ("joinery_mirambeau", "joinery", "Mirambeau"),
    ("melon_nieul", "melon_farm", "Nieul-le-Virouil"),
    ("melon_saint_ciers", "melon_farm", "Saint-Ciers-du-Taillon"),
    ("melon_consac", "melon_farm", "Consac"),
    # Livestock in the south and the Double
    ("cattle_courpignac", "cattle_farm", "Courpignac"),
    ("farm_methaniser_courpignac", "farm_methaniser", "Courpignac"),
    ("cattle_chamouillac", "cattle_farm", "Chamouillac"),
    ("cattle_vanzac", "cattle_farm", "Vanzac"),
    ("poultry_bedenac", "poultry_farm", "Bedenac"),
    ("poultry_chepniers", "poultry_farm", "Chepniers"),
    ("poultry_leoville", "poultry_farm", "Léoville"),
    ("pig_sousmoulins", "pig_farm", "Sousmoulins"),
    # Receivers of residues across the territory
    ("equestrian_saint_sigismond", "equestrian_centre", "Saint-Sigismond-de-Clermont"),
    ("goat_saint_hilaire", "goat_farm", "Saint-Hilaire-du-Bois"),
    ("landscaper_meux", "landscaper", "Meux"),
    ("concrete_fleac", "concrete_plant", "Fléac-sur-Seugne"),
    ("asphalt_chartuzac", "asphalt_plant", "Chartuzac"),
    ("municipal_jonzac", "municipal_services", "Jonzac"),
    ("pellets_orignolles", "pellet_maker", "Orignolles"),
    ("brewery_pons", "brewery", "Pons"),
    ("nursery_saint_simon", "nursery", "Saint-Simon-de-Bordes"),
    # Outside the CdC (other communes of Charente-Maritime)
    ("oil_regenerator", "oil_regenerator", "Tonnay-Charente"),
    ("paper_mill", "paper_mill", "Saint-Jean-d'Angély"),
    ("panel_maker", "panel_maker", "Saintes"),
    ("biodiesel", "biodiesel", "Rochefort"),
)

# Fixed names for public bodies (an invented surname would read oddly there).
PUBLIC_NAMES = {
    "heat_network_jonzac": "Régie de chaleur Seugne Géothermie",
    "hospital_jonzac": "Centre de soins des Tilleuls-de-Seugne",
    "lycee_jonzac": "Lycée des Trois Vallons",
    "college_montendre": "Collège des Pins-Francs",
    "lycee_pons": "Lycée professionnel Rive-Seugne",
    "care_home_montguyon": "EHPAD Les Glycines du Palais",
    "aquatic_jonzac": "Centre aquatique L'Onde Claire",
    "collection_jonzac": "Pôle déchets du Sud-Saintonge",
    "collection_montendre": "Déchetterie des Landes de Montendre",
    "collection_montguyon": "Déchetterie de la Double",
    "campsite_montendre": "Camping Les Pins Dorés",
    "campsite_saint_fort": "Camping L'Estuaire Tranquille",
    "municipal_jonzac": "Services techniques intercommunaux du Pays Jonzacais",
}

FIRST_NAMES = (
    "Anne", "Bernard", "Camille", "Denis", "Élodie", "Fabien", "Gaëlle", "Hugo", "Inès",
    "Jérôme", "Karine", "Laurent", "Mathilde", "Nicolas", "Océane", "Pascal", "Quentin",
    "Sandrine", "Thierry", "Valérie", "Yannick", "Zoé", "Romain", "Sophie", "Julien", "Claire",
)  # fmt: skip
NAME_HEADS = (
    "Aub", "Bal", "Berth", "Bout", "Cast", "Chab", "Cour", "Dess", "Fav", "Gard", "Jaub",
    "Lab", "Lacr", "Mall", "Marn", "Mouz", "Peyr", "Rab", "Ross", "Sauv", "Tard", "Vill",
)  # fmt: skip
NAME_TAILS = (
    "elin", "erol", "ouzet", "inaud", "oumet", "ichon", "ardel", "isset", "uchon", "andeau",
    "ignol", "orin",
)  # fmt: skip
STREETS = (
    "route de Saintes", "rue des Chais", "zone artisanale des Brandes", "chemin des Vignes",
    "rue du Moulin", "route de Bordeaux", "avenue de la Gare", "lieu-dit Les Landes",
    "rue de la Seugne", "impasse des Tonneliers", "route de Cognac", "chemin de la Forêt",
)  # fmt: skip


def invented_surnames(rng: random.Random, communes: Iterable[str]) -> list[str]:
    """Shuffled invented surnames, none equal to a commune name of Charente-Maritime."""
    taken = {fold(name) for name in communes}
    names = [h + t for h in NAME_HEADS for t in NAME_TAILS]
    names = [n for n in names if fold(n) not in taken]
    rng.shuffle(names)
    return names


def jitter(rng: random.Random, lat: float, lon: float) -> tuple[float, float]:
    """A point uniformly drawn within MAX_JITTER_KM of (lat, lon), rounded to 5 decimals."""
    radius_km = MAX_JITTER_KM * math.sqrt(rng.random())
    angle = rng.uniform(0.0, 2.0 * math.pi)
    dlat = radius_km * math.cos(angle) / 111.32
    dlon = radius_km * math.sin(angle) / (111.32 * math.cos(math.radians(lat)))
    return round(lat + dlat, 5), round(lon + dlon, 5)


# --------------------------------------------------------------------------------------------
# Synergies followed by the officer: (id, producer key, stream tag, receiver key, need tag,
# stage, share of the smaller quantity, abandoned reason, created on, updated on, notes).
SYNERGIES: tuple[tuple[str, str, str, str, str, str, float, str, str, str, str], ...] = (
    ("SY001", "sawmill_montlieu", "sawdust", "heat_network_jonzac", "wood", "implemented",
     1.0, "", "2021-03-15", "2022-10-03", "chips and sawdust mix, delivered by walking-floor"),
    ("SY002", "coop_distillery_archiac", "vinasses", "methaniser", "vinasses", "implemented",
     0.8, "", "2022-01-10", "2023-11-20", "tanker every day of the campaign"),
    ("SY003", "grower_arthenac", "marc", "byproduct_archiac", "marc_lees", "implemented",
     1.0, "", "2020-09-01", "2020-10-15", "prestations viniques"),
    ("SY004", "cattle_courpignac", "manure", "methaniser", "solid", "implemented",
     0.7, "", "2022-05-02", "2023-02-14", "exchange manure for digestate"),
    ("SY005", "methaniser", "digestate", "cereal_plassac", "amendment", "implemented",
     1.0, "", "2023-02-14", "2024-03-01", "spreading plan amended"),
    ("SY006", "distillery_mirambeau", "heat", "greenhouse_mirambeau", "heat", "in_discussion",
     0.9, "", "2025-06-12", "2026-02-09", "hot-water loop of about 2 km under study"),
    ("SY007", "builder_jonzac", "rubble", "road_works_jonzac", "aggregates", "in_discussion",
     1.0, "", "2025-09-22", "2026-01-30", "mobile crusher on the builder's yard"),
    ("SY008", "builder_montguyon", "soil", "kaolin_clerac_1", "backfill", "contacted",
     1.0, "", "2026-01-08", "2026-01-20", "soil analyses (inert waste criteria) requested"),
    ("SY009", "garage_jonzac", "oil", "oil_regenerator", "oil", "contacted",
     1.0, "", "2025-11-04", "2025-12-01", "collection by an approved collector"),
    ("SY010", "bakery_jonzac", "bread", "cattle_vanzac", "feed", "suggested",
     1.0, "", "2026-02-16", "2026-02-16", ""),
    ("SY011", "sawmill_montguyon", "sawdust", "poultry_bedenac", "bedding", "suggested",
     1.0, "", "2026-02-16", "2026-02-16", ""),
    ("SY012", "dairy_montendre", "whey", "pig_sousmoulins", "feed", "abandoned", 0.5,
     "the pig farm moved to dry feed and has no tank to store liquid whey",
     "2023-04-03", "2024-01-18", ""),
    ("SY013", "hospital_jonzac", "food", "methaniser", "biowaste", "abandoned", 1.0,
     "no sorting at source in the kitchen; food waste contaminated by packaging",
     "2024-02-05", "2024-09-10", "could restart with a sorting scheme"),
)  # fmt: skip


def build(seed: int = SEED) -> dict[str, list[dict[str, str]]]:
    """The four tables of the demo network, as lists of rows keyed by canonical column."""
    rng = random.Random(seed)
    communes = load_communes()
    naf = load_naf()
    g = Generator(rng=rng, ewc=load_ewc())
    surnames = invented_surnames(rng, communes)
    used_coordinates: set[tuple[float, float]] = set()
    used_names: set[str] = set()
    companies: list[dict[str, str]] = []
    keys: set[str] = set()
    for index, (key, sector, commune_name) in enumerate(ESTABLISHMENTS, start=1):
        if key in keys:
            raise DemoDataError(f"establishment key {key} used twice")
        keys.add(key)
        fn, naf_code, patterns = SECTORS[sector]
        if naf_code not in naf:
            raise DemoDataError(f"{key}: NAF code {naf_code} is not in the reference list")
        commune = communes[commune_name]
        surname = surnames[index - 1]
        name = PUBLIC_NAMES.get(key) or rng.choice(patterns).format(S=surname)
        if name in used_names:
            raise DemoDataError(f"company name {name} used twice")
        used_names.add(name)
        lat, lon = jitter(rng, commune.latitude, commune.longitude)
        while (lat, lon) in used_coordinates:
            lat, lon = jitter(rng, commune.latitude, commune.longitude)
        used_coordinates.add((lat, lon))
        first = FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]
        contact_last = surnames[-index]
        site = Site(key, f"C{index:03d}", sector, name, naf_code, commune, lat, lon)
        site.row = {
            "id": site.id,
            "name": name,
            "siret": "",
            "naf_code": naf_code,
            "address": f"{rng.randint(1, 60)} {rng.choice(STREETS)}",
            "postal_code": commune.postal_code,
            "commune": commune.name,
            "insee_code": commune.insee_code,
            "latitude": fmt_number(lat, 5),
            "longitude": fmt_number(lon, 5),
            "contact_name": f"{first} {contact_last}",
            "contact_email": f"{fold(first)}.{fold(contact_last)}@example.org",
            "contact_phone": f"05 36 49 {index // 100:02d} {index % 100:02d}",
            "notes": FICTIONAL if commune.in_cdc else f"{FICTIONAL}; outside the CdC",
            "freight_access": "",  # inland territory: no siding or quay among the demo sites
        }
        g.sites.append(site)
        companies.append(site.row)
        fn(g, site)

    synergies = []
    for sid, pkey, stag, rkey, ntag, stage, share, reason, created, updated, notes in SYNERGIES:
        stream = g.stream_tags[(pkey, stag)]
        need = g.need_tags[(rkey, ntag)]
        quantity = min(float(stream["quantity"]), float(need["quantity"])) * share
        quantity = round(quantity, 0) if quantity >= 10 else round(quantity, 1)
        synergies.append({
            "id": sid,
            "stream_id": stream["id"],
            "need_id": need["id"],
            "stage": stage,
            "quantity": fmt_number(quantity),
            "abandoned_reason": reason,
            "created_on": created,
            "updated_on": updated,
            "notes": notes,
        })  # fmt: skip
    return {"companies": companies, "streams": g.streams, "needs": g.needs,
            "synergies": synergies}  # fmt: skip


COLUMNS = {
    "companies": COMPANY_COLUMNS,
    "streams": STREAM_COLUMNS,
    "needs": NEED_COLUMNS,
    "synergies": SYNERGY_COLUMNS,
}


def write(tables: dict[str, list[dict[str, str]]], out: Path) -> list[Path]:
    """Write the tables as canonical CSV (UTF-8, no BOM, comma, '\\n'); returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, columns in COLUMNS.items():
        path = out / f"{name}.csv"
        with open(path, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(tables[name])
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--seed", type=int, default=SEED, help="random seed")
    args = parser.parse_args(argv)
    tables = build(args.seed)
    for path in write(tables, args.out):
        print(f"wrote {path} ({len(tables[path.stem])} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
