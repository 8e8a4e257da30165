"""The legal path of a synergy: waste, by-product or end-of-waste, and what each implies.

French law (Code de l'environnement) transposing the EU Waste Framework Directive 2008/98/EC:

* **Waste** (the default: a residue its holder discards, intends or is required to discard,
  article L541-1-1). Producer and receiver keep a chronological register (article R541-43);
  a hazardous waste (a List of Waste code with ``*``) travels with a tracking slip, the
  bordereau de suivi de déchets dangereux, issued on the national Trackdéchets service since
  1 January 2022, and may only go to an installation authorised for it; the receiving site
  generally needs an ICPE permit, registration or declaration under the heading of its
  treatment (2780 composting, 2781 methanisation, 2791 treatment of non-hazardous waste...);
  a carrier of more than 0.5 t of non-hazardous (0.1 t of hazardous) waste per load holds a
  transport declaration (article R541-50).
* **By-product** (article L541-4-2; article 5 of the Directive): a residue of a production
  process is not a waste when all four conditions hold: its further use is certain; it can be
  used directly without further processing other than normal industrial practice; it is
  produced as an integral part of a production process; its further use is lawful (it meets
  the product, environment and health requirements for that use and has no overall adverse
  effect). It is then a product: REACH, product standards and contracts apply, waste
  tracking does not. The Commission's interpretative communication on waste and by-products
  (COM(2007) 59) guides the reading.
* **End-of-waste** (article L541-4-3; article 6 of the Directive): a waste that has undergone a
  recovery operation stops being a waste when it meets criteria: EU regulations for iron, steel
  and aluminium scrap (Regulation (EU) No 333/2011), glass cullet (No 1179/2012) and copper
  scrap (No 715/2013); French ministerial orders (arrêtés de sortie du statut de déchet, e.g.
  shredded wood packaging used as biomass fuel, arrêté of 29 July 2014); for composts, marketing
  under a standard made mandatory (NF U 44-051 organic soil improvers, NF U 44-095 with sewage
  sludge). Without criteria, a case-by-case request is possible.

This module is pure (no database, no Streamlit): :func:`assess` takes the stream's List of Waste
code, physical state and pre-treatment, the receiving need's category and permit, and returns
the candidate paths with their conditions, documents and ICPE headings. The assessment is an aid
for the officer, not a legal opinion: :data:`DISCLAIMER` says so wherever it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from symbiose.i18n import N_


class LegalPath(StrEnum):
    WASTE = "waste"
    BY_PRODUCT = "by_product"
    END_OF_WASTE = "end_of_waste"


PATH_LABELS = {
    LegalPath.WASTE: N_("Waste"),
    LegalPath.BY_PRODUCT: N_("By-product"),
    LegalPath.END_OF_WASTE: N_("End-of-waste"),
}

PATH_BASIS = {
    LegalPath.WASTE: N_("Code de l'environnement L541-1-1 and following; Directive 2008/98/EC"),
    LegalPath.BY_PRODUCT: N_("Code de l'environnement L541-4-2; Directive 2008/98/EC article 5"),
    LegalPath.END_OF_WASTE: N_("Code de l'environnement L541-4-3; Directive 2008/98/EC article 6"),
}

DISCLAIMER = N_(
    "An aid to prepare the exchange, not a legal opinion: the officer checks the path with the "
    "two companies and, where needed, the DREAL inspection of classified installations."
)

# Pre-treatments of the knowledge base that may count as "normal industrial practice" (the
# second by-product condition, judged case by case); the others are recovery operations.
NORMAL_PRACTICE = frozenset(
    {"none", "", "drying", "screening", "washing", "grinding", "filtering", "cleaning",
     "blending", "briquetting", "crushing"}
)  # fmt: skip

# List of Waste chapters of wastes from consumption, demolition or waste treatment: not residues
# of a production process, so never by-products.
NOT_PRODUCTION_CHAPTERS = frozenset({"15", "16", "17", "18", "19", "20"})


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    id: str
    label: str  # English message id (translate with _ when shown)


BY_PRODUCT_CONDITIONS = (
    ChecklistItem("bp_certain_use", N_("Further use is certain (a contract or a standing order "
                                       "covers the quantities)")),
    ChecklistItem("bp_direct_use", N_("Used directly, without processing beyond normal industrial "
                                      "practice")),
    ChecklistItem("bp_integral_part", N_("Produced as an integral part of a production process")),
    ChecklistItem("bp_lawful_use", N_("Further use is lawful: meets the product, environment and "
                                      "health requirements, no overall adverse effect")),
)  # fmt: skip

CHECKLISTS: dict[LegalPath, tuple[ChecklistItem, ...]] = {
    LegalPath.WASTE: (
        ChecklistItem("register", N_("Chronological waste register kept by producer and receiver "
                                     "(R541-43)")),
        ChecklistItem("receiver_permit", N_("The receiver's ICPE permit, registration or "
                                            "declaration covers this waste code")),
        ChecklistItem("carrier", N_("Carrier's transport declaration checked (R541-50)")),
        ChecklistItem("contract", N_("Written agreement between the two companies (quantities, "
                                     "quality, price, duration)")),
        ChecklistItem("tracking_slip", N_("Tracking slip on Trackdéchets (hazardous waste)")),
    ),
    LegalPath.BY_PRODUCT: BY_PRODUCT_CONDITIONS + (
        ChecklistItem("specification", N_("Technical specification of the material agreed")),
        ChecklistItem("reach", N_("REACH checked (registration, safety data sheet or exemption)")),
        ChecklistItem("contract", N_("Written agreement between the two companies (quantities, "
                                     "quality, price, duration)")),
    ),
    LegalPath.END_OF_WASTE: (
        ChecklistItem("eow_criteria", N_("Applicable criteria identified (EU regulation, French "
                                         "order or case-by-case request)")),
        ChecklistItem("eow_recovery", N_("Recovery operation done in an authorised installation")),
        ChecklistItem("eow_conformity", N_("Statement of conformity issued for each lot")),
        ChecklistItem("eow_quality", N_("Quality management system in place where the criteria "
                                        "require one")),
        ChecklistItem("reach", N_("REACH checked (registration, safety data sheet or exemption)")),
    ),
}


@dataclass(frozen=True, slots=True)
class Criteria:
    """End-of-waste criteria that exist for a material (EU or French)."""

    reference: str  # English message id
    applies_to: str  # English message id


# Criteria by resource category of the receiving need, and by List of Waste code prefix of the
# stream (both checked). Only texts known to exist are listed.
EOW_BY_CATEGORY: dict[str, tuple[Criteria, ...]] = {
    "scrap_metal": (
        Criteria(N_("Regulation (EU) No 333/2011"), N_("iron, steel and aluminium scrap")),
        Criteria(N_("Regulation (EU) No 715/2013"), N_("copper scrap")),
    ),
    "glass_cullet": (Criteria(N_("Regulation (EU) No 1179/2012"), N_("glass cullet")),),
    "wood_fuel": (
        Criteria(N_("French order (arrêté) of 29 July 2014"),
                 N_("shredded wood packaging used as biomass fuel")),
    ),  # fmt: skip
    "soil_amendment": (
        Criteria(N_("Standard NF U 44-051, made mandatory"), N_("organic soil improvers, composts")),
        Criteria(N_("Standard NF U 44-095, made mandatory"), N_("composts containing sewage sludge")),
    ),
    "compost_feedstock": (
        Criteria(N_("Standard NF U 44-051, made mandatory"), N_("the compost made from it")),
    ),
}

# ICPE headings (nomenclature des installations classées) the receiving site usually falls under
# when the material stays a waste.
ICPE_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    "methanisation_feedstock": ("2781",),
    "compost_feedstock": ("2780",),
    "soil_amendment": ("2780",),
    "wood_fuel": ("2910", "2771"),
    "alternative_fuel": ("2771", "2520"),
    "cement_raw_material": ("2520",),
    "aggregates": ("2515", "2517"),
    "backfill": ("2510", "2760"),
    "scrap_metal": ("2713", "2791"),
    "glass_cullet": ("2714", "2791"),
    "paper_fibre": ("2714", "2791"),
    "plastic_polymer": ("2714", "2791"),
    "textile_fibre": ("2714", "2791"),
    "rubber": ("2714", "2791"),
    "pallets_packaging_reuse": ("2714",),
    "wood_panel": ("2714", "2791"),
    "oil_regeneration": ("2790",),
    "solvent_regeneration": ("2790",),
    "chemical_feedstock": ("2791", "2790"),
    "biofuel_feedstock": ("2791",),
    "gypsum": ("2791",),
    # a bioethanol or chemical plant that ferments a waste treats it (2791); a distillery or
    # brewery that takes a by-product keeps its own heading
    "fermentation_feedstock": ("2791",),
    # food law, not waste law: a food ingredient is never a waste (Reg. (EC) 178/2002)
    "food_ingredient": (),
    # farm or distillery uses: no waste-treatment heading (feed law, or the distillery's own)
    "animal_feed": (),
    "animal_bedding": (),
    "wine_byproduct_distillation": (),
}

ICPE_HEADINGS = {
    "2510": N_("2510 quarrying (the quarry's order must allow backfilling with outside inert "
               "materials)"),
    "2515": N_("2515 crushing, screening of mineral products and inert waste"),
    "2517": N_("2517 transit of mineral products and inert waste"),
    "2520": N_("2520 cement, lime and plaster manufacturing"),
    "2713": N_("2713 transit, grouping or sorting of metal waste"),
    "2714": N_("2714 transit, grouping or sorting of paper, plastic, rubber, textile or wood waste"),
    "2716": N_("2716 transit, grouping or sorting of other non-hazardous waste"),
    "2718": N_("2718 transit, grouping or sorting of hazardous waste"),
    "2760": N_("2760 waste storage (landfill; inert waste under 2760-3)"),
    "2771": N_("2771 thermal treatment of non-hazardous waste"),
    "2780": N_("2780 composting of non-hazardous waste or plant matter"),
    "2781": N_("2781 methanisation of non-hazardous waste or raw plant matter"),
    "2790": N_("2790 treatment of hazardous waste"),
    "2791": N_("2791 treatment of non-hazardous waste"),
    "2910": N_("2910 combustion (untreated wood counts as biomass)"),
}

SPECIAL_RULES = {
    "animal_feed": N_("Feed law applies: the receiver and the supplier register as feed business "
                      "operators (Regulation (EC) No 183/2005) and the material follows Regulation "
                      "(EC) No 767/2009; animal by-products follow Regulation (EC) No 1069/2009."),
    "methanisation_feedstock": N_("Animal by-products (manure, food waste with animal matter) "
                                  "follow Regulation (EC) No 1069/2009: hygienisation or an "
                                  "approved plant may be required."),
    "soil_amendment": N_("Spread as a waste, the material needs a spreading plan (plan "
                         "d'épandage); sold as a product, it must meet a mandatory standard or "
                         "hold a marketing authorisation."),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class PathOption:
    """One possible legal path, with why it may or may not fit."""

    path: LegalPath
    possible: bool
    reasons: tuple[str, ...]  # English message ids, formatted (translate when shown)
    obligations: tuple[str, ...]
    criteria: tuple[Criteria, ...] = ()


@dataclass(frozen=True, slots=True)
class LegalAssessment:
    """The legal paths of one stream toward one need (see :func:`assess`)."""

    applies: bool  # False for heat and other energy: waste law does not apply
    hazardous: bool
    permit_ok: bool  # a hazardous code goes only to a receiver holding a permit for it
    suggested: LegalPath | None
    options: tuple[PathOption, ...] = ()
    icpe_headings: tuple[str, ...] = ()
    special: tuple[str, ...] = field(default=())

    def option(self, path: LegalPath) -> PathOption:
        return next(o for o in self.options if o.path is path)


def checklist(path: LegalPath | str, *, hazardous: bool = True) -> tuple[ChecklistItem, ...]:
    """The checklist items of a path (the tracking slip only for a hazardous waste)."""
    items = CHECKLISTS[LegalPath(path)]
    return tuple(i for i in items if hazardous or i.id != "tracking_slip")


def assess(
    *,
    ewc_code: str,
    hazardous: bool,
    physical_state: str,
    category: str,
    hazardous_permit: bool,
    pretreatment: str = "",
) -> LegalAssessment:
    """The legal paths of a stream (List of Waste ``ewc_code``, compact) toward a need.

    >>> a = assess(ewc_code="030105", hazardous=False, physical_state="solid",
    ...            category="wood_fuel", hazardous_permit=False, pretreatment="none")
    >>> a.suggested.value, a.option(LegalPath.BY_PRODUCT).possible, a.icpe_headings
    ('by_product', True, ('2910', '2771'))
    >>> b = assess(ewc_code="130205", hazardous=True, physical_state="liquid",
    ...            category="oil_regeneration", hazardous_permit=False)
    >>> b.permit_ok, b.suggested.value
    (False, 'waste')
    """
    if physical_state == "energy" or category == "heat":
        return LegalAssessment(applies=False, hazardous=False, permit_ok=True, suggested=None)
    permit_ok = not hazardous or hazardous_permit
    chapter = ewc_code[:2]
    treatment = (pretreatment or "").strip().lower()

    waste_obligations = [
        N_("Chronological register kept by the producer and the receiver (R541-43)."),
        N_("The receiving site holds the ICPE permit, registration or declaration for this "
           "waste."),
        N_("Carriers of more than 0.5 t per load (0.1 t if hazardous) hold a transport "
           "declaration (R541-50)."),
    ]  # fmt: skip
    waste_reasons = [N_("The default: the material stays a waste until a by-product or "
                        "end-of-waste path is established.")]  # fmt: skip
    if hazardous:
        waste_obligations.insert(0, N_("Hazardous waste: a tracking slip (bordereau de suivi) "
                                       "on Trackdéchets for every transfer."))  # fmt: skip
        waste_reasons.append(N_("The code is hazardous (*): only a receiver authorised for it "
                                "may take it."))  # fmt: skip
    waste = PathOption(LegalPath.WASTE, permit_ok, tuple(waste_reasons), tuple(waste_obligations))

    bp_reasons = []
    if chapter in NOT_PRODUCTION_CHAPTERS:
        bp_reasons.append(N_("This List of Waste chapter holds wastes from consumption, "
                             "construction or waste treatment, not residues of a production "
                             "process."))  # fmt: skip
    if treatment and treatment not in NORMAL_PRACTICE:
        bp_reasons.append(N_("The use needs a treatment that is not normal industrial practice."))
    if hazardous:
        bp_reasons.append(N_("A hazardous residue is rarely accepted as a by-product; treat it "
                             "as a waste."))  # fmt: skip
    bp_possible = not bp_reasons
    if bp_possible:
        bp_reasons.append(N_("A production residue used directly: the four by-product conditions "
                             "may be met; check each one."))  # fmt: skip
    by_product = PathOption(
        LegalPath.BY_PRODUCT,
        bp_possible,
        tuple(bp_reasons),
        (N_("The four conditions documented and kept with the synergy."),
         N_("It is a product: REACH, product standards and the contract apply; no waste "
            "tracking.")),
    )  # fmt: skip

    criteria = EOW_BY_CATEGORY.get(category, ())
    if criteria:
        eow_reasons = (N_("End-of-waste criteria exist for this use; the material leaves waste "
                          "status once they are met after a recovery operation."),)  # fmt: skip
    else:
        eow_reasons = (N_("No EU or French criteria are known for this use: only a case-by-case "
                          "request is possible."),)  # fmt: skip
    end_of_waste = PathOption(
        LegalPath.END_OF_WASTE,
        bool(criteria) and not hazardous,
        eow_reasons,
        (N_("Recovery operation in an authorised installation, then a statement of conformity "
            "per lot."),
         N_("Until the criteria are met the material is a waste, with all a waste's duties.")),
        criteria,
    )  # fmt: skip

    if not permit_ok:
        suggested = LegalPath.WASTE
    elif bp_possible:
        suggested = LegalPath.BY_PRODUCT
    elif end_of_waste.possible:
        suggested = LegalPath.END_OF_WASTE
    else:
        suggested = LegalPath.WASTE
    headings = ICPE_BY_CATEGORY.get(category, ("2791",))
    if hazardous and "2790" not in headings:
        headings = (*headings, "2790")
    special = tuple(SPECIAL_RULES[k] for k in (category,) if k in SPECIAL_RULES)
    return LegalAssessment(
        applies=True,
        hazardous=hazardous,
        permit_ok=permit_ok,
        suggested=suggested,
        options=(waste, by_product, end_of_waste),
        icpe_headings=tuple(headings),
        special=special,
    )


def assess_pair(stream, need, kb=None) -> LegalAssessment:
    """:func:`assess` for a :class:`~symbiose.domain.Stream` toward a
    :class:`~symbiose.domain.Need`: hazard from the List of Waste, category from the need (else
    the first category of the knowledge base that the stream's code feeds), pre-treatment from
    the knowledge base's rule for that code and category."""
    from symbiose.compat import load_knowledge_base
    from symbiose.reference import ewc_entries

    code = stream.ewc_code or ""
    entry = ewc_entries().get(code)
    hazardous = bool(entry.hazardous) if entry is not None else False
    kb = kb or load_knowledge_base()
    rules = kb.rules_for_code(code) if code else []
    category = need.category or next((r.category for r in rules), "")
    pretreatment = next((r.pretreatment for r in rules if r.category == category), "")
    return assess(
        ewc_code=code,
        hazardous=hazardous,
        physical_state=str(stream.physical_state),
        category=category,
        hazardous_permit=bool(need.hazardous_permit),
        pretreatment=pretreatment,
    )
