"""Monte Carlo simulation of an agreement under uncertain assumptions (numpy, vectorised, chunked).

scenarios (draws, Gaussian copula) -> model (costs and net saving per scenario, scheme and period) -> rules (the
full sharing rules, vectorised) -> outcomes (each party's distribution, tornado) and frontier (terms search).
Floats throughout; estimates only, never posted to the ledger.
"""
