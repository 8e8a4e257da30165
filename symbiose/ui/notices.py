"""Notifications: new interests, interests withdrawn, mutual interests, declines and stage changes,
newest first.

A company reads its own; an officer reads the officers' (and, like the open demo mode, may pick a
company to read its list). The sidebar shows the number of unread ones (:func:`badge`).
"""

from __future__ import annotations

import streamlit as st

from symbiose.db import notifications
from symbiose.domain import Role
from symbiose.i18n import _, fmt_datetime, ngettext
from symbiose.notify import notice_text
from symbiose.ui import common

KINDS = {"interest": ":material/favorite:", "mutual": ":material/handshake:", "declined": ":material/block:",
         "stage": ":material/timeline:", "withdrawn": ":material/undo:"}  # fmt: skip


def recipient() -> tuple[str | None, str | None]:
    """(company_id, role) whose notices the current visitor reads."""
    user = common.current_user()
    if user is not None and user.role == Role.COMPANY:
        return user.company_id, None
    if user is not None and user.role == Role.OFFICER or common.open_mode():
        return None, notifications.OFFICER
    return None, None


def unread() -> int:
    company_id, role = recipient()
    if company_id is None and role is None:
        return 0
    with common.session() as s:
        return notifications.unread_count(s, company_id=company_id, role=role)


def badge() -> None:
    """The unread count in the sidebar."""
    try:
        n = unread()
    except Exception:  # noqa: BLE001 - a sidebar badge must never stop a page (database not ready yet)
        return
    if n:
        st.sidebar.badge(ngettext("{n} unread notification", "{n} unread notifications", n).format(n=n),
                         icon=":material/notifications:", color="red")  # fmt: skip


def page() -> None:
    st.title(_("Notifications"))
    company_id, role = recipient()
    if company_id is None and role is None:
        st.info(_("Notifications are for companies and officers."))
        return
    names: dict[str, str] = {}
    if role == notifications.OFFICER:
        net = common.network()
        names = {c.id: c.name for c in net.companies}
        choice = st.selectbox(_("Notifications to show"), ["", *names], key="notices_for",
                              format_func=lambda c: _("the officers' ones") if not c else _("those of {company}").format(
                                  company=f"{c} {names[c]}"))  # fmt: skip
        if choice:
            company_id, role = choice, None
    with common.session() as s:
        items = notifications.notices(s, company_id=company_id, role=role)
    unread_items = [n for n in items if n.unread]
    st.caption(ngettext("{n} unread, {total} in all.", "{n} unread, {total} in all.", len(unread_items)).format(
        n=len(unread_items), total=len(items)))  # fmt: skip
    if unread_items and st.button(_("Mark all as read"), key="notices_read"):
        with common.transaction() as s:
            notifications.mark_read(s, company_id=company_id, role=role)
        st.rerun()
    if not items:
        st.caption(_("Nothing yet."))
    for notice in items:
        text = notice_text(notice, for_officer=notice.role == notifications.OFFICER, names=names)
        mark = "**" if notice.unread else ""
        st.markdown(f"{KINDS.get(notice.kind, '')} {fmt_datetime(notice.created_at)} · {mark}{text}{mark}")
