"""Geography: distances, coordinate checks and geocoding.

Distances are great-circle (haversine) distances on a sphere of the mean Earth radius,
vectorised with numpy; a road distance is the straight line times a detour factor.

>>> round(float(haversine_km(45.4413, -0.42366, 45.17339, -0.23759)), 2)  # Jonzac -> Clérac
33.15
>>> road_distance_km(10.0)
13.0

Coordinates are checked as they enter: out-of-range, non-finite and *probably swapped*
values raise :class:`~symbiose.errors.GeocodingError` at once.

>>> validate_coordinates(45.4413, -0.42366)
(45.4413, -0.42366)
>>> validate_coordinates(-0.42366, 45.4413)
Traceback (most recent call last):
...
symbiose.errors.GeocodingError: latitude -0.42366 and longitude 45.4413 look swapped: (45.4413, -0.42366) is in metropolitan France; put the latitude (about 41 to 51) first and the longitude (about -5 to 10) second

Geocoding works offline over the packaged commune table (the 462 communes of
Charente-Maritime) with the same ``geocode()`` interface as a geopy geocoder:

>>> gazetteer = GazetteerGeocoder()
>>> place = gazetteer.geocode("st germain de lusignan")
>>> place.address, place.latitude, place.longitude
('Saint-Germain-de-Lusignan, 17500, Charente-Maritime, France', 45.46397, -0.43887)
>>> gazetteer.geocode("17500").raw["ambiguous"]  # 22 communes share 17500: the most populous
True
>>> gazetteer.geocode("17500").raw["name"]
'Jonzac'

An online geocoder (OpenStreetMap Nominatim through geopy, rate-limited) is chained after the
gazetteer only when the environment says so: ``SYMBIOSE_GEOCODER=nominatim`` and
``SYMBIOSE_GEOCODER_USER_AGENT=<your application and e-mail>``. See :func:`chained_geocoder`.
"""

from __future__ import annotations

import difflib
import logging
import math
import os
import re
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from symbiose import reference
from symbiose.errors import GeocodingError
from symbiose.i18n import _, fmt_decimal

if TYPE_CHECKING:  # geopy is imported where a place is looked up, not by every matching run
    from geopy.location import Location

log = logging.getLogger(__name__)

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG), the radius geopy's great_circle uses."""

DEFAULT_ROAD_FACTOR = 1.3
"""Road distance / straight-line distance, a usual detour factor for rural France."""

METROPOLITAN_FRANCE_BBOX = (41.3, 51.1, -5.2, 9.6)
"""(lat_min, lat_max, lon_min, lon_max) of metropolitan France, Corsica included."""

DEPARTMENT_NAME = "Charente-Maritime"


def haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle distance in km between points given in decimal degrees.

    Works on scalars or numpy arrays (broadcast together); returns a float for scalars and
    an array otherwise.
    """
    phi1, lam1, phi2, lam2 = (
        np.radians(np.asarray(v, dtype=float)) for v in (lat1, lon1, lat2, lon2)
    )
    a = (
        np.sin((phi2 - phi1) / 2) ** 2
        + np.cos(phi1) * np.cos(phi2) * np.sin((lam2 - lam1) / 2) ** 2
    )
    distance = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return float(distance) if np.ndim(distance) == 0 else distance


def road_distance_km(straight_km: Any, road_factor: float = DEFAULT_ROAD_FACTOR) -> Any:
    """Estimated road distance from a straight-line distance (scalar or array)."""
    if not road_factor >= 1:
        raise ValueError(
            f"road_factor must be at least 1 (a road is never shorter), got {road_factor}"
        )
    result = np.asarray(straight_km, dtype=float) * road_factor
    return float(result) if np.ndim(result) == 0 else result


def _in_bbox(lat: float, lon: float, bbox: tuple[float, float, float, float]) -> bool:
    lat_min, lat_max, lon_min, lon_max = bbox
    return lat_min <= lat <= lat_max and lon_min <= lon <= lon_max


def validate_coordinates(
    lat: float | str,
    lon: float | str,
    *,
    where: str = "",
    territory_bbox: tuple[float, float, float, float] | None = METROPOLITAN_FRANCE_BBOX,
) -> tuple[float, float]:
    """Check a latitude/longitude pair and return it as floats.

    Raises :class:`GeocodingError` for non-numbers, non-finite or out-of-range values, and for
    pairs that are probably swapped: (lon, lat) falls in ``territory_bbox`` (metropolitan France
    by default) while (lat, lon) does not. ``where`` prefixes the message (e.g. a file and row).
    """
    prefix = f"{where}: " if where else ""
    try:
        lat_f, lon_f = float(lat), float(lon)
    except (TypeError, ValueError):
        raise GeocodingError(prefix + _(
            "latitude '{lat}' and longitude '{lon}' must be decimal degrees such as 45.4413 and -0.42366"
        ).format(lat=lat, lon=lon)) from None
    if not (math.isfinite(lat_f) and math.isfinite(lon_f)):
        raise GeocodingError(prefix + _("latitude {lat} and longitude {lon} must be finite numbers").format(lat=lat_f, lon=lon_f))
    swapped = (
        territory_bbox is not None
        and _in_bbox(lon_f, lat_f, territory_bbox)
        and not _in_bbox(lat_f, lon_f, territory_bbox)
    )
    if swapped:
        raise GeocodingError(prefix + _(
            "latitude {lat} and longitude {lon} look swapped: ({lon}, {lat}) is in metropolitan France; "
            "put the latitude (about 41 to 51) first and the longitude (about -5 to 10) second"
        ).format(lat=fmt_decimal(lat_f, 6), lon=fmt_decimal(lon_f, 6)))
    if not -90 <= lat_f <= 90:
        raise GeocodingError(prefix + _("latitude {lat} is out of range; it must be between -90 and 90").format(lat=fmt_decimal(lat_f, 6)))
    if not -180 <= lon_f <= 180:
        raise GeocodingError(prefix + _("longitude {lon} is out of range; it must be between -180 and 180").format(lon=fmt_decimal(lon_f, 6)))
    return lat_f, lon_f


# --------------------------------------------------------------------------------------------
# Offline gazetteer over the packaged commune table


@dataclass(frozen=True, slots=True)
class _Commune:
    insee_code: str
    postal_code: str  # main postal code
    postal_codes: tuple[str, ...]
    name: str
    latitude: float
    longitude: float
    population: int


class Place:
    """A commune found by :meth:`GazetteerGeocoder.locate`: what a geopy ``Location`` gives
    (``address``, ``latitude``, ``longitude``, ``point``, ``raw``) without importing geopy, which
    costs a start of `symbiose match` about 0.1 s (every company of a bundle is placed this way)."""

    __slots__ = ("address", "latitude", "longitude", "raw")

    def __init__(self, address: str, point: tuple[float, float], raw: dict) -> None:
        self.address = address
        self.latitude, self.longitude = float(point[0]), float(point[1])
        self.raw = raw

    @property
    def point(self) -> tuple[float, float, float]:
        return (self.latitude, self.longitude, 0.0)

    def __repr__(self) -> str:
        return f"Place({self.address!r}, ({self.latitude}, {self.longitude}))"


_SPLIT_QUERY = re.compile(r"[,;]")
_COUNTRY_WORDS = {"france", "charente maritime", "fr", "17"}
_FIVE_DIGITS = re.compile(r"\b(\d{5})\b")


class GazetteerGeocoder:
    """Offline, geopy-compatible geocoder over the commune table of :mod:`symbiose.reference`.

    ``geocode(query)`` understands a commune name (accents, case, hyphens and Saint/St do not
    matter), a postal code (``"17500"``), an INSEE code (``"insee:17197"``; a bare five-digit
    number is read as a postal code first, since 42 INSEE codes are also postal codes), and
    combinations such as ``"Jonzac, 17500"`` or ``"17500 Jonzac"``. A postal code alone shared by
    several communes returns the most populous with ``raw["ambiguous"] = True``.
    """

    def __init__(self) -> None:
        table = reference.communes()
        self._by_insee: dict[str, _Commune] = {}
        self._by_postal: dict[str, list[_Commune]] = {}
        self._by_name: dict[str, list[_Commune]] = {}
        for row in table.itertuples(index=False):
            postal_codes = tuple(p for p in str(row.postal_codes).split(";") if p) or (
                str(row.postal_code),
            )
            commune = _Commune(
                str(row.insee_code), str(row.postal_code), postal_codes, str(row.name),
                float(row.latitude), float(row.longitude), int(row.population),
            )  # fmt: skip
            self._by_insee[commune.insee_code] = commune
            for code in postal_codes:
                self._by_postal.setdefault(code, []).append(commune)
            self._by_name.setdefault(str(row.name_key), []).append(commune)
        for communes in self._by_postal.values():
            communes.sort(key=lambda c: (-c.population, c.insee_code))

    # -- geopy interface ---------------------------------------------------------------------

    def geocode(self, query: str, exactly_one: bool = True, **_: Any) -> Any:
        """A :class:`geopy.location.Location` (or a list if ``exactly_one`` is False), or None."""
        matches, ambiguous = self._search(str(query))
        if not matches:
            return None
        locations = [self._location(c, ambiguous and i == 0) for i, c in enumerate(matches)]
        return locations[0] if exactly_one else locations

    def locate(
        self, commune: str = "", postal_code: str = "", insee_code: str = ""
    ) -> Place | None:
        """Find a commune by INSEE code, else by name (and postal code), else by postal code."""
        insee_code, postal_code, commune = (
            str(v or "").strip() for v in (insee_code, postal_code, commune)
        )
        if insee_code:
            found = self._by_insee.get(insee_code.upper())
            return self._place(found, False) if found else None
        if commune:
            matches = self._by_name.get(reference.fold_name(commune), [])
            if postal_code:
                matches = [c for c in matches if postal_code in c.postal_codes]
            return self._place(matches[0], False) if len(matches) == 1 else None
        if postal_code:
            matches = self._by_postal.get(postal_code, [])
            return self._place(matches[0], len(matches) > 1) if matches else None
        return None

    def closest_names(self, commune: str, n: int = 3) -> list[str]:
        """Official names of the communes whose spelling is closest to ``commune`` (typos)."""
        keys = difflib.get_close_matches(reference.fold_name(commune), self._by_name, n=n)
        return [self._by_name[key][0].name for key in keys]

    # -- internals ---------------------------------------------------------------------------

    def _search(self, query: str) -> tuple[list[_Commune], bool]:
        text = query.strip()
        if not text:
            return [], False
        lowered = text.lower()
        if lowered.startswith("insee:"):
            found = self._by_insee.get(text[6:].strip().upper())
            return ([found] if found else []), False
        parts = [p.strip() for p in _SPLIT_QUERY.split(text) if p.strip()]
        parts = [p for p in parts if reference.fold_name(p) not in _COUNTRY_WORDS] or parts
        postal = ""
        names: list[str] = []
        for part in parts:
            digits = _FIVE_DIGITS.search(part)
            if digits:
                postal = digits.group(1)
                rest = (part[: digits.start()] + part[digits.end() :]).strip()
                if rest:
                    names.append(rest)
            else:
                names.append(part)
        if names:
            key = reference.fold_name(names[0])
            matches = self._by_name.get(key, [])
            if postal:
                matches = [c for c in matches if postal in c.postal_codes]
            return matches, False
        if postal:
            by_postal = self._by_postal.get(postal)
            if by_postal:
                return list(by_postal), len(by_postal) > 1
            found = self._by_insee.get(postal)
            return ([found] if found else []), False
        return [], False

    @staticmethod
    def _location(commune: _Commune, ambiguous: bool) -> Location:
        from geopy.location import Location

        place = GazetteerGeocoder._place(commune, ambiguous)
        return Location(place.address, (place.latitude, place.longitude), place.raw)

    @staticmethod
    def _place(commune: _Commune, ambiguous: bool) -> Place:
        address = f"{commune.name}, {commune.postal_code}, {DEPARTMENT_NAME}, France"
        raw = {
            "source": "gazetteer",
            "name": commune.name,
            "insee_code": commune.insee_code,
            "postal_code": commune.postal_code,
            "postal_codes": list(commune.postal_codes),
            "population": commune.population,
            "ambiguous": ambiguous,
        }
        return Place(address, (commune.latitude, commune.longitude), raw)


@cache
def default_gazetteer() -> GazetteerGeocoder:
    """The gazetteer over the packaged communes, built once per process (about 5 ms)."""
    return GazetteerGeocoder()


# --------------------------------------------------------------------------------------------
# Optional online geocoder, chained after the gazetteer

ENV_GEOCODER = "SYMBIOSE_GEOCODER"
ENV_USER_AGENT = "SYMBIOSE_GEOCODER_USER_AGENT"


def _cache_key(query: str) -> str:
    return " ".join(reference.fold_name(query).split())


class OnlineGeocoder:
    """Nominatim (OpenStreetMap) through geopy, rate-limited to one request per second.

    Answers are stored in ``cache`` (query key -> (latitude, longitude)); the database layer
    passes a persistent mapping. Network failures never raise: they log a warning and return
    None. ``geocode_function`` replaces the rate-limited Nominatim call (for tests or another
    provider) and takes ``(query)`` returning a geopy Location or None.
    """

    def __init__(
        self,
        user_agent: str,
        cache: MutableMapping[str, tuple[float, float]] | None = None,
        *,
        geocode_function: Callable[[str], Any] | None = None,
        min_delay_seconds: float = 1.0,
    ) -> None:
        self.cache: MutableMapping[str, tuple[float, float]] = {} if cache is None else cache
        if geocode_function is None:
            from geopy.extra.rate_limiter import RateLimiter
            from geopy.geocoders import Nominatim

            nominatim = Nominatim(user_agent=user_agent, timeout=10)
            limited = RateLimiter(
                nominatim.geocode, min_delay_seconds=min_delay_seconds, max_retries=2,
                swallow_exceptions=False,
            )  # fmt: skip

            def geocode_function(query: str) -> Any:
                return limited(query, exactly_one=True, country_codes="fr")

        self._geocode = geocode_function

    def geocode(self, query: str, exactly_one: bool = True, **_: Any) -> Any:
        from geopy.location import Location

        key = _cache_key(query)
        if not key:
            return None
        if key in self.cache:
            lat, lon = self.cache[key]
            location = Location(query, (lat, lon), {"source": "cache"})
            return location if exactly_one else [location]
        try:
            found = self._geocode(query)
        except Exception as exc:  # network, HTTP and quota errors: degrade, never fail
            log.warning("online geocoding of %r failed (%s); continuing without it", query, exc)
            return None
        if found is None:
            return None
        point = (float(found.latitude), float(found.longitude))
        self.cache[key] = point
        location = Location(found.address, point, {"source": "online", **dict(found.raw or {})})
        return location if exactly_one else [location]


class ChainedGeocoder:
    """Gazetteer first, then the online geocoder when one is configured."""

    def __init__(self, gazetteer: GazetteerGeocoder, online: OnlineGeocoder | None = None) -> None:
        self.gazetteer = gazetteer
        self.online = online

    def geocode(self, query: str, exactly_one: bool = True, **kwargs: Any) -> Any:
        found = self.gazetteer.geocode(query, exactly_one=exactly_one)
        if found is None and self.online is not None:
            found = self.online.geocode(query, exactly_one=exactly_one)
        return found

    def locate(
        self, commune: str = "", postal_code: str = "", insee_code: str = ""
    ) -> Place | Location | None:
        found = self.gazetteer.locate(commune, postal_code, insee_code)
        if found is None and self.online is not None and commune:
            query = ", ".join(p for p in (commune, postal_code, "France") if p)
            found = self.online.geocode(query)
        return found


def online_geocoder_configured(environ: Mapping[str, str] | None = None) -> bool:
    """True when the environment asks for Nominatim and names a user agent."""
    env = os.environ if environ is None else environ
    return env.get(ENV_GEOCODER, "").strip().lower() == "nominatim" and bool(
        env.get(ENV_USER_AGENT, "").strip()
    )


def chained_geocoder(
    cache: MutableMapping[str, tuple[float, float]] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> ChainedGeocoder:
    """The geocoder the application uses: the gazetteer, then Nominatim if configured.

    Nothing is built that could reach the network unless ``SYMBIOSE_GEOCODER=nominatim`` and
    ``SYMBIOSE_GEOCODER_USER_AGENT`` are set (in ``environ``, default ``os.environ``).
    """
    env = os.environ if environ is None else environ
    online = None
    if env.get(ENV_GEOCODER, "").strip().lower() == "nominatim":
        if online_geocoder_configured(env):
            online = OnlineGeocoder(env[ENV_USER_AGENT].strip(), cache)
        else:
            log.warning(
                "%s=nominatim but %s is not set; Nominatim requires an identifying user agent "
                "(e.g. 'symbiose-haute-saintonge contact@example.fr'); using the offline "
                "gazetteer only",
                ENV_GEOCODER,
                ENV_USER_AGENT,
            )
    elif env.get(ENV_GEOCODER, "").strip():
        log.warning(
            "unknown %s=%r; using the offline gazetteer only", ENV_GEOCODER, env[ENV_GEOCODER]
        )
    return ChainedGeocoder(default_gazetteer(), online)
