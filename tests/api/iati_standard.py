"""The IATI 2.03 standard as the pyIATI package ships it: its activities schema and its codelists, read from the
package's files (the package is installed for its files only: requirements/iati.txt)."""

import importlib.util
from functools import cache
from pathlib import Path

from lxml import etree  # (python-docx brings lxml)


def _standard() -> Path:
    spec = importlib.util.find_spec("iati")  # found, not imported: pyIATI's own code needs older libraries
    assert spec and spec.submodule_search_locations, "pyIATI is not installed (make install-test)"
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "standard" / "2-03"


@cache
def schema() -> etree.XMLSchema:
    """The official iati-activities-schema.xsd of 2.03 (with iati-common.xsd and xml.xsd beside it)."""
    return etree.XMLSchema(etree.parse(str(_standard() / "schemas" / "iati-activities-schema.xsd")))


@cache
def codelist(name: str) -> set[str]:
    """The codes of one 2.03 codelist (e.g. "ActivityStatus")."""
    tree = etree.parse(str(_standard() / "codelists" / f"{name}.xml"))
    return {code.text for code in tree.iter("code")}
