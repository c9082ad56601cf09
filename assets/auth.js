/*
 * Sign-in (dashboard/auth): a callback answered 401 means the sign-in has expired or was
 * ended (signed out in another tab, the account disabled): go to the sign-in page, which
 * brings the user back here afterwards. Dash's renderer talks to the server with fetch.
 *
 * The 401 is handled here and never handed to the renderer: Dash takes a 401 for an
 * expired token, reads the body to look for one, and then reads it again to report the
 * failed callback ("Failed to execute 'text' on 'Response': body stream already read").
 * The renderer gets an empty "no update" answer (204) instead while the page leaves.
 */
(function () {
    "use strict";
    var original = window.fetch;
    if (!original) { return; }
    window.fetch = function (resource, init) {
        return original.apply(this, arguments).then(function (response) {
            var url = typeof resource === "string" ? resource : (resource && resource.url) || "";
            if (response.status !== 401 || url.indexOf("_dash-update-component") === -1) {
                return response;
            }
            response.json().then(function (body) {
                var target = (body && body.login) || "login";
                var here = window.location.pathname + window.location.search;
                window.location.assign(target + (target.indexOf("?") === -1 ? "?" : "&") +
                                       "next=" + encodeURIComponent(here));
            }).catch(function () { window.location.reload(); });
            return new Response(null, {status: 204, statusText: "No Content"});
        });
    };
}());
