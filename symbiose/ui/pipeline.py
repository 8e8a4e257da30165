"""Pipeline (officers): synergies by stage, allowed stage moves, each synergy's stage history,
the audit log."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from symbiose import db
from symbiose.domain import Network, Stage
from symbiose.errors import SymbioseError
from symbiose.i18n import N_, _
from symbiose.stages import Move, allowed_moves
from symbiose.ui import common
from symbiose.units import BASE_PER_UNIT, parse_decimal, to_base

STAGE_LABELS = {
    Stage.SUGGESTED: "Suggested", Stage.CONTACTED: "Contacted", Stage.IN_DISCUSSION: "In discussion",
    Stage.IMPLEMENTED: "Implemented", Stage.ABANDONED: "Abandoned",
}  # fmt: skip


def synergy_frame(net: Network) -> pd.DataFrame:
    streams = {s.id: s for s in net.streams}
    needs = {n.id: n for n in net.needs}
    names = {c.id: c.name for c in net.companies}
    rows = []
    for y in net.synergies:
        stream, need = streams.get(y.stream_id), needs.get(y.need_id)
        rows.append({
            "id": y.id, "stage": STAGE_LABELS[Stage(y.stage)],
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


SYNERGY_COLUMNS = {
    "id": st.column_config.TextColumn("id", width="small"),
    "stage": st.column_config.TextColumn("stage"),
    "supplier": st.column_config.TextColumn("supplier", width="medium"),
    "stream": st.column_config.TextColumn("what", width="medium", help="the supplier's stream"),
    "receiver": st.column_config.TextColumn("receiver", width="medium"),
    "need": st.column_config.TextColumn("for", width="medium", help="the receiver's need"),
    "quantity": common.number("quantity (/yr)", "localized", help="agreed or planned, per year"),
    "unit": st.column_config.TextColumn("unit", width="small"),
    "abandoned_reason": "reason abandoned",
    "created_on": st.column_config.DateColumn("created"),
    "updated_on": st.column_config.DateColumn("last change"),
    "notes": "notes",
}  # fmt: skip


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


def change_stage(net: Network) -> None:
    if not net.synergies:
        st.caption("No synergy is followed yet: start one from the Partners page.")
        return
    frame = synergy_frame(net).set_index("id")
    labels = {i: f"{i} ({r.stage}): {r.supplier} -> {r.receiver}, {r.stream}"[:120]
              for i, r in frame.iterrows()}  # fmt: skip
    synergy_id = st.selectbox("Synergy", list(labels), format_func=labels.get, key="stage_synergy")
    synergy = next(y for y in net.synergies if y.id == synergy_id)
    version = _opened_version(synergy_id)
    moves = allowed_moves(synergy.stage)
    st.caption(_("Allowed moves from {stage}: forward freely; abandoning needs a reason; going "
                 "back or reopening needs a confirmation and a reason.").format(
                     stage=STAGE_LABELS[Stage(synergy.stage)]))  # fmt: skip
    with st.form("stage_form"):
        stage = st.selectbox("New stage", [s.value for s in moves], key="stage_new",
                             format_func=lambda v: f"{STAGE_LABELS[Stage(v)]} "
                             f"({_(MOVE_HELP[moves[Stage(v)]])})")  # fmt: skip
        reason = st.text_input(_("Reason (required to abandon, go back or reopen)"), key="stage_reason")
        quantity = st.text_input(_("Agreed quantity per year (optional, in the stream's unit)"),
                                 key="stage_quantity")  # fmt: skip
        confirm = st.checkbox(_("I confirm this move back (or this reopening)"), key="stage_confirm")
        submitted = st.form_submit_button("Change the stage", type="primary")
    if submitted:
        try:
            quantity_base = to_base(parse_decimal(quantity), "t") if quantity.strip() else None
        except ValueError as exc:
            st.error(str(exc))
            return
        try:
            with common.transaction() as s:
                synergy = db.set_synergy_stage(s, synergy_id, stage, reason=reason, actor=common.actor(),
                                               back=confirm, reopen=confirm, quantity_base=quantity_base,
                                               expected_version=version)  # fmt: skip
        except SymbioseError as exc:
            common.show_problems(exc)
        else:
            st.session_state.pop("stage_opened", None)
            st.session_state["pipeline_flash"] = f"Synergy {synergy.id} is now {STAGE_LABELS[Stage(synergy.stage)]}."
            st.rerun()


def history_frame(synergy_id: str | None = None) -> pd.DataFrame:
    """The stage history: who moved a synergy, when, from which stage to which, and why."""
    with common.session() as s:
        changes = db.stage_history(s, synergy_id)
    return pd.DataFrame([{
        "synergy": c.synergy_id, "when": c.occurred_at, "who": c.actor,
        "from": STAGE_LABELS[c.from_stage] if c.from_stage else _("(created)"),
        "to": STAGE_LABELS[c.to_stage], "reason": c.reason,
    } for c in reversed(changes)], columns=["synergy", "when", "who", "from", "to", "reason"])  # fmt: skip


def stage_history() -> None:
    chosen = st.session_state.get("stage_synergy")
    if not chosen:
        return
    st.caption(_("Every move of synergy {id}, newest first (who, when, from, to, why).").format(id=chosen))
    st.dataframe(history_frame(chosen), hide_index=True, key="history_table", column_config={
        "when": st.column_config.DatetimeColumn("when", format="DD/MM/YYYY HH:mm"),
        "reason": st.column_config.TextColumn("reason", width="large")})  # fmt: skip


def _detail(detail: dict | None) -> str:
    """An audit detail as words: ``side: supplier · company_id: C001`` (import counts summed)."""
    if not detail:
        return ""
    parts = []
    for key, value in detail.items():
        if isinstance(value, dict) and {"created", "updated"} <= set(value):
            if value["created"] or value["updated"]:
                parts.append(f"{key}: {value['created']} created, {value['updated']} updated")
        elif isinstance(value, dict | list):
            parts.append(f"{key}: {json.dumps(value, ensure_ascii=False, default=str)}")
        else:
            parts.append(f"{key}: {value}")
    return " · ".join(parts)


def audit_frame(limit: int = 500) -> pd.DataFrame:
    with common.session() as s:
        entries = db.audit_entries(s, limit=limit)
    return pd.DataFrame([{
        "when": e.occurred_at, "who": e.actor, "action": e.action, "entity": e.entity,
        "id": e.entity_id, "detail": _detail(e.detail),
    } for e in entries], columns=["when", "who", "action", "entity", "id", "detail"])  # fmt: skip


def page() -> None:
    st.title("Pipeline")
    st.caption("Every followed synergy from idea to implementation.")
    if flash := st.session_state.pop("pipeline_flash", None):
        st.success(flash)
    with common.shows_errors():
        net = common.network()
        frame = synergy_frame(net)
        cols = st.columns(len(Stage))
        for col, stage in zip(cols, Stage, strict=True):
            col.metric(STAGE_LABELS[stage], int((frame["stage"] == STAGE_LABELS[stage]).sum()))
        chosen = st.multiselect("Stages shown", [s.value for s in Stage], default=[s.value for s in Stage],
                                format_func=lambda v: STAGE_LABELS[Stage(v)], key="pipeline_stages")  # fmt: skip
        shown = frame[frame["stage"].isin([STAGE_LABELS[Stage(v)] for v in chosen])]
        if frame.empty:
            st.info("No synergy is followed yet. Companies start one with 'I'm interested' on the "
                    "Partners page; an officer can also import a synergies sheet.")  # fmt: skip
        else:
            st.dataframe(shown, hide_index=True, key="synergies_table", column_config=SYNERGY_COLUMNS)
        st.subheader("Change a stage")
        change_stage(net)
        st.subheader(_("Stage history"))
        stage_history()
        st.subheader("Audit log")
        st.caption("Every change, newest first: imports, record edits, stage changes, interests.")
        st.dataframe(audit_frame(), hide_index=True, key="audit_table", column_config={
            "when": st.column_config.DatetimeColumn("when", format="YYYY-MM-DD HH:mm"),
            "detail": st.column_config.TextColumn("detail", width="large")})  # fmt: skip
