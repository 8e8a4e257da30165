"""Partners (company view): requests received, then suggested partners of each stream and need.

Before both sides are interested a company sees its own side only, in bands
(:mod:`symbiose.blinding`): what it would gain per unit and per year, the distance, the tradable
quantity, the partner's activity at a level shared by at least k companies. Every figure of a
hidden partner comes from :func:`symbiose.blinding.view`, a function of bands and the company's own
data; partners are ranked and chosen on those bands only. Once both sides are interested, names,
contacts and the price range appear to both (see :mod:`symbiose.ui.blind`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

import pandas as pd
import streamlit as st

from symbiose import blinding
from symbiose.blinding import RECEIVER, SUPPLIER, BandedPair
from symbiose.domain import Company, Network, Role, format_ewc
from symbiose.errors import SymbioseError
from symbiose.i18n import _, fmt_eur, fmt_list, fmt_number, ngettext
from symbiose.labels import stage_label
from symbiose.notify import item_text
from symbiose.suggestions import pair_economics
from symbiose.ui import blind, common
from symbiose.units import BASE_PER_UNIT

PARTNERS_PER_ITEM = 5  # partners shown per stream or need (the best by banded gain)


def choose_company(net: Network) -> Company | None:
    user = common.current_user()
    if user is not None and user.role == Role.COMPANY:
        try:
            return net.company(user.company_id or "")
        except KeyError:
            st.error(_("Your account names company '{id}', which is not stored.").format(id=user.company_id))
            return None
    ids = [c.id for c in net.companies]
    if not ids:
        st.info(_("No company is stored yet."))
        return None
    names = {c.id: c.name for c in net.companies}
    chosen = st.selectbox(_("Company"), ids, format_func=lambda c: f"{c} {names[c]}", key="partner_company")
    return net.company(chosen)


@st.cache_resource(max_entries=4, show_spinner=False)
def _tables(url: str, version: tuple, params_key: str, _result) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Candidate pairs with what the blind reads, and their exact economics (revealed pairs only)."""
    pairs = blinding.pair_table(_result.candidates)
    pipes = _pipes()
    pairs["visible"] = [blinding.visible(row, pipes=pipes) for row in pairs.itertuples()]
    economics = pair_economics(_result.candidates)
    economics["stream_id"] = economics["stream_id"].astype(str)
    economics["need_id"] = economics["need_id"].astype(str)
    return pairs.set_index(["stream_id", "need_id"], drop=False), economics.set_index(["stream_id", "need_id"])


@st.cache_resource(show_spinner=False)
def _pipes() -> dict:
    from symbiose.compat import load_knowledge_base

    return blinding.pipe_costs(load_knowledge_base())


class PartnerView:
    """Everything the page shows to one company, hidden partners in bands only."""

    def __init__(self, net: Network, me: Company, result) -> None:
        from symbiose import db

        self.net, self.me = net, me
        self.pairs, self.economics = _tables(db.database_url(), common.data_version(), "default", result)
        self.activities = blinding.ActivityBlind(net.companies, me, road_factor=result.candidates.params.road_factor,
                                                 k=blinding.k_anonymity(), streams=net.streams, needs=net.needs)  # fmt: skip
        self.numbers: dict[tuple[str, str], int] = {}

    def banded(self, stream_id: str, need_id: str, side: str) -> BandedPair | None:
        try:
            row = self.pairs.loc[(stream_id, need_id)]
        except KeyError:
            return None
        row = pd.Series(row).rename(None)
        if not row["visible"]:
            return None  # listed nowhere: its bands could say more than a listed pair's
        return self.activities.band(_Row(row), side, pipes=_pipes())

    def for_item(self, item_id: str, side: str) -> list[BandedPair]:
        column = "stream_id" if side == SUPPLIER else "need_id"
        rows = self.pairs[self.pairs[column].to_numpy() == item_id]
        return [p for p in (self.banded(s, n, side) for s, n in zip(rows["stream_id"], rows["need_id"], strict=True))
                if p is not None]  # fmt: skip

    def tradable_base(self, stream_id: str, need_id: str) -> int | None:
        """The pair's tradable quantity (base units), recorded with a synergy it starts."""
        try:
            return int(round(float(self.economics.loc[(stream_id, need_id), "tradable_base"])))
        except KeyError:
            return None

    def number(self, pair: BandedPair) -> int:
        """A number per pair shown (not per company: two numbers may be one company)."""
        return self.numbers.setdefault((pair.stream_id, pair.need_id), len(self.numbers) + 1)


class _Row:
    """Attribute access to a pandas row (``band_pair`` reads rows of ``itertuples``)."""

    def __init__(self, series: pd.Series) -> None:
        self._s = series

    def __getattr__(self, name: str):
        return self._s[name]


def _revealed_lines(view: PartnerView, stream_id: str, need_id: str, side: str,
                    synergy_id: str | None = None) -> list[str]:  # fmt: skip
    """Names, contacts and the exact economics, once both sides are interested.

    The quantity is the one stored on the pair's synergy (what the pipeline follows: agreed, or
    recorded when the synergy started), else the candidate's tradable quantity; the words say which.
    """
    streams = {s.id: s for s in view.net.streams}
    needs = {n.id: n for n in view.net.needs}
    partner = view.net.company(needs[need_id].company_id if side == SUPPLIER else streams[stream_id].company_id)
    their = needs[need_id] if side == SUPPLIER else streams[stream_id]
    who = f"**{partner.name}** ({partner.commune})"
    contact = " ".join(x for x in (partner.contact_name, partner.contact_email, partner.contact_phone) if x)
    lines = [who + (" · " + _("contact {who}").format(who=contact) if contact else ""),
             their.description or getattr(their, "ewc_code", "") or getattr(their, "category", "")]  # fmt: skip
    synergy = next((y for y in view.net.synergies if y.id == synergy_id), None) if synergy_id else None
    agreed = synergy.quantity_base if synergy is not None else None
    try:
        e = view.economics.loc[(stream_id, need_id)]
    except KeyError:
        e = None
    unit = str(streams[stream_id].unit)
    if agreed is not None:
        quantity = _("Quantity recorded on the synergy (agreed or planned): {qty} per year").format(
            qty=f"{fmt_number(agreed / BASE_PER_UNIT, 1)}\u00a0{unit}")
    elif e is not None:
        quantity = _("Suggested quantity (none recorded yet): {qty} per year").format(
            qty=f"{fmt_number(float(e['tradable_base']) / BASE_PER_UNIT, 1)}\u00a0{unit}")
    else:
        return lines
    if e is None:  # no longer a candidate: the synergy's quantity only
        lines.append(quantity)
        return lines
    lines.append(_("{quantity}, {km} km by road; {price}").format(
        quantity=quantity, km=fmt_number(float(e["road_km"])),
        price=price_words(float(e["price_min_eur"]), float(e["price_max_eur"]), float(e["price_fair_eur"]),
                          str(e["unit"]))))  # fmt: skip
    return lines


def price_words(low: float, high: float, fair: float, unit: str) -> str:
    """The range of prices at which both sides gain, said as who pays whom: a price below zero
    is the supplier paying the receiver to take its stream (« entre -124,00 EUR et -8,11 EUR »
    read as nonsense to a manager)."""

    def amount(value: float) -> str:
        return fmt_eur(abs(value), 2)

    if round(fair, 2) > 0:
        split = _("equal split: the receiver pays {amount}").format(amount=amount(fair))
    elif round(fair, 2) < 0:
        split = _("equal split: the supplier pays {amount}").format(amount=amount(fair))
    else:
        split = _("equal split: no payment")
    if round(low, 2) >= 0:
        text = _("both gain if the receiver pays the supplier between {low} and {high} per {unit}")
    elif round(high, 2) <= 0:
        text = _("both gain if the supplier pays the receiver between {high} and {low} per {unit}")
    else:
        text = _("both gain between the supplier paying the receiver {low} and the receiver paying the supplier "
                 "{high} per {unit}")  # fmt: skip
    return _("{range} ({split})").format(
        range=text.format(low=amount(low), high=amount(high), unit=unit), split=split)


#: The secret of this server process for the pairs' widget keys (a test may fix it through the
#: environment to find a button in a browser).
_KEY_SECRET = (os.environ.get("SYMBIOSE_UI_KEY_SECRET") or secrets.token_hex(16)).encode()


def pair_key(kind: str, side: str, stream_id: str, need_id: str, *, secret: bytes | None = None) -> str:
    """The widget key of one pair's buttons, naming neither the stream nor the need.

    Streamlit writes a widget's key into the page (a CSS class ``st-key-...``), so a key made of
    the ids would tell a company which partner stream or need a hidden suggestion is, and which
    of its suggestions share a partner. An HMAC of the pair under a secret of the server process
    is stable across reruns and says nothing about the pair."""
    message = f"{side}\x1f{stream_id}\x1f{need_id}".encode()
    digest = hmac.new(secret or _KEY_SECRET, message, hashlib.sha256).hexdigest()[:20]
    return f"{kind}_{side}_{digest}"


def pair_block(view: PartnerView, pair: BandedPair | None, stream_id: str, need_id: str, *, side: str,
               status: blind.PairStatus, rank: int | None, key: str, incoming: bool = False) -> None:  # fmt: skip
    """One pair: banded before mutual interest, named after; interest and decline buttons."""
    with st.container(border=True):
        prefix = f"{rank}. " if rank else ""
        if status.revealed:
            for line in _revealed_lines(view, stream_id, need_id, side, status.synergy_id):
                st.markdown(prefix + line if line.startswith("**") else line)
        elif pair is None:
            st.markdown(prefix + _("**Partner** — this pair is no longer among the candidates under the "
                                   "current parameters."))  # fmt: skip
        else:
            shown = blinding.view(pair)
            st.markdown(prefix + _("**Partner #{n}** — {activity}, {distance} by road").format(
                n=view.number(pair), activity=shown["activity"], distance=shown["distance"]))
            if pair.same_use:
                st.caption(_("Already recovered today for this use: only the difference from today's route counts, "
                             "no CO2e avoided; shown apart from substitutions"))  # fmt: skip
            elif pair.is_treatment():
                st.caption(_("Treatment outlet: the receiver is paid to take it (gate fee), it replaces no "
                             "purchase; shown apart from substitutions"))  # fmt: skip
            st.markdown(_("{what} · tradable quantity {quantity} · your gain at an equal split: **{unit}**, "
                          "**{year}**").format(what=shown["what"], quantity=shown["quantity"],
                                               unit=shown["gain_per_unit"], year=shown["gain_per_year"]))  # fmt: skip
            level = _hierarchy_word(pair.what) if side == SUPPLIER else ""
            if level:  # the receiver's use, from the category shown: why the list is in this order
                st.caption(_("Waste hierarchy of this use: {level}").format(level=level))
        _actions(view, stream_id, need_id, side=side, status=status, key=key, incoming=incoming,
                 candidate=pair is not None)  # fmt: skip
        if status.revealed and status.synergy_id:  # the two companies have met: their legal path
            from symbiose.ui.legal import render_legal_path_expander

            streams = {s.id: s for s in view.net.streams}
            needs = {n.id: n for n in view.net.needs}
            render_legal_path_expander(streams[stream_id], needs[need_id], synergy_id=status.synergy_id,
                                       key=f"{key}_legal")  # fmt: skip


def _hierarchy_word(what: str) -> str:
    """The level of the waste hierarchy of a receiver's use, from the category's words; empty
    for a category the knowledge base gives no level."""
    from symbiose.compat import load_knowledge_base
    from symbiose.labels import HIERARCHY_NAMES

    level = load_knowledge_base().hierarchy.get(what.replace(" ", "_"))
    return _(HIERARCHY_NAMES[level]) if level else ""


def _actions(view: PartnerView, stream_id: str, need_id: str, *, side: str, status: blind.PairStatus, key: str,
             incoming: bool, candidate: bool = True) -> None:  # fmt: skip
    mine = status.interested(side)
    theirs = status.interested(RECEIVER if side == SUPPLIER else SUPPLIER)
    if status.revealed and mine and theirs:
        st.success(_("Both sides are interested: synergy {id} ({stage}). The identities are revealed.").format(
            id=status.synergy_id, stage=stage_label(status.stage)))
        return
    if status.revealed:
        st.success(_("You are already working with this partner: synergy {id} ({stage}), followed by the "
                     "network's officer.").format(id=status.synergy_id, stage=stage_label(status.stage)))
        return
    if mine:
        st.info(_("You said you are interested; the partner's identity is revealed when they say so too."))
        _withdraw(view, stream_id, need_id, side=side, key=key)
        return
    if theirs and not incoming:
        st.info(_("This partner said it is interested: answer under \"Requests received\" above."))
        return
    label = _("Accept (I'm interested too)") if incoming else _("I'm interested")
    left, right = st.columns([1, 2])
    if not candidate:
        # a pair the matcher no longer proposes (a standard, a distance, a quantity changed): nothing
        # on it to decide from, and an acceptance would reveal both names for a pair that cannot be
        left.caption(_("It can no longer be taken up here; the network's officer can tell you why."))
    else:
        left.button(label, key=key, type="primary" if incoming else "secondary",
                    help=_("Your identity stays hidden until the partner is interested too."),
                    on_click=_remember, args=("interest", stream_id, need_id, side, key))  # fmt: skip
    with right.expander(_("Decline")):
        st.text_input(_("Why (kept for the officer; the pair is not proposed again)"), key=f"why_{key}")
        st.button(_("Decline this pair"), key=f"decline_{key}",
                  on_click=_remember, args=("decline", stream_id, need_id, side, key))  # fmt: skip


def _withdraw(view: PartnerView, stream_id: str, need_id: str, *, side: str, key: str) -> None:
    """Take back this side's interest while the partner has not answered (:func:`blind.withdraw_interest`)."""
    with st.expander(_("Withdraw my interest")):
        st.text_input(_("Why (optional; kept for the officer, not shown to the partner)"), key=f"withdraw_why_{key}")
        st.button(_("Confirm the withdrawal"), key=f"withdraw_{key}",
                  on_click=_remember, args=("withdraw", stream_id, need_id, side, key))  # fmt: skip


CLICK_KEY = "partner_click"


def _remember(action: str, stream_id: str, need_id: str, side: str, key: str) -> None:
    """A button's callback: the click is kept for the next run, which applies it (:func:`_act`)
    even when it no longer draws the button (the other side answered, or withdrew, in between):
    a click is applied or refused with a word, never dropped."""
    st.session_state[CLICK_KEY] = (action, stream_id, need_id, side, key)


def _act(action: str, view: PartnerView, stream_id: str, need_id: str, side: str, key: str) -> None:
    """Apply a remembered click on a pair; the outcome is shown at the top of the page's next run."""
    outbox: list = []
    try:
        with common.transaction() as s:
            if action == "interest":
                new = blind.express_interest(s, view.net, stream_id, need_id, side=side, company_id=view.me.id,
                                             actor=common.actor(), quantity_base=view.tradable_base(stream_id, need_id),
                                             outbox=outbox)  # fmt: skip
                # no synergy id before both sides agree: issued one after the other, ids would let
                # a company count the network's synergies between two of its clicks
                flash = _("Interest recorded.") + " " + (
                    _("Both sides are interested: identities revealed.") if new.revealed
                    else _("The partner will see it; identities stay hidden until they agree."))
            elif action == "decline":
                blind.decline(s, view.net, stream_id, need_id, side=side, company_id=view.me.id,
                              reason=st.session_state.get(f"why_{key}", ""), actor=common.actor(), outbox=outbox)  # fmt: skip
                flash = _("Pair declined: it will not be proposed again.")
            else:
                blind.withdraw_interest(s, view.net, stream_id, need_id, side=side, company_id=view.me.id,
                                        reason=st.session_state.get(f"withdraw_why_{key}", ""), actor=common.actor(),
                                        outbox=outbox)  # fmt: skip
                flash = _("Interest withdrawn. The partner is told that an interest was withdrawn, without your "
                          "name; you may say you are interested again later.")  # fmt: skip
    except SymbioseError as exc:
        st.session_state["partner_refusal"] = _refusal(view, exc, stream_id, need_id, side=side)
        return
    _deliver(outbox, flash)


def names_hidden(net: Network, message: str, stream_id: str, need_id: str, *, side: str) -> bool:
    """Whether a message about a pair names what its company may not know before both sides are
    interested: a synergy's id (issued in sequence: the count of the network's synergies), the
    partner's stream or need, its company's id or name. False once the pair is revealed."""
    import re

    synergy = blind.synergy_for(net, stream_id, need_id)
    if synergy is not None and blinding.is_mutual(synergy.stage):
        return False
    partner_item = need_id if side == SUPPLIER else stream_id
    owner = {**{x.id: x.company_id for x in net.streams}, **{x.id: x.company_id for x in net.needs}}
    partner = next((c for c in net.companies if c.id == owner.get(partner_item)), None)
    hidden = [partner_item, *((partner.id, partner.name) if partner else ()), *(y.id for y in net.synergies)]
    return bool(re.search(r"\bSY\d+", message)) or any(h and h in message for h in hidden)


def _refusal(view: PartnerView, exc: SymbioseError, stream_id: str, need_id: str, *, side: str):
    """What to show of a refused click on a pair: the error as it is, unless it names what the
    company may not know yet (:func:`names_hidden`: a record changed or removed in between is
    named by the error), then a message that names nothing; the officer can tell more."""
    message = "\n".join([str(exc), *(p.message for p in getattr(exc, "problems", None) or [])])
    if not names_hidden(view.net, message, stream_id, need_id, side=side):
        return exc
    return _("This pair changed since the page was read (a record was edited or removed, or a rule of the network "
             "no longer allows it); nothing was recorded. Reload the page; the network's officer can tell you "
             "more.")  # fmt: skip


def _deliver(outbox: list, flash: str) -> None:
    """E-mail the new notices when a mail server is configured, then keep the flash message for
    the page's next run."""
    problems = blind.mail(outbox, common.network())
    if problems:
        flash += " " + _("E-mail not sent: {problems}").format(problems=fmt_list(problems))
    st.session_state["partner_flash"] = flash


def page() -> None:
    st.title(_("Partners"))
    st.caption(_("Requests received, then suggested partners for each of your streams and needs. Before both "
                 "sides are interested you see your own side only, in ranges: your gain, the distance, the "
                 "quantity and the partner's activity (shared by at least {k} companies). Partner numbers "
                 "are per suggestion.").format(k=blinding.k_anonymity()))  # fmt: skip
    if flash := st.session_state.pop("partner_flash", None):
        st.success(flash)
    refusal = st.session_state.pop("partner_refusal", None)
    if isinstance(refusal, str):
        st.error(refusal)
    elif refusal is not None:
        common.show_problems(refusal)
    with common.shows_errors():
        net = common.network()
        me = choose_company(net)
        if me is None:
            return
        result, warning = common.match()
        if warning:
            st.caption(_("Note: {warning}").format(warning=warning))
        view = PartnerView(net, me, result)
        if click := st.session_state.pop(CLICK_KEY, None):
            action, stream_id, need_id, side, key = click
            _act(action, view, stream_id, need_id, side, key)
            st.rerun()  # the page read again, with the click's outcome at its top
        with common.session() as s:
            received = blind.incoming(s, net, me.id)
            st.subheader(_("Requests received ({n})").format(n=len(received)))
            if not received:
                st.caption(_("No company has said it is interested in your streams or needs yet."))
            for item in received:
                status = blind.pair_status(s, net, item.stream_id, item.need_id)
                st.caption(_("About your {item}").format(item=item_text(
                    "stream" if item.side == SUPPLIER else "need",
                    item.stream_id if item.side == SUPPLIER else item.need_id)))  # fmt: skip
                pair_block(view, view.banded(item.stream_id, item.need_id, item.side), item.stream_id,
                           item.need_id, side=item.side, status=status, rank=None, incoming=True,
                           key=pair_key("accept", item.side, item.stream_id, item.need_id))  # fmt: skip
            my_streams = [x for x in net.streams if x.company_id == me.id]
            my_needs = [x for x in net.needs if x.company_id == me.id]
            st.subheader(ngettext("What {name} puts out ({n} stream)", "What {name} puts out ({n} streams)",
                                  len(my_streams)).format(name=me.name, n=len(my_streams)))  # fmt: skip
            _section(s, view, my_streams, side=SUPPLIER)
            st.subheader(ngettext("What {name} takes in ({n} need)", "What {name} takes in ({n} needs)",
                                  len(my_needs)).format(name=me.name, n=len(my_needs)))  # fmt: skip
            _section(s, view, my_needs, side=RECEIVER)


def _followed(net: Network, item_id: str, side: str) -> list[tuple[str, str]]:
    """Pairs of an item that a synergy follows (shown whatever their rank), abandoned ones aside."""
    attr = "stream_id" if side == SUPPLIER else "need_id"
    return [(x.stream_id, x.need_id) for x in net.synergies
            if getattr(x, attr) == item_id and str(x.stage) != "abandoned"]  # fmt: skip


def _section(s, view: PartnerView, items: list, *, side: str) -> None:
    if not items:
        st.caption(_("none declared"))
        return
    for index, item in enumerate(items):
        code = getattr(item, "ewc_code", "")
        what = item.description or code or getattr(item, "category", "")
        label = f"{item.id} · {what} · {fmt_number(item.quantity_base / BASE_PER_UNIT, 1)} {item.unit}/{_('yr')}"
        if code:
            label += f" · {format_ewc(code)}"
        pairs = blinding.ranked(view.for_item(item.id, side))
        shown = pairs[:PARTNERS_PER_ITEM]
        keys = {(p.stream_id, p.need_id) for p in shown}
        extra = [k for k in _followed(view.net, item.id, side) if k not in keys]
        count = len(shown) + len(extra)
        with st.expander(ngettext("{label} — {n} suggested partner", "{label} — {n} suggested partners", count).format(
                label=label, n=count), expanded=index == 0):  # fmt: skip
            if not shown and not extra:
                st.caption(_("No compatible partner within reach under the current parameters."))
            for rank, pair in enumerate(shown, start=1):
                status = blind.pair_status(s, view.net, pair.stream_id, pair.need_id)
                pair_block(view, pair, pair.stream_id, pair.need_id, side=side, status=status, rank=rank,
                           key=pair_key("interest", side, pair.stream_id, pair.need_id))  # fmt: skip
            for stream_id, need_id in extra:
                status = blind.pair_status(s, view.net, stream_id, need_id)
                pair_block(view, view.banded(stream_id, need_id, side), stream_id, need_id, side=side,
                           status=status, rank=None, key=pair_key("interest", side, stream_id, need_id))  # fmt: skip

