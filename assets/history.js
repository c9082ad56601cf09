// The browser's Back and Forward on an agreement or cluster page: only the period (or
// breakdown) in the address changed, so the page switches its content itself (the same
// callback as the period picker) instead of Dash's router rebuilding the whole page.
// Registered before Dash's components mount, so this listener runs first.
(function () {
    window.addEventListener("popstate", function (event) {
        var view = window.__samverkanView;
        if (!view || window.location.pathname !== view.pathname) { return; }
        var query = new URLSearchParams(window.location.search);
        if ((query.get("lang") || "sv") !== view.lang) { return; }  // the router redraws
        var setProps = window.dash_clientside && window.dash_clientside.set_props;
        if (!setProps) { return; }
        event.stopImmediatePropagation();
        setProps("history-target", {data: {
            period: query.get("period") || "", breakdown: query.get("breakdown") || "total",
            at: Date.now()
        }});
    });
})();
