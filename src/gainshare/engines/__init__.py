"""Pure calculations on domain values. No I/O, no clock, no environment."""
