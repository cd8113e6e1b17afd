// A gateway on loopback in front of subgraphs, for the tests (docs/storefront.md shows the production setup).
// It composes the subgraphs' `_service { sdl }` at start (IntrospectAndCompose) and forwards the caller's
// Authorization and Saleor-Api-Url headers to every subgraph, so each one decides who is asking.
// usage: node gateway.mjs NAME=URL ... ; prints {"url": "..."} once it listens (PORT, default any free one).
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from "@apollo/gateway";

const FORWARDED = ["authorization", "saleor-api-url"];

class ForwardingDataSource extends RemoteGraphQLDataSource {
  willSendRequest({ request, context }) {
    for (const name of FORWARDED) {
      const value = context.headers?.[name];
      if (value) request.http.headers.set(name, value);
    }
  }
}

const subgraphs = process.argv.slice(2).map((pair) => {
  const [name, url] = pair.split(/=(.*)/s);
  return { name, url };
});
const gateway = new ApolloGateway({
  supergraphSdl: new IntrospectAndCompose({ subgraphs }),
  buildService: ({ url }) => new ForwardingDataSource({ url }),
});
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port: Number(process.env.PORT ?? 0) },
  context: async ({ req }) => ({ headers: req.headers }),
});
process.stdout.write(JSON.stringify({ url }) + "\n");
