"""The local resources catalogue holds no company identity; zones cover at least k producers."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import replace

import pandas as pd
import pytest

from symbiose.catalogue import (
    BAND_LIMITS,
    available_quantities,
    build_catalogue,
    public_frame,
    quantity_band,
    search,
    to_csv,
    to_xlsx,
)
from symbiose.domain import Company, Network, Stage, Stream
from symbiose.i18n import language
from symbiose.units import Unit, from_base


def identities(network: Network) -> set[str]:
    """Every string that would identify a company or a stream, as an attacker would grep it."""
    found: set[str] = set()
    for c in network.companies:
        found |= {c.id, c.name, c.siret, c.contact_name, c.contact_email, c.contact_phone, c.address}
    for s in network.streams:
        found.add(s.id)
        if len(s.description) > 12:
            found.add(s.description)
    return {v for v in found if v and len(v) >= 4}


def exact_quantities(network: Network) -> set[str]:
    """Each stream's exact yearly quantity as it could be printed (French and English)."""
    from symbiose.i18n import fmt_decimal

    out = set()
    for s in network.streams:
        q = from_base(s.quantity_base, s.unit)
        if q >= 10 and q not in BAND_LIMITS:  # band edges are printed on purpose
            for code in ("fr", "en"):
                with language(code):
                    out.add(fmt_decimal(q, 3))
    return out


def test_demo_catalogue_names_no_company_and_no_exact_quantity(demo):
    # the demo has no SIRET numbers: give every company one, so that a leak would show
    demo = replace(demo, companies=tuple(replace(c, siret=f"{81234567800000 + i:014d}")
                                         for i, c in enumerate(demo.companies)))  # fmt: skip
    catalogue = build_catalogue(demo)
    frame = public_frame(catalogue)
    assert len(frame) > 50
    csv_text = to_csv(frame).decode("utf-8-sig")
    xlsx_text = pd.read_excel(io.BytesIO(to_xlsx(frame))).to_csv(index=False)
    for text in (frame.to_csv(index=False), csv_text, xlsx_text):
        leaks = [v for v in identities(demo) if v in text]
        assert not leaks, leaks[:5]
        cells = set(text.replace(";", ",").replace("\n", ",").split(","))
        numbers = exact_quantities(demo) & cells
        assert not numbers, sorted(numbers)[:5]
    assert "id" not in {c.lower() for c in frame.columns}


def test_every_row_shown_covers_at_least_k_producers_of_its_material(demo):
    """Counted per row: a zone with k producers of anything, one of them alone to put out a code,
    showed that one's code and quantity band under the zone's name (boiler ash 10 01 01 at Jonzac)."""
    streams = {s.id: s for s in demo.streams}
    for k in (2, 3, 5):
        catalogue = build_catalogue(demo, k=k)
        producers = {key: {streams[i].company_id for i in ids} for key, ids in catalogue.sources.items()}
        assert producers and all(len(p) >= k for p in producers.values()), k
        levels = {key.split("@", 1)[1].split(":")[0] for key in producers}
        assert len(levels) >= 2, levels  # a fine zone and a fallback
        # the companies that put out each material, and the zones shown for it, are k or more
        makers = defaultdict(set)
        for stream in demo.streams:
            makers[stream.ewc_code or f"material:{stream.material}"].add(stream.company_id)
        for key, companies in producers.items():
            what = key.split("/", 1)[0]
            if what.startswith("family:"):  # codes of fewer than k producers, listed by sub-chapter or chapter
                prefix = what.removeprefix("family:")
                assert companies <= {c for code, cs in makers.items() if code.startswith(prefix) for c in cs}
            else:
                assert companies <= makers[what]


def test_a_lone_producer_falls_back_to_a_coarser_zone_or_is_withheld():
    def company(i, insee, commune, postal):
        return Company(f"C{i}", f"Firm {i}", 45.4, -0.4, commune=commune, insee_code=insee,
                       postal_code=postal)  # fmt: skip

    companies = (
        company(1, "17197", "Jonzac", "17500"),  # alone in Jonzac
        company(2, "17002", "Agudelle", "17500"),
        company(3, "17108", "Clam", "17500"),
        company(4, "17240", "Montendre", "17130"),  # alone, and alone in its postal area
    )
    streams = tuple(
        Stream(f"S{i}", f"C{i}", 50_000, Unit.T, ewc_code="030105") for i in range(1, 5)
    )
    catalogue = build_catalogue(Network(companies=companies, streams=streams), k=3)
    zones = set(catalogue.frame["zone"])
    assert "Jonzac" not in zones and "Montendre" not in zones
    assert any("17500" in z for z in zones)
    assert catalogue.withheld == 1  # Montendre's producer: fewer than 3 even at the coarsest
    assert set(catalogue.sources[next(iter(catalogue.sources))]) == {"S1", "S2", "S3"}


def test_implemented_synergies_reduce_what_is_available(demo):
    available = available_quantities(demo)
    implemented = [y for y in demo.synergies if Stage(y.stage) is Stage.IMPLEMENTED]
    assert implemented
    streams = {s.id: s for s in demo.streams}
    for y in implemented:
        whole = streams[y.stream_id].quantity_base
        taken = whole if y.quantity_base is None else y.quantity_base
        assert available.get(y.stream_id, 0) <= max(whole - taken, 0)
    fully = replace(demo, synergies=tuple(replace(y, quantity_base=None) for y in implemented))
    assert not {y.stream_id for y in implemented} & set(available_quantities(fully))


def test_quantity_bands_and_french_csv():
    with language("fr"):
        # written as the Partners page writes a range (« 200 à 500 t/an »)
        assert quantity_band(250, "t") == "100 à 1\u00a0000 t/an"
        frame = pd.DataFrame({"famille": ["a"], "quantité": ["100 – 1\u00a0000 t/an"]})
        data = to_csv(frame)
    assert data.startswith(b"\xef\xbb\xbf") and b";" in data


def test_search_ignores_case_and_accents(demo):
    frame = build_catalogue(demo).frame
    hits = search(frame, "DECHETS de verre")
    assert len(hits) and all("verre" in v.lower() for v in hits["label"] + hits["family"])
    assert len(search(frame, "", zones=["Jonzac"])) == (frame["zone"] == "Jonzac").sum()
    assert search(frame, "zzzz-nothing").empty
    winter = search(frame, months=[1])
    assert 0 < len(winter) < len(frame)
    assert all(1 in ms for ms in winter["month_numbers"])


def test_k_must_be_positive(demo):
    with pytest.raises(ValueError):
        build_catalogue(demo, k=0)


def test_k_is_the_application_setting(demo, monkeypatch):
    from symbiose.catalogue import anonymity_k

    monkeypatch.delenv("SYMBIOSE_BLIND_K", raising=False)
    assert anonymity_k() == 3
    monkeypatch.setenv("SYMBIOSE_BLIND_K", "5")
    assert anonymity_k() == 5
    monkeypatch.setenv("SYMBIOSE_BLIND_K", "many")
    assert anonymity_k() == 3  # a bad value falls back to the default
