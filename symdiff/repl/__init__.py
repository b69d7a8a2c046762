"""The interactive session: its meaning (``session.py``) and its terminal (``terminal.py``)."""
