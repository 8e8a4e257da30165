"""The synergy pipeline as a state machine, and the matcher's rules for a followed synergy.

Moves between stages::

    suggested -> contacted -> in_discussion -> implemented     forward (a stage may be skipped:
                                                               a deal concluded outside the tool)
    any stage -> abandoned                                      with a reason
    a later stage -> an earlier one                             "back": a confirmation and a reason
    abandoned -> any other stage                                "reopen": only explicitly, with a
                                                                reason; why it was abandoned
                                                                stays in the stage history

An implemented synergy obeys every rule of the matcher, since the solver keeps it as it is:

* the stream and the need belong to two different companies;
* their units can be compared (the same unit, or t and m3 at a density of 1);
* a hazardous waste code (``*``) goes only to a need whose company holds a hazardous-waste permit;
* the stream and the need share at least one month, and the quantity fits in what they hold in
  their common months (the solver spreads a yearly quantity evenly over a record's months);
* with the other implemented synergies of the same stream or need, it fits in their totals.

At the earlier stages the partners may still be arranging a permit or storage, so only the
quantity is checked: when given, it fits in the stream and in the need.

>>> move_kind(Stage.SUGGESTED, Stage.IMPLEMENTED)
<Move.FORWARD: 'forward'>
>>> move_kind(Stage.IMPLEMENTED, Stage.CONTACTED)
<Move.BACK: 'back'>
"""

from __future__ import annotations

from enum import StrEnum

from symbiose.domain import Need, Stage, Stream, Synergy
from symbiose.i18n import _, fmt_number
from symbiose.units import BASE_PER_UNIT, Unit

ORDER = (Stage.SUGGESTED, Stage.CONTACTED, Stage.IN_DISCUSSION, Stage.IMPLEMENTED)
_RANK = {stage: i for i, stage in enumerate(ORDER)}


class Move(StrEnum):
    SAME = "same"
    FORWARD = "forward"
    BACK = "back"
    ABANDON = "abandon"
    REOPEN = "reopen"


def move_kind(old: Stage | str, new: Stage | str) -> Move:
    """What kind of move ``old -> new`` is."""
    old, new = Stage(old), Stage(new)
    if old is new:
        return Move.SAME
    if new is Stage.ABANDONED:
        return Move.ABANDON
    if old is Stage.ABANDONED:
        return Move.REOPEN
    return Move.FORWARD if _RANK[new] > _RANK[old] else Move.BACK


def move_problem(
    synergy_id: str,
    old: Stage | str,
    new: Stage | str,
    *,
    reason: str = "",
    back: bool = False,
    reopen: bool = False,
    controls: tuple[str, str] | None = None,
) -> str | None:
    """Why the move ``old -> new`` is refused, or None when it is allowed. ``controls``: the
    labels of a form's reason field and confirmation box, named instead of the command line's
    options."""
    from symbiose.labels import stage_label

    kind = move_kind(old, new)
    values = {"id": synergy_id, "old": stage_label(Stage(old)), "new": stage_label(Stage(new))}
    if controls is not None:
        values.update(reason_field=controls[0], confirm_field=controls[1])
    if kind is Move.SAME:
        return _("synergy {id} is already at stage {old}").format(**values)
    if kind is Move.ABANDON and not reason.strip():
        if controls is not None:
            return _("synergy {id}: say why it is abandoned (a reason is required: fill in '{reason_field}')").format(
                **values)  # fmt: skip
        return _("synergy {id}: say why it is abandoned (a reason is required; command line: --reason)").format(**values)
    if kind is Move.BACK and not (back and reason.strip()):
        if controls is not None:
            return _(
                "synergy {id}: going back from {old} to {new} needs a confirmation and a reason (tick "
                "'{confirm_field}' and fill in '{reason_field}')"
            ).format(**values)  # fmt: skip
        return _(
            "synergy {id}: going back from {old} to {new} needs a confirmation and a reason "
            "(command line: --back --reason \"...\")"
        ).format(**values)
    if kind is Move.REOPEN and not (reopen and reason.strip()):
        if controls is not None:
            return _(
                "synergy {id} is abandoned: reopening it to {new} must be asked explicitly, with a "
                "reason (tick '{confirm_field}' and fill in '{reason_field}'); why it was abandoned "
                "stays in its history"
            ).format(**values)  # fmt: skip
        return _(
            "synergy {id} is abandoned: reopening it to {new} must be asked explicitly, with a "
            "reason (command line: --reopen --reason \"...\"); why it was abandoned stays in its "
            "history"
        ).format(**values)
    return None


def allowed_moves(old: Stage | str) -> dict[Stage, Move]:
    """Every stage a synergy at ``old`` may move to, with the kind of move."""
    return {s: move_kind(old, s) for s in Stage if s is not Stage(old)}


# --------------------------------------------------------------------------------------------
# the matcher's rules


def month_share(quantity_base: int, months: tuple[int, ...], common: set[int]) -> int:
    """What a yearly quantity holds in the months ``common``, spread like the solver spreads it
    (evenly over the record's months, the remainder to the first ones)."""
    active = sorted(months) if months else list(range(1, 13))
    count = len(active)
    base, remainder = divmod(int(quantity_base), count)
    return sum(base + (1 if rank < remainder else 0) for rank, m in enumerate(active) if m in common)


def _hazardous(code: str) -> bool:
    if not code:
        return False
    from symbiose.reference import ewc_entries

    entry = ewc_entries().get(code)
    return bool(entry and entry.hazardous)


def _approval_needed(code: str, category: str) -> str:
    """The intake approval a receiver of this category needs for this code (intake_approvals.csv)."""
    if not code or not category:
        return ""
    from symbiose.compat import load_knowledge_base

    kb = load_knowledge_base()
    return kb.approval_needed(code, kb.canonical_category(category))


def units_comparable(stream_unit: Unit | str, need_unit: Unit | str, density: float = 1.0) -> bool:
    """The matcher's unit rule: the same unit, or t and m3 when a m3 weighs a tonne."""
    a, b = Unit(stream_unit), Unit(need_unit)
    mass = {Unit.T, Unit.M3}
    return a is b or (density == 1.0 and a in mass and b in mass)


def synergy_problems(
    synergy: Synergy,
    stream: Stream,
    need: Need,
    *,
    stream_committed_base: int = 0,
    need_committed_base: int = 0,
) -> list[str]:
    """Which of the matcher's rules a followed synergy breaks (an empty list when none).

    ``stream_committed_base`` / ``need_committed_base``: what the other implemented synergies of
    the same stream / need already carry. Abandoned synergies break no rule.
    """
    stage = Stage(synergy.stage)
    if stage is Stage.ABANDONED:
        return []
    problems: list[str] = []
    values = {"stream": stream.id, "need": need.id, "company": stream.company_id,
              "su": str(stream.unit), "nu": str(need.unit)}  # fmt: skip
    implemented = stage is Stage.IMPLEMENTED
    if implemented and stream.company_id == need.company_id:
        problems.append(_(
            "same company: stream {stream} and need {need} both belong to company {company}; a "
            "synergy links two companies"
        ).format(**values))  # fmt: skip
    if implemented and not units_comparable(stream.unit, need.unit):
        problems.append(_(
            "units: stream {stream} is counted in {su} and need {need} in {nu}, which cannot be "
            "compared"
        ).format(**values))  # fmt: skip
    if implemented and _hazardous(stream.ewc_code) and not need.hazardous_permit:
        problems.append(_(
            "hazardous waste: stream {stream} is a hazardous waste ({code}) and the company of need "
            "{need} holds no hazardous-waste permit"
        ).format(code=stream.ewc_code, **values))  # fmt: skip
    approval = _approval_needed(stream.ewc_code, need.category)
    if implemented and approval and approval not in need.approvals:
        problems.append(_(
            "approval: stream {stream} ({code}) may go to {category} only at a receiver holding the approval "
            "'{approval}', and need {need} does not state it"
        ).format(code=stream.ewc_code, category=need.category, approval=approval, **values))  # fmt: skip
    common = set(stream.months or range(1, 13)) & set(need.months or range(1, 13))
    if implemented and not common:
        problems.append(_(
            "months: stream {stream} and need {need} have no month in common"
        ).format(**values))  # fmt: skip
    quantity = synergy.quantity_base
    if quantity is None:
        return problems
    unit = str(stream.unit)

    def amount(base: int) -> str:
        return f"{fmt_number(base / BASE_PER_UNIT, 1)} {unit}"

    over = False
    for what, record, committed in (("stream", stream, stream_committed_base),
                                    ("need", need, need_committed_base)):  # fmt: skip
        room = record.quantity_base - (committed if implemented else 0)
        if quantity > room:
            over = True
            label = _("the stream {id}") if what == "stream" else _("the need {id}")
            if implemented and committed:
                problems.append(_(
                    "quantity: {q} per year is more than {record} has left ({room} of {total}, the "
                    "rest already goes to other implemented synergies)"
                ).format(q=amount(quantity), record=label.format(id=record.id), room=amount(max(room, 0)),
                         total=amount(record.quantity_base)))  # fmt: skip
            else:
                problems.append(_(
                    "quantity: {q} per year is more than {record} holds ({total})"
                ).format(q=amount(quantity), record=label.format(id=record.id),
                         total=amount(record.quantity_base)))  # fmt: skip
    if implemented and common and not over:
        room = min(month_share(stream.quantity_base, stream.months, common),
                   month_share(need.quantity_base, need.months, common))  # fmt: skip
        if quantity > room:
            problems.append(_(
                "quantity: {q} per year is more than stream {stream} and need {need} can exchange "
                "in their common months ({room})"
            ).format(q=amount(quantity), room=amount(room), **values))  # fmt: skip
    return problems
