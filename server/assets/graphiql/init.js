// Starts GraphiQL in the page's #graphiql element. This is a file of its own, not a script in
// the page, so that the page's Content-Security-Policy can refuse every inline script; the
// page passes the endpoint in the element's data-endpoint attribute instead.
'use strict';
(function () {
  var root = document.getElementById('graphiql');
  var fetcher = GraphiQL.createFetcher({ url: root.dataset.endpoint, headers: {} });
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      defaultHeaders: '{"Authorization": "Bearer <token from login>"}',
    }),
  );
})();
