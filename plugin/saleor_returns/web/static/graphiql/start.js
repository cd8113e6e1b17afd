// GraphiQL for /graphql, from files this app serves (vendored from the npm registry: see LICENSES.txt), so it
// works offline. Query, variables and headers are kept in the address for sharing, as strawberry's page does.
(function start() {
  "use strict";
  var base = (document.querySelector('meta[name="returns-base"]') || {}).content || "";
  var params = new URLSearchParams(window.location.search);
  var EXAMPLE = "# GraphiQL for saleor-returns: Ctrl-Enter runs, Ctrl-Space completes.\n"
    + "# Staff operations need a header: {\"Authorization\": \"Bearer <admin token>\"}\n"
    + "{\n  returnPolicy(channel: \"default-channel\") { channel windowDays graceDays reasons }\n}\n";

  function keep(key, value) {
    if (value) params.set(key, value); else params.delete(key);
    window.history.replaceState(null, "", "?" + params.toString());
  }

  var fetcher = GraphiQL.createFetcher({ url: window.location.origin + base + "/graphql" });

  function App() {
    var explorer = GraphiQLPluginExplorer.explorerPlugin();
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      plugins: [explorer],
      defaultEditorToolsVisibility: true,
      defaultQuery: EXAMPLE,
      query: params.get("q") || undefined,
      variables: params.get("variables") || undefined,
      onEditQuery: function (q) { keep("q", q); },
      onEditVariables: function (v) { keep("variables", v); },
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      inputValueDeprecation: true,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(App));
}());
