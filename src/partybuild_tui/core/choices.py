"""The choices the command line lists in its help, in a module that imports nothing.

``partybuild --help`` shows them before any command runs, so they cannot live in the modules
that implement them (those load the store, the exporters, the suggestion sources). Those
modules import their names from here, so the help and the code cannot drift apart.
"""

# of an article; core.store has its own copy until it imports this one (a test checks both)
STATUSES = ("new", "in_progress", "done", "skipped")
# export format -> (file extension, works on tokens)
EXPORT_FORMATS: dict[str, tuple[str, bool]] = {
    "jsonl": (".jsonl", False),
    "conll": (".conll", True),
    "phoner": (".jsonl", True),
    "hf": (".jsonl", True),
    "brat": ("", False),
    "doccano": (".jsonl", False),
}
# what ``import-annotations`` reads ("auto": guessed from the file)
IMPORT_FORMATS = ("auto", "jsonl", "doccano", "brat")
SUGGESTION_SOURCES = ("memory", "rules", "byline", "ner", "model")
STATS_SECTIONS = ("progress", "labels", "articles", "consistency", "suggestions")
