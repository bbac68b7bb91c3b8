"""Formats that need an optional package: the error without it says what to install."""

from __future__ import annotations

import importlib
from types import ModuleType

from partybuild_tui.errors import UserError

# format -> (module imported, extra of this package that installs it)
NEEDS = {"spacy": ("spacy", "spacy"), "hf-parquet": ("datasets", "datasets")}


def require(fmt: str) -> ModuleType | None:
    """The module ``fmt`` needs (None when it needs none); UserError naming the install."""
    if fmt not in NEEDS:
        return None
    module, extra = NEEDS[fmt]
    try:
        return importlib.import_module(module)
    except ImportError:
        raise UserError(
            f"the {fmt} format needs the {module} package, which is not installed: "
            f"pip install 'partybuild-tui[{extra}]' (from a checkout: pip install -e '.[{extra}]')"
        ) from None
