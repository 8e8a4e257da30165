"""Large CSV files written fast, with the same bytes as ``pandas.DataFrame.to_csv``.

pandas formats every cell in Python: a 500,000-row suggestions table takes seconds. Here each
column is turned into text by Arrow's compute kernels (pyarrow comes with Streamlit), quoted
only where needed, joined into lines in C++, and the buffer written at once. The output is
byte for byte what ``frame.to_csv(path, index=False, sep=sep, decimal=decimal)`` writes (the
tests check it): floats in their shortest round-trip form (``5.0``, ``0.1``, ``1e+16``),
booleans ``True``/``False``, missing values empty, a field quoted when it holds the separator,
a quote or a line break.

>>> import pandas as pd
>>> to_csv_text(pd.DataFrame({"a": [1.5, None], "b": ["x,y", "z"], "c": [True, False]}))
'a,b,c\\n1.5,"x,y",True\\n,z,False\\n'
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd


def _quoted(text, sep: str):
    """Arrow strings quoted where a reader needs it (separator, quote, line break)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from symbiose.arrowtext import repeated, rows_holding

    text = text.cast(pa.large_string())
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    ascii_sep = len(sep) == 1 and ord(sep) < 128
    quotes = rows_holding(text, '"')
    needs = quotes | rows_holding(text, "\n\r" + (sep if ascii_sep else ""))
    if not ascii_sep:
        needs |= pc.fill_null(pc.match_substring(text, sep), False).to_numpy(zero_copy_only=False)
    if not needs.any():
        return text
    escaped = pc.replace_substring(text, '"', '""') if quotes.any() else text
    quote = repeated(needs, '"')
    return pc.binary_join_element_wise(quote, escaped, quote, pa.scalar("", pa.large_string()))


def _float_text(values: np.ndarray, decimal: str):
    """Floats as pandas writes them: Python's ``repr`` (shortest round trip), NaN empty."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from symbiose.arrowtext import repeated, rows_holding

    array = pa.array(values, type=pa.float64(), from_pandas=True)
    text = pc.cast(array, pa.large_string())
    # Exponents and very small or large numbers differ in form from repr: those few go through
    # Python. Arrow writes 5.0 as "5"; repr writes "5.0"
    finite = np.isfinite(values)
    with np.errstate(invalid="ignore"):
        odd = finite & (rows_holding(text, "e") | (np.abs(values) >= 1e16) | ((np.abs(values) < 1e-4) & (values != 0)))
        plain = finite & ~odd & (values == np.rint(values))
    if plain.any():
        text = pc.binary_join_element_wise(text, repeated(plain, ".0"), pa.scalar("", pa.large_string()))
    if odd.any():
        fixed = np.array(text.to_pylist(), dtype=object)
        fixed[odd] = [repr(float(v)) for v in values[odd]]
        text = pa.array(fixed, type=pa.large_string())
    special = ~finite & ~np.isnan(values)
    if special.any():  # inf, -inf as pandas writes them
        fixed = np.array(text.to_pylist(), dtype=object)
        fixed[special] = ["inf" if v > 0 else "-inf" for v in values[special]]
        text = pa.array(fixed, type=pa.large_string())
    if decimal != ".":
        text = pc.replace_substring(text, ".", decimal)
    return pc.fill_null(text, "")


def _column_text(column: pd.Series, sep: str, decimal: str):
    import pyarrow as pa
    import pyarrow.compute as pc

    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype) and not column.isna().any():
        values = column.to_numpy(dtype=bool)
        return pa.array(np.where(values, "True", "False"), type=pa.string())
    if pd.api.types.is_integer_dtype(dtype) and not column.isna().any():
        return pc.cast(pa.array(column.to_numpy(dtype=np.int64)), pa.string())
    if pd.api.types.is_float_dtype(dtype):
        return _float_text(column.to_numpy(dtype=float, na_value=np.nan), decimal)
    if isinstance(dtype, pd.CategoricalDtype):
        categories = _column_text(pd.Series(dtype.categories), sep, decimal)
        codes = column.cat.codes.to_numpy()
        taken = categories.take(pa.array(np.where(codes < 0, 0, codes)))
        return pc.if_else(pa.array(codes < 0), "", taken) if (codes < 0).any() else taken
    # text (or mixed objects): pandas writes str(value), missing values empty
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        return _quoted(pc.fill_null(pc.cast(pa.array(column, from_pandas=True), pa.large_string()), ""), sep)
    values = column.to_numpy(dtype=object)
    missing = pd.isna(column).to_numpy()
    if missing.any() or not all(type(v) is str for v in values[: min(len(values), 64)]):
        values = np.array(["" if m else str(v) for v, m in zip(values, missing, strict=True)], dtype=object)
    return _quoted(pa.array(values, type=pa.string()), sep)


def to_csv_text(frame: pd.DataFrame, *, sep: str = ",", decimal: str = ".") -> str:
    """The CSV text of ``frame`` (no index), as ``frame.to_csv(index=False)`` gives it."""
    return b"".join(bytes(part) for part in _encoded(frame, sep, decimal)).decode("utf-8")


CHUNK_ROWS = 50_000  # rows turned into text at once: bounds the memory, 64-bit Arrow offsets


def _encoded(frame: pd.DataFrame, sep: str, decimal: str, header: bool = True) -> Iterator[bytes | memoryview]:
    """The file's bytes, piece by piece (header, then blocks of rows)."""
    if header:
        yield (sep.join(_header_cell(str(c), sep) for c in frame.columns) + "\n").encode("utf-8")
    for start in range(0, len(frame), CHUNK_ROWS):
        yield _encode_rows(frame.iloc[start:start + CHUNK_ROWS], sep, decimal)


def encode_columns(frame: pd.DataFrame, sep: str = ",", decimal: str = ".", end: str = ""):
    """Each row's cells as CSV text joined by ``sep``, followed by ``end`` (Arrow large strings):
    the lines :func:`write_csv` writes with ``end="\\n"``, or a part of them to be joined with
    other parts."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.large_string()
    columns = [_column_text(frame[c], sep, decimal).cast(text) for c in frame.columns]
    if end:  # the end joins the last column alone: the whole line is copied once
        columns[-1] = pc.binary_join_element_wise(columns[-1], pa.scalar(end, text), pa.scalar("", text))
    joined = pc.binary_join_element_wise(*columns, pa.scalar(sep, text)) if len(columns) > 1 else columns[0]
    return joined.combine_chunks() if isinstance(joined, pa.ChunkedArray) else joined


def lines_bytes(lines) -> memoryview:
    """The bytes of Arrow large strings laid end to end (lines that end with their ``\\n``)."""
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64, count=len(lines) + 1, offset=lines.offset * 8)
    return memoryview(lines.buffers()[2])[offsets[0]:offsets[-1]]


def _encode_rows(frame: pd.DataFrame, sep: str, decimal: str) -> memoryview:
    return lines_bytes(encode_columns(frame, sep, decimal, end="\n"))


def _header_cell(name: str, sep: str) -> str:
    if any(ch in name for ch in (sep, '"', "\n", "\r")):
        return '"' + name.replace('"', '""') + '"'
    return name


def write_csv_blocks(blocks: Iterable[pd.DataFrame], path: str | Path, *, sep: str = ",",
                     decimal: str = ".", bom: bool = False) -> Path:  # fmt: skip
    """Write frames with the same columns one after the other as one CSV file (UTF-8, after a
    byte-order mark with ``bom``), the bytes of :func:`write_csv` of their concatenation; only
    one block is held at a time. The header comes from the first block (at least one, possibly
    empty)."""
    with open(path, "wb") as out:
        if bom:
            out.write(b"\xef\xbb\xbf")
        first = True
        for block in blocks:
            for part in _encoded(block, sep, decimal, header=first):
                out.write(part)
            first = False
        if first:
            raise ValueError("no block to write")
    return Path(path)


def write_csv(frame: pd.DataFrame, path: str | Path, *, sep: str = ",", decimal: str = ".",
              encoding: str = "utf-8") -> Path:  # fmt: skip
    """Write ``frame`` as ``frame.to_csv(path, index=False, sep=sep, decimal=decimal,
    encoding=encoding)`` would (``utf-8`` or ``utf-8-sig``), much faster on large frames."""
    if encoding.replace("_", "-").lower() not in ("utf-8", "utf8", "utf-8-sig"):
        frame.to_csv(path, index=False, sep=sep, decimal=decimal, encoding=encoding)
        return Path(path)
    with open(path, "wb") as out:
        if encoding.replace("_", "-").lower() == "utf-8-sig":
            out.write(b"\xef\xbb\xbf")
        for part in _encoded(frame, sep, decimal):
            out.write(part)
    return Path(path)
