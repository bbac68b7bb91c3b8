"""Export of accepted spans as training data, and import of labeled data back.

Public API: :func:`export` with :class:`ExportOptions` / :class:`Selection` /
:class:`TokenOptions` returns an :class:`ExportSummary`; :func:`import_annotations` returns an
:class:`ImportReport`. Export formats: :data:`FORMATS`; import formats:
:data:`readers.FORMATS`.
"""

from partybuild_tui.core.export.importer import ImportReport, import_annotations
from partybuild_tui.core.export.runner import FORMATS, ExportOptions, default_folder, export
from partybuild_tui.core.export.select import Selection, parse_ratios, split_ids
from partybuild_tui.core.export.summary import ExportSummary, StrictError
from partybuild_tui.core.export.tokens import TokenOptions

__all__ = [
    "FORMATS",
    "ExportOptions",
    "ExportSummary",
    "ImportReport",
    "Selection",
    "StrictError",
    "TokenOptions",
    "default_folder",
    "export",
    "import_annotations",
    "parse_ratios",
    "split_ids",
]
