"""The choices the command line lists in its help, in a module that imports nothing.

``partybuild --help`` shows them before any command runs, so they cannot live in the modules
that implement them (those load the store, the exporters, the suggestion sources). Those
modules import their names from here, so the help and the code cannot drift apart.
"""

# of an article; core.store has its own copy until it imports this one (a test checks both)
STATUSES = ("new", "in_progress", "done", "skipped")
# the export formats (core.export.runner.FORMATS says what each writes)
EXPORT_FORMATS = (
    "jsonl",
    "conll",
    "phoner",
    "hf",
    "brat",
    "doccano",
    "prodigy",
    "labelstudio",
    "labelstudio-min",
    "spacy",
    "hf-parquet",
)
# what ``import-annotations`` reads ("auto": guessed from the file)
IMPORT_FORMATS = ("auto", "jsonl", "doccano", "prodigy", "labelstudio", "brat", "conll", "phoner")
SUGGESTION_SOURCES = ("memory", "rules", "byline", "ner", "model")
STATS_SECTIONS = ("progress", "labels", "articles", "consistency", "suggestions", "agreement")
