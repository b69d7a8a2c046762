"""Differentiation: the algebras the op table's rules run under, the reverse sweep written
once for all of them, and symbolic derivatives (the sweep over expression nodes)."""
