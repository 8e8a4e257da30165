"""Symbiose: industrial symbiosis matchmaking.

The package is split into a pure core and its edges:

* core (no I/O of users, no database, no UI): :mod:`symbiose.domain`, :mod:`symbiose.units`,
  :mod:`symbiose.reference` (read-only packaged tables), :mod:`symbiose.geo`,
  :mod:`symbiose.compat`, :mod:`symbiose.candidates`, :mod:`symbiose.optimize`,
  :mod:`symbiose.impacts`, :mod:`symbiose.suggestions`, :mod:`symbiose.scenarios`;
* edges: :mod:`symbiose.bundle` (CSV/Excel files), :mod:`symbiose.db` (SQLAlchemy),
  :mod:`symbiose.cli` (command line), ``app.py`` and :mod:`symbiose.ui` (Streamlit).
"""

from symbiose.errors import SymbioseError

__all__ = ["SymbioseError"]
__version__ = "0.1.0"
