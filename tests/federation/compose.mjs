// Composes subgraph SDL files into a supergraph with Apollo's composition library (Federation 2; a subgraph
// without `@link` is read as Federation 1, as Saleor's is), and validates operations against the result.
// usage: node compose.mjs NAME=FILE.graphql ... [--supergraph OUT.graphql] [--operation FILE.graphql ...]
// Prints {"errors": [...], "hints": [...], "operations": {FILE: [messages]}} as JSON; exit status 1 when
// composition failed or an operation is not valid against the composed API.
import { readFileSync, writeFileSync } from "node:fs";
import { composeServices } from "@apollo/composition";
import { parse, validate } from "graphql";

const args = process.argv.slice(2);
const valueOf = (flag) => args.flatMap((a, i) => (args[i - 1] === flag ? [a] : []));
const flagged = new Set([...valueOf("--supergraph"), ...valueOf("--operation")]);
const services = args
  .filter((a) => a.includes("=") && !flagged.has(a))
  .map((pair) => {
    const [name, file] = pair.split("=");
    return { name, url: `http://${name}.invalid/graphql`, typeDefs: parse(readFileSync(file, "utf8")) };
  });

const result = composeServices(services);
const errors = (result.errors ?? []).map((e) => ({ code: e.extensions?.code ?? null, message: e.message }));
const hints = (result.hints ?? []).map((h) => ({ code: h.definition?.code ?? null, message: h.message }));
const operations = {};
if (!errors.length) {
  const [out] = valueOf("--supergraph");
  if (out) writeFileSync(out, result.supergraphSdl);
  const api = result.schema.toAPISchema().toGraphQLJSSchema();
  for (const file of valueOf("--operation")) {
    operations[file] = validate(api, parse(readFileSync(file, "utf8"))).map((e) => e.message);
  }
}
process.stdout.write(JSON.stringify({ errors, hints, operations }) + "\n");
process.exit(errors.length || Object.values(operations).some((m) => m.length) ? 1 : 0);
