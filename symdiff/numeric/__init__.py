"""Numbers: plans, reading a point, the checked interpreter and the compiled fast path,
under one numeric policy."""
