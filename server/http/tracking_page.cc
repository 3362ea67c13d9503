#include "linecrew/server/http/tracking_page.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace linecrew::http {

using app::CustomerTimelineEntry;

namespace {

// The page's own style and script. Both are constant (the token and the view
// never go into them), so the CSP can name them by hash.
constexpr std::string_view kStyle =
    "*{box-sizing:border-box}"
    "body{margin:0;font-family:system-ui,-apple-system,'PingFang SC','Noto Sans CJK SC','WenQuanYi Zen Hei',"
    "sans-serif;font-size:18px;line-height:1.5;color:#1a1a1a;background:#f4f5f7}"
    "main{max-width:40rem;margin:0 auto;padding:1rem}"
    "h1{font-size:1.5rem;margin:.5rem 0}"
    "h2{font-size:1.15rem;margin:1.25rem 0 .5rem}"
    ".ref,.foot{color:#555;font-size:.95rem;margin:.25rem 0}"
    ".card{background:#fff;border-radius:12px;padding:1rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}"
    ".row{margin:.5rem 0}"
    ".label{color:#555;font-size:.95rem}"
    ".big{font-size:1.75rem;font-weight:700}"
    "#status{color:#0b5cad}"
    "ol{list-style:none;padding:0;margin:0}"
    "li{background:#fff;border-radius:8px;padding:.6rem .8rem;margin:.4rem 0}"
    "li time{font-weight:700;margin-right:.6rem}"
    ".msg{display:block;color:#333}"
    "[hidden]{display:none!important}";

constexpr std::string_view kScript =
    "(function(){"
    "var d=document;"
    "function set(id,t){var e=d.getElementById(id);if(e)e.textContent=t||'';}"
    "function show(id,on){var e=d.getElementById(id);if(e)e.hidden=!on;}"
    "function apply(v){"
    "set('status',v.status_text);set('ticket',v.ticket_id);"
    "set('eta',v.eta_text);show('eta-row',!!v.eta_text);"
    "set('promised',v.promised_text);"
    "set('crew',v.crew_first_name);show('crew-row',!!v.crew_first_name);"
    "set('updated',v.updated_text);"
    "var ol=d.getElementById('timeline');"
    "while(ol.firstChild)ol.removeChild(ol.firstChild);"
    "v.timeline.forEach(function(t){"
    "var li=d.createElement('li'),tm=d.createElement('time'),ev=d.createElement('span');"
    "tm.textContent=t.time_text;ev.className='ev';ev.textContent=t.label;li.appendChild(tm);li.appendChild(ev);"
    "if(t.message){var m=d.createElement('span');m.className='msg';m.textContent=t.message;"
    "if(v.message_language!==v.language)m.lang=v.message_language;li.appendChild(m);}"
    "ol.appendChild(li);});"
    "d.documentElement.setAttribute('data-version',String(v.version));}"
    "var url=location.pathname+'.json'+location.search;"
    "function later(){setTimeout(tick,30000);}"
    "function tick(){"
    "fetch(url,{cache:'no-store',credentials:'omit'}).then(function(r){"
    "if(r.status===404){location.reload();return null;}"
    "if(!r.ok){later();return null;}"
    "return r.json().then(function(v){apply(v);if(!v.final)later();});"
    "}).catch(later);}"
    "d.documentElement.setAttribute('data-live','1');"
    "later();"
    "})();";

std::string csp_hash(std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int md_len = 0;
  EVP_Digest(text.data(), text.size(), md.data(), &md_len, EVP_sha256(), nullptr);
  std::array<unsigned char, 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1> b64{};
  const int n = EVP_EncodeBlock(b64.data(), md.data(), static_cast<int>(md_len));
  return "'sha256-" + std::string(reinterpret_cast<const char*>(b64.data()), static_cast<std::size_t>(n)) + "'";
}

// The page's language: `wanted` when the templates have it, else the view's.
const std::string& page_language(const CustomerView& view, const NoticeTemplates& templates, std::string_view wanted) {
  if (!wanted.empty() && templates.language(wanted) == wanted) return templates.language(wanted);
  return templates.language(view.language);
}

std::chrono::sys_days local_day(TimePoint t, Duration offset) {
  return std::chrono::floor<std::chrono::days>(t + offset);
}

// "HH:MM" on the local day of `now`, else "MM-DD HH:MM".
std::string local_time(TimePoint t, TimePoint now, Duration offset) {
  std::string hhmm = format_hhmm(t, offset);
  if (local_day(t, offset) == local_day(now, offset)) return hhmm;
  const std::chrono::year_month_day ymd(local_day(t, offset));
  char date[8];
  std::snprintf(date, sizeof date, "%02u-%02u", static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return std::string(date) + " " + hhmm;
}

std::string eta_text(const CustomerView& v, TimePoint now, Duration offset) {
  if (!v.eta_window) return {};
  return local_time(v.eta_window->from, now, offset) + "–" +
         (local_day(v.eta_window->to, offset) == local_day(v.eta_window->from, offset)
              ? format_hhmm(v.eta_window->to, offset)
              : local_time(v.eta_window->to, now, offset));
}

std::string event_label(const std::string& kind, const NoticeTemplates& templates, std::string_view language) {
  const std::string key = "event_" + kind;
  std::string label = templates.page(key, language);
  if (label != key) return label;
  label = kind;  // no label configured: the kind, readable
  std::replace(label.begin(), label.end(), '_', ' ');
  return label;
}

bool is_final(TicketStatus s) {
  return is_terminal(s);
}

// The document around `body`, sharing style, headers and CSP with every page.
std::string document(std::string_view language, std::string_view html_attrs, std::string_view title,
                     std::string_view head_extra, std::string_view body) {
  std::string out;
  out.reserve(4096 + body.size());
  out += "<!DOCTYPE html>\n<html lang=\"";
  out += html_escape(language);
  out += "\"";
  out += html_attrs;
  out +=
      ">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"referrer\" content=\"no-referrer\">\n"
      "<meta name=\"robots\" content=\"noindex, nofollow\">\n"
      "<link rel=\"icon\" href=\"data:,\">\n<title>";
  out += html_escape(title);
  out += "</title>\n";
  out += head_extra;
  out += "<style>";
  out += kStyle;
  out += "</style>\n</head>\n<body>\n<main>\n";
  out += body;
  out += "</main>\n";
  return out;
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string tracking_html(const CustomerView& view, const NoticeTemplates& templates, const ServicePolicy& policy,
                          TimePoint now, std::string_view language) {
  const std::string& lang = page_language(view, templates, language);
  const std::string& message_lang = templates.language(view.language);
  const Duration offset = policy.utc_offset;
  const auto label = [&](std::string_view key) { return html_escape(templates.page(key, lang)); };
  const std::string eta = eta_text(view, now, offset);

  std::string b;
  b += "<h1 id=\"title\">" + label("title") + "</h1>\n";
  b += "<p class=\"ref\"><span>" + label("ticket") + "</span> <span id=\"ticket\">" + html_escape(view.ticket.str()) +
       "</span></p>\n";
  b += "<section class=\"card\">\n";
  b += "<div class=\"row\"><div class=\"label\">" + label("status") + "</div><div id=\"status\" class=\"big\">" +
       html_escape(templates.status(view.status, lang)) + "</div></div>\n";
  b += std::string("<div class=\"row\" id=\"eta-row\"") + (eta.empty() ? " hidden" : "") + "><div class=\"label\">" +
       label("eta") + "</div><div id=\"eta\" class=\"big\">" + html_escape(eta) + "</div></div>\n";
  b += "<div class=\"row\" id=\"promised-row\"><div class=\"label\">" + label("promised") +
       "</div><div id=\"promised\">" + html_escape(local_time(view.effective_deadline, now, offset)) + "</div></div>\n";
  b += std::string("<div class=\"row\" id=\"crew-row\"") + (view.crew_first_name.empty() ? " hidden" : "") +
       "><div class=\"label\">" + label("crew") + "</div><div id=\"crew\">" + html_escape(view.crew_first_name) +
       "</div></div>\n";
  b += "</section>\n";
  b += "<h2>" + label("timeline") + "</h2>\n<ol id=\"timeline\">\n";
  for (const CustomerTimelineEntry& e : view.timeline) {
    b += "<li><time>" + html_escape(local_time(e.time, now, offset)) + "</time><span class=\"ev\">" +
         html_escape(event_label(e.kind, templates, lang)) + "</span>";
    if (!e.message.empty()) {
      b += "<span class=\"msg\"";
      if (message_lang != lang) b += " lang=\"" + html_escape(message_lang) + "\"";
      b += ">" + html_escape(e.message) + "</span>";
    }
    b += "</li>\n";
  }
  b += "</ol>\n";
  b += "<p class=\"foot\"><span>" + label("updated") + "</span> <span id=\"updated\">" +
       html_escape(local_time(now, now, offset)) + "</span>";
  if (!is_final(view.status)) b += " · <span id=\"refresh-note\">" + label("refresh") + "</span>";
  b += "</p>\n";

  // Without script the page still refreshes itself; with it, the script
  // updates the texts in place (and stops once the ticket is over).
  const std::string_view head_extra = is_final(view.status)
                                          ? std::string_view()
                                          : "<noscript><meta http-equiv=\"refresh\" content=\"30\"></noscript>\n";
  // The html element carries the version (for the script and for tests).
  std::string out = document(lang, " data-version=\"" + std::to_string(view.version) + "\"",
                             templates.page("title", lang), head_extra, b);
  if (!is_final(view.status)) {
    out += "<script>";
    out += kScript;
    out += "</script>\n";
  }
  out += "</body>\n</html>\n";
  return out;
}

std::string tracking_json(const CustomerView& view, const NoticeTemplates& templates, const ServicePolicy& policy,
                          TimePoint now, std::string_view language) {
  const std::string& lang = page_language(view, templates, language);
  const Duration offset = policy.utc_offset;
  nlohmann::json j;
  j["ticket_id"] = view.ticket.str();
  j["status"] = std::string(to_string(view.status));
  j["status_text"] = templates.status(view.status, lang);
  if (view.eta_window)
    j["eta"] = {{"from", format_utc(view.eta_window->from)}, {"to", format_utc(view.eta_window->to)}};
  else
    j["eta"] = nullptr;
  j["eta_text"] = eta_text(view, now, offset);
  j["promised"] = format_utc(view.effective_deadline);
  j["promised_text"] = local_time(view.effective_deadline, now, offset);
  j["crew_first_name"] = view.crew_first_name;
  nlohmann::json timeline = nlohmann::json::array();
  for (const CustomerTimelineEntry& e : view.timeline)
    timeline.push_back({{"time", format_utc(e.time)},
                        {"time_text", local_time(e.time, now, offset)},
                        {"kind", e.kind},
                        {"label", event_label(e.kind, templates, lang)},
                        {"message", e.message}});
  j["timeline"] = std::move(timeline);
  j["language"] = lang;
  j["message_language"] = templates.language(view.language);
  j["version"] = view.version;
  j["server_time"] = format_utc(now);
  j["updated_text"] = local_time(now, now, offset);
  j["final"] = is_final(view.status);
  // Customer-entered text may hold invalid UTF-8: replace it rather than fail.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string not_found_html() {
  // Fixed text in both languages: nothing depends on the token or on why.
  static const std::string page =
      document("zh-CN", {}, "未找到 / Not found", {},
               "<h1 id=\"title\">未找到该页面</h1>\n"
               "<p lang=\"en\">Page not found</p>\n"
               "<p>请检查短信中的链接是否完整。</p>\n"
               "<p lang=\"en\">Please check that the link from your message is complete.</p>\n") +
      "</body>\n</html>\n";
  return page;
}

std::string too_many_requests_html() {
  static const std::string page = document("zh-CN", {}, "请稍后再试 / Please wait", {},
                                           "<h1 id=\"title\">请求过于频繁,请稍后再试</h1>\n"
                                           "<p lang=\"en\">Too many requests. Please try again in a minute.</p>\n") +
                                  "</body>\n</html>\n";
  return page;
}

const std::string& tracking_csp() {
  static const std::string csp = "default-src 'none'; script-src " + csp_hash(kScript) + "; style-src " +
                                 csp_hash(kStyle) +
                                 "; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; "
                                 "frame-ancestors 'none'";
  return csp;
}

}  // namespace linecrew::http
