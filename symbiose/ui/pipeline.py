"""Pipeline (officers): synergies by stage, allowed stage moves, each synergy's stage history,
the audit log."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from symbiose import db
from symbiose.db.concurrency import changed_since_error
from symbiose.domain import Network, Stage, Synergy
from symbiose.errors import ConcurrentEditError, SymbioseError
from symbiose.i18n import N_, _, fmt_input_number, fmt_list, local_time, parse_input_number
from symbiose.stages import Move, allowed_moves
from symbiose.ui import blind, common
from symbiose.units import BASE_PER_UNIT, to_base

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

STAGE_LABELS = {
    Stage.SUGGESTED: N_("Suggested"), Stage.CONTACTED: N_("Contacted"), Stage.IN_DISCUSSION: N_("In discussion"),
    Stage.IMPLEMENTED: N_("Implemented"), Stage.ABANDONED: N_("Abandoned"),
}  # fmt: skip


def stage_name(stage) -> str:
    """A stage as the page names it, in the current language: ``En discussion``."""
    return _(STAGE_LABELS[Stage(stage)])


def synergy_frame(net: Network) -> pd.DataFrame:
    streams = {s.id: s for s in net.streams}
    needs = {n.id: n for n in net.needs}
    names = {c.id: c.name for c in net.companies}
    rows = []
    for y in net.synergies:
        stream, need = streams.get(y.stream_id), needs.get(y.need_id)
        rows.append({
            "id": y.id, "stage": stage_name(y.stage),
            "supplier": names.get(stream.company_id, "") if stream else "",
            "stream": (stream.description or y.stream_id) if stream else y.stream_id,
            "receiver": names.get(need.company_id, "") if need else "",
            "need": (need.description or y.need_id) if need else y.need_id,
            "quantity": None if y.quantity_base is None else y.quantity_base / BASE_PER_UNIT,
            "unit": str(stream.unit) if stream else "",
            "abandoned_reason": y.abandoned_reason, "created_on": y.created_on,
            "updated_on": y.updated_on, "notes": y.notes,
        })  # fmt: skip
    return pd.DataFrame(rows, columns=["id", "stage", "supplier", "stream", "receiver", "need", "quantity",
                                       "unit", "abandoned_reason", "created_on", "updated_on", "notes"])  # fmt: skip


def synergy_columns() -> dict:
    """Column labels of the synergies table, in the current language."""
    return {
        "id": st.column_config.TextColumn(_("id"), width="small"),
        "stage": st.column_config.TextColumn(_("stage")),
        "supplier": st.column_config.TextColumn(_("supplier"), width="medium"),
        "stream": st.column_config.TextColumn(_("what"), width="medium", help=_("the supplier's stream")),
        "receiver": st.column_config.TextColumn(_("receiver"), width="medium"),
        "need": st.column_config.TextColumn(_("for"), width="medium", help=_("the receiver's need")),
        "quantity": common.number(_("quantity (/yr)"), help=_("agreed or planned, per year")),
        "unit": st.column_config.TextColumn(_("unit"), width="small"),
        "abandoned_reason": _("reason abandoned"),
        "created_on": st.column_config.DateColumn(_("created"), format="DD/MM/YYYY"),
        "updated_on": st.column_config.DateColumn(_("last change"), format="DD/MM/YYYY"),
        "notes": _("notes"),
    }  # fmt: skip


#: What each kind of move asks, as the caption above the form says it (only the kinds allowed
#: from the synergy's stage: nothing is forward from implemented or abandoned)
MOVE_RULES = {
    Move.FORWARD: N_("forward freely"),
    Move.ABANDON: N_("abandoning needs a reason"),
    Move.REOPEN: N_("reopening needs a confirmation and a reason"),
    Move.BACK: N_("going back needs a confirmation and a reason"),
}

MOVE_HELP = {
    Move.FORWARD: N_("forward"),
    Move.BACK: N_("back: confirm and give a reason"),
    Move.ABANDON: N_("abandon: give a reason"),
    Move.REOPEN: N_("reopen: confirm and give a reason"),
}


def _opened_version(synergy_id: str) -> int | None:
    """The version of the synergy read when it was chosen in the form (kept until another one is
    chosen), so that a move based on an old read is refused instead of overwriting another's."""
    kept = st.session_state.get("stage_opened")
    if kept is not None and kept[0] == synergy_id:
        return kept[1]
    with common.session() as s:
        state = db.record_state(s, "synergies", synergy_id)
    if state is None:
        return None
    st.session_state["stage_opened"] = (synergy_id, state.version)
    return state.version


def _changed_since(synergy_id: str) -> str | None:
    """Who changed the synergy last and when, told as the form re-reads it (None when deleted)."""
    with common.session() as s:
        state = db.record_state(s, "synergies", synergy_id)
    if state is None:
        return None
    return str(changed_since_error("synergies", synergy_id, state.updated_by, state.updated_at, message=N_(
        "Synergy {id} was changed by {who} at {time} since you opened it; nothing was saved. The form now shows "
        "it as stored: check it, then make your change again")))  # fmt: skip


def change_stage(net: Network) -> None:
    if not net.synergies:
        st.caption(_("No synergy is followed yet: start one from the Partners page."))
        return
    frame = synergy_frame(net).set_index("id")
    labels = {i: f"{i} ({r.stage}): {r.supplier} -> {r.receiver}, {r.stream}"[:120]
              for i, r in frame.iterrows()}  # fmt: skip
    # The browser shows (and sends back) the label it was given for a choice until the page sets
    # the value: setting the chosen synergy again on every run makes the box show its stage as
    # stored now (after a move, or another officer's), and keeps the next run on that synergy
    # instead of falling back to the first of the list on a label it no longer knows.
    if st.session_state.get("stage_synergy") in labels:
        st.session_state["stage_synergy"] = st.session_state["stage_synergy"]
    synergy_id = st.selectbox(_("Synergy"), list(labels), format_func=labels.get, key="stage_synergy")
    synergy = next(y for y in net.synergies if y.id == synergy_id)
    version = _opened_version(synergy_id)
    # forward moves first, so that the form opens on the next stage, never on a move back; the
    # choice made for another synergy, or for the stage it has just left, is not carried over
    kinds = (Move.FORWARD, Move.ABANDON, Move.REOPEN, Move.BACK)
    moves = dict(sorted(allowed_moves(synergy.stage).items(), key=lambda item: kinds.index(item[1])))
    drawn_for = (synergy_id, str(synergy.stage))
    if st.session_state.get("stage_form_for") != drawn_for:
        _reset_stage_form(next(iter(moves)).value if moves else None)
        st.session_state["stage_form_for"] = drawn_for
    st.caption(_("Allowed moves from {stage}: {moves}.").format(
        stage=stage_name(synergy.stage), moves=fmt_list(_(MOVE_RULES[kind]) for kind in kinds
                                                        if kind in moves.values())))  # fmt: skip
    if refused := st.session_state.pop("stage_refused", None):
        st.error(refused)
    with st.form("stage_form"):
        stage = st.selectbox(_("New stage"), [s.value for s in moves], key="stage_new",
                             format_func=lambda v: f"{stage_name(v)} ({_(MOVE_HELP[moves[Stage(v)]])})")  # fmt: skip
        reason_label = _("Reason (required to abandon, go back or reopen)")
        reason = st.text_input(reason_label, key="stage_reason")
        quantity_label = _("Agreed quantity per year (optional, in the stream's unit)")
        quantity = st.text_input(quantity_label, key="stage_quantity", help=_("a number written like {example}").format(
            example=fmt_input_number("1234.5")))  # fmt: skip
        confirm_label = _("I confirm this move back (or this reopening)")
        confirm = st.checkbox(confirm_label, key="stage_confirm")
        submitted = st.form_submit_button(_("Change the stage"), type="primary")
    if submitted:
        try:
            typed = parse_input_number(quantity)  # 1 234,5 in French, as the record forms read it
        except ValueError as exc:
            st.error(_("**{field}**: {message}").format(field=quantity_label, message=exc))
            return
        quantity_base = to_base(float(typed), "t") if typed else None
        outbox: list = []

        def move(s) -> Synergy:
            old = next(x.stage for x in net.synergies if x.id == synergy_id)
            moved = db.set_synergy_stage(s, synergy_id, stage, reason=reason, actor=common.actor(),
                                         back=confirm, reopen=confirm, quantity_base=quantity_base,
                                         expected_version=version, controls=(reason_label, confirm_label))  # fmt: skip
            blind.notify_stage(s, net, moved, str(old), outbox=outbox, reason=reason)
            return moved

        if (synergy := _saved(synergy_id, "stage_refused", move)) is None:
            return
        problems = blind.mail(outbox, net)
        st.session_state.pop("stage_form_for", None)  # the next run draws an empty form
        st.session_state["pipeline_flash"] = _("Synergy {id} is now {stage}.").format(
            id=synergy.id, stage=stage_name(synergy.stage)) + (
            " " + _("E-mail not sent: {problems}").format(problems=fmt_list(problems)) if problems else "")
        st.rerun()


def _saved(synergy_id: str, refused_key: str, write: Callable[[Session], Synergy]) -> Synergy | None:
    """``write`` in one transaction: the synergy it returns, or None when refused. A synergy
    changed by someone else since this page read it is read again, so that the next press is
    judged on the synergy as the page then shows it (its stage, its moves, its quantity); the
    refusal is shown at ``refused_key`` on that run. Other refusals are shown here."""
    try:
        with common.transaction() as s:
            written = write(s)
    except ConcurrentEditError as exc:
        st.session_state[refused_key] = _changed_since(synergy_id) or str(exc)
        st.session_state.pop("stage_opened", None)
        st.rerun()
    except SymbioseError as exc:
        common.show_problems(exc)
        return None
    st.session_state.pop("stage_opened", None)
    return written


def change_quantity(net: Network) -> None:
    """The recorded (agreed or planned) quantity of the synergy chosen above, changed without a
    stage move: a renegotiated quantity, or one lowered before its stream's or need's is."""
    from decimal import Decimal

    from symbiose.labels import yearly_quantity

    synergy = next((y for y in net.synergies if y.id == st.session_state.get("stage_synergy")), None)
    if synergy is None:
        return
    unit = next((str(x.unit) for x in net.streams if x.id == synergy.stream_id), "t")
    st.markdown("**" + _("Recorded quantity") + "**")
    st.caption(_("The agreed (or planned) quantity per year of synergy {id}, changed without a stage move: a "
                 "renegotiated quantity, or one lowered before its stream's or need's.").format(id=synergy.id))
    # the field opens on the quantity stored, again after a change (this one, or another's)
    drawn_for = (synergy.id, synergy.quantity_base)
    if st.session_state.get("quantity_form_for") != drawn_for:
        st.session_state["synergy_quantity"] = "" if synergy.quantity_base is None else fmt_input_number(
            str(Decimal(synergy.quantity_base) / BASE_PER_UNIT))  # fmt: skip
        st.session_state["quantity_form_for"] = drawn_for
    if refused := st.session_state.pop("quantity_refused", None):
        st.error(refused)
    with st.form("quantity_form"):
        label = _("Recorded quantity per year (in the stream's unit)")
        typed = st.text_input(label, key="synergy_quantity", help=_("a number written like {example}").format(
            example=fmt_input_number("1234.5")))  # fmt: skip
        submitted = st.form_submit_button(_("Save the quantity"))
    if not submitted:
        return
    try:
        number = parse_input_number(typed)  # 1 234,5 in French, as the record forms read it
    except ValueError as exc:
        st.error(_("**{field}**: {message}").format(field=label, message=exc))
        return
    if not number:
        st.error(_("**{field}**: {message}").format(field=label, message=_(
            "give a quantity per year (0 or more, in the stream's unit)")))  # fmt: skip
        return
    version = _opened_version(synergy.id)
    changed = _saved(synergy.id, "quantity_refused", lambda s: db.set_synergy_quantity(
        s, synergy.id, to_base(float(number), "t"), actor=common.actor(), expected_version=version))  # fmt: skip
    if changed is None:
        return
    quantity = yearly_quantity(changed.quantity_base, unit)
    st.session_state["pipeline_flash"] = (
        _("Synergy {id} already records {quantity}; nothing changed") if changed.quantity_base == synergy.quantity_base
        else _("Synergy {id}: recorded quantity now {quantity}.")).format(id=synergy.id, quantity=quantity)  # fmt: skip
    st.rerun()


#: The stage form's fields: what was typed for one move (a quantity, a reason, a confirmation)
#: is never applied to another synergy, nor to the next move of the same one
STAGE_FORM_KEYS = ("stage_new", "stage_reason", "stage_quantity", "stage_confirm")


def _reset_stage_form(first_move: str | None) -> None:
    """Empty the stage form, opened on ``first_move``. The values are set, not removed: a value
    removed from the session is forgotten by the page but not by the browser, which would still
    show (and send) what was chosen or typed before. Called before the form is drawn."""
    defaults = {"stage_new": first_move, "stage_reason": "", "stage_quantity": "", "stage_confirm": False}
    for key in STAGE_FORM_KEYS:
        if defaults[key] is None:
            st.session_state.pop(key, None)
        else:
            st.session_state[key] = defaults[key]


def check_chain() -> None:
    """A button that walks the audit log's hash chain (see :mod:`symbiose.db.audit`)."""
    from symbiose.i18n import _

    if st.button(_("Check the audit chain"), key="audit_verify"):
        with common.session() as s:
            report = db.verify_chain(s)
        (st.success if report.ok else st.error)(report.describe())


def legal_section(net: Network) -> None:
    """The legal path of one synergy and its checklist (see :mod:`symbiose.ui.legal`)."""
    from symbiose.i18n import _
    from symbiose.ui.legal import render_legal_path

    st.subheader(_("Legal path"))
    streams = {s.id: s for s in net.streams}
    needs = {n.id: n for n in net.needs}
    followed = [y for y in net.synergies if y.stream_id in streams and y.need_id in needs]
    if not followed:
        st.caption(_("No synergy is followed yet."))
        return
    labels = {y.id: f"{y.id}: {streams[y.stream_id].description or y.stream_id}"[:100] for y in followed}
    synergy_id = st.selectbox(_("Synergy"), list(labels), format_func=labels.get, key="legal_synergy")
    chosen = next(y for y in followed if y.id == synergy_id)
    render_legal_path(streams[chosen.stream_id], needs[chosen.need_id], synergy_id=chosen.id,
                      editable=True, key="pipeline_legal")  # fmt: skip


def history_frame(synergy_id: str | None = None) -> pd.DataFrame:
    """The stage history: who moved a synergy, when, from which stage to which, why, and the
    quantity it then recorded (a row from a stage to the same one: the quantity changed alone)."""
    with common.session() as s:
        changes = db.stage_history(s, synergy_id)
    columns = [_("synergy"), _("when"), _("who"), _("from"), _("to"), _("reason"), _("quantity (/yr)")]
    return pd.DataFrame([dict(zip(columns, (
        c.synergy_id, local_time(c.occurred_at).replace(tzinfo=None), c.actor, stage_name(c.from_stage) if c.from_stage else _("(created)"),
        stage_name(c.to_stage), c.reason, None if c.quantity_base is None else c.quantity_base / BASE_PER_UNIT),
        strict=True)) for c in reversed(changes)], columns=columns)  # fmt: skip


def stage_history() -> None:
    chosen = st.session_state.get("stage_synergy")
    if not chosen:
        return
    st.caption(_("Every move of synergy {id}, newest first (who, when, from, to, why).").format(id=chosen))
    st.dataframe(history_frame(chosen), hide_index=True, key="history_table", column_config={
        _("quantity (/yr)"): common.number(_("quantity (/yr)"), help=_("agreed or planned, per year")),
        _("when"): st.column_config.DatetimeColumn(_("when"), format="DD/MM/YYYY HH:mm"),
        _("reason"): st.column_config.TextColumn(_("reason"), width="large")})  # fmt: skip


def audit_frame(limit: int = 500) -> pd.DataFrame:
    """The newest audit entries in words: actions, records and details as the forms name them,
    values in the user's units (:mod:`symbiose.db.audit_text`)."""
    from symbiose.db.audit_text import entry_texts

    with common.session() as s:
        entries = db.audit_entries(s, limit=limit)
        words = entry_texts(s, entries)
    columns = [_("when"), _("who"), _("action"), _("entity"), _("id"), _("detail")]
    return pd.DataFrame([dict(zip(columns, (local_time(e.occurred_at).replace(tzinfo=None), e.actor, action, entity,
                                            e.entity_id, detail), strict=True))
                         for e, (action, entity, detail) in zip(entries, words, strict=True)],
                        columns=columns)  # fmt: skip


def page() -> None:
    st.title(_("Pipeline"))
    st.caption(_("Every followed synergy from idea to implementation."))
    if flash := st.session_state.pop("pipeline_flash", None):
        st.success(flash)
    with common.shows_errors():
        net = common.network()
        frame = synergy_frame(net)
        cols = st.columns(len(Stage))
        for col, stage in zip(cols, Stage, strict=True):
            col.metric(stage_name(stage), int((frame["stage"] == stage_name(stage)).sum()))
        chosen = st.multiselect(_("Stages shown"), [s.value for s in Stage], default=[s.value for s in Stage],
                                format_func=stage_name, key="pipeline_stages", placeholder=_("Choose options"), select_all=False)  # fmt: skip
        shown = frame[frame["stage"].isin([stage_name(v) for v in chosen])]
        if frame.empty:
            st.info(_("No synergy is followed yet. Companies start one with 'I'm interested' on the Partners page; "
                      "an officer can also import a synergies sheet."))  # fmt: skip
        else:
            st.dataframe(shown, hide_index=True, key="synergies_table", column_config=synergy_columns())
        st.subheader(_("Change a stage"))
        change_stage(net)
        change_quantity(net)
        legal_section(net)


        st.subheader(_("Stage history"))
        stage_history()
        st.subheader(_("Audit log"))
        st.caption(_("Every change, newest first: imports, record edits, stage changes, interests."))
        check_chain()
        st.dataframe(audit_frame(), hide_index=True, key="audit_table", column_config={
            _("when"): st.column_config.DatetimeColumn(_("when"), format="DD/MM/YYYY HH:mm"),
            _("detail"): st.column_config.TextColumn(_("detail"), width="large")})  # fmt: skip
