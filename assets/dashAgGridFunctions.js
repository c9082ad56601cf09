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
