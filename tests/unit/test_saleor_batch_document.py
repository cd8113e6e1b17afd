"""The batch read of orders (ReturnsOrders, for the federation subgraph) asks Saleor for exactly what the read of
one order (ReturnsOrder) asks: the two documents are separate files, as every operation is, and must not drift."""
from __future__ import annotations

from graphql import FieldNode, FragmentDefinitionNode, OperationDefinitionNode, parse, print_ast

from support.constants import ROOT

DOCUMENTS = ROOT / "graphql" / "saleor"


def _parts(name: str) -> tuple[OperationDefinitionNode, dict[str, str]]:
    document = parse((DOCUMENTS / f"{name}.graphql").read_text())
    [operation] = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    fragments = {d.name.value: print_ast(d) for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    return operation, fragments


def _field(owner, name: str) -> FieldNode:
    return next(s for s in owner.selection_set.selections if isinstance(s, FieldNode) and s.name.value == name)


def test_the_batch_read_asks_for_each_order_exactly_what_the_single_read_asks():
    single, single_fragments = _parts("ReturnsOrder")
    batch, batch_fragments = _parts("ReturnsOrders")

    order = _field(single, "order")
    node = _field(_field(_field(batch, "orders"), "edges"), "node")

    assert print_ast(node.selection_set) == print_ast(order.selection_set)
    assert batch_fragments == single_fragments
