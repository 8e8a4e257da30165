"""Local resources catalogue (every role; the only page of a researcher) and the officer's
list of sample requests. See :mod:`symbiose.catalogue` for what is shown and how it stays
anonymous."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from symbiose import db
from symbiose.catalogue import (
    Catalogue,
    anonymity_k,
    build_catalogue,
    months_text,
    public_frame,
    search,
    to_csv,
    to_xlsx,
    withheld_text,
)
from symbiose.domain import Role
from symbiose.errors import SymbioseError
from symbiose.i18n import _, fmt_datetime, get_language, ngettext
from symbiose.ui import common


@st.cache_resource(max_entries=4, show_spinner=False)
def _catalogue(url: str, version: tuple, k: int, language: str) -> Catalogue:
    from symbiose.i18n import language as in_language

    with in_language(language):
        return build_catalogue(common._network(url, version), k=k)


def catalogue() -> Catalogue:
    """The catalogue of the stored network (cached until the data changes)."""
    return _catalogue(db.database_url(), common.data_version(), anonymity_k(), get_language())


def _request_form(shown: pd.DataFrame) -> None:
    st.subheader(_("Ask for a sample"))
    if shown.empty:
        st.caption(_("No resource matches the search."))
        return
    st.caption(_("Your request reaches the environment officer of the network, who decides "
                 "whether to introduce you to the producer."))  # fmt: skip
    labels = {r.key: f"{r.code} {r.label} ({r.zone})".strip() for r in shown.itertuples()}
    user = common.current_user()
    with st.form("sample_form"):
        key = st.selectbox(_("Resource"), list(labels), format_func=labels.get, key="sample_item")
        requester = st.text_input(_("Your name"), value=user.username if user else "", key="sample_name")
        organisation = st.text_input(_("Organisation (laboratory, company)"), key="sample_org")
        email = st.text_input(_("E-mail"), key="sample_email")
        message = st.text_area(_("What you want to test, and how much you need"), key="sample_message")
        submitted = st.form_submit_button(_("Send the request"), type="primary")
    if submitted:
        try:
            with common.transaction() as s:
                request = db.create_sample_request(
                    s, item_key=key, item_label=labels.get(key, ""), requester=requester,
                    organisation=organisation, email=email, message=message, actor=common.actor())  # fmt: skip
        except SymbioseError as exc:
            common.show_problems(exc)
        else:
            st.success(_("Request {id} sent to the officer. You will be contacted at {email}.").format(
                id=request.id, email=request.email))  # fmt: skip


def page() -> None:
    st.title(_("Local resources catalogue"))
    st.caption(_("What the territory's companies have available: wastes and by-products to test "
                 "or to use. No company is named: quantities are bands, places are the commune "
                 "or a wider area holding at least {k} producers.").format(k=anonymity_k()))  # fmt: skip
    with common.shows_errors():
        cat = catalogue()
        frame = cat.frame
        text = st.text_input(_("Search (material, code, place)"), key="catalogue_search")
        cols = st.columns(4)
        families = cols[0].multiselect(_("Family"), sorted(frame["family"].unique()), key="catalogue_families", placeholder=_("Choose options"), select_all=False)
        zones = cols[1].multiselect(_("Zone"), sorted(frame["zone"].unique()), key="catalogue_zones", placeholder=_("Choose options"), select_all=False)
        states = cols[2].multiselect(_("Physical state"), sorted({s for v in frame["state"] for s in v.split(", ")}),
                                     key="catalogue_states", placeholder=_("Choose options"), select_all=False)  # fmt: skip
        months = cols[3].multiselect(_("Available in"), list(range(1, 13)), key="catalogue_months",
                                     format_func=lambda m: months_text((m,)), placeholder=_("Choose options"), select_all=False)  # fmt: skip
        shown = search(frame, text, families=families, zones=zones, states=states, months=months)
        st.caption(ngettext("{n} of {total} resource shown.", "{n} of {total} resources shown.",
                            len(shown)).format(n=len(shown), total=len(frame)))  # fmt: skip
        table = public_frame(Catalogue(shown, k=cat.k))
        st.dataframe(table, hide_index=True, key="catalogue_table")
        if cat.withheld:
            st.caption(withheld_text(cat.withheld))
        cols = st.columns(2)
        cols[0].download_button(_("Download (CSV)"), to_csv(table), file_name=_("local_resources") + ".csv",
                                mime="text/csv", key="catalogue_csv")  # fmt: skip
        cols[1].download_button(_("Download (Excel)"), to_xlsx(table), file_name=_("local_resources") + ".xlsx",
                                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                key="catalogue_xlsx")  # fmt: skip
        _request_form(shown)



def _status(value: str) -> str:
    return {"new": _("new"), "introduced": _("introduced"), "declined": _("declined")}.get(value, value)


def requests_page() -> None:
    """Officer: the sample requests, the producers behind each, and the decision."""
    st.title(_("Sample requests"))
    if common.role() is not Role.OFFICER and not common.open_mode():
        st.error(_("This page is for the network's officers."))
        return
    with common.shows_errors():
        with common.session() as s:
            requests = db.list_sample_requests(s)
        if not requests:
            st.info(_("No sample request yet: they come from the local resources catalogue."))
            return
        st.dataframe(pd.DataFrame([{
            _("id"): r.id, _("received"): fmt_datetime(r.created_at), _("status"): _status(r.status),
            _("resource"): r.item_label, _("from"): r.requester, _("organisation"): r.organisation,
            _("e-mail"): r.email, _("message"): r.message,
        } for r in requests]), hide_index=True, key="requests_table")  # fmt: skip
        labels = {r.id: f"{r.id}: {r.item_label} ({r.requester}, {_status(r.status)})" for r in requests}
        chosen_id = st.selectbox(_("Request"), list(labels), format_func=labels.get, key="request_pick")
        chosen = next(r for r in requests if r.id == chosen_id)
        net = common.network()
        stream_ids = set(catalogue().stream_ids(chosen.item_key))
        companies = {c.id: c for c in net.companies}
        producers = [(s.id, companies[s.company_id]) for s in net.streams
                     if s.id in stream_ids and s.company_id in companies]  # fmt: skip
        if producers:
            st.markdown(_("Producers behind this resource (for the officer only):"))
            for stream_id, company in producers:
                contact = ", ".join(v for v in (company.contact_name, company.contact_email, company.contact_phone) if v)
                st.markdown(f"- **{company.name}** ({company.commune}), {stream_id}" + (f": {contact}" if contact else ""))
        else:
            st.warning(_("The resource is no longer in the catalogue (its streams changed)."))
        if chosen.status != "new":
            st.caption(_("Decided by {who} on {when}: {status}. {note}").format(
                who=chosen.decided_by, when=fmt_datetime(chosen.decided_at), status=_status(chosen.status),
                note=chosen.decision_note))  # fmt: skip
        with st.form("decide_form"):
            decision = st.radio(_("Decision"), ["introduced", "declined"], format_func=_status,
                                key="request_decision", horizontal=True)  # fmt: skip
            note = st.text_input(_("Note (required to decline)"), key="request_note")
            submitted = st.form_submit_button(_("Record the decision"), type="primary")
        if submitted:
            try:
                with common.transaction() as s:
                    db.decide_sample_request(s, chosen.id, decision, note=note, actor=common.actor())
            except SymbioseError as exc:
                common.show_problems(exc)
            else:
                st.success(_("Request {id}: {status}.").format(id=chosen.id, status=_status(decision)))
