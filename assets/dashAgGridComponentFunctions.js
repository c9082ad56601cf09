// Cell renderers of the portfolio table (dash-ag-grid looks them up here by name).
// Names from the data are put in as text, never as HTML.
var dagcomponentfuncs = (window.dashAgGridComponentFunctions =
    window.dashAgGridComponentFunctions || {});

dagcomponentfuncs.AgreementLink = function (props) {
    var data = props.data || {};
    return React.createElement("a", {href: data.href, className: "grid-link"}, props.value);
};

var STATUS_STYLE = {
    red: {backgroundColor: "#B84A00", color: "#FFFFFF"},
    amber: {backgroundColor: "#E69F00", color: "#000000"},
    green: {backgroundColor: "#00734F", color: "#FFFFFF"},
    grey: {backgroundColor: "#5A6268", color: "#FFFFFF"}
};

// The worst status of an agreement: symbol and word on its colour (never colour alone).
dagcomponentfuncs.StatusBadge = function (props) {
    var data = props.data || {};
    if (!data.worst_status) { return props.value; }
    return React.createElement("span", {
        className: "status-badge status-sm",
        style: STATUS_STYLE[data.worst_status] || STATUS_STYLE.grey
    }, props.value);
};

// Each target on a line of its own: its status symbol, name, value and target, as text.
dagcomponentfuncs.TargetList = function (props) {
    var items = (props.data || {}).target_list || [];
    return React.createElement("ul", {className: "grid-targets"}, items.map(function (t, i) {
        return React.createElement("li", {key: i, "data-status": t.status}, t.text);
    }));
};

// The worst target in words on one line, and every target on demand: a disclosure the
// row grows to show (the column has autoHeight). Text only, never HTML.
dagcomponentfuncs.WorstTarget = function (props) {
    var data = props.data || {};
    var items = data.target_list || [];
    if (!items.length) { return "–"; }
    var text = React.createElement("span", {className: "worst-text"}, data.worst_target);
    if (items.length < 2) { return React.createElement("span", {className: "worst-one"}, text); }
    var list = React.createElement("ul", {className: "grid-targets"}, items.map(function (t, i) {
        return React.createElement("li", {key: i, "data-status": t.status}, t.text);
    }));
    return React.createElement("details", {className: "worst-details"},
        React.createElement("summary", {className: "worst-summary"}, text,
            React.createElement("span", {className: "worst-more"}, data.more_targets)),
        list);
};
