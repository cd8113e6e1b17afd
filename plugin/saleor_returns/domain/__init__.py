"""Pure return logic: money, policy, eligibility, decisions, lifecycle, refund math.

Nothing in this package performs I/O or imports a framework; a test keeps it so.
"""
