"""Which word of the payment provider moves our refund, whatever order webhooks arrive in (domain rule)."""
from __future__ import annotations

import pytest

from saleor_returns.domain.refunds import RefundStatus, provider_may_move

P, S, F, R, C = (RefundStatus.PENDING, RefundStatus.SUCCEEDED, RefundStatus.FAILED, RefundStatus.REQUIRES_ACTION,
                 RefundStatus.CANCELED)

MOVES = [
    # (ours now, provider says, the word is newer, ours is only our give-up guess, moves?)
    (P, S, True, False, True),  # pending → succeeded
    (P, F, False, False, True),  # a final word counts even when older than the last one we applied
    (P, R, True, False, True),
    (R, P, True, False, True),  # after the shopper acted
    (R, P, False, False, False),  # an older "pending" does not undo "requires action"
    (R, C, False, False, True),
    (S, F, False, False, True),  # the documented exception: the card was closed after the money went out
    (S, P, True, False, False),  # refund.created arriving after refund.updated
    (S, C, True, False, False),
    (F, S, True, False, False),  # failed is final: an older "succeeded" arriving late changes nothing
    (F, P, True, False, False),
    (C, S, True, False, False),
    (F, S, False, True, True),  # but our own "gave up" is corrected by what the provider knows
    (F, P, False, True, True),
    (S, S, True, False, False),  # the same word again
]


@pytest.mark.parametrize("current, reported, newer, our_guess, moves", MOVES)
def test_a_provider_word_moves_our_refund_only_forward(current, reported, newer, our_guess, moves):
    assert provider_may_move(current, reported, newer=newer, our_guess=our_guess) is moves
