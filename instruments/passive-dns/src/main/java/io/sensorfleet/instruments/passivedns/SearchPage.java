package io.sensorfleet.instruments.passivedns;

import java.util.List;

/**
 * The UI's one page: a search form and, after a search, its results as a table. Plain HTML without scripts or
 * anything from elsewhere; every value from the database or the request is escaped. Links are relative, so the page
 * works under whatever path the platform's reverse proxy serves it.
 */
final class SearchPage {

  private SearchPage() {}

  static String render(String query, List<PassiveDnsStore.Row> rows, PassiveDnsStore.Stats stats,
      boolean truncated) {
    StringBuilder html = new StringBuilder(2048 + rows.size() * 200);
    html.append("""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Passive DNS</title>
        <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}\
        td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}</style></head><body>
        <h1>Passive DNS</h1>
        <form method="get"><label>Name or address
        """);
    html.append(" <input name=\"q\" size=\"50\" value=\"").append(Html.escape(query)).append("\"></label>")
        .append(" <button>Search</button></form>\n");
    html.append("<p>").append(stats.rows()).append(" records for ").append(stats.names())
        .append(" names. JSON: <a href=\"api/stats\">api/stats</a>, api/search?q=&hellip;</p>\n");
    if (!query.isEmpty()) {
      html.append("<h2>Results for ").append(Html.escape(query)).append("</h2>\n");
      if (rows.isEmpty()) {
        html.append("<p>Nothing seen.</p>\n");
      } else {
        html.append("<table><tr><th>name</th><th>type</th><th>answer</th><th>first seen</th><th>last seen</th>")
            .append("<th>count</th></tr>\n");
        for (PassiveDnsStore.Row r : rows) {
          html.append("<tr><td>").append(Html.escape(r.qname())).append("</td><td>").append(Html.escape(r.qtype()))
              .append("</td><td>").append(Html.escape(r.answer())).append("</td><td>").append(r.firstSeen())
              .append("</td><td>").append(r.lastSeen()).append("</td><td>").append(r.count()).append("</td></tr>\n");
        }
        html.append("</table>\n");
        if (truncated) {
          html.append("<p>Only the most recent ").append(rows.size()).append(" are shown.</p>\n");
        }
      }
    }
    return html.append("</body></html>\n").toString();
  }
}
