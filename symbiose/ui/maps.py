"""Maps that work without the Internet: a vector background shipped with the project.

The background is drawn by pydeck layers, with no tile server (no map provider: Streamlit then
loads no base-map style):

* the sea (a light-blue rectangle under everything), the land of Charente-Maritime and its
  neighbouring départements (so the coast and the Gironde estuary show as the edge of the land),
* the boundaries of the communes of Charente-Maritime, those of the Communauté de communes de la
  Haute-Saintonge shaded, and the names of its larger communes,

from ``data/reference/basemap_*.geojson`` (IGN Admin Express, Licence Ouverte, simplified by
``scripts/build_basemap.py``). Online tiles (Carto, OpenStreetMap data) are an option for a
connected user. The initial view fits every company drawn.
"""

from __future__ import annotations

import json
import math
from functools import cache

import pandas as pd
import pydeck as pdk
import streamlit as st

from symbiose.i18n import N_, _
from symbiose.reference import haute_saintonge_communes, reference_path

SEA = [205, 226, 240, 255]
LAND = [246, 243, 236, 255]
COMMUNE_LINE = [175, 170, 160, 140]
CDC_FILL = [233, 240, 222, 255]
LABEL_MIN_POPULATION = 1500
# the characters deck.gl's TextLayer draws (its default set is ASCII only): French names; given
# as pdk.types.String, since pydeck reads every plain string argument as a JavaScript expression
CHARACTERS = "".join(chr(c) for c in range(32, 127)) + "àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ’«»"
ONLINE_STYLE = pdk.map_styles.CARTO_LIGHT
ROLE_COLOURS = {  # RGBA
    N_("supplier"): [230, 120, 20, 220],
    N_("receiver"): [30, 120, 200, 220],
    N_("supplier and receiver"): [120, 60, 170, 230],
    N_("not matched"): [150, 150, 150, 160],
}


@cache
def _geojson(name: str) -> dict:
    return json.loads(reference_path(name).read_text(encoding="utf-8"))


@cache
def _communes() -> dict:
    """Commune boundaries, with a flag for the Haute-Saintonge members (by INSEE code)."""
    members = set(haute_saintonge_communes()["insee_code"])
    data = _geojson("basemap_communes_17.geojson")
    features = [{**f, "properties": {**f["properties"], "cdc": f["properties"]["insee_code"] in members}}
                for f in data["features"]]  # fmt: skip
    return {"type": "FeatureCollection", "features": features}


def background_layers() -> list[pdk.Layer]:
    """Sea, land, commune boundaries and commune names: drawn under points and arcs."""
    sea = pd.DataFrame({"polygon": [[[-3.5, 44.0], [1.5, 44.0], [1.5, 47.2], [-3.5, 47.2]]]})
    towns = haute_saintonge_communes()
    towns = towns[towns["population_municipale"] >= LABEL_MIN_POPULATION][["name", "latitude", "longitude"]]
    return [
        pdk.Layer("PolygonLayer", data=sea, get_polygon="polygon", get_fill_color=SEA, stroked=False,
                  id="background-sea"),
        pdk.Layer("GeoJsonLayer", data=_geojson("basemap_land.geojson"), get_fill_color=LAND,
                  get_line_color=[140, 130, 115, 255], line_width_min_pixels=1, stroked=True, filled=True,
                  id="background-land"),
        pdk.Layer("GeoJsonLayer", data=_communes(), filled=True, stroked=True,
                  get_fill_color=f"properties.cdc ? {CDC_FILL} : [0, 0, 0, 0]",
                  get_line_color=COMMUNE_LINE, line_width_min_pixels=0.5, id="background-communes"),
        pdk.Layer("TextLayer", data=towns, get_position=["longitude", "latitude"], get_text="name",
                  get_size=11, get_color=[90, 80, 70, 230], character_set=pdk.types.String(CHARACTERS), get_pixel_offset=[0, -10],
                  id="background-names"),
    ]  # fmt: skip


def fit_view(latitudes: pd.Series, longitudes: pd.Series, *, width_px: int = 1000,
             height_px: int = 480) -> pdk.ViewState:  # fmt: skip
    """A view whose frame holds every point (with a margin), never closer than zoom 11."""
    if not len(latitudes):
        return pdk.ViewState(latitude=45.45, longitude=-0.43, zoom=8.5)
    south, north = float(latitudes.min()), float(latitudes.max())
    west, east = float(longitudes.min()), float(longitudes.max())
    centre_lat = (south + north) / 2
    span_lon = max(east - west, 0.02) * 1.25
    span_lat = max(north - south, 0.02) * 1.25 / math.cos(math.radians(centre_lat))
    zoom = min(math.log2(360 * width_px / 512 / span_lon), math.log2(360 * height_px / 512 / span_lat), 11)
    return pdk.ViewState(latitude=centre_lat, longitude=(west + east) / 2, zoom=round(zoom, 2), pitch=0)


def deck(layers: list[pdk.Layer], view: pdk.ViewState, *, online: bool = False,
         tooltip: dict | None = None) -> pdk.Deck:  # fmt: skip
    """A deck on the offline background, or on online tiles when ``online``."""
    base = [] if online else background_layers()
    tooltip = tooltip or {"text": "{name}{label}"}
    if online:
        return pdk.Deck(layers=layers, initial_view_state=view, map_style=ONLINE_STYLE, map_provider="carto",
                        tooltip=tooltip)  # fmt: skip
    # no map provider and pydeck's default style: Streamlit then draws no base map at all (with
    # map_style=None it would fetch Carto's style to follow its theme)
    return pdk.Deck(layers=base + layers, initial_view_state=view, map_provider=None, tooltip=tooltip)


def online_toggle(key: str) -> bool:
    """The option of online tiles (off by default: the shipped background needs no network)."""
    return st.toggle(_("Online map tiles (needs the Internet)"), value=False, key=key)


def legend(items: list[tuple[list[int], str]]) -> None:
    """A legend: one coloured dot and its meaning per item."""
    dots = " ".join(
        f"<span style='white-space:nowrap;margin-right:1em'><span style='display:inline-block;width:.8em;"
        f"height:.8em;border-radius:50%;background:rgba({r},{g},{b},{a / 255:.2f});margin-right:.3em'></span>"
        f"{text}</span>"
        for (r, g, b, a), text in items
    )
    st.markdown(f"<div class='symbiose-legend'>{dots}</div>", unsafe_allow_html=True)
