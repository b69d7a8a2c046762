"""Which input of a loan payment matters most? Sensitivities and elasticities.

The monthly payment of a loan of P at yearly rate r over n months is
P * (r/12) / (1 - (1 + r/12)^-n). The elasticity of the payment to each input is the
percentage change of the payment for a 1% change of that input, so inputs in different
units (money, rate, months) compare directly. Run: python examples/loan_sensitivity.py
"""

from __future__ import annotations

import symdiff

PAYMENT = "P*(r/12)/(1 - (1 + r/12)^(-n))"

table = symdiff.sensitivity(PAYMENT, P=250_000, r=0.04, n=360)
print(table)
print()
most = next(iter(table))
print(f"most influential: {most} (elasticity {table[most].elasticity:.3f})")
print(f"a 1% longer loan changes the payment by {table['n'].elasticity:.3f}%")
