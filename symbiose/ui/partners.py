"""Partners (company view): suggested receivers of each stream and suppliers of each need.

Partner identities are hidden ("Partner #3, wood-energy sector, 12 km") until both sides said
they are interested (see :mod:`symbiose.ui.blind`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from symbiose.domain import Company, Network, Role, format_ewc
from symbiose.errors import SymbioseError
from symbiose.reference import ewc_entries, naf_label
from symbiose.ui import blind, common
from symbiose.units import BASE_PER_UNIT


def _sector(company: Company) -> str:
    label = naf_label(company.naf_code) if company.naf_code else ""
    return label or "sector not stated"


def _kind(item) -> str:
    """What a stream or need is, from its codes only (no free text that could name the company)."""
    code = getattr(item, "ewc_code", "")
    if code:
        entry = ewc_entries().get(code)
        return f"{format_ewc(code)} {entry.description_en}" if entry else format_ewc(code)
    kind = getattr(item, "category", "") or getattr(item, "material", "")
    return common.words(kind) or "unspecified resource"


def _what(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Aliases:
    """Stable "Partner #n" numbers for the partners shown to one company."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}

    def __call__(self, company_id: str) -> int:
        return self.numbers.setdefault(company_id, len(self.numbers) + 1)


def choose_company(net: Network) -> Company | None:
    user = common.current_user()
    if user is not None and user.role == Role.COMPANY:
        try:
            return net.company(user.company_id or "")
        except KeyError:
            st.error(f"Your account names company '{user.company_id}', which is not stored.")
            return None
    ids = [c.id for c in net.companies]
    if not ids:
        st.info("No company is stored yet.")
        return None
    names = {c.id: c.name for c in net.companies}
    chosen = st.selectbox("Company", ids, format_func=lambda c: f"{c} {names[c]}", key="partner_company")
    return net.company(chosen)


def suggestion_block(net: Network, row, *, side: str, me: Company, aliases: Aliases,
                     status: blind.PairStatus, key: str) -> None:  # fmt: skip
    """One suggested partner: identity hidden until both sides are interested."""
    streams = {s.id: s for s in net.streams}
    needs = {n.id: n for n in net.needs}
    partner_id = needs[row.need_id].company_id if side == blind.SUPPLIER else streams[row.stream_id].company_id
    partner = net.company(partner_id)
    their = needs[row.need_id] if side == blind.SUPPLIER else streams[row.stream_id]
    if status.revealed:
        their_what = their.description or _kind(their)
        who = f"**{partner.name}** ({partner.commune})"
        if partner.contact_name or partner.contact_email:
            who += f" · contact {partner.contact_name} {partner.contact_email} {partner.contact_phone}".rstrip()
    else:
        # the partner's own words (free text) could name it: only its code or category until revealed
        their_what = _kind(their)
        who = f"**Partner #{aliases(partner_id)}**, {_sector(partner)}"
    unit = row.unit
    with st.container(border=True):
        st.markdown(f"{row.rank}. {who}, {row.road_km:.0f} km by road — {_what(their_what)}")
        share = f"{row.share_covered:.0%} of {'your stream' if side == blind.SUPPLIER else 'your need'}"
        if status.revealed:
            money = (f"both gain at a price of **{row.price_min_eur:,.0f} to {row.price_max_eur:,.0f} "
                     f"EUR/{unit}** (equal split {row.price_fair_eur:,.2f})")  # fmt: skip
        else:
            # the price range would reveal the partner's costs: only your own side until both agree
            mine_eur = row.supplier_gain_eur if side == blind.SUPPLIER else row.receiver_gain_eur
            money = f"your gain at an equal split: **{mine_eur:,.0f} EUR/yr**"
        st.markdown(
            f"**{row.score:,.0f} EUR/yr** potential net benefit for the pair · "
            f"**{row.quantity:,.1f} {unit}/yr** ({share}) · {money} · "
            f"worth it up to **{row.breakeven_km:,.0f} km**",
            help="Price: what the receiver pays the supplier per unit; a negative price means the "
            "supplier pays the receiver to take it (still cheaper than its current route). "
            "The partner's costs and the price range are shown once both sides are interested. "
            "Break-even: the road distance at which the pair stops being worth it.",
        )  # fmt: skip
        st.caption(f"Why: {row.reason if status.revealed else row.reason_public}")
        mine = status.interested(side)
        theirs = status.interested(blind.RECEIVER if side == blind.SUPPLIER else blind.SUPPLIER)
        if status.revealed and mine and theirs:
            st.success(f"Both sides are interested: synergy {status.synergy_id} "
                       f"({common.words(status.stage)}). The identities are revealed.")  # fmt: skip
        elif status.revealed:
            st.success(f"You are already working with this partner: synergy {status.synergy_id} "
                       f"({common.words(status.stage)}), followed by the network's officer.")  # fmt: skip
        elif mine:
            st.info("You said you are interested; the partner's identity is revealed when they say "
                    "so too.")
        else:
            note = " The partner has already said they are interested." if theirs else ""
            if st.button("I'm interested", key=key, help="Your identity stays hidden until the partner "
                         "is interested too." + note):  # fmt: skip
                try:
                    with common.transaction() as s:
                        new = blind.express_interest(s, net, row.stream_id, row.need_id, side=side,
                                                     company_id=me.id, actor=common.actor(),
                                                     quantity_base=round(row.quantity * BASE_PER_UNIT))  # fmt: skip
                except SymbioseError as exc:
                    common.show_problems(exc)
                    return
                st.session_state["partner_flash"] = (
                    f"Interest recorded (synergy {new.synergy_id}). "
                    + ("Both sides are interested: identities revealed." if new.revealed
                       else "The partner will see it; identities stay hidden until they agree.")
                )  # fmt: skip
                st.rerun()


def page() -> None:
    st.title("Partners")
    st.caption("Suggested partners for each of your streams and needs, ranked by potential net benefit "
               "per year. Identities stay hidden until both sides say they are interested.")
    if flash := st.session_state.pop("partner_flash", None):
        st.success(flash)
    with common.shows_errors():
        net = common.network()
        me = choose_company(net)
        if me is None:
            return
        result, warning = common.match()
        if warning:
            st.caption(f"Note: {warning}")
        suggestions = result.suggestions
        aliases = Aliases()
        my_streams = [s for s in net.streams if s.company_id == me.id]
        my_needs = [n for n in net.needs if n.company_id == me.id]
        st.subheader(f"What {me.name} puts out ({len(my_streams)} streams)")
        _section(net, me, suggestions, my_streams, side=blind.SUPPLIER, aliases=aliases)
        st.subheader(f"What {me.name} takes in ({len(my_needs)} needs)")
        _section(net, me, suggestions, my_needs, side=blind.RECEIVER, aliases=aliases)


def _section(net: Network, me: Company, suggestions: pd.DataFrame, items: list, *, side: str,
             aliases: Aliases) -> None:  # fmt: skip
    if not items:
        st.caption("none declared")
        return
    column = "stream_id" if side == blind.SUPPLIER else "need_id"
    table_side = "stream" if side == blind.SUPPLIER else "need"
    mine = suggestions[suggestions["side"] == table_side]
    with common.session() as s:
        for index, item in enumerate(items):
            code = getattr(item, "ewc_code", "")
            what = item.description or code or getattr(item, "category", "")
            label = f"{item.id} · {what} · {item.quantity_base / BASE_PER_UNIT:,.1f} {item.unit}/yr"
            if code:
                label += f" · {format_ewc(code)}"
            rows = mine[mine[column] == item.id].sort_values("rank")
            with st.expander(f"{label} — {len(rows)} suggested partner(s)", expanded=index == 0):
                if not len(rows):
                    st.caption("No compatible partner within reach under the current parameters.")
                for row in rows.itertuples():
                    status = blind.pair_status(s, net, row.stream_id, row.need_id)
                    suggestion_block(net, row, side=side, me=me, aliases=aliases, status=status,
                                     key=f"interest_{side}_{row.stream_id}_{row.need_id}")  # fmt: skip
