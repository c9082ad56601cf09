/*
 * Sign-in (dashboard/auth): a callback answered 401 means the sign-in has expired or was
 * ended (signed out in another tab, the account disabled): go to the sign-in page, which
 * brings the user back here afterwards. Dash's renderer talks to the server with fetch.
 */
(function () {
    "use strict";
    var original = window.fetch;
    if (!original) { return; }
    window.fetch = function (resource, init) {
        return original.apply(this, arguments).then(function (response) {
            var url = typeof resource === "string" ? resource : (resource && resource.url) || "";
            if (response.status === 401 && url.indexOf("_dash-update-component") !== -1) {
                response.clone().json().then(function (body) {
                    var target = (body && body.login) || "login";
                    var here = window.location.pathname + window.location.search;
                    window.location.assign(target + (target.indexOf("?") === -1 ? "?" : "&") +
                                           "next=" + encodeURIComponent(here));
                }).catch(function () { window.location.reload(); });
            }
            return response;
        });
    };
}());
