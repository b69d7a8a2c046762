"""The intermediate representation: the op table (the mathematics of each op), interned
nodes, the graph walks and substitution. Everything else in symdiff is built on it."""
