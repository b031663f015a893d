"""Compatibility path of ato 2.x (see ``ato.tracker``)."""
