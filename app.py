"""Symbiose web application: ``streamlit run app.py`` (or ``symbiose serve``).

The database is SYMBIOSE_DATABASE_URL (default sqlite:///symbiose.db); an empty one is created
and loaded with the demo network. The pages live in :mod:`symbiose.ui`.
"""

import streamlit as st

from symbiose import ui

st.set_page_config(page_title="Symbiose", page_icon="♻️", layout="wide")
ui.apply_language()
ui.widget_texts()
navigation = st.navigation(ui.pages())
ui.sidebar()
navigation.run()
