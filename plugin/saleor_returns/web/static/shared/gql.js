// A small GraphQL client for our API. Expected failures come back as data (ReturnError union members);
// this only turns transport failures and top-level errors into an ApiError with a code.

export class ApiError extends Error {
  constructor(code, message, field = null) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.field = field;
  }
}

const TIMEOUT_MS = 20000;

/** The API endpoint next to the page: <meta name="returns-api"> wins (copied pages), else <base>/graphql. */
export function apiEndpoint() {
  const meta = document.querySelector('meta[name="returns-api"]');
  if (meta && meta.content) return meta.content;
  const base = document.querySelector('meta[name="returns-base"]');
  return `${base ? base.content : ""}/graphql`;
}

/**
 * createClient({endpoint, token}) → gql(query, variables): the `data` object, or throws ApiError.
 * `token` is a function returning the bearer token to send (or null); `extraHeaders` more headers.
 */
export function createClient({ endpoint = apiEndpoint(), token = () => null, extraHeaders = () => ({}) } = {}) {
  return async function gql(query, variables = {}) {
    const headers = { "content-type": "application/json", accept: "application/json", ...extraHeaders() };
    const bearer = token();
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    let response;
    try {
      response = await fetch(endpoint, {
        method: "POST", headers, body: JSON.stringify({ query, variables }), signal: controller.signal,
      });
    } catch (err) {
      throw new ApiError("NETWORK", err && err.name === "AbortError" ? "timeout" : "network");
    } finally {
      clearTimeout(timer);
    }
    let body = null;
    try {
      body = await response.json();
    } catch {
      throw new ApiError(response.status >= 500 ? "SERVER" : "NETWORK", `HTTP ${response.status}`);
    }
    if (body.errors && body.errors.length) {
      const first = body.errors[0];
      const ext = first.extensions || {};
      throw new ApiError(ext.code || "SERVER", first.message || "error", ext.field || null);
    }
    if (!response.ok) throw new ApiError("SERVER", `HTTP ${response.status}`);
    return body.data;
  };
}
