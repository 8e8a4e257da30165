"""Pipeline (officers): synergies by stage, stage changes (abandoned needs a reason), audit log."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from symbiose import db
from symbiose.domain import Network, Stage
from symbiose.errors import SymbioseError
from symbiose.ui import common
from symbiose.units import BASE_PER_UNIT

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
            "id": y.id, "stage": str(y.stage),
            "supplier": names.get(stream.company_id, "") if stream else "",
            "stream": f"{y.stream_id} {stream.description if stream else ''}".strip(),
            "receiver": names.get(need.company_id, "") if need else "",
            "need": f"{y.need_id} {need.description if need else ''}".strip(),
            "quantity": None if y.quantity_base is None else y.quantity_base / BASE_PER_UNIT,
            "unit": str(stream.unit) if stream else "",
            "abandoned_reason": y.abandoned_reason, "created_on": y.created_on,
            "updated_on": y.updated_on, "notes": y.notes,
        })  # fmt: skip
    return pd.DataFrame(rows, columns=["id", "stage", "supplier", "stream", "receiver", "need", "quantity",
                                       "unit", "abandoned_reason", "created_on", "updated_on", "notes"])  # fmt: skip


def change_stage(net: Network) -> None:
    if not net.synergies:
        st.caption("No synergy is followed yet: start one from the Partners page.")
        return
    labels = {y.id: f"{y.id} ({y.stage}): {y.stream_id} -> {y.need_id}" for y in net.synergies}
    with st.form("stage_form"):
        synergy_id = st.selectbox("Synergy", list(labels), format_func=labels.get, key="stage_synergy")
        stage = st.selectbox("New stage", [s.value for s in Stage], key="stage_new",
                             format_func=lambda v: STAGE_LABELS[Stage(v)])  # fmt: skip
        reason = st.text_input("Reason (required when abandoned)", key="stage_reason")
        submitted = st.form_submit_button("Change the stage", type="primary")
    if submitted:
        try:
            with common.transaction() as s:
                synergy = db.set_synergy_stage(s, synergy_id, stage, reason=reason, actor=common.actor())
        except SymbioseError as exc:
            common.show_problems(exc)
        else:
            st.session_state["pipeline_flash"] = f"Synergy {synergy.id} is now {STAGE_LABELS[Stage(synergy.stage)]}."
            st.rerun()


def audit_frame(limit: int = 500) -> pd.DataFrame:
    with common.session() as s:
        entries = db.audit_entries(s, limit=limit)
    return pd.DataFrame([{
        "when": e.occurred_at, "who": e.actor, "action": e.action, "entity": e.entity,
        "id": e.entity_id, "detail": json.dumps(e.detail, ensure_ascii=False, default=str),
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
            col.metric(STAGE_LABELS[stage], int((frame["stage"] == stage.value).sum()))
        chosen = st.multiselect("Stages shown", [s.value for s in Stage], default=[s.value for s in Stage],
                                format_func=lambda v: STAGE_LABELS[Stage(v)], key="pipeline_stages")  # fmt: skip
        st.dataframe(frame[frame["stage"].isin(chosen)], hide_index=True)
        st.subheader("Change a stage")
        change_stage(net)
        st.subheader("Audit log")
        st.dataframe(audit_frame(), hide_index=True)
