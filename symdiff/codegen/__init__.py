"""Generated code: the reverse sweep run once over a code-writing algebra, giving
straight-line functions. Each backend is a table keyed by op."""
