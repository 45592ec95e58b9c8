"""Location models for hub-and-spoke services: p-median, capacitated p-median, exact (HiGHS) and heuristic."""
