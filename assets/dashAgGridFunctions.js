// Functions the portfolio table's column definitions name (sorting).
var dagfuncs = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});

// The worst status first: red, amber, green, grey, then agreements without targets.
dagfuncs.statusRank = function (valueA, valueB, nodeA, nodeB) {
    var a = nodeA && nodeA.data ? nodeA.data.worst : 9;
    var b = nodeB && nodeB.data ? nodeB.data.worst : 9;
    return a - b;
};

// Sort a column by another field of the row (a date shown in words, sorted by its ISO form).
dagfuncs.byField = function (field) {
    return function (valueA, valueB, nodeA, nodeB) {
        var a = nodeA && nodeA.data ? nodeA.data[field] || "" : "";
        var b = nodeB && nodeB.data ? nodeB.data[field] || "" : "";
        return a < b ? -1 : a > b ? 1 : 0;
    };
};

// The columns that fit the grid's width: each column's context.priority (0: always), the
// lowest first, while their minimum widths fit; the rest hidden (no sideways scrolling).
// Run when the grid is drawn, resized, and given new columns (dashboard/pages/portfolio.py).
dagfuncs.fitColumns = function (params) {
    var api = params && params.api;
    if (!api || (api.isDestroyed && api.isDestroyed())) { return; }
    // The page's layout may settle after the grid's first drawing, and a window resized
    // below the grid's own events: fit again then (and until the grid has a width).
    if (!api.__fitWatched) {
        api.__fitWatched = true;
        window.addEventListener("resize", function () { dagfuncs.fitColumns({api: api}); });
        [100, 400, 1200].forEach(function (ms) {
            setTimeout(function () { dagfuncs.fitColumns({api: api}); }, ms);
        });
    }
    var root = document.getElementById("portfolio-grid");
    var width = (root ? root.clientWidth : params.clientWidth || 0) - 4;
    if (width <= 0) { return; }
    var cols = (api.getColumns() || []).map(function (c, i) { return {c: c, i: i}; });
    var priority = function (x) { return ((x.c.getColDef().context || {}).priority) || 0; };
    cols.sort(function (a, b) { return priority(a) - priority(b) || a.i - b.i; });
    var used = 0, full = false, show = [], hide = [];
    cols.forEach(function (x) {
        var def = x.c.getColDef();
        var min = def.minWidth || def.width || 100;
        if (priority(x) === 0 || (!full && used + min <= width)) {
            used += min;
            show.push(x.c.getColId());
        } else {
            full = true;
            hide.push(x.c.getColId());
        }
    });
    api.setColumnsVisible(show, true);
    if (hide.length) { api.setColumnsVisible(hide, false); }
    api.sizeColumnsToFit();
};

// The portfolio's grid is drawn by the page router at any time: fit its columns whenever
// it appears or its width changes (the grid's own events do not always reach us first).
(function () {
    var seen = "";
    setInterval(function () {
        var root = document.getElementById("portfolio-grid");
        if (!root || !window.dash_ag_grid || !window.dash_ag_grid.getApi) { return; }
        try {
            var api = window.dash_ag_grid.getApi("portfolio-grid");
            var cols = api && api.getColumns && api.getColumns();
            if (!cols) { return; }
            var key = root.clientWidth + ":" + cols.map(function (c) {
                return c.getColId(); }).join(",");
            if (key === seen) { return; }
            seen = key;
            dagfuncs.fitColumns({api: api});
        } catch (e) { /* not ready yet */ }
    }, 250);
})();
