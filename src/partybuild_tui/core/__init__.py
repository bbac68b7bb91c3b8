"""The core: corpus, store, tokenization, suggestions, export and stats. Knows nothing of the UI."""
