"""Our subgraph composes with Saleor's into one supergraph (Apollo's composition library, Federation 2 composing
Saleor's Federation 1 subgraph), and /graphql keeps its own SDL."""
from __future__ import annotations

import re

from graphql import ObjectTypeDefinitionNode, build_schema, parse, print_ast

from saleor_returns.graphql.federated_schema import export_federated_sdl
from saleor_returns.graphql.schema import export_sdl
from support.constants import ROOT
from support.federation import MY_ORDERS, compose
from support.saleor_subgraph import derive_subgraph_sdl, saleor_subgraph_sdl


def test_saleors_subgraph_sdl_is_its_schema_without_subscriptions_with_keys_on_its_entities():
    # given Saleor's printed schema
    printed = (ROOT.parent / "shared" / "saleor" / "schema.graphql").read_text()

    # when it is turned into what Saleor's _service { sdl } answers
    sdl = derive_subgraph_sdl(printed)

    # then it is Federation 1 SDL: no schema block, no subscriptions, no federation fields, @key on the entities
    parse(sdl)
    assert not re.search(r"^schema \{", sdl, re.M) and "\ntype Subscription " not in sdl
    assert "_entities(" not in sdl and "\n  _service:" not in sdl and "@link" not in sdl
    assert re.search(r'^type Order implements Node & ObjectWithMetadata @doc\(category: "Orders"\) '
                     r'@key\(fields: "id"\) \{$', sdl, re.M)
    assert re.search(r'^type User .*@key\(fields: "id"\) @key\(fields: "email"\) \{$', sdl, re.M)
    assert re.search(r'^type Product .*@key\(fields: "id channel"\) \{$', sdl, re.M)
    assert len(re.findall(r"@key\(", sdl)) == 13  # 12 entities, User with two keys
    query = re.search(r"^type Query \{$(.*?)^\}", sdl, re.M | re.S)
    assert query is not None and "\n  me: User @doc(category: \"Users\")\n" in query.group(1)


def test_our_subgraph_extends_saleors_order_by_id_and_slash_graphql_is_unchanged():
    sdl = export_federated_sdl()
    [order] = [d for d in parse(sdl).definitions if isinstance(d, ObjectTypeDefinitionNode) and d.name.value == "Order"]
    assert [(d.name.value, print_ast(d.arguments[0].value)) for d in order.directives] == [("key", '"id"')]
    assert [(f.name.value, print_ast(f.type)) for f in order.fields] == [
        ("id", "ID!"), ("returnEligibility", "OrderReturnEligibilityResult!"),
        ("returnRequests", "OrderReturnRequestsResult!")]
    assert "_entities(representations: [_Any!]!): [_Entity]!" in sdl
    assert (ROOT / "graphql" / "schema.graphql").read_text() == export_sdl()
    public = build_schema(export_sdl())
    assert public.get_type("Order") is None and public.get_type("Money") is not None


def test_saleors_subgraph_and_ours_compose_without_errors_and_serve_the_storefront_query(tmp_path):
    # given the query docs/storefront.md tells a storefront to send, and the one the gateway test sends
    documented = re.search(r"```graphql\n(query MyOrders.*?)```", (ROOT / "docs" / "storefront.md").read_text(),
                           re.S)
    assert documented is not None
    queries = {"storefront-doc": documented.group(1), "gateway-test": MY_ORDERS, "mistyped":
               documented.group(1).replace("inGrace", "inGrase")}

    # when Saleor's subgraph and ours are composed, and the queries validated against the supergraph's API
    result = compose({"saleor": saleor_subgraph_sdl(), "returns": export_federated_sdl()}, tmp_path, queries)

    # then there are no errors, both queries are valid (a mistyped field is not), and the supergraph's Order
    # has Saleor's fields and ours
    assert result["errors"] == []
    assert result["operations"]["storefront-doc"] == [] and result["operations"]["gateway-test"] == []
    assert result["operations"]["mistyped"] == [
        'Cannot query field "inGrase" on type "LineEligibility". Did you mean "inGrace"?']
    supergraph = result["supergraph"]
    order = re.search(r"^type Order\b.*?^\}", supergraph, re.M | re.S)
    assert order is not None
    assert re.search(r"^  number: String!", order.group(0), re.M)
    assert re.search(r"^  returnEligibility: OrderReturnEligibilityResult! @join__field\(graph: RETURNS\)",
                     order.group(0), re.M)
    assert re.search(r"^  returnRequests: OrderReturnRequestsResult! @join__field\(graph: RETURNS\)",
                     order.group(0), re.M)


def test_a_type_named_like_saleors_but_shaped_otherwise_does_not_compose(tmp_path):
    # given our subgraph with its money type under the name Saleor uses for another shape
    clashing = export_federated_sdl().replace("ReturnMoney", "Money")

    # when composed with Saleor's
    result = compose({"saleor": saleor_subgraph_sdl(), "returns": clashing}, tmp_path)

    # then composition fails, naming the field: this is what the subgraph's renames prevent
    assert {e["code"] for e in result["errors"]} >= {"FIELD_TYPE_MISMATCH"}
    assert any("Money.amount" in e["message"] for e in result["errors"])
