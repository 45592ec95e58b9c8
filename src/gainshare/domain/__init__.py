"""Pure domain types: no I/O, standard library only."""
