"""Input limits, in one place: what an imported file may weigh before it is parsed.

Every limit has a default chosen for a territory's network (a few thousand rows, a few MB) with a
wide margin, and an environment override ``SYMBIOSE_LIMIT_<NAME>`` (for example
``SYMBIOSE_LIMIT_MAX_FILE_BYTES=200000000``). The limits are read again at each call, so a test
or an operator can change them without restarting anything.

>>> limits({"SYMBIOSE_LIMIT_MAX_ROWS": "10"}).max_rows
10
>>> limits({}).max_cell_chars
32767
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

ENV_PREFIX = "SYMBIOSE_LIMIT_"


@dataclass(frozen=True, slots=True)
class Limits:
    max_file_bytes: int = 50 * 1024 * 1024
    """Size of one uploaded file (CSV or xlsx) as stored on disk."""
    max_unzipped_bytes: int = 250 * 1024 * 1024
    """Sum of the uncompressed sizes of an xlsx workbook's parts (a zip file)."""
    max_compression_ratio: int = 200
    """Uncompressed / compressed size of any part of an xlsx (a zip bomb has thousands)."""
    max_rows: int = 200_000
    """Data rows of one table (CSV file or sheet)."""
    max_columns: int = 200
    """Columns of one table."""
    max_cell_chars: int = 32_767
    """Characters in one cell (Excel's own limit)."""
    max_problems_shown: int = 50
    """Problems printed; the rest are counted ('... and 12 345 more')."""
    max_problems_kept: int = 5_000
    """Problems kept in memory; the rest are only counted."""


def limits(environ: Mapping[str, str] | None = None) -> Limits:
    """The limits, each overridable by ``SYMBIOSE_LIMIT_<NAME>`` (an integer)."""
    env = os.environ if environ is None else environ
    values: dict[str, int] = {}
    for spec in fields(Limits):
        raw = env.get(ENV_PREFIX + spec.name.upper(), "").strip().replace("_", "")
        if raw:
            try:
                values[spec.name] = max(1, int(raw))
            except ValueError:
                raise ValueError(
                    f"{ENV_PREFIX}{spec.name.upper()}={raw!r} is not a whole number"
                ) from None
    return Limits(**values)
