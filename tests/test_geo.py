"""Tests of symbiose.geo: distances, coordinate checks, offline gazetteer, optional online geocoder."""

from __future__ import annotations

import logging
import math

import numpy as np
import pytest
from geopy.distance import great_circle
from geopy.location import Location

from symbiose import geo
from symbiose.errors import GeocodingError, SymbioseError
from symbiose.geo import (
    ChainedGeocoder,
    GazetteerGeocoder,
    OnlineGeocoder,
    chained_geocoder,
    default_gazetteer,
    haversine_km,
    road_distance_km,
    validate_coordinates,
)

pytestmark = pytest.mark.usefixtures("english")  # these tests read the messages' English text

JONZAC = (45.4413, -0.42366)
CLERAC = (45.17339, -0.23759)
LEOVILLE = (45.37639, -0.33172)


# --- distances ------------------------------------------------------------------------------


def test_haversine_one_degree_of_latitude_is_pi_r_over_180():
    # 1 degree along a meridian = 2 * pi * 6371.0088 / 360 = 111.19508 km
    assert haversine_km(45.0, -0.5, 46.0, -0.5) == pytest.approx(111.19508, abs=1e-5)
    assert haversine_km(*JONZAC, *JONZAC) == 0.0


def test_haversine_matches_geopy_great_circle_which_uses_the_same_radius():
    # same radius, a different (atan2) formula: agreement to about 1e-8
    expected = great_circle(JONZAC, CLERAC).km  # 33.154 km
    assert haversine_km(*JONZAC, *CLERAC) == pytest.approx(expected, rel=1e-7)
    assert isinstance(haversine_km(*JONZAC, *CLERAC), float)


def test_haversine_is_vectorised_and_symmetric():
    lats = np.array([JONZAC[0], CLERAC[0], LEOVILLE[0]])
    lons = np.array([JONZAC[1], CLERAC[1], LEOVILLE[1]])
    matrix = haversine_km(lats[:, None], lons[:, None], lats[None, :], lons[None, :])
    assert matrix.shape == (3, 3)
    np.testing.assert_allclose(matrix, matrix.T, rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.diag(matrix), 0.0, atol=1e-12)
    for i in range(3):
        for j in range(3):
            assert matrix[i, j] == pytest.approx(
                great_circle((lats[i], lons[i]), (lats[j], lons[j])).km, rel=1e-7
            )


def test_road_distance_applies_the_detour_factor():
    assert road_distance_km(10.0) == pytest.approx(13.0)  # 10 km * 1.3
    assert road_distance_km(10.0, road_factor=1.5) == pytest.approx(15.0)
    np.testing.assert_allclose(road_distance_km(np.array([1.0, 2.0])), [1.3, 2.6])
    with pytest.raises(ValueError, match="at least 1"):
        road_distance_km(10.0, road_factor=0.9)


# --- coordinate checks ----------------------------------------------------------------------


def test_validate_coordinates_accepts_and_converts():
    assert validate_coordinates("45.4413", "-0.42366") == JONZAC
    assert validate_coordinates(48.85, 2.35) == (48.85, 2.35)


def test_swapped_coordinates_are_named_as_swapped():
    with pytest.raises(GeocodingError, match="look swapped") as info:
        validate_coordinates(-0.42366, 45.4413, where="companies.csv, row 3")
    assert str(info.value).startswith("companies.csv, row 3: ")
    assert isinstance(info.value, SymbioseError) and isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("lat", "lon", "fragment"),
    [
        (95.0, -0.4, "latitude 95 is out of range"),
        (45.0, 200.0, "longitude 200 is out of range"),
        (math.nan, -0.4, "finite"),
        (45.0, math.inf, "finite"),
        ("nord", "-0.4", "decimal degrees"),
    ],
)
def test_bad_coordinates_are_rejected(lat, lon, fragment):
    with pytest.raises(GeocodingError, match=fragment):
        validate_coordinates(lat, lon)


def test_swap_check_can_be_switched_off_for_other_territories():
    # (-0.42, 45.44) is in the Indian Ocean: legal without a French territory box
    assert validate_coordinates(-0.42366, 45.4413, territory_bbox=None) == (-0.42366, 45.4413)


# --- gazetteer ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gazetteer() -> GazetteerGeocoder:
    return default_gazetteer()


@pytest.mark.parametrize(
    "query",
    [
        "Saint-Germain-de-Lusignan",
        "st germain de lusignan",
        "ST-GERMAIN-DE-LUSIGNAN",
        "Saint Germain de Lusignan, 17500",
        "17500 Saint-Germain-de-Lusignan",
        "Saint-Germain-de-Lusignan, Charente-Maritime, France",
        "insee:17339",
    ],
)
def test_gazetteer_finds_a_commune_however_it_is_written(gazetteer, query):
    place = gazetteer.geocode(query)
    assert isinstance(place, Location)
    assert (place.latitude, place.longitude) == (45.46397, -0.43887)
    assert place.raw["insee_code"] == "17339"
    assert place.raw["ambiguous"] is False


def test_gazetteer_accents_do_not_matter(gazetteer):
    assert gazetteer.geocode("clerac").raw["name"] == "Clérac"
    assert gazetteer.geocode("LÉOVILLE").point[:2] == LEOVILLE


def test_shared_postal_code_gives_the_most_populous_commune_marked_ambiguous(gazetteer):
    # 17500 is shared by 22 communes; Jonzac (3602 inhabitants) is the largest
    place = gazetteer.geocode("17500")
    assert place.raw["name"] == "Jonzac"
    assert place.raw["ambiguous"] is True
    everything = gazetteer.geocode("17500", exactly_one=False)
    assert len(everything) == 22
    assert [p.raw["population"] for p in everything] == sorted(
        (p.raw["population"] for p in everything), reverse=True
    )
    assert all(p.raw["ambiguous"] is False for p in everything[1:])


def test_postal_code_narrows_a_name_and_a_wrong_one_finds_nothing(gazetteer):
    assert gazetteer.geocode("Jonzac, 17500").raw["insee_code"] == "17197"
    assert gazetteer.geocode("Jonzac, 17270") is None  # 17270 is Clérac's
    # Floirac has two postal codes; both work
    assert gazetteer.geocode("Floirac 17240").raw["insee_code"] == "17160"
    assert gazetteer.geocode("Floirac, 17120").raw["insee_code"] == "17160"


def test_unknown_places_return_none(gazetteer):
    assert gazetteer.geocode("Bordeaux") is None  # Gironde, not in the table
    assert gazetteer.geocode("") is None
    assert gazetteer.geocode("99999") is None
    assert gazetteer.geocode("insee:33063") is None


def test_locate_by_insee_name_and_postal_code(gazetteer):
    assert gazetteer.locate(insee_code="17110").raw["name"] == "Clérac"
    assert gazetteer.locate(commune="Clerac").raw["insee_code"] == "17110"
    assert gazetteer.locate(commune="Léoville", postal_code="17500").point[:2] == LEOVILLE
    assert gazetteer.locate(commune="Léoville", postal_code="17270") is None
    assert gazetteer.locate(postal_code="17500").raw["ambiguous"] is True
    assert gazetteer.locate() is None
    assert gazetteer.locate(insee_code="17999") is None


# --- online geocoder, never reached in tests ------------------------------------------------


def test_unconfigured_environment_never_builds_an_online_geocoder():
    assert chained_geocoder(environ={}).online is None
    assert chained_geocoder(environ={"SYMBIOSE_GEOCODER": ""}).online is None
    assert geo.online_geocoder_configured({}) is False


def test_nominatim_without_user_agent_warns_and_stays_offline(caplog):
    with caplog.at_level(logging.WARNING, logger="symbiose.geo"):
        chained = chained_geocoder(environ={"SYMBIOSE_GEOCODER": "nominatim"})
    assert chained.online is None
    assert "SYMBIOSE_GEOCODER_USER_AGENT" in caplog.text


def test_configured_environment_builds_a_rate_limited_nominatim_without_calling_it():
    cache: dict[str, tuple[float, float]] = {}
    env = {"SYMBIOSE_GEOCODER": "nominatim", "SYMBIOSE_GEOCODER_USER_AGENT": "symbiose-tests"}
    chained = chained_geocoder(cache, environ=env)
    assert isinstance(chained.online, OnlineGeocoder)
    assert chained.online.cache is cache
    # the gazetteer answers first: the network is not used for a known commune
    assert chained.geocode("Jonzac").raw["source"] == "gazetteer"
    assert cache == {}


def _answer_bordeaux(calls: list[str]):
    def geocode(query: str) -> Location | None:
        calls.append(query)
        if "bordeaux" in query.lower():
            return Location("Bordeaux, Gironde, France", (44.8378, -0.5792), {"osm_id": 1})
        return None

    return geocode


def test_online_answers_are_cached_and_reused():
    calls: list[str] = []
    cache: dict[str, tuple[float, float]] = {}
    online = OnlineGeocoder("tests", cache, geocode_function=_answer_bordeaux(calls))
    chained = ChainedGeocoder(default_gazetteer(), online)
    first = chained.geocode("Bordeaux")
    assert first.point[:2] == (44.8378, -0.5792)
    assert first.raw["source"] == "online"
    assert cache == {"bordeaux": (44.8378, -0.5792)}
    again = chained.geocode("  BORDEAUX ")
    assert again.raw["source"] == "cache"
    assert calls == ["Bordeaux"]  # one request only
    assert chained.geocode("Nulle-Part") is None
    assert calls == ["Bordeaux", "Nulle-Part"]
    assert "nulle part" not in cache  # misses are not stored


def test_network_failure_returns_none_and_logs(caplog):
    def broken(query: str) -> Location | None:
        raise OSError("network unreachable")

    online = OnlineGeocoder("tests", {}, geocode_function=broken)
    with caplog.at_level(logging.WARNING, logger="symbiose.geo"):
        assert online.geocode("Bordeaux") is None
    assert "network unreachable" in caplog.text
