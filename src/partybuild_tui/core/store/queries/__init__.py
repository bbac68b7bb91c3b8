"""Read-only queries of the stats, owned by the store so that no SQL lives outside it.

Each function takes the connection of a ``Store.snapshot()`` (every figure of one summary
sees the same state) and a filter shaped like ``core.stats.StatsFilter`` (``scope.Filter``),
and returns plain rows; ``core.stats`` gives them their meaning.
"""
