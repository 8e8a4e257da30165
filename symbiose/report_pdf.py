"""The impact report as a PDF file (fpdf2: pure Python, no system library to install).

The PDF holds what a planner prints or mails: the indicators per year with their units, the
largest flows, and the scenario comparison when there is one, in the current language and number
format. The HTML report (:func:`symbiose.report.render_html`) keeps the map and company sheets.

Why fpdf2: it installs from PyPI as one pure-Python wheel (its dependencies, Pillow, fontTools
and defusedxml, ship wheels), so a fresh machine or CI needs no system package; WeasyPrint needs
Pango and xhtml2pdf pulls in pycairo, both system libraries. The built-in PDF fonts cover Latin-1,
which holds French; the few characters outside it are replaced (see :func:`_latin1`).
"""

from __future__ import annotations

from datetime import date

from symbiose.domain import Network
from symbiose.i18n import _, fmt_date, fmt_number, fmt_quantity
from symbiose.labels import category_label, per_year

REPLACEMENTS = {"\u202f": " ", "\u2009": " ", "→": "->", "–": "-", "—": "-", "œ": "oe", "Œ": "Oe",
                "€": "EUR", "’": "'", "“": '"', "”": '"', "…": "...", "₂": "2", "Δ": "D"}  # fmt: skip
TOP_FLOWS = 15


def _latin1(text: object) -> str:
    """Text the built-in PDF fonts can draw (Latin-1)."""
    out = str(text)
    for old, new in REPLACEMENTS.items():
        out = out.replace(old, new)
    return out.encode("latin-1", "replace").decode("latin-1")


def _paragraph(pdf, height: float, text: str) -> None:
    pdf.multi_cell(0, height, _latin1(text), new_x="LMARGIN", new_y="NEXT")


def render_pdf(network: Network, result, *, comparison=None, title: str | None = None,
               today: date | None = None, compress: bool = True) -> bytes:  # fmt: skip
    """The report of ``result`` (a match of ``network``) as PDF bytes (``compress=False`` leaves the
    page text readable in the file, for tests)."""
    from fpdf import FPDF

    from symbiose.report import INDICATOR_ROWS

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(_latin1(title or _("Industrial symbiosis impact report")))
    pdf.set_creator("Symbiose")
    pdf.set_compression(compress)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    _paragraph(pdf, 8, (title or _("{network}: industrial symbiosis impact report").format(
        network=network.name or _("Network"))))  # fmt: skip
    pdf.set_font("Helvetica", "", 9)
    _paragraph(pdf, 5, (_("{date}. {companies} companies, {streams} streams, {needs} needs. All figures "
                                   "per year, compared with each stream's current route and each receiver's "
                                   "virgin input.").format(
        date=fmt_date(today or date.today()), companies=fmt_number(len(network.companies)),
        streams=fmt_number(len(network.streams)), needs=fmt_number(len(network.needs)))))  # fmt: skip
    pdf.ln(3)
    values = result.kpis.as_dict()
    _heading(pdf, _("Indicators (per year)"))
    rows = [[_(label), fmt_number(values[key], 1 if "co2e" in key else 0), _(unit) if unit else ""]
            for key, label, unit, _spec in INDICATOR_ROWS]  # fmt: skip
    _table(pdf, [_("indicator"), _("value"), _("unit")], rows, [110, 40, 30], align="LRL")
    matches = result.matches().sort_values(["value_eur", "stream_id", "need_id"], ascending=[False, True, True])
    _heading(pdf, _("The {n} flows worth most").format(n=min(TOP_FLOWS, len(matches))))
    rows = [[r.supplier, r.receiver, category_label(r.category), fmt_quantity(r.quantity, per_year(r.unit)),
             fmt_number(r.road_km, 1), fmt_number(r.value_eur)] for r in matches.head(TOP_FLOWS).itertuples()]  # fmt: skip
    _table(pdf, [_("supplier"), _("receiver"), _("replaces"), _("quantity"), _("road (km)"),
                 _("net benefit (EUR/yr)")], rows, [38, 38, 42, 26, 16, 30], align="LLLRRR")  # fmt: skip
    if comparison is not None:
        from symbiose.compare import INDICATORS

        _heading(pdf, _("Scenarios compared (per year)"))
        names = [s.name for s in comparison.scenarios]
        width = max(18, min(40, 120 // max(1, len(names))))
        rows = []
        for key, label, _spec in INDICATORS:
            rows.append([_(label)] + [fmt_number(r.kpis.as_dict()[key], 1 if "co2e" in key else 0)
                                      for r in comparison.results])  # fmt: skip
        _table(pdf, [_("indicator")] + names, rows, [70] + [width] * len(names), align="L" + "R" * len(names))
    pdf.ln(2)
    pdf.set_font("Helvetica", "I", 8)
    _paragraph(pdf, 4, (_("Method: {method}").format(method=_(result.kpis.method))))
    return bytes(pdf.output())


def _heading(pdf, text: str) -> None:
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, _latin1(text), new_x="LMARGIN", new_y="NEXT")


def _fitted(pdf, text: str, width: float) -> str:
    """``text`` cut to ``width`` with « ... » (the fonts have no ellipsis character): a name cut
    with a full stop read as the name's own (« Distillerie vinicole Boutoum. »)."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text.rstrip() + "...") > width:
        text = text[:-1]
    return text.rstrip() + "..."


def _table(pdf, header: list[str], rows: list[list[str]], widths: list[float], *, align: str) -> None:
    pdf.set_font("Helvetica", "B", 8)
    pdf.set_fill_color(230, 236, 230)
    for text, width, how in zip(header, widths, align, strict=True):
        pdf.cell(width, 6, _latin1(text)[:40], border=1, align=how, fill=True)
    pdf.ln()
    pdf.set_font("Helvetica", "", 8)
    for row in rows:
        for text, width, how in zip(row, widths, align, strict=True):
            pdf.cell(width, 5, _fitted(pdf, _latin1(text), width - 2), border=1, align=how)
        pdf.ln()
