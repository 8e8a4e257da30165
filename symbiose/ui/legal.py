"""The legal path of one synergy, shown to the officer (Pipeline) and to the two companies once
they have met (Partners): :func:`render_legal_path`. Self-contained: it needs the stream and the
need, and a synergy id to show (and, for an officer, edit) the stored checklist."""

from __future__ import annotations

import streamlit as st

from symbiose import db
from symbiose.domain import Need, Stream
from symbiose.errors import SymbioseError
from symbiose.i18n import _, fmt_datetime, fmt_list
from symbiose.legal import (
    DISCLAIMER,
    ICPE_HEADINGS,
    PATH_BASIS,
    PATH_LABELS,
    LegalAssessment,
    LegalPath,
    assess_pair,
    checklist,
)
from symbiose.ui import common


def path_label(path: LegalPath | str) -> str:
    return _(PATH_LABELS[LegalPath(path)])


def _assessment_text(assessment: LegalAssessment) -> None:
    if not assessment.applies:
        st.info(_("Energy (heat, steam): waste law does not apply; a supply contract between the "
                  "two companies is enough."))  # fmt: skip
        return
    if not assessment.permit_ok:
        st.error(_("Hazardous waste code (*) toward a receiver without a permit for it: this "
                   "exchange is not allowed until the receiver holds one."))  # fmt: skip
    st.markdown(
        _("**Suggested path: {path}** ({basis}).").format(
            path=path_label(assessment.suggested), basis=_(PATH_BASIS[assessment.suggested])
        )
    )
    for option in assessment.options:
        mark = "✓" if option.possible else "✗"
        with st.expander(f"{mark} {path_label(option.path)}", expanded=option.path is assessment.suggested):
            st.caption(_(PATH_BASIS[option.path]))
            for reason in option.reasons:
                st.markdown(f"- {_(reason)}")
            if option.criteria:
                st.markdown(_("Criteria:"))
                for c in option.criteria:
                    st.markdown(f"- {_(c.reference)}: {_(c.applies_to)}")
            st.markdown(_("What it implies:"))
            for duty in option.obligations:
                st.markdown(f"- {_(duty)}")
    if assessment.icpe_headings:
        headings = fmt_list(_(ICPE_HEADINGS[h]) for h in assessment.icpe_headings if h in ICPE_HEADINGS)
        st.markdown(_("ICPE headings of the receiving site while the material is a waste: "
                      "{headings}.").format(headings=headings))  # fmt: skip
    for rule in assessment.special:
        st.markdown(f"- {_(rule)}")


def _checklist_form(synergy_id: str, assessment: LegalAssessment, key: str) -> None:
    with common.session() as s:
        stored = db.get_legal_check(s, synergy_id)
    paths = [p.value for p in LegalPath]
    default = stored.path if stored else assessment.suggested or LegalPath.WASTE
    path = st.selectbox(_("Path kept for this synergy"), paths, index=paths.index(LegalPath(default).value),
                        format_func=path_label, key=f"{key}_path")  # fmt: skip
    items = checklist(path, hazardous=assessment.hazardous)
    ticked = stored.checks if stored and stored.path.value == path else {}
    with st.form(f"{key}_form"):
        values = {item.id: st.checkbox(_(item.label), value=bool(ticked.get(item.id)),
                                       key=f"{key}_{path}_{item.id}") for item in items}  # fmt: skip
        notes = st.text_area(_("Notes (references of the documents, dates)"),
                             value=stored.notes if stored else "", key=f"{key}_notes")  # fmt: skip
        submitted = st.form_submit_button(_("Save the checklist"), type="primary")
    if submitted:
        try:
            with common.transaction() as s:
                saved = db.save_legal_check(s, synergy_id, path, values, notes=notes, actor=common.actor())
        except SymbioseError as exc:
            common.show_problems(exc)
        else:
            st.success(_("Checklist of {id} saved: {done} of {n} items ticked.").format(
                id=synergy_id, done=saved.done, n=len(items)))  # fmt: skip


def _checklist_view(synergy_id: str, assessment: LegalAssessment) -> None:
    with common.session() as s:
        stored = db.get_legal_check(s, synergy_id)
    if stored is None:
        st.caption(_("The officer has not filled in the checklist of this synergy yet."))
        return
    items = checklist(stored.path, hazardous=assessment.hazardous)
    st.markdown(_("Path kept by the officer: **{path}**, {done} of {n} items ticked "
                  "(updated {when}).").format(path=path_label(stored.path), done=stored.done,
                                             n=len(items), when=fmt_datetime(stored.updated_at)))  # fmt: skip
    for item in items:
        st.markdown(f"- {'☑' if stored.checks.get(item.id) else '☐'} {_(item.label)}")


def render_legal_path(
    stream: Stream,
    need: Need,
    *,
    synergy_id: str | None = None,
    editable: bool = False,
    key: str = "legal",
) -> None:
    """The legal path of ``stream`` toward ``need``; with ``synergy_id``, the stored checklist
    (a form when ``editable``, for officers; read-only otherwise)."""
    assessment = assess_pair(stream, need)
    _assessment_text(assessment)
    if synergy_id and assessment.applies:
        st.markdown(_("**Checklist**"))
        if editable:
            _checklist_form(synergy_id, assessment, key)
        else:
            _checklist_view(synergy_id, assessment)
    st.caption(_(DISCLAIMER))


def render_legal_path_expander(stream: Stream, need: Need, *, synergy_id: str, key: str) -> None:
    """:func:`render_legal_path` folded in an expander, read-only (for the two companies once
    they have met, on the Partners page)."""
    with st.expander(_("Legal path of this exchange")):
        render_legal_path(stream, need, synergy_id=synergy_id, editable=False, key=key)
