// The customer tracking page (issue 6): what a customer sees when they open
// the link from their message. Pure functions from a CustomerView to HTML
// (and to the JSON the page re-fetches every 30 s). Self-contained: inline
// style and script only, no external resources, every text HTML-escaped.
// Stable element ids for tests and the refresh script: title, ticket,
// status, eta-row/eta, promised, crew-row/crew, timeline, updated.
#pragma once

#include <string>
#include <string_view>

#include "linecrew/core/notify.h"
#include "linecrew/core/policy.h"
#include "linecrew/server/app/customer_view.h"

namespace linecrew::http {

using app::CustomerView;

// The page for `view` at `now`. `language` ("zh-CN", "en"; empty: the
// view's) picks the labels and status words; timeline messages stay in the
// view's language (they were rendered with it) and are marked so.
std::string tracking_html(const CustomerView& view, const NoticeTemplates& templates, const ServicePolicy& policy,
                          TimePoint now, std::string_view language = {});
// The same content as JSON for the page's refresh script: rendered texts
// (status_text, eta_text, promised_text, updated_text, timeline[].label/
// time_text/message) and the raw values (status, eta.from/to, promised,
// server_time in UTC, version, final).
std::string tracking_json(const CustomerView& view, const NoticeTemplates& templates, const ServicePolicy& policy,
                          TimePoint now, std::string_view language = {});
// The one page for an unknown, malformed or expired link (HTTP 404): says
// nothing about why.
std::string not_found_html();
// HTTP 429.
std::string too_many_requests_html();
// The Content-Security-Policy for both pages: nothing external; only the
// pages' own inline style and script (by hash), fetches to the same origin.
const std::string& tracking_csp();

// `text` with & < > " ' replaced by character references.
std::string html_escape(std::string_view text);

}  // namespace linecrew::http
