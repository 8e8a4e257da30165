"""The public edition of the impact report: indicators and anonymised flows, nothing of any company.

``symbiose report`` writes one of two editions (``--edition``):

* ``public`` (the default): what the network can publish. Network-wide indicators per year with
  their method and sources, the pipeline counted by stage, the flows grouped by material and use
  (number of synergies, quantity to two significant figures, CO2e avoided), the wastes still
  without an outlet, and the scenario indicators. No company name, id, place, contact, price or
  cost, no map of sites (a site's position names it), no per-unit money (a price per tonne is a
  company's price). A flow group or a waste code without an outlet is listed only when at
  least k companies stand behind it (the catalogue's anonymity, 3 by default): with fewer, its
  quantity would be a company's own. Only ``report.html`` and the network totals ``kpis.json``
  are written.
* ``officer`` (confidential): today's full report with company sheets and every export, for the
  network's officers. Company sheets name a partner only after mutual interest
  (:data:`symbiose.blinding.MUTUAL_STAGES`).

The public default is the safe one: an edition that can be forwarded by mistake must hold nothing
a company told the officer in confidence.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from symbiose.domain import Network, Stage
from symbiose.i18n import _, fmt_date, ngettext

EDITIONS = ("public", "officer")
DEFAULT_EDITION = "public"


def round_figures(value: float, figures: int = 2) -> float:
    """``value`` to ``figures`` significant figures (a public quantity, not a company's own)."""
    if not value or not math.isfinite(value):
        return 0.0
    return round(value, figures - 1 - int(math.floor(math.log10(abs(value)))))


def fmt_figures(value: float | None, figures: int = 2) -> str:
    """``value`` to ``figures`` significant figures as people read it, with the decimals those
    figures hold and no other (a rounded value has no spurious decimal: 4 000, not 4 000,0):

    >>> from symbiose.i18n import language
    >>> with language("fr"):
    ...     fmt_figures(3958.4), fmt_figures(547.0), fmt_figures(0.3449), fmt_figures(5.04), fmt_figures(-0.001)
    ('4\xa0000', '550', '0,34', '5', '-0,001')
    """
    from symbiose.i18n import fmt_decimal

    if value is None or not math.isfinite(float(value)):
        return "—"
    rounded = round_figures(float(value), figures)
    if not rounded:
        return fmt_decimal(0)
    decimals = max(0, figures - 1 - int(math.floor(math.log10(abs(rounded)))))
    return fmt_decimal(rounded, decimals)


def material_flows(flows: pd.DataFrame, kb_categories: dict, k: int = 1) -> list[dict]:
    """Matched pairs grouped by waste code (or material) and receiving use, largest first; only
    the groups with at least ``k`` suppliers and ``k`` receivers (a group of one supplier gives its
    quantity, of one receiver its intake)."""
    from symbiose.report import _category_label, code_text

    if not len(flows):
        return []
    grouped = (flows.assign(code=[code_text(c, m) for c, m in zip(flows["ewc_code"], flows["material"], strict=True)])
               .groupby(["code", "category", "unit"], as_index=False)
               .agg(synergies=("stream_id", "size"), suppliers=("supplier_id", "nunique"),
                    receivers=("receiver_id", "nunique"),
                    quantity=("quantity", "sum"), co2e_t=("co2e_avoided_t", "sum")))  # fmt: skip
    grouped = grouped[(grouped["suppliers"] >= k) & (grouped["receivers"] >= k)]
    grouped = grouped.sort_values(["quantity", "code"], ascending=[False, True])
    return [{"code": r.code, "use": _category_label(r.category, kb_categories), "synergies": int(r.synergies),
             "quantity": round_figures(r.quantity), "unit": r.unit, "co2e_t": round_figures(r.co2e_t)}
            for r in grouped.itertuples()]  # fmt: skip


def public_unmatched(unmatched: pd.DataFrame, k: int) -> pd.DataFrame:
    """The wastes without an outlet that the public edition may list: codes left by at least
    ``k`` producers (the catalogue's anonymity, :func:`symbiose.catalogue.anonymity_k`), their
    quantity to two significant figures. A code of fewer producers would give a company's own
    quantity; the network totals still count it."""
    listed = unmatched[unmatched["producers"] >= k].copy()
    listed["quantity"] = [round_figures(q) for q in listed["quantity"]]
    return listed


def public_kpis(result, kb_categories: dict, k: int) -> dict:
    """``kpis.json`` of the public edition: the network's indicators, the wastes without an
    outlet by code only as :func:`public_unmatched` lists them."""
    from symbiose.report import unmatched_frame

    values = {key: round_figures(v) if isinstance(v, float) else v for key, v in result.kpis.as_dict().items()}
    listed = public_unmatched(unmatched_frame(result, kb_categories), k)
    values["unmatched_by_code"] = listed[["code", "unit", "quantity"]].to_dict("records")
    return values


def render_public_html(network: Network, result, *, comparison=None, today: date | None = None) -> str:
    """The public edition as one HTML string (no company data, see the module docstring)."""
    from symbiose.catalogue import anonymity_k
    from symbiose.compat import load_knowledge_base
    from symbiose.labels import stage_label
    from symbiose.report import (
        HEADLINE,
        INDICATOR_ROWS,
        _environment,
        comparison_view,
        factor_sources,
        flows_with_sides,
        fmt,
        unmatched_frame,
    )

    kb_categories = load_knowledge_base().categories
    k = anonymity_k()
    values = result.kpis.as_dict()
    # to two significant figures, as every public quantity: exact totals less the listed codes
    # would give back a withheld code's quantity
    indicators = [{"key": key, "label": _(label), "unit": _(unit) if unit else "",
                   "value": fmt_figures(values[key]) if isinstance(values[key], float) else fmt(values[key], f)}
                  for key, label, unit, f in INDICATOR_ROWS]  # fmt: skip
    by_key = {i["key"]: i for i in indicators}
    flows = flows_with_sides(result)
    stages = {str(stage): 0 for stage in Stage}
    for s in network.synergies:
        stages[str(s.stage)] = stages.get(str(s.stage), 0) + 1
    unmatched = unmatched_frame(result, kb_categories)
    listed = public_unmatched(unmatched, k)
    # to two significant figures, and withheld where fewer than k companies stand behind a figure
    view = comparison_view(comparison, rounded=True) if comparison is not None else None
    if view is not None:
        view = {**view, "changes": []}  # synergy-level changes name pairs: officer edition only
    context = {
        "_": _, "title": _("{network}: industrial symbiosis, public report").format(network=network.name or _("Network")),
        "network_name": network.name or _("Network"), "today": fmt_date(today or date.today()),
        "n_companies": len(network.companies), "headline": [by_key[k] for k in HEADLINE], "indicators": indicators,
        "method": _(result.kpis.method), "params": result.candidates.params,
        "factors": factor_sources(result, kb_categories, flows),
        "stages": [(stage_label(k), v) for k, v in stages.items()], "n_synergies": len(network.synergies),
        "flows": material_flows(flows, kb_categories, k), "k": k,
        "unmatched": [{"code": u["code"], "label": u["label"], "quantity": u["quantity"], "unit": u["unit"],
                       "producers": u["producers"]} for u in listed.head(15).to_dict("records")],
        "unmatched_withheld": len(unmatched) - len(listed), "ngettext": ngettext,
        "comparison": view,
    }  # fmt: skip
    return _environment().get_template("report_public.html.j2").render(**context)
