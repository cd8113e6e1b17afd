"""Use cases, one module each: load, decide (domain), persist, call ports."""
