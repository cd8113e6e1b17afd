// Composes subgraph SDL files into a supergraph with Apollo's composition library (Federation 2; a subgraph
// without `@link` is read as Federation 1, as Saleor's is).
// usage: node compose.mjs NAME=FILE.graphql ... [--supergraph OUT.graphql]
// Prints {"errors": [...], "hints": [...]} as JSON; exit status 1 when composition failed.
import { readFileSync, writeFileSync } from "node:fs";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";

const args = process.argv.slice(2);
const out = args.includes("--supergraph") ? args[args.indexOf("--supergraph") + 1] : null;
const services = args
  .filter((a, i) => a.includes("=") && args[i - 1] !== "--supergraph")
  .map((pair) => {
    const [name, file] = pair.split("=");
    return { name, url: `http://${name}.invalid/graphql`, typeDefs: parse(readFileSync(file, "utf8")) };
  });

const result = composeServices(services);
const errors = (result.errors ?? []).map((e) => ({ code: e.extensions?.code ?? null, message: e.message }));
const hints = (result.hints ?? []).map((h) => ({ code: h.definition?.code ?? null, message: h.message }));
if (out && result.supergraphSdl) writeFileSync(out, result.supergraphSdl);
process.stdout.write(JSON.stringify({ errors, hints }) + "\n");
process.exit(errors.length ? 1 : 0);
