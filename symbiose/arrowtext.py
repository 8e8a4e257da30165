"""Texts of many rows built in Arrow with few passes over their bytes.

The suggestions' reasons and the CSV files are texts of hundreds of thousands of rows. Built a
piece at a time (join two columns, then join the result with a third...), each step copies the
whole growing text; here a sentence is first described as its pieces, each present on some
rows, and its bytes are written once (:meth:`Pieces.text`). The bytes of a column are also read
directly (:func:`rows_holding`) rather than searched once per character.

>>> import numpy as np
>>> import pyarrow as pa
>>> words = pa.array(["red", "", "blue"], type=pa.large_string())
>>> Pieces.join([Pieces.fill("a {w} car", w=words), Pieces.where(np.array([True, False, True]), "fast", "")],
...             ", ").text().to_pylist()
['a red car, fast', 'a  car', 'a blue car, fast']
>>> rows_holding(pa.array(['a "b"', "c", "d,e"], type=pa.large_string()), '",').tolist()
[True, False, True]
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np


def _large(array):
    import pyarrow as pa

    array = array.cast(pa.large_string())
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _offsets(array) -> np.ndarray:
    """The ``len + 1`` offsets of a large string array into its data buffer."""
    return np.frombuffer(array.buffers()[1], dtype=np.int64, count=len(array) + 1, offset=array.offset * 8)


def _data(array) -> np.ndarray:
    """The bytes of a large string array's data buffer (empty when it has none)."""
    buffer = array.buffers()[2]
    return np.zeros(0, dtype=np.uint8) if buffer is None else np.frombuffer(buffer, dtype=np.uint8)


def repeated(mask: np.ndarray, literal: str):
    """Arrow large strings: ``literal`` on the rows of ``mask``, empty on the others."""
    import pyarrow as pa

    mask = np.asarray(mask, dtype=bool)
    word = literal.encode("utf-8")
    offsets = np.zeros(len(mask) + 1, dtype=np.int64)
    np.cumsum(mask, out=offsets[1:])
    count = int(offsets[-1])
    offsets *= len(word)
    return pa.Array.from_buffers(pa.large_string(), len(mask),
                                 [None, pa.py_buffer(offsets), pa.py_buffer(word * count)])  # fmt: skip


def rows_starting(text, chars: str) -> np.ndarray:
    """Per row of Arrow strings, whether it starts with one of ``chars`` (ASCII characters):
    read from the first byte of each row."""
    text = _large(text)
    offsets = _offsets(text)
    codes = [ord(c) for c in chars]
    if max(codes, default=0) > 127:
        raise ValueError(f"not ASCII characters: {chars!r}")
    full = offsets[1:] > offsets[:-1]
    out = np.zeros(len(text), dtype=bool)
    out[full] = np.isin(_data(text)[offsets[:-1][full]], codes)
    if text.null_count:
        out &= text.is_valid().to_numpy(zero_copy_only=False)
    return out


def rows_holding(text, chars: str) -> np.ndarray:
    """Per row of Arrow strings, whether it holds one of ``chars`` (ASCII characters, which
    in UTF-8 are never a byte of another character): read from the bytes, one pass each."""
    text = _large(text)
    offsets = _offsets(text)
    data = _data(text)[offsets[0]:offsets[-1]]
    found = np.zeros(len(data), dtype=bool)
    for char in chars:
        if ord(char) > 127:
            raise ValueError(f"not an ASCII character: {char!r}")
        found |= data == ord(char)
    out = np.zeros(len(text), dtype=bool)
    full = np.flatnonzero(offsets[1:] > offsets[:-1])
    if len(full):
        # the bytes of the non-empty rows follow one another: one reduction per row
        out[full] = np.logical_or.reduceat(found, offsets[full] - offsets[0])
    if text.null_count:
        out &= text.is_valid().to_numpy(zero_copy_only=False)
    return out


@dataclass(frozen=True)
class Pieces:
    """A text per row, kept as its pieces until :meth:`text` writes it. Each piece is a literal
    or Arrow strings, present on the rows of its mask (``None``: on every row)."""

    size: int
    parts: tuple[tuple[object, np.ndarray | None], ...]

    @staticmethod
    def of(value, size: int) -> Pieces:
        """Pieces from a literal, Arrow strings or pieces."""
        if isinstance(value, Pieces):
            return value
        if isinstance(value, str):
            return Pieces(size, ((value, None),) if value else ())
        return Pieces(size, ((_large(value), None),))

    @staticmethod
    def concat(items: Sequence, size: int | None = None) -> Pieces:
        """The texts of ``items`` (literals, Arrow strings or pieces) one after the other."""
        if size is None:
            size = next(len(x) if not isinstance(x, Pieces) else x.size for x in items if not isinstance(x, str))
        return Pieces(size, tuple(p for x in items for p in Pieces.of(x, size).parts))

    @staticmethod
    def fill(template: str, size: int | None = None, **values) -> Pieces:
        """``template.format(**values)`` on every row: each value a literal, Arrow strings or
        pieces; the template's placeholders take no format spec (values come formatted)."""
        items = []
        for literal, field, _spec, _conversion in string.Formatter().parse(template):
            items.append(literal)
            if field is not None:
                items.append(values[field])
        return Pieces.concat(items, size)

    @staticmethod
    def where(condition: np.ndarray, chosen, other, size: int | None = None) -> Pieces:
        """Row by row, ``chosen`` where the condition holds, else ``other``."""
        condition = np.asarray(condition, dtype=bool)
        size = len(condition) if size is None else size
        return Pieces(size, Pieces.of(chosen, size)._only(condition).parts + Pieces.of(other, size)._only(~condition).parts)

    @staticmethod
    def join(parts: Sequence, separator: str = "; ") -> Pieces:
        """Row by row, the non-empty parts joined by ``separator``."""
        size = next(len(x) if not isinstance(x, Pieces) else x.size for x in parts if not isinstance(x, str))
        parts = [Pieces.of(x, size) for x in parts]
        out: list = []
        seen = np.zeros(size, dtype=bool)
        for i, part in enumerate(parts):
            full = part.nonempty()
            if i and separator:
                out.append((separator, full & seen))
            out.extend(part.parts)
            seen |= full
        return Pieces(size, tuple(p for p in out if p[1] is None or p[1].any()))

    def _only(self, rows: np.ndarray) -> Pieces:
        """These pieces on ``rows`` only."""
        if rows.all():
            return self
        if not rows.any():
            return Pieces(self.size, ())
        return Pieces(self.size, tuple((v, rows if m is None else m & rows) for v, m in self.parts))

    def nonempty(self) -> np.ndarray:
        """Per row, whether its text is not empty."""
        import pyarrow.compute as pc

        out = np.zeros(self.size, dtype=bool)
        for value, mask in self.parts:
            if isinstance(value, str):
                full = True
            else:
                full = pc.binary_length(value).to_numpy(zero_copy_only=False) > 0
            out |= full if mask is None else (full & mask)
        return out

    def text(self):
        """The texts as Arrow large strings, written in one pass (a row is missing where a
        piece present on it is missing)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        pieces, missing = [], None
        for value, mask in _collapsed(self.parts, self.size):
            if isinstance(value, str):
                pieces.append(pa.scalar(value, pa.large_string()) if mask is None else repeated(mask, value))
                continue
            if value.null_count:
                gone = ~value.is_valid().to_numpy(zero_copy_only=False)
                gone = gone if mask is None else gone & mask
                missing = gone if missing is None else missing | gone
            pieces.append(value if mask is None else _masked(value, mask))
        if all(isinstance(p, pa.Scalar) for p in pieces):  # the same text on every row
            return repeated(np.ones(self.size, dtype=bool), "".join(p.as_py() for p in pieces))
        out = pc.binary_join_element_wise(*pieces, pa.scalar("", pa.large_string()), null_handling="replace",
                                          null_replacement="")  # fmt: skip
        if missing is not None and missing.any():
            out = pc.if_else(pa.array(missing), pa.scalar(None, pa.large_string()), out)
        return out


def _collapsed(parts: Iterable[tuple[object, np.ndarray | None]], size: int) -> list[tuple[object, np.ndarray | None]]:
    """The pieces with each run of adjacent literals as one piece: a literal when all of them are
    on every row, else Arrow strings (the run's text of each distinct pattern of literals
    present, taken by pattern). A join costs about the same per piece and row, whatever its length."""
    out: list = []
    run: list = []

    def close() -> None:
        if all(mask is None for _value, mask in run):
            out.append(("".join(value for value, _mask in run), None))
        elif len(run) == 1:
            out.append(run[0])
        else:
            out.append((_run_text(run, size), None))
        run.clear()

    for value, mask in parts:
        if isinstance(value, str):
            run.append((value, mask))
            if len(run) == 62:  # the patterns are bits of an int64
                close()
            continue
        if run:
            close()
        out.append((value, mask))
    if run:
        close()
    return out


def _run_text(run: list[tuple[str, np.ndarray | None]], size: int):
    """Row by row, the literals of ``run`` present on the row, one after the other."""
    import pyarrow as pa

    code = np.zeros(size, dtype=np.int64)
    for bit, (_value, mask) in enumerate(run):
        code |= (np.ones(size, dtype=np.int64) if mask is None else mask.astype(np.int64)) << bit
    if len(run) <= 16:  # the patterns present, found by counting
        patterns = np.flatnonzero(np.bincount(code, minlength=1 << len(run)))
        number = np.zeros(1 << len(run), dtype=np.int64)
        number[patterns] = np.arange(len(patterns))
        at = number[code]
    else:
        patterns, at = np.unique(code, return_inverse=True)
    texts = ["".join(value for bit, (value, _mask) in enumerate(run) if pattern >> bit & 1)
             for pattern in patterns.tolist()]  # fmt: skip
    return pa.array(texts, type=pa.large_string()).take(pa.array(at.astype(np.int64)))


def _masked(array, mask: np.ndarray):
    """Arrow strings missing off the rows of ``mask`` (their bytes not copied)."""
    import pyarrow as pa

    if array.offset:
        array = pa.concat_arrays([array])
    valid = mask if not array.null_count else mask & array.is_valid().to_numpy(zero_copy_only=False)
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(array.type, len(array), [bitmap, *array.buffers()[1:]])
