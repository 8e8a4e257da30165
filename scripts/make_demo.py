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
order, numbers without trailing zeros. The texts people read (descriptions, notes, abandoned
reasons) are in French, in the words of the trade: the officers and managers of the territory
read them.
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
FICTIONAL = "entreprise fictive (données de démonstration)"

COMPANY_COLUMNS = [
    "id", "name", "siret", "naf_code", "address", "postal_code", "commune", "insee_code",
    "latitude", "longitude", "contact_name", "contact_email", "contact_phone", "notes",
    "freight_access",
]  # fmt: skip
STREAM_COLUMNS = [
    "id", "company_id", "ewc_code", "material", "description", "quantity", "unit",
    "physical_state", "months", "route", "route_cost_eur_per_unit", "notes",
    "bulk_density_t_per_m3", "storage_months", "temperature_c",
    "forms", "standards",
    "destination", "destination_category",
]  # fmt: skip
NEED_COLUMNS = [
    "id", "company_id", "category", "accepted_codes", "description", "quantity", "unit",
    "virgin_price_eur_per_unit", "max_distance_km", "months", "hazardous_permit", "notes",
    "min_temperature_c", "max_temperature_c",
    "accepted_states", "required_forms", "refused_forms", "required_standards", "gate_fee_eur_per_unit",
    "permit", "approvals",
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

    def fixed(self, value: float) -> float:
        """A price set by a reference constant rather than drawn: the draw it replaces is still
        made, so that the rest of the network (quantities, sites) stays as it was."""
        self.rng.uniform(0.0, 1.0)
        return value

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
        density: float | None = None,
        storage: int | None = None,
        temperature: float | None = None,
        forms: str = "",
        standards: str = "",
        destination: str = "",
        destination_category: str = "",
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
            "bulk_density_t_per_m3": "" if density is None else fmt_number(density, 2),
            "storage_months": "" if storage is None else str(storage),
            "temperature_c": "" if temperature is None else fmt_number(temperature),
            "forms": forms,
            "standards": standards,
            "destination": destination,
            "destination_category": destination_category,
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
        min_temperature: float | None = None,
        states: str = "",
        forms: str = "",
        refuses: str = "",
        standards: str = "",
        gate_fee: float = 0.0,
        treatment_permit: str = "",
        max_temperature: float | None = None,
        approvals: str = "",
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
            "min_temperature_c": "" if min_temperature is None else fmt_number(min_temperature),
            "max_temperature_c": "" if max_temperature is None else fmt_number(max_temperature),
            "accepted_states": states,
            "required_forms": forms,
            "refused_forms": refuses,
            "required_standards": standards,
            "gate_fee_eur_per_unit": fmt_number(gate_fee, 2) if gate_fee else "",
            "permit": treatment_permit,
            "approvals": approvals,
        }
        if (site.key, tag) in self.need_tags:
            raise DemoDataError(f"need tag {site.key}/{tag} used twice")
        self.need_tags[(site.key, tag)] = row
        self.needs.append(row)


# --------------------------------------------------------------------------------------------
# Reference prices (issue 11, part 5). Each constant names its source key in
# data/knowledge_sources.csv; data/KNOWLEDGE_BASE.md ("Prix de référence / Reference prices")
# gives the value, the date of the figure and the conversion.

# Wood fuel is sold on its energy content. ADEME survey of wood-fuel prices (BASIC, 2011):
# forest chips delivered to collective boilers 1.9 c EUR/kWh (lower heating value) above 4 MW,
# 2.5 c EUR/kWh below 400 kW [ADEME-PRIX-BOIS-2011].
WOOD_CHIP_LARGE_BOILER_EUR_PER_MWH = 19.0
WOOD_CHIP_SMALL_BOILER_EUR_PER_MWH = 25.0
# between the two classes (1-4 MW, and the low end of small boilers): the survey's mid-point
WOOD_CHIP_MID_BOILER_EUR_PER_MWH = (
    WOOD_CHIP_LARGE_BOILER_EUR_PER_MWH + WOOD_CHIP_SMALL_BOILER_EUR_PER_MWH
) / 2
# Lower heating value of wet wood (kWh/kg = MWh/t): dry-matter value times the dry share, minus
# the heat to evaporate the water (2.44 MJ/kg = 0.68 kWh/kg). Dry matter 5.2 MWh/t, between the
# 5.3 (softwood) and 5.1 (hardwood) of FIBOIS Alsace, whose 3.3 MWh/t at 30 % and 2.2 MWh/t at
# 50 % moisture the formula reproduces within 4 % [FIBOIS-PCI].
WOOD_DRY_LHV_MWH_PER_T = 5.2
WATER_LATENT_HEAT_MWH_PER_T = 0.68


def wood_lhv_mwh_per_t(moisture: float) -> float:
    """Lower heating value of wood chips at a moisture content (wet basis, 0-1), in MWh/t."""
    return WOOD_DRY_LHV_MWH_PER_T * (1.0 - moisture) - WATER_LATENT_HEAT_MWH_PER_T * moisture


# Large boilers (heat network, a distillery's steam boiler) burn wet forest chips (40 %); small
# ones (schools, care homes, an alembic) need dry chips (30 %) [ADEME-BOIS].
WOOD_CHIP_LARGE_BOILER_EUR_PER_T = round(
    WOOD_CHIP_LARGE_BOILER_EUR_PER_MWH * wood_lhv_mwh_per_t(0.40)
)  # 54
WOOD_CHIP_SMALL_BOILER_EUR_PER_T = (
    round(WOOD_CHIP_MID_BOILER_EUR_PER_MWH * wood_lhv_mwh_per_t(0.30)),  # 76
    round(WOOD_CHIP_SMALL_BOILER_EUR_PER_MWH * wood_lhv_mwh_per_t(0.30)),  # 86
)
# A hospital boiler (1 800 t/yr, some 2.5 MW) sits between the survey's classes: the mid-point
# 22 EUR/MWh on 35 % chips.
WOOD_CHIP_MID_BOILER_EUR_PER_T = round(
    WOOD_CHIP_MID_BOILER_EUR_PER_MWH * wood_lhv_mwh_per_t(0.35)
)  # 69

# EPR streams handed to the eco-organism's collection cost the holder nothing: tyres (Aliapur
# free collection at garages and collection centres), household glass, paper and packaging
# (Citeo), household textiles (Refashion) [EPR-FR; ALIAPUR-COLLECTE]. Mixed bulky waste
# (20 03 07) is not sorted furniture and stays on landfill; the Ecomaison skip would need sorting.
EPR_TAKE_BACK_EUR_PER_T = 0.0

# Water: a site with its own borehole or river intake pays the Agence de l'eau Adour-Garonne
# abstraction fee (2024, zone 1.1, other economic uses: 1.97 c EUR/m3) [AEAG-REDEVANCE-2024]
# and the pumping energy: 50 m of total head at 50 % wire-to-water efficiency is
# 9.81 x 50 / (0.5 x 3600) = 0.27 kWh/m3, at 245 EUR/MWh, the price paid by businesses using
# 0.02-0.5 GWh/yr in the first half of 2024 [SDES-ELEC-2024]. The borehole itself is already paid.
OWN_WATER_ABSTRACTION_FEE_EUR_PER_M3 = 0.0197
OWN_WATER_PUMPING_KWH_PER_M3 = 9.81 * 50 / (0.5 * 3600)
SMALL_BUSINESS_ELECTRICITY_EUR_PER_KWH = 0.245
OWN_WATER_EUR_PER_M3 = round(
    OWN_WATER_ABSTRACTION_FEE_EUR_PER_M3
    + OWN_WATER_PUMPING_KWH_PER_M3 * SMALL_BUSINESS_ELECTRICITY_EUR_PER_KWH,
    2,
)  # 0.09
# Mains water: 2.21 EUR/m3 drinking water, 4.52 EUR/m3 with the sewer charge (national average
# at 1 January 2023) [SISPEA-2023]: the 3-4.5 EUR/m3 of the food and drink sites, which use mains
# quality water and discharge to the sewer, stay as they were.

# Landfill (ISDND) and incineration: TGAP 2025-2026 plus a gate fee [TGAP-2025]. Landfill TGAP
# 65 EUR/t (common case); incineration 25 EUR/t, 15 EUR/t where the energy efficiency is at least
# 0.65. Gate fees without the tax: landfill 79 EUR/t on average in 2012 for local authorities
# (61-98 for 80 % of them) with 15-20 EUR/t of TGAP in it [ADEME-STOCKAGE-2012]; incineration
# 84-91 EUR/t in 2009 [ADEME-INCIN-2011]. Orders of magnitude of their date: a local quote
# replaces them.
LANDFILL_TGAP_EUR_PER_T = 65.0
INCINERATION_TGAP_EUR_PER_T = 25.0
LANDFILL_GATE_FEE_EUR_PER_T = (61.0 - 20.0, 98.0 - 15.0)  # without the tax of 2012
# used motor oil on a recovery route is collected by an approved collector for regeneration
# (Code de l'environnement R.543-3 ff., the used-oil collection scheme): today's outlet
# A still's condenser cools the distillate with cold water: a coolant cools a process only down
# to its own temperature plus the approach of the exchanger, several kelvins (BREF-ICS, 1.1 and
# 1.4.1); water above 25 °C (the warm end of borehole, river or mains water in summer) leaves
# the distillate too warm, so warm rinse or process water is no cooling water for it.
STILL_COOLING_WATER_MAX_C = 25

USED_OIL_DESTINATION = "régénération hors du territoire (collecteur agréé d'huiles usagées)"
LANDFILL_TYPICAL_GATE_FEE_EUR_PER_T = 79.0 - 20.0
INCINERATION_GATE_FEE_EUR_PER_T = (84.0, 91.0)
LANDFILL_EUR_PER_T = (
    LANDFILL_GATE_FEE_EUR_PER_T[0] + LANDFILL_TGAP_EUR_PER_T,
    LANDFILL_GATE_FEE_EUR_PER_T[1] + LANDFILL_TGAP_EUR_PER_T,
)  # 106-148
LANDFILL_TYPICAL_EUR_PER_T = LANDFILL_TYPICAL_GATE_FEE_EUR_PER_T + LANDFILL_TGAP_EUR_PER_T  # 124
INCINERATION_EUR_PER_T = (
    INCINERATION_GATE_FEE_EUR_PER_T[0] + INCINERATION_TGAP_EUR_PER_T,
    INCINERATION_GATE_FEE_EUR_PER_T[1] + INCINERATION_TGAP_EUR_PER_T,
)  # 109-116
INCINERATION_TYPICAL_EUR_PER_T = round(sum(INCINERATION_EUR_PER_T) / 2)  # 112

# A transit and regrouping centre for hazardous waste is paid to take it: its fee passes on the
# onward treatment (regeneration, fuel blending, thermal treatment). Order of magnitude: hazardous
# material treated in fixed thermal centres, 120-455 EUR/t in 2010, weighted mean 315 EUR/t,
# before taxes and transport [SELECDEPOL-2010]. A local quote replaces it.
HAZARDOUS_REGROUPING_GATE_FEE_EUR_PER_T = 315.0

# The source key of each reference price (checked by tests/test_demo_data.py).
PRICE_SOURCES: dict[str, tuple[str, ...]] = {
    "WOOD_CHIP_LARGE_BOILER_EUR_PER_T": (
        "ADEME-PRIX-BOIS-2011",
        "FIBOIS-PCI",
        "ADEME-BOIS",
        "CIBE-CEEB-2014",
    ),
    "WOOD_CHIP_SMALL_BOILER_EUR_PER_T": ("ADEME-PRIX-BOIS-2011", "FIBOIS-PCI", "ADEME-BOIS"),
    "WOOD_CHIP_MID_BOILER_EUR_PER_T": ("ADEME-PRIX-BOIS-2011", "FIBOIS-PCI", "ADEME-BOIS"),
    "EPR_TAKE_BACK_EUR_PER_T": ("EPR-FR", "ALIAPUR-COLLECTE"),
    "OWN_WATER_EUR_PER_M3": ("AEAG-REDEVANCE-2024", "SDES-ELEC-2024"),
    "LANDFILL_EUR_PER_T": ("TGAP-2025", "TGAP-266-NONIES", "TGAP-2025-NEWS", "ADEME-STOCKAGE-2012"),
    "LANDFILL_TYPICAL_EUR_PER_T": (
        "TGAP-2025",
        "TGAP-266-NONIES",
        "TGAP-2025-NEWS",
        "ADEME-STOCKAGE-2012",
    ),
    "INCINERATION_EUR_PER_T": ("TGAP-2025", "TGAP-2025-NEWS", "ADEME-INCIN-2011"),
    "INCINERATION_TYPICAL_EUR_PER_T": ("TGAP-2025", "TGAP-2025-NEWS", "ADEME-INCIN-2011"),
    "HAZARDOUS_REGROUPING_GATE_FEE_EUR_PER_T": ("SELECDEPOL-2010",),
}


# --------------------------------------------------------------------------------------------
# Sectors: each function writes the typical streams and needs of one establishment.
# Quantities are per year; money in EUR per unit (t, m3 or MWh). Route costs include gate fee,
# TGAP and collection (reference prices above); a negative cost means the stream is sold today.

SectorFn = Callable[[Generator, Site], None]


def cognac_distillery(g: Generator, s: Site, big: bool = False) -> None:
    low, high = (12_000, 20_000) if big else (1_000, 9_000)
    g.stream(s, "vinasses", code="02 07 02", state="liquid", unit="m3", months="11-3",
             description="Vinasses de la double distillation du cognac",
             quantity=g.q(low, high, 100), route="recovery", cost=g.q(6, 14, 0.5),
             notes="évacuées aujourd'hui par camion vers un traitement ou un épandage")  # fmt: skip
    g.stream(s, "marc", code="02 07 01", state="pasty", months="9-12",
             description="Marcs de raisin des pressoirs de la maison",
             quantity=g.q(1_000, 2_000, 10) if big else g.q(200, 900, 10),
             route="recovery", cost=g.q(0, 12, 1))  # fmt: skip
    g.stream(s, "lees", code="02 07 04", state="pasty", months="11-3",
             description="Lies de vin issues des soutirages",
             quantity=g.q(150, 400, 5) if big else g.q(30, 150, 5), route="recovery",
             cost=g.q(0, 10, 1))  # fmt: skip
    g.stream(s, "heat", material="heat_hot_water", unit="MWh", state="energy", months="11-3", temperature=70,
             description="Chaleur fatale des condenseurs des alambics (eau de refroidissement à "
             "60-80 °C)",
             quantity=g.q(1_500, 2_500, 50) if big else g.q(300, 1_200, 50))  # fmt: skip
    if big or g.chance(0.4):
        g.stream(s, "cooling_water", material="process_water", unit="m3", state="liquid",
                 months="11-3",
                 description="Eau propre de refroidissement des condenseurs (sans contact)",
                 quantity=g.q(2_000, 15_000, 100), cost=g.q(1, 2, 0.5))  # fmt: skip
    if big or g.chance(0.4):
        g.stream(s, "glass", code="15 01 07",
                 description="Bouteilles cassées et non conformes de la ligne d'embouteillage",
                 quantity=g.q(5, 60, 1), route="recovery", cost=g.q(15, 40, 1),
                 notes="expédiées vers une verrerie hors du territoire",
                 destination="verrerie hors du territoire", destination_category="glass_cullet")  # fmt: skip
    if g.chance(0.3):
        g.stream(s, "cardboard", code="15 01 01", description="Cartons d'emballage et croisillons",
                 quantity=g.q(3, 30, 1), route="recovery", cost=g.q(5, 25, 1),
                 destination="papeterie hors du territoire (collecteur de cartons)",
                 destination_category="paper_fibre")  # fmt: skip
    if g.chance(0.25):
        g.stream(s, "pallets", code="15 01 03", description="Palettes en bois cassées",
                 quantity=g.q(2, 20, 1), route="recovery", cost=g.q(10, 30, 1))  # fmt: skip
    if not big and g.chance(0.5):
        g.need(s, "water", category="process_water", unit="m3", months="11-3",
               description="Eau de refroidissement des alambics pendant la campagne de "
               "distillation", quantity=g.q(3_000, 15_000, 100), price=g.fixed(OWN_WATER_EUR_PER_M3),
               max_km=10, max_temperature=STILL_COOLING_WATER_MAX_C)  # fmt: skip
    if g.chance(0.2):
        g.need(s, "wood", category="wood_fuel", months="11-3", description="Plaquettes de bois "
               "pour une chaudière biomasse chauffant les alambics (projet)",
               quantity=g.q(300, 900, 10), price=g.q(*WOOD_CHIP_SMALL_BOILER_EUR_PER_T, 1),
               max_km=50, standards="iso_17225_4_a", forms="chips")  # fmt: skip


def big_distillery(g: Generator, s: Site) -> None:
    cognac_distillery(g, s, big=True)


def wine_grower(g: Generator, s: Site, distils: bool = False) -> None:
    g.stream(s, "marc", code="02 07 01", state="pasty", months="9-10",
             description="Marcs de raisin du pressurage",
             quantity=g.q(30, 400, 5), route="recovery", cost=g.q(0, 10, 1),
             notes="livrés à une distillerie vinicole (prestations viniques)")  # fmt: skip
    if distils or g.chance(0.5):
        g.stream(s, "lees", code="02 07 04", state="pasty", months="10-12",
                 description="Lies de vin", quantity=g.q(5, 80, 1),
                 route="recovery", cost=g.q(0, 10, 1))  # fmt: skip
    if g.chance(0.35):
        g.stream(s, "prunings", code="02 01 03", months="12-3",
                 description="Sarments de taille, brûlés ou broyés dans les rangs aujourd'hui",
                 quantity=g.q(20, 150, 5), route="other", forms="offcuts;fresh")  # fmt: skip
    if distils:
        g.stream(s, "vinasses", code="02 07 02", state="liquid", unit="m3", months="11-3",
                 description="Vinasses de l'alambic du bouilleur de cru",
                 quantity=g.q(300, 3_000, 50), route="recovery", cost=g.q(8, 14, 0.5))  # fmt: skip
    if g.chance(0.25):
        g.stream(s, "plastic", code="02 01 04",
                 description="Plastiques viticoles : liens, protège-ceps, emballages",
                 quantity=g.q(0.5, 3, 0.5), route="landfill", cost=g.q(*LANDFILL_EUR_PER_T, 1), forms="soiled")  # fmt: skip
    g.need(s, "amendment", category="soil_amendment", months="11-3",
           description="Amendement organique pour le vignoble (compost, digestat)",
           quantity=g.q(80, 600, 10), price=g.q(20, 40, 1), max_km=g.q(25, 40, 5), standards="nf_u44_051;plan_epandage")  # fmt: skip
    if g.chance(0.35):
        g.need(s, "water", category="process_water", unit="m3", months="9-10",
               description="Eau de lavage du pressoir, des cuves et des bennes à vendange",
               quantity=g.q(300, 1_500, 50), price=g.q(3, 4.5, 0.1), max_km=10, standards="eau_potable")  # fmt: skip
    if distils and g.chance(0.5):
        g.need(s, "wood", category="wood_fuel", months="11-3",
               description="Plaquettes de bois pour remplacer le fioul sous l'alambic (projet)",
               quantity=g.q(60, 200, 10), price=g.q(*WOOD_CHIP_SMALL_BOILER_EUR_PER_T, 1),
               max_km=40, standards="iso_17225_4_a", forms="chips")  # fmt: skip


def distilling_grower(g: Generator, s: Site) -> None:
    wine_grower(g, s, distils=True)


def byproduct_distillery(g: Generator, s: Site) -> None:
    # the marc line takes marc (02 07 01); the lees go to the lees line below
    g.need(s, "marc_lees", category="wine_byproduct_distillation", accepted_codes="020701", months="9-11",
           description="Marcs de raisin pour l'alcool, l'acide tartrique et l'huile de pépins "
           "(ensilés)", quantity=18_000, price=8, max_km=80)  # fmt: skip
    g.need(s, "lees", category="wine_byproduct_distillation", accepted_codes="020704", months="10-3",
           description="Lies de vin pour l'alcool et l'acide tartrique", quantity=6_000, price=8,
           max_km=80)  # fmt: skip
    g.need(s, "wood", category="wood_fuel", months="9-4",
           description="Plaquettes et sciure pour la chaudière vapeur (avec les marcs épuisés)",
           quantity=4_000, price=WOOD_CHIP_LARGE_BOILER_EUR_PER_T, max_km=80, forms="sawdust;chips;bark;offcuts")  # fmt: skip
    g.stream(s, "exhausted_marc", code="02 07 02", state="solid", months="10-5",
             description="Marcs épuisés après extraction de l'alcool et des pépins",
             quantity=6_000, route="recovery", cost=12)  # fmt: skip
    g.stream(s, "vinasses", code="02 07 02", state="liquid", unit="m3", months="10-4",
             description="Vinasses de la distillation des marcs et des lies",
             quantity=22_000, route="recovery", cost=10)  # fmt: skip
    g.stream(s, "heat", material="heat_low_temperature", unit="MWh", state="energy", months="10-4", temperature=40,
             description="Chaleur fatale basse température des colonnes de distillation",
             quantity=3_000)  # fmt: skip
    g.stream(s, "ash", code="10 01 01", description="Mâchefers de la chaudière (marcs et bois)",
             quantity=380, route="landfill", cost=LANDFILL_TYPICAL_EUR_PER_T)  # fmt: skip


def methaniser(g: Generator, s: Site, big: bool = True) -> None:
    if big:
        g.need(s, "solid", category="methanisation_feedstock",
               accepted_codes="020103,020106,0203,020701,020702,020704,0205",
               description="Intrants solides : fumiers, résidus de cultures et agroalimentaires, "
               "marcs, lies", quantity=30_000, price=25, max_km=50, states="solid;pasty",
               refuses="film", approvals="abp_cat3")  # fmt: skip
        g.need(s, "vinasses", accepted_codes="020702", unit="m3",
               months="11-4", description="Intrants liquides : vinasses (en remplacement de l'eau de "
               "dilution)", quantity=20_000, price=1, max_km=40, states="liquid")  # fmt: skip
        g.need(s, "biowaste", category="methanisation_feedstock",
               description="Biodéchets et graisses de la restauration et des commerces (hygiénisés "
               "sur site)", quantity=4_000, price=0, max_km=40, gate_fee=45,
               treatment_permit="ICPE 2781-2 (enregistrement), agrément sanitaire sous-produits animaux C3",
               approvals="abp_cat3",
               notes="redevance de traitement des biodéchets, ordre de grandeur ADEME (ADEME-METH)")  # fmt: skip
        g.stream(s, "digestate", code="19 06 06", state="pasty", route="recovery", cost=6,
                 description="Digestat solide, épandu chez des agriculteurs selon le plan "
                 "d'épandage", quantity=26_000, standards="plan_epandage",
                 destination="agriculteurs du plan d'épandage", destination_category="soil_amendment")  # fmt: skip
        g.stream(s, "liquid_digestate", code="19 06 05", state="liquid", unit="m3",
                 route="recovery", cost=4, quantity=12_000, standards="plan_epandage",
                 description="Fraction liquide du digestat, riche en azote")  # fmt: skip
        g.stream(s, "heat", material="heat_hot_water", unit="MWh", state="energy", temperature=85,
                 description="Chaleur fatale du moteur de cogénération après chauffage des "
                 "digesteurs", quantity=4_500)  # fmt: skip
    else:
        g.need(s, "solid", category="methanisation_feedstock", accepted_codes="020103,020106,0203",
               description="Fumiers, résidus de cultures et écarts de légumes pour le méthaniseur à la "
               "ferme", quantity=8_000, price=20, max_km=20, states="solid;pasty", refuses="film")  # fmt: skip
        g.stream(s, "digestate", code="19 06 06", state="pasty", route="recovery", cost=5,
                 description="Digestat du méthaniseur à la ferme", quantity=7_000,
                 standards="plan_epandage")  # fmt: skip
        g.stream(s, "heat", material="heat_hot_water", unit="MWh", state="energy", temperature=85,
                 description="Chaleur fatale du moteur de cogénération de la ferme",
                 quantity=1_200)  # fmt: skip


def farm_methaniser(g: Generator, s: Site) -> None:
    methaniser(g, s, big=False)


def composting(g: Generator, s: Site) -> None:
    g.need(s, "feedstock", category="compost_feedstock",
           description="Déchets verts, écorces, marcs et autres résidus biodégradables à composter",
           quantity=9_000, price=0, max_km=40, gate_fee=35, treatment_permit="ICPE 2780-2 (enregistrement)",
           notes="redevance de la plateforme, ordre de grandeur ADEME (ADEME-COMPOST)")  # fmt: skip
    g.stream(s, "compost", material="soil_amendment", route="other", cost=-6,
             description="Compost normé (NF U 44-051), vendu aujourd'hui aux agriculteurs",
             quantity=4_500, standards="nf_u44_051", destination="vente aux agriculteurs",
             destination_category="soil_amendment")  # fmt: skip
    g.stream(s, "rejects", code="19 12 12", description="Refus de criblage (plastiques, cailloux)",
             quantity=400, route="landfill", cost=LANDFILL_TYPICAL_EUR_PER_T)  # fmt: skip


def heat_network(g: Generator, s: Site) -> None:
    g.need(s, "wood", category="wood_fuel", description="Plaquettes de bois pour les chaudières du "
           "réseau de chaleur (en complément de la géothermie)", quantity=10_000,
           price=WOOD_CHIP_LARGE_BOILER_EUR_PER_T,
           max_km=80, forms="chips")  # fmt: skip
    g.need(s, "heat", category="heat_hot_water", unit="MWh", months="10-4", min_temperature=65,
           description="Chaleur fatale à injecter dans le réseau de chaleur",
           quantity=2_500, price=30, max_km=8)  # fmt: skip
    g.stream(s, "ash", code="10 01 01", description="Mâchefers de chaudière bois",
             quantity=260, route="landfill", cost=LANDFILL_TYPICAL_EUR_PER_T)  # fmt: skip
    g.stream(s, "fly_ash", code="10 01 03", description="Cendres volantes des chaudières bois",
             quantity=45, route="landfill", cost=LANDFILL_TYPICAL_EUR_PER_T)  # fmt: skip


def hospital(g: Generator, s: Site) -> None:
    g.need(s, "wood", category="wood_fuel", months="10-4",
           description="Plaquettes de bois pour la chaufferie de l'hôpital", quantity=1_800,
           price=WOOD_CHIP_MID_BOILER_EUR_PER_T, max_km=60, standards="iso_17225_4_a", forms="chips")  # fmt: skip
    g.stream(s, "food", code="20 01 08",
             description="Déchets de cuisine et de restauration collective", quantity=70,
             route="incineration", cost=INCINERATION_TYPICAL_EUR_PER_T)  # fmt: skip
    g.stream(s, "cardboard", code="15 01 01", description="Emballages en carton",
             quantity=45, route="recovery", cost=20)  # fmt: skip
    g.stream(s, "textile", code="20 01 11", description="Linge et tenues de travail usagés",
             quantity=4, route="incineration", cost=INCINERATION_TYPICAL_EUR_PER_T)  # fmt: skip


def school(g: Generator, s: Site) -> None:
    g.need(s, "wood", category="wood_fuel", months="10-4",
           description="Plaquettes de bois pour la chaufferie de l'établissement",
           quantity=g.q(150, 500, 10), price=g.q(*WOOD_CHIP_SMALL_BOILER_EUR_PER_T, 1),
           max_km=50, standards="iso_17225_4_a", forms="chips")  # fmt: skip
    g.stream(s, "food", code="20 01 08", months="9-6",
             description="Restes alimentaires de la cantine", quantity=g.q(15, 40, 1),
             route="incineration", cost=g.q(*INCINERATION_EUR_PER_T, 1))  # fmt: skip


def care_home(g: Generator, s: Site) -> None:
    g.need(s, "wood", category="wood_fuel", months="10-4",
           description="Granulés ou plaquettes de bois pour la chaudière", quantity=250,
           price=WOOD_CHIP_SMALL_BOILER_EUR_PER_T[1], max_km=40, standards="iso_17225_4_a", forms="chips")  # fmt: skip
    g.stream(s, "food", code="20 01 08", description="Déchets de cuisine", quantity=20,
             route="incineration", cost=INCINERATION_TYPICAL_EUR_PER_T)  # fmt: skip
    g.stream(s, "oil", code="20 01 25", state="liquid", description="Huiles de friture usagées",
             quantity=0.8, route="recovery", cost=50)  # fmt: skip


def aquatic_centre(g: Generator, s: Site) -> None:
    g.need(s, "heat", category="heat_low_temperature", unit="MWh", min_temperature=30,
           description="Chaleur pour l'eau des bassins et les halls", quantity=3_200, price=60,
           max_km=4)  # fmt: skip
    g.stream(s, "water", material="process_water", unit="m3", state="liquid",
             description="Eaux de lavage des filtres et de vidange des bassins, déchlorées",
             quantity=6_000, cost=2)  # fmt: skip


def dairy(g: Generator, s: Site) -> None:
    g.stream(s, "whey", code="02 05 01", state="liquid", unit="m3",
             description="Lactosérum doux", quantity=6_000, route="recovery",
             cost=4, standards="agrement_alimentation_animale")  # fmt: skip
    g.stream(s, "sludge", code="02 05 02", state="pasty", quantity=500, route="recovery",
             cost=22, description="Boues de la station d'épuration du site")  # fmt: skip
    g.stream(s, "heat", material="heat_low_temperature", unit="MWh", state="energy", quantity=900, temperature=35,
             description="Chaleur récupérée sur les groupes froids et le refroidissement du "
             "pasteurisateur")  # fmt: skip
    g.stream(s, "cardboard", code="15 01 01", description="Emballages en carton", quantity=30,
             route="recovery", cost=12)  # fmt: skip
    g.stream(s, "film", code="15 01 02", description="Film étirable et housses plastiques",
             quantity=20, route="landfill",
             cost=LANDFILL_TYPICAL_EUR_PER_T, forms="film;clean")  # fmt: skip
    g.need(s, "water", category="process_water", unit="m3",
           description="Eau pour le nettoyage en place (NEP)", quantity=25_000, price=3.6,
           max_km=10, standards="eau_potable")  # fmt: skip


def cannery(g: Generator, s: Site) -> None:
    g.stream(s, "rejects", code="02 03 04", months="6-10", quantity=1_500, route="recovery",
             cost=15,
             description="Épluchures et écarts de tri de melons et de légumes")  # fmt: skip
    g.stream(s, "sludge", code="02 03 05", state="pasty", quantity=450, route="recovery",
             cost=25, description="Boues de la station d'épuration du site")  # fmt: skip
    g.stream(s, "cans", code="15 01 04", description="Chutes et rebuts de boîtes en acier",
             quantity=12, route="recovery", cost=-40)  # fmt: skip
    g.need(s, "heat", category="heat_steam", unit="MWh", months="6-10", min_temperature=121,
           description="Vapeur et eau chaude pour le blanchiment et la stérilisation",
           quantity=3_500, price=55, max_km=4)  # fmt: skip
    g.need(s, "water", category="process_water", unit="m3", months="6-10",
           description="Eau de lavage des légumes", quantity=40_000, price=3.4,
           max_km=10, standards="eau_potable")  # fmt: skip


def slaughterhouse(g: Generator, s: Site) -> None:
    g.stream(s, "tissue", code="02 02 02", quantity=900, route="other", cost=60,
             description="Sous-produits animaux de catégorie 3, transformés hors du "
             "territoire", destination="équarrisseur agréé C3 hors du territoire")  # fmt: skip
    g.stream(s, "manure", code="02 01 06", state="pasty", quantity=1_200, route="recovery", cost=12,
             description="Fumier des parcs d'attente et matières stercoraires")  # fmt: skip
    g.stream(s, "sludge", code="02 02 04", state="pasty", quantity=600, route="recovery",
             cost=25, description="Boues de la station d'épuration du site")  # fmt: skip
    g.need(s, "heat", category="heat_hot_water", unit="MWh", min_temperature=60,
           description="Eau chaude pour l'échaudage et le nettoyage", quantity=1_400, price=58,
           max_km=4)  # fmt: skip
    g.need(s, "water", category="process_water", unit="m3",
           description="Eau de nettoyage", quantity=18_000, price=3.8, max_km=10, standards="eau_potable")  # fmt: skip


def bakery(g: Generator, s: Site) -> None:
    g.stream(s, "bread", code="02 06 01", quantity=g.q(60, 150, 5), route="incineration",
             cost=g.q(*INCINERATION_EUR_PER_T, 1),
             description="Invendus de pain et viennoiseries non conformes")  # fmt: skip
    g.stream(s, "cardboard", code="15 01 01", description="Emballages en carton",
             quantity=g.q(10, 30, 1), route="recovery", cost=g.q(5, 20, 1),
             destination="papeterie hors du territoire (collecteur de cartons)", destination_category="paper_fibre")  # fmt: skip
    if g.chance(0.6):
        g.stream(s, "oil", code="20 01 25", state="liquid", description="Huiles de friture usagées",
                 quantity=g.q(1, 4, 0.5), route="recovery", cost=g.q(30, 60, 5))  # fmt: skip


def feed_mill(g: Generator, s: Site) -> None:
    g.need(s, "feed", category="animal_feed_ruminant", description="Coproduits pour la formulation "
           "d'aliments : son, farine de boulangerie, pulpes, lactosérum", quantity=6_000, price=210,
           max_km=60, standards="agrement_alimentation_animale")  # fmt: skip
    g.stream(s, "screenings", code="02 03 04", quantity=120, route="recovery", cost=10,
             description="Issues de céréales et poussières impropres à l'alimentation "
             "animale", forms="soiled")  # fmt: skip
    g.stream(s, "bags", code="15 01 01", description="Sacs en papier", quantity=15,
             route="recovery", cost=15)  # fmt: skip


def grain_dryer(g: Generator, s: Site) -> None:
    g.need(s, "heat", category="heat_hot_water", unit="MWh", months="7-10", min_temperature=70,
           description="Chaleur pour le séchage du maïs et du tournesol à la récolte",
           quantity=g.q(1_200, 2_200, 100), price=g.q(60, 70, 1), max_km=5)  # fmt: skip
    g.stream(s, "husks", code="02 01 03", months="7-11", route="recovery", cost=g.q(3, 8, 1),
             description="Issues de nettoyage, balles et grains cassés",
             quantity=g.q(300, 700, 10), forms="husks;clean;dry",
             standards="agrement_alimentation_animale")  # fmt: skip


def cereal_farm(g: Generator, s: Site) -> None:
    g.stream(s, "residues", code="02 01 03", months="7-9", route="other",
             description="Menues pailles et résidus de culture non vendus comme paille",
             quantity=g.q(50, 300, 10), forms="straw;dry")  # fmt: skip
    g.need(s, "amendment", category="soil_amendment", months="2-4",
           description="Fertilisant organique (digestat, compost) en remplacement des engrais "
           "minéraux", quantity=g.q(200, 1_500, 50), price=g.q(15, 40, 1),
           max_km=g.q(20, 40, 5), standards="nf_u44_051;plan_epandage")  # fmt: skip
    if g.chance(0.5):
        g.need(s, "water", category="process_water", unit="m3", months="6-8",
               description="Eau d'irrigation du maïs (tarif agricole)",
               quantity=g.q(5_000, 30_000, 500), price=0.45, max_km=10)  # fmt: skip
    if g.chance(0.2):
        g.stream(s, "plastic", code="02 01 04", description="Plastiques d'ensilage et big-bags",
                 quantity=g.q(1, 4, 0.5), route="landfill", cost=g.q(*LANDFILL_EUR_PER_T, 1), forms="film;soiled")  # fmt: skip


def melon_farm(g: Generator, s: Site) -> None:
    g.stream(s, "melons", code="02 01 03", months="6-9", route="other",
             description="Melons invendus et abîmés, fanes après récolte",
             quantity=g.q(100, 600, 10), forms="fruit_vegetables;fresh")  # fmt: skip
    if g.chance(0.6):
        g.stream(s, "mulch", code="02 01 04",
                 description="Films de paillage et tunnels plastiques usagés",
                 quantity=g.q(3, 15, 1), route="landfill", cost=g.q(*LANDFILL_EUR_PER_T, 1), forms="film;soiled")  # fmt: skip
    g.need(s, "amendment", category="soil_amendment", months="2-4",
           description="Compost ou digestat avant plantation", quantity=g.q(150, 600, 10),
           price=g.q(25, 35, 1), max_km=30, standards="nf_u44_051;plan_epandage")  # fmt: skip
    g.need(s, "water", category="process_water", unit="m3", months="5-8",
           description="Eau d'irrigation (tarif agricole)", quantity=g.q(5_000, 25_000, 500),
           price=0.45, max_km=10)  # fmt: skip


def greenhouse(g: Generator, s: Site) -> None:
    g.need(s, "heat", category="heat_low_temperature", unit="MWh", months="10-4", min_temperature=35,
           description="Chaleur pour les serres de tomates et de concombres",
           quantity=g.q(1_500, 4_000, 100), price=g.q(65, 80, 1), max_km=5)  # fmt: skip
    g.stream(s, "residues", code="02 01 03", months="7-11", route="recovery",
             cost=g.q(15, 25, 1), description="Résidus végétaux de fin de culture",
             quantity=g.q(80, 200, 10), forms="soiled;fresh")  # fmt: skip
    if g.chance(0.5):
        g.stream(s, "films", code="02 01 04", description="Films de serre et sacs de substrat",
                 quantity=g.q(2, 6, 1), route="landfill", cost=g.q(*LANDFILL_EUR_PER_T, 1), forms="film;soiled")  # fmt: skip
    g.need(s, "water", category="process_water", unit="m3", months="3-10",
           description="Eau d'irrigation (goutte-à-goutte et brumisation)",
           quantity=g.q(3_000, 8_000, 500), price=g.fixed(OWN_WATER_EUR_PER_M3),
           max_km=10)  # fmt: skip
    g.need(s, "amendment", category="soil_amendment", months="1-2",
           description="Compost pour les planches de culture", quantity=g.q(50, 150, 10),
           price=g.q(30, 40, 1), max_km=30, standards="nf_u44_051")  # fmt: skip


def cattle_farm(g: Generator, s: Site) -> None:
    g.stream(s, "manure", code="02 01 06", state="pasty", route="other",
             description="Fumier bovin, épandu aujourd'hui sur les terres de l'exploitation",
             quantity=g.q(1_500, 5_000, 100))  # fmt: skip
    if g.chance(0.5):
        g.stream(s, "film", code="02 01 04", description="Films d'ensilage et d'enrubannage",
                 quantity=g.q(1, 4, 0.5), route="landfill", cost=g.q(*LANDFILL_EUR_PER_T, 1), forms="film;soiled")  # fmt: skip
    g.need(s, "bedding", category="animal_bedding", description="Litière (paille, sciure)",
           quantity=g.q(100, 400, 10), price=g.q(45, 70, 1), max_km=30)  # fmt: skip
    g.need(s, "feed", category="animal_feed_ruminant", description="Aliments complémentaires",
           quantity=g.q(200, 800, 10), price=g.q(180, 250, 5), max_km=40, standards="agrement_alimentation_animale")  # fmt: skip
    if g.chance(0.6):
        g.need(s, "water", category="process_water", unit="m3",
               description="Eau de nettoyage de la salle de traite et des aires d'exercice",
               quantity=g.q(1_000, 3_000, 100), price=g.q(3, 4, 0.1), max_km=10)  # fmt: skip


def poultry_farm(g: Generator, s: Site) -> None:
    g.stream(s, "litter", code="02 01 06", route="other",
             description="Fumier de volailles (déjections et litière)", quantity=g.q(200, 800,
             10))  # fmt: skip
    g.need(s, "bedding", category="animal_bedding", description="Copeaux de bois pour la litière",
           quantity=g.q(60, 200, 5), price=g.q(50, 80, 1), max_km=40, forms="sawdust;shavings;dry")  # fmt: skip
    g.need(s, "heat", category="heat_low_temperature", unit="MWh", months="10-4", min_temperature=35,
           description="Chaleur pour les poulaillers (au gaz aujourd'hui)",
           quantity=g.q(150, 450, 10), price=75, max_km=5)  # fmt: skip


def pig_farm(g: Generator, s: Site) -> None:
    g.stream(s, "slurry", code="02 01 06", state="liquid", unit="m3", route="other",
             description="Lisier de porc, épandu aujourd'hui sur les terres de l'exploitation",
             quantity=g.q(3_000, 8_000, 100))  # fmt: skip
    g.need(s, "feed", category="animal_feed_monogastric",
           description="Alimentation (céréales, lactosérum, coproduits)",
           quantity=g.q(600, 1_500, 10), price=g.q(200, 240, 5), max_km=50, standards="agrement_alimentation_animale")  # fmt: skip


def sawmill(g: Generator, s: Site, big: bool = False) -> None:
    g.stream(s, "sawdust", code="03 01 05", route="recovery", cost=g.q(-15, 5, 1),
             description="Sciure et copeaux (pin maritime, chêne)",
             quantity=g.q(4_000, 8_000, 50) if big else g.q(500, 4_000, 50),
             forms="sawdust;clean;fresh")  # fmt: skip
    g.stream(s, "bark", code="03 01 01", route="recovery", cost=g.q(0, 10, 1),
             description="Écorces, vendues en paillage ou brûlées",
             quantity=g.q(300, 3_000, 50), forms="bark;fresh")  # fmt: skip
    g.stream(s, "chips", code="03 01 05", route="recovery", cost=g.q(-25, -10, 1),
             description="Plaquettes de scierie (dosses et délignures broyées)",
             quantity=g.q(800, 5_000, 50), forms="chips;clean;fresh", standards="iso_17225_4_a")  # fmt: skip
    if g.chance(0.5):
        g.stream(s, "ash", code="10 01 01", description="Mâchefers de la chaudière du séchoir",
                 quantity=g.q(50, 150, 5), route="landfill", cost=g.q(*LANDFILL_EUR_PER_T, 1))  # fmt: skip
    if g.chance(0.5):
        g.stream(s, "oil", code="13 02 05", state="liquid", route="recovery",
                 description="Huiles hydrauliques et moteur usagées des scies et des chargeuses",
                 quantity=g.q(1, 3, 0.5), cost=g.q(0, 30, 5))  # fmt: skip
    if big or g.chance(0.6):
        g.need(s, "water", category="process_water", unit="m3", months="5-9",
               description="Eau d'aspersion des grumes de pin sur le parc à bois (contre le "
               "bleuissement)", quantity=g.q(2_000, 10_000, 500), price=g.fixed(OWN_WATER_EUR_PER_M3),
               max_km=10)  # fmt: skip


def big_sawmill(g: Generator, s: Site) -> None:
    sawmill(g, s, big=True)


def joinery(g: Generator, s: Site) -> None:
    g.stream(s, "shavings", code="03 01 05", route="recovery", cost=g.q(20, 60, 1),
             description="Copeaux et chutes de bois non traité", quantity=g.q(30, 300,
             5), forms="shavings;offcuts;clean;dry")  # fmt: skip
    if g.chance(0.6):
        g.stream(s, "treated", code="03 01 04", route="incineration", cost=g.q(300, 380, 5),
                 description="Chutes et poussières de bois traité ou verni",
                 quantity=g.q(3, 20, 1))  # fmt: skip
    if g.chance(0.6):
        g.stream(s, "solvents", code="14 06 03", state="liquid", route="incineration",
                 cost=g.q(450, 600, 10),
                 description="Solvants de nettoyage usés (ligne de vernissage)",
                 quantity=g.q(0.5, 3, 0.5))  # fmt: skip
    if s.naf_code == "43.32A":
        g.stream(s, "site_wood", code="17 02 01", route="incineration", cost=g.q(80, 100, 1),
                 description="Bois de dépose de chantier (anciennes fenêtres et portes, non "
                 "traitées)", quantity=g.q(10, 60, 1))  # fmt: skip
    else:
        g.stream(s, "packaging", code="15 01 03", route="recovery", cost=g.q(10, 30, 1),
                 description="Emballages et caisses en bois", quantity=g.q(5, 20, 1))  # fmt: skip


def pallet_maker(g: Generator, s: Site) -> None:
    g.stream(s, "offcuts", code="03 01 05", route="recovery", cost=g.q(-8, 0, 1),
             description="Chutes et sciure de la fabrication de palettes", quantity=g.q(150, 600,
             10), forms="sawdust;offcuts;clean;dry")  # fmt: skip
    g.need(s, "pallets", category="pallets_packaging_reuse", accepted_codes="150103",
           description="Palettes usagées à réparer et à revendre", quantity=g.q(150, 500, 10),
           price=60, max_km=60)  # fmt: skip


def quarry(g: Generator, s: Site, kaolin: bool = False) -> None:
    if kaolin:
        g.stream(s, "sand", code="01 04 09", route="storage",
                 description="Sables et argiles stériles du lavage du kaolin",
                 quantity=g.q(5_000, 20_000, 500))  # fmt: skip
    else:
        g.stream(s, "gravel", code="01 04 08", route="storage",
                 description="Stériles de graviers et fines de concassage",
                 quantity=g.q(3_000, 12_000, 500))  # fmt: skip
    g.need(s, "backfill", category="backfill",
           description="Terres et cailloux inertes pour la remise en état des fosses d'extraction",
           quantity=g.q(20_000, 60_000, 1_000), price=g.q(3, 5, 0.5), max_km=40)  # fmt: skip
    if g.chance(0.6):
        g.stream(s, "oil", code="13 02 05", state="liquid", route="recovery",
                 description="Huiles moteur usagées des tombereaux et des chargeuses",
                 quantity=g.q(2, 5, 0.5), cost=g.q(0, 30, 5), destination=USED_OIL_DESTINATION,
                 destination_category="oil_regeneration")  # fmt: skip


def kaolin_quarry(g: Generator, s: Site) -> None:
    quarry(g, s, kaolin=True)


def builder(g: Generator, s: Site) -> None:
    g.stream(s, "soil", code="17 05 04", route="landfill", cost=g.q(10, 25, 1),
             description="Terres et cailloux d'excavation (inertes)", quantity=g.q(500, 8_000, 100),
             notes="installation de stockage de déchets inertes (ISDI) aujourd'hui")  # fmt: skip
    g.stream(s, "rubble", code="17 01 07", route="landfill", cost=g.q(12, 25, 1),
             description="Gravats de béton, briques et tuiles", quantity=g.q(200, 2_000,
             50))  # fmt: skip
    if g.chance(0.7):
        g.stream(s, "wood", code="17 02 01", route="incineration", cost=g.q(80, 100, 1),
                 description="Bois de chantier (coffrages, chutes)",
                 quantity=g.q(20, 150, 5))  # fmt: skip
    if g.chance(0.7):
        g.stream(s, "plasterboard", code="17 08 02", route="landfill", cost=g.q(*LANDFILL_EUR_PER_T, 1),
                 description="Chutes de plaques de plâtre (sans amiante)",
                 quantity=g.q(10, 60, 1))  # fmt: skip
    if g.chance(0.5):
        g.stream(s, "steel", code="17 04 05", route="recovery", cost=g.q(-120, -80, 5),
                 description="Aciers d'armature et ferrailles", quantity=g.q(10, 60,
                 1))  # fmt: skip
    if g.chance(0.4):
        g.stream(s, "plastic", code="17 02 03", route="landfill", cost=g.q(*LANDFILL_EUR_PER_T, 1),
                 description="Tubes, membranes et chutes en plastique", quantity=g.q(3, 15,
                 1))  # fmt: skip
    if g.chance(0.3):
        g.stream(s, "insulation", code="17 06 04", route="landfill", cost=g.q(*LANDFILL_EUR_PER_T, 1),
                 description="Chutes d'isolants (laine minérale, polystyrène)",
                 quantity=g.q(3, 20, 1))  # fmt: skip
    g.need(s, "aggregates", category="aggregates",
           description="Granulats de couche de forme et de tranchée (0/31,5)",
           quantity=g.q(500, 3_000, 50), price=g.q(12, 20, 0.5), max_km=30)  # fmt: skip
    if g.chance(0.8):
        g.need(s, "backfill", category="backfill",
               description="Remblais pour aménagements paysagers", quantity=g.q(300, 2_000, 50),
               price=g.q(8, 12, 0.5), max_km=30)  # fmt: skip


def road_works(g: Generator, s: Site) -> None:
    g.stream(s, "asphalt", code="17 03 02", route="recovery", cost=g.q(6, 10, 1),
             description="Fraisats d'enrobés exempts de goudron",
             quantity=g.q(1_000, 5_000, 100))  # fmt: skip
    g.stream(s, "soil", code="17 05 04", route="landfill", cost=g.q(10, 15, 1),
             description="Terres et cailloux d'excavation (inertes)", quantity=g.q(3_000, 15_000,
             500))  # fmt: skip
    g.need(s, "aggregates", category="aggregates",
           description="Granulats pour couches de forme routières et remblais",
           quantity=g.q(8_000, 20_000, 500), price=g.q(14, 18, 0.5), max_km=40)  # fmt: skip


def garage(g: Generator, s: Site) -> None:
    g.stream(s, "oil", code="13 02 05", state="liquid", route="recovery", cost=g.q(0, 30, 5),
             description="Huiles moteur usagées des vidanges", quantity=g.q(2, 8, 0.5),
             destination=USED_OIL_DESTINATION,
                 destination_category="oil_regeneration")  # fmt: skip
    g.stream(s, "tyres", code="16 01 03", route="recovery", cost=g.fixed(EPR_TAKE_BACK_EUR_PER_T),
             description="Pneumatiques usagés", quantity=g.q(5, 30, 1))  # fmt: skip
    if g.chance(0.5):
        g.stream(s, "filters", code="16 01 07", route="incineration", cost=g.q(380, 450, 10),
                 description="Filtres à huile", quantity=g.q(0.5, 2, 0.5))  # fmt: skip
    if g.chance(0.4):
        g.stream(s, "metal", code="16 01 17", route="recovery", cost=g.q(-130, -90, 5),
                 description="Pièces ferreuses (disques de frein, échappements)",
                 quantity=g.q(5, 25,
                 1))  # fmt: skip
    if s.naf_code == "45.20B":
        g.stream(s, "solvents", code="14 06 03", state="liquid", route="incineration",
                 cost=g.q(450, 600, 10), description="Solvants usés de nettoyage des pistolets",
                 quantity=g.q(1, 4, 0.5))  # fmt: skip
        g.stream(s, "paint", code="08 01 11", state="pasty", route="incineration",
                 cost=g.q(600, 700, 10), description="Résidus de peinture contenant des solvants",
                 quantity=g.q(0.5, 2, 0.5))  # fmt: skip


def metalworks(g: Generator, s: Site) -> None:
    g.stream(s, "turnings", code="12 01 01", route="recovery", cost=g.q(-130, -100, 5),
             description="Copeaux et chutes d'acier", quantity=g.q(10, 200, 5))  # fmt: skip
    if g.chance(0.6):
        g.stream(s, "nonferrous", code="12 01 03", route="recovery", cost=g.q(-700, -500, 10),
                 description="Copeaux d'aluminium et de laiton",
                 quantity=g.q(1, 20, 0.5))  # fmt: skip
    if g.chance(0.3):
        g.stream(s, "dust", code="12 01 02", route="landfill", cost=g.q(*LANDFILL_EUR_PER_T, 1),
                 description="Poussières de meulage et fines de grenaillage", quantity=g.q(1, 8,
                 0.5))  # fmt: skip
    if g.chance(0.7):
        g.stream(s, "solvents", code="14 06 03", state="liquid", route="incineration",
                 cost=g.q(450, 600, 10), description="Solvants de dégraissage usés",
                 quantity=g.q(0.5, 4, 0.5))  # fmt: skip


def plastics_film(g: Generator, s: Site) -> None:
    g.stream(s, "scrap", code="07 02 13", route="landfill", cost=g.q(*LANDFILL_EUR_PER_T, 1),
             description="Chutes de films multicouches et purges non regranulables sur place",
             quantity=g.q(20, 150, 5))  # fmt: skip
    g.stream(s, "cardboard", code="15 01 01", description="Mandrins et caisses en carton",
             quantity=g.q(10, 40, 1), route="recovery", cost=g.q(5, 20, 1))  # fmt: skip
    g.need(s, "film", category="plastic_polymer", accepted_codes="150102",
           description="Balles de film polyéthylène propre pour fabriquer des sacs poubelle",
           quantity=g.q(300, 800, 10), price=350, max_km=100, forms="film;clean")  # fmt: skip


def plastics_parts(g: Generator, s: Site) -> None:
    g.stream(s, "purgings", code="07 02 13", route="incineration", cost=g.q(*INCINERATION_EUR_PER_T, 1),
             description="Purges de polymères en mélange et pièces rebutées", quantity=g.q(10, 60,
             1))  # fmt: skip
    g.stream(s, "shavings", code="12 01 05", route="landfill", cost=g.q(*LANDFILL_EUR_PER_T, 1),
             description="Copeaux plastiques d'usinage", quantity=g.q(5, 20, 1))  # fmt: skip


def cardboard_maker(g: Generator, s: Site) -> None:
    g.stream(s, "offcuts", code="03 03 08", route="recovery", cost=-40,
             description="Chutes de carton ondulé et défauts d'impression",
             quantity=1_800)  # fmt: skip
    g.stream(s, "ink", code="08 03 18",
             description="Résidus d'encres et de toners d'impression (à l'eau)", quantity=1.5,
             route="incineration", cost=160)  # fmt: skip
    g.need(s, "heat", category="heat_steam", unit="MWh", description="Vapeur pour l'onduleuse", min_temperature=150,
           quantity=2_500, price=55, max_km=4)  # fmt: skip
    g.need(s, "pallets", category="pallets_packaging_reuse",
           description="Palettes reconditionnées pour les expéditions", quantity=150, price=60,
           max_km=50)  # fmt: skip


def collection_centre(g: Generator, s: Site, main: bool = False) -> None:
    scale = 1.0 if main else 0.6
    g.stream(s, "green", code="20 02 01", route="recovery", cost=g.q(35, 45, 1),
             description="Déchets verts des particuliers et des espaces verts communaux",
             quantity=g.q(2_500, 4_000, 100) * scale, months="3-11")  # fmt: skip
    g.stream(s, "wood", code="20 01 38", route="recovery", cost=g.q(20, 30, 1),
             description="Bois brut et faiblement adjuvanté (mobilier, palettes)",
             quantity=g.q(600, 1_200, 50) * scale)  # fmt: skip
    g.stream(s, "glass", code="20 01 02", route="recovery",
             cost=g.fixed(EPR_TAKE_BACK_EUR_PER_T),
             description="Verre des points d'apport volontaire, expédié vers une verrerie hors du "
             "territoire", quantity=g.q(800, 1_500, 50) * scale, destination="verrerie hors du territoire",
             destination_category="glass_cullet")  # fmt: skip
    g.stream(s, "cardboard", code="20 01 01", route="recovery",
             cost=g.fixed(EPR_TAKE_BACK_EUR_PER_T),
             description="Papiers et cartons", quantity=g.q(300, 600, 10) * scale,
             destination="papeterie hors du territoire (filière REP papiers et emballages)",
             destination_category="paper_fibre")  # fmt: skip
    g.stream(s, "metal", code="20 01 40", route="recovery", cost=g.q(-100, -80, 5),
             description="Ferrailles", quantity=g.q(250, 500, 10) * scale)  # fmt: skip
    g.stream(s, "rubble", code="17 01 07", route="landfill", cost=g.q(15, 20, 1),
             description="Gravats de petits travaux", quantity=g.q(800, 2_000,
             50) * scale)  # fmt: skip
    g.stream(s, "plasterboard", code="17 08 02", route="landfill", cost=g.q(*LANDFILL_EUR_PER_T, 1),
             description="Plaques de plâtre (sans amiante)", quantity=g.q(100, 250,
             10) * scale)  # fmt: skip
    g.stream(s, "tyres", code="16 01 03", route="recovery",
             cost=g.fixed(EPR_TAKE_BACK_EUR_PER_T),
             description="Pneus apportés par les particuliers et les agriculteurs",
             quantity=g.q(20, 80,
             5))  # fmt: skip
    g.stream(s, "textile", code="20 01 11", route="other",
             cost=g.fixed(EPR_TAKE_BACK_EUR_PER_T),
             description="Textiles et chaussures des bornes de collecte", quantity=g.q(40, 150,
             5))  # fmt: skip
    g.stream(s, "oil", code="13 02 05", state="liquid", route="recovery", cost=0,
             description="Huiles moteur usagées des particuliers",
             quantity=g.q(5, 20, 1), destination=USED_OIL_DESTINATION,
                 destination_category="oil_regeneration")  # fmt: skip
    if main or g.chance(0.5):
        g.stream(s, "cooking_oil", code="20 01 25", state="liquid", route="recovery",
                 cost=g.q(30, 50, 5), description="Huiles alimentaires usagées",
                 quantity=g.q(2, 10, 0.5))  # fmt: skip
    if main:
        g.stream(s, "plastics", code="20 01 39", route="landfill",
                 cost=LANDFILL_TYPICAL_EUR_PER_T,
                 description="Plastiques rigides (mobilier de jardin, caisses, jouets)",
                 quantity=95)  # fmt: skip
        g.stream(s, "bulky", code="20 03 07", route="landfill",
                 cost=LANDFILL_TYPICAL_EUR_PER_T,
                 description="Encombrants (matelas, mobilier en mélange)",
                 quantity=1_400)  # fmt: skip


def main_collection_centre(g: Generator, s: Site) -> None:
    collection_centre(g, s, main=True)


def waste_operator(g: Generator, s: Site) -> None:
    g.need(s, "hazardous", accepted_codes="1302,1406,160107,080111,030104", permit=True,
           description="Transit et regroupement de déchets dangereux avant régénération ou "
           "incinération", quantity=400, price=0, gate_fee=HAZARDOUS_REGROUPING_GATE_FEE_EUR_PER_T,
           treatment_permit="ICPE 2718 (transit, regroupement de déchets dangereux)")  # fmt: skip
    g.need(s, "metal", category="scrap_metal",
           description="Ferrailles à trier et à mettre en balles", quantity=3_000, price=0,
           max_km=80)  # fmt: skip
    # a sorting centre bales paper and cardboard packaging and collected paper, not pulpwood
    g.need(s, "paper", category="paper_fibre", accepted_codes="150101,200101",
           description="Papiers et cartons à trier et à mettre en balles", quantity=2_500, price=0,
           max_km=60)  # fmt: skip
    g.need(s, "film", category="plastic_polymer", accepted_codes="150102",
           description="Films plastiques propres à mettre en balles", quantity=500, price=0,
           max_km=60, forms="film;clean")  # fmt: skip
    g.stream(s, "bales", code="19 12 01", route="recovery", cost=-60,
             description="Papiers et cartons en balles, vendus à une papeterie",
             quantity=2_400, destination="papeterie", destination_category="paper_fibre")  # fmt: skip
    g.stream(s, "ferrous", code="19 12 02", route="recovery", cost=-150,
             description="Ferrailles triées", quantity=2_600)  # fmt: skip
    g.stream(s, "rejects", code="19 12 12", route="landfill",
             cost=LANDFILL_TYPICAL_EUR_PER_T,
             description="Refus de tri", quantity=1_200)  # fmt: skip


def campsite(g: Generator, s: Site) -> None:
    g.stream(s, "food", code="20 01 08", months="5-9", route="incineration",
             cost=g.q(*INCINERATION_EUR_PER_T, 1), description="Biodéchets du restaurant et du snack",
             quantity=g.q(10, 40, 1))  # fmt: skip
    g.stream(s, "glass", code="15 01 07", months="5-9", route="recovery", cost=g.q(25, 35, 1),
             description="Bouteilles et bocaux en verre", quantity=g.q(8, 30, 1))  # fmt: skip
    g.need(s, "heat", category="heat_low_temperature", unit="MWh", months="4-9", min_temperature=28,
           description="Chaleur pour la piscine extérieure (au gaz aujourd'hui)",
           quantity=g.q(200, 400, 10), price=75, max_km=5)  # fmt: skip


def laundry(g: Generator, s: Site) -> None:
    g.stream(s, "water", material="process_water", unit="m3", state="liquid", cost=2.5,
             description="Eaux tièdes de rinçage (35 °C) après filtration",
             quantity=18_000, temperature=35)  # fmt: skip
    g.stream(s, "textile", code="20 01 11", route="incineration",
             cost=INCINERATION_TYPICAL_EUR_PER_T,
             description="Linge usé (draps d'hôpital et d'hôtel)", quantity=12)  # fmt: skip
    g.need(s, "heat", category="heat_steam", unit="MWh", min_temperature=120,
           description="Eau chaude et vapeur pour le lavage et le repassage", quantity=1_800,
           price=60, max_km=3)  # fmt: skip


def supermarket(g: Generator, s: Site) -> None:
    g.stream(s, "food", code="20 01 08", route="incineration", cost=g.q(*INCINERATION_EUR_PER_T, 1),
             description="Invendus alimentaires à date dépassée (après dons)",
             quantity=g.q(40, 120, 5))  # fmt: skip
    g.stream(s, "cardboard", code="15 01 01", route="recovery", cost=g.q(-25, -10, 1),
             description="Cartons mis en balles en magasin et revendus", quantity=g.q(80, 200,
             5), destination="récupérateur de papiers-cartons (revendus)", destination_category="paper_fibre")  # fmt: skip
    g.stream(s, "film", code="15 01 02", route="recovery", cost=g.q(20, 40, 1),
             description="Film étirable propre", quantity=g.q(10, 40, 1), forms="film;clean")  # fmt: skip
    g.stream(s, "pallets", code="15 01 03", route="recovery", cost=0,
             description="Palettes cassées et palettes perdues",
             quantity=g.q(20, 60, 1))  # fmt: skip


def equestrian_centre(g: Generator, s: Site) -> None:
    g.stream(s, "manure", code="02 01 06", route="other",
             description="Fumier de cheval avec litière", quantity=g.q(300, 800, 10))  # fmt: skip
    g.need(s, "bedding", category="animal_bedding", description="Copeaux de bois pour les boxes",
           quantity=g.q(150, 300, 10), price=g.q(60, 90, 1), max_km=40, forms="sawdust;shavings;dry")  # fmt: skip
    g.need(s, "feed", category="animal_feed_ruminant",
           description="Son et pulpes pour l'alimentation des chevaux", quantity=g.q(60, 150, 5),
           price=g.q(200, 250, 5), max_km=40, standards="agrement_alimentation_animale", states="solid")  # fmt: skip


def goat_farm(g: Generator, s: Site) -> None:
    g.stream(s, "manure", code="02 01 06", route="other",
             description="Fumier de chèvre pailleux", quantity=g.q(200, 600, 10))  # fmt: skip
    g.need(s, "bedding", category="animal_bedding", description="Litière (paille, copeaux)",
           quantity=g.q(60, 150, 5), price=g.q(50, 70, 1), max_km=30)  # fmt: skip
    g.need(s, "feed", category="animal_feed_ruminant",
           description="Aliments complémentaires (lactosérum, son)", quantity=g.q(80, 250, 5),
           price=g.q(190, 240, 5), max_km=40, standards="agrement_alimentation_animale")  # fmt: skip


def landscaper(g: Generator, s: Site) -> None:
    g.stream(s, "green", code="20 02 01", months="3-11", route="recovery", cost=g.q(35, 45, 1),
             description="Tailles de haies et tontes de gazon des jardins des clients",
             quantity=g.q(200, 600, 10))  # fmt: skip
    g.need(s, "amendment", category="soil_amendment", months="9-4",
           description="Compost pour les plantations", quantity=g.q(200, 600, 10),
           price=g.q(30, 40, 1), max_km=30, standards="nf_u44_051")  # fmt: skip
    g.need(s, "backfill", category="backfill",
           description="Terre végétale et remblais pour l'aménagement paysager",
           quantity=g.q(500, 2_000, 50), price=g.q(10, 14, 0.5), max_km=30)  # fmt: skip


def concrete_plant(g: Generator, s: Site) -> None:
    g.stream(s, "returns", code="10 13 14", route="landfill", cost=g.q(15, 22, 1),
             description="Retours de béton et boues de lavage", quantity=g.q(300, 800,
             10))  # fmt: skip
    g.need(s, "aggregates", category="aggregates",
           description="Graviers et sables pour béton prêt à l'emploi (part recyclée admise)",
           quantity=g.q(10_000, 30_000, 500), price=g.q(15, 19, 0.5), max_km=30, standards="nf_en_12620")  # fmt: skip
    g.need(s, "water", category="process_water", unit="m3",
           description="Eau de gâchage et de lavage", quantity=g.q(3_000, 8_000, 500),
           price=g.fixed(OWN_WATER_EUR_PER_M3),
           max_km=10)  # fmt: skip


def asphalt_plant(g: Generator, s: Site) -> None:
    g.need(s, "asphalt", category="aggregates", accepted_codes="170302", description="Fraisats d'enrobés à recycler en "
           "enrobés à chaud (en remplacement de granulats et de bitume)",
           quantity=g.q(5_000, 10_000, 500), price=25, max_km=50)  # fmt: skip
    # an asphalt plant's aggregates meet NF EN 13043, as the concrete plant's meet NF EN 12620
    g.need(s, "aggregates", category="aggregates", description="Granulats pour enrobés",
           quantity=g.q(15_000, 25_000, 500), price=g.q(14, 17, 0.5), max_km=40, standards="nf_en_13043")  # fmt: skip


def municipal_services(g: Generator, s: Site) -> None:
    g.stream(s, "green", code="20 02 01", months="3-11", route="recovery", cost=40,
             description="Déchets verts des parcs, accotements et cimetières",
             quantity=450)  # fmt: skip
    g.need(s, "amendment", category="soil_amendment", months="10-4",
           description="Compost pour les massifs et les plantations", quantity=300, price=32,
           max_km=30, standards="nf_u44_051")  # fmt: skip
    g.need(s, "aggregates", category="aggregates",
           description="Granulats pour les chemins et la voirie rurale", quantity=1_500, price=17,
           max_km=30)  # fmt: skip
    g.need(s, "backfill", category="backfill", description="Remblais pour tranchées et talus",
           quantity=1_000, price=9, max_km=30)  # fmt: skip


def pellet_maker(g: Generator, s: Site) -> None:
    g.need(s, "sawdust", category="wood_fuel", accepted_codes="030105",
           description="Sciure et copeaux secs, non traités, à presser en granulés de bois",
           quantity=15_000, price=40, max_km=80, forms="sawdust;shavings;clean")  # fmt: skip
    g.need(s, "heat", category="heat_hot_water", unit="MWh", description="Chaleur pour le séchoir à sciure", min_temperature=60,
           quantity=3_000, price=35, max_km=3)  # fmt: skip
    g.stream(s, "fines", code="03 01 05", route="recovery", cost=0, quantity=300,
             description="Fines et granulés cassés issus du criblage", forms="sawdust;powder;clean;dry")  # fmt: skip


def brewery(g: Generator, s: Site) -> None:
    # brewers' spent grains: 02 07 99 (the List of Waste has no entry of their own in 02 07; 02 07 01
    # is washing and mechanical reduction of raw materials, grape stalks and marc in wine making)
    g.stream(s, "grains", code="02 07 99", state="pasty", route="recovery", cost=5,
             description="Drêches de brasserie", quantity=g.q(100, 300, 10), standards="agrement_alimentation_animale")  # fmt: skip
    g.stream(s, "yeast", code="02 07 04", state="liquid", route="other", cost=20,
             description="Levures en excès et fonds de cuve", quantity=g.q(5, 20, 1), standards="agrement_alimentation_animale")  # fmt: skip
    g.need(s, "water", category="process_water", unit="m3",
           description="Eau de nettoyage des cuves et des fûts", quantity=g.q(1_500, 4_000, 100),
           price=g.q(3.5, 4.5, 0.1), max_km=5, standards="eau_potable")  # fmt: skip


def nursery(g: Generator, s: Site) -> None:
    g.need(s, "amendment", category="soil_amendment",
           description="Compost pour les substrats de rempotage", quantity=g.q(300, 800, 10),
           price=40, max_km=40, standards="nf_u44_051")  # fmt: skip
    g.need(s, "heat", category="heat_low_temperature", unit="MWh", months="11-3", min_temperature=25,
           description="Chaleur hors-gel pour les serres", quantity=g.q(400, 800, 50),
           price=70, max_km=5)  # fmt: skip
    g.need(s, "water", category="process_water", unit="m3", months="4-9",
           description="Eau d'irrigation", quantity=g.q(4_000, 10_000, 500), price=OWN_WATER_EUR_PER_M3,
           max_km=10)  # fmt: skip
    g.stream(s, "pots", code="02 01 04",
             description="Pots et plaques de culture en plastique cassés", quantity=g.q(2, 8, 1),
             route="landfill", cost=g.q(*LANDFILL_EUR_PER_T, 1))  # fmt: skip


def oil_regenerator(g: Generator, s: Site) -> None:
    g.need(s, "oil", category="oil_regeneration", accepted_codes="1302", permit=True,
           description="Huiles minérales usagées à régénérer en huiles de base",
           quantity=20_000, price=80)  # fmt: skip


def paper_mill(g: Generator, s: Site) -> None:
    g.need(s, "fibre", category="paper_fibre", description="Papiers et cartons récupérés",
           quantity=60_000, price=110, max_km=150)  # fmt: skip


def panel_maker(g: Generator, s: Site) -> None:
    g.need(s, "wood", category="wood_panel",
           description="Plaquettes de scierie et sciure pour panneaux de particules",
           quantity=40_000, price=45, max_km=120)  # fmt: skip
    g.stream(s, "dust", code="03 01 05", route="recovery", cost=0, quantity=2_500,
             description="Poussières de ponçage, brûlées dans le foyer du sécheur")  # fmt: skip


def biodiesel(g: Generator, s: Site) -> None:
    g.need(s, "oil", category="biofuel_feedstock",
           description="Huiles alimentaires usagées et graisses animales pour le biodiesel",
           quantity=3_000, price=500, max_km=150)  # fmt: skip


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
     1.0, "", "2021-03-15", "2022-10-03",
     "mélange de plaquettes et de sciure, livré en semi-remorque à fond mouvant"),
    ("SY002", "coop_distillery_archiac", "vinasses", "methaniser", "vinasses", "implemented",
     0.8, "", "2022-01-10", "2023-11-20", "citerne chaque jour de la campagne"),
    ("SY003", "grower_arthenac", "marc", "byproduct_archiac", "marc_lees", "implemented",
     1.0, "", "2020-09-01", "2020-10-15", "prestations viniques"),
    ("SY004", "cattle_courpignac", "manure", "methaniser", "solid", "implemented",
     0.7, "", "2022-05-02", "2023-02-14", "échange fumier contre digestat"),
    ("SY005", "methaniser", "digestate", "cereal_plassac", "amendment", "implemented",
     1.0, "", "2023-02-14", "2024-03-01", "plan d'épandage modifié"),
    ("SY006", "distillery_mirambeau", "heat", "greenhouse_mirambeau", "heat", "in_discussion",
     0.9, "", "2025-06-12", "2026-02-09", "boucle d'eau chaude d'environ 2 km à l'étude"),
    ("SY007", "builder_jonzac", "rubble", "road_works_jonzac", "aggregates", "in_discussion",
     1.0, "", "2025-09-22", "2026-01-30", "concasseur mobile sur le dépôt de l'entreprise"),
    ("SY008", "builder_montguyon", "soil", "kaolin_clerac_1", "backfill", "contacted",
     1.0, "", "2026-01-08", "2026-01-20",
     "analyses des terres (critères des déchets inertes) demandées"),
    ("SY009", "garage_jonzac", "oil", "oil_regenerator", "oil", "contacted",
     1.0, "", "2025-11-04", "2025-12-01", "collecte par un ramasseur agréé"),
    ("SY010", "bakery_jonzac", "bread", "cattle_vanzac", "feed", "suggested",
     1.0, "", "2026-02-16", "2026-02-16", ""),
    ("SY011", "sawmill_montguyon", "sawdust", "poultry_bedenac", "bedding", "suggested",
     1.0, "", "2026-02-16", "2026-02-16", ""),
    ("SY012", "dairy_montendre", "whey", "pig_sousmoulins", "feed", "abandoned", 0.5,
     "l'élevage porcin est passé à l'alimentation sèche et n'a pas de cuve pour stocker "
     "le lactosérum liquide",
     "2023-04-03", "2024-01-18", ""),
    ("SY013", "hospital_jonzac", "food", "methaniser", "biowaste", "abandoned", 1.0,
     "pas de tri à la source en cuisine ; biodéchets souillés par les emballages",
     "2024-02-05", "2024-09-10", "pourrait reprendre avec un dispositif de tri"),
)  # fmt: skip


#: Where streams go today when the outlet is a need of the network: growers deliver their marc and
#: lees to the by-product distillery (prestations viniques, compulsory in France: CMO-1308), so
#: those exchanges exist and are not new synergies.
CURRENT_OUTLETS = {("grower", "marc"): ("byproduct_archiac", "marc_lees"),
                   ("grower", "lees"): ("byproduct_archiac", "lees"),
                   ("distilling_grower", "marc"): ("byproduct_archiac", "marc_lees"),
                   ("distilling_grower", "lees"): ("byproduct_archiac", "lees")}  # fmt: skip


def current_destinations(g: Generator) -> None:
    """Fill each stream's current destination where it is a need of the network."""
    sector = {site.key: site.sector for site in g.sites}
    for (key, tag), row in g.stream_tags.items():
        outlet = CURRENT_OUTLETS.get((sector[key], tag))
        if outlet and not row["destination"]:
            row["destination"] = g.need_tags[outlet]["id"]


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
            "notes": FICTIONAL if commune.in_cdc else f"{FICTIONAL} ; hors de la CdC",
            "freight_access": "",  # inland territory: no siding or quay among the demo sites
        }
        g.sites.append(site)
        companies.append(site.row)
        fn(g, site)

    current_destinations(g)
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
