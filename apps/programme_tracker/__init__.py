"""Programme Tracker: the register and early-warning system for the Rapporteur's funded measures."""

import os

# openpyxl parses workbooks with lxml when it is installed (python-docx brings it), and then not with defusedxml.
# Uploaded workbooks are read with defusedxml, the parser the hostile-file tests hold it to: no entity expansion,
# no external entities. Set before anything imports openpyxl, which reads it once.
os.environ.setdefault("OPENPYXL_LXML", "False")
