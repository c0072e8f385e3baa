using System.Globalization;
using System.Net;
using System.Text;
using Nachos.Shared.Metrics;

namespace Nachos.Host.Dashboard;

/// <summary>The HTML shell of the dashboard's pages: escaping, number formats, the inline style sheet and script.</summary>
public static class Html
{
    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>For people: three decimals, "n/a" when undefined.</summary>
    public static string F(double? v) => MetricText.Show(v);

    /// <summary>For sorting and tests: the exact value, empty when undefined.</summary>
    public static string V(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("R", CultureInfo.InvariantCulture) : "";

    public static string NoImage(string sampleId) => $"<div class=\"noimage\" title=\"{E(sampleId)}\">image unavailable</div>";

    /// <summary>A number cell that sorts by its exact value.</summary>
    public static string NumberCell(double? v, string? metric = null) =>
        $"<td class=\"num\"{(metric is null ? "" : $" data-metric=\"{E(metric)}\"")} data-value=\"{V(v)}\">{F(v)}</td>";

    /// <summary>Nothing outside the file: no network, no fonts, no scripts but the inline ones.</summary>
    private const string Policy = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'";

    /// <param name="refreshSeconds">Served pages of a running study reload themselves this often (a meta refresh: no script, no connection).</param>
    public static string Document(string title, string body, int? refreshSeconds = null) => new StringBuilder()
        .Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .Append($"<meta http-equiv=\"Content-Security-Policy\" content=\"{Policy}\">\n")
        .Append(refreshSeconds is { } every ? $"<meta http-equiv=\"refresh\" content=\"{every}\">\n" : "")
        .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .Append($"<title>{E(title)}</title>\n<style>{Style}</style>\n</head>\n<body>\n")
        .Append(body)
        .Append($"\n<script>{Script}</script>\n</body>\n</html>\n")
        .ToString();

    private const string Style = """

        body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1d2430; margin: 0 auto; padding: 1rem 2rem 4rem; max-width: 1200px; line-height: 1.4; }
        h1 { font-size: 1.6rem; margin: 1.5rem 0 .3rem; } h2 { font-size: 1.2rem; margin: 1.8rem 0 .5rem; border-bottom: 1px solid #d8dde6; padding-bottom: .2rem; }
        section.model { border-top: 3px solid #4a6fa5; margin-top: 3rem; }
        a { color: #2f5d9e; } .muted { color: #667085; } .small { font-size: .85rem; }
        .badge { display: inline-block; padding: .1rem .6rem; border-radius: 1rem; font-size: .85rem; font-weight: 600; }
        .badge.complete { background: #dcf2e3; color: #17663a; } .badge.incomplete, .badge.failed { background: #fde2e1; color: #a21b14; }
        .badge.running { background: #e0ebfa; color: #1f4f8f; } .badge.paused, .badge.cancelled { background: #eef0f4; color: #475467; }
        progress { width: 12rem; vertical-align: middle; }
        table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; }
        th, td { border: 1px solid #d8dde6; padding: .25rem .5rem; text-align: left; vertical-align: top; }
        th { background: #f2f4f8; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        table.sortable th { cursor: pointer; user-select: none; } table.sortable th[aria-sort=ascending]::after { content: " ▲"; } table.sortable th[aria-sort=descending]::after { content: " ▼"; }
        tr.chosen td { background: #fff8e1; } tr.refit td { background: #e8f1fb; } td.failure { color: #a21b14; min-width: 18rem; } td.model { white-space: nowrap; }
        .scroll { overflow-x: auto; }
        .plots { display: flex; flex-wrap: wrap; gap: 1rem; } .plots svg { max-width: 100%; height: auto; border: 1px solid #eef0f4; }
        table.confusion caption { text-align: left; white-space: nowrap; padding-bottom: .2rem; } table.confusion td { text-align: center; min-width: 3rem; font-variant-numeric: tabular-nums; } table.confusion td.diagonal { background: #dcf2e3; font-weight: 600; }
        .gallery { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: .8rem; }
        .gallery figure { margin: 0; border: 1px solid #d8dde6; border-radius: 4px; padding: .4rem; font-size: .8rem; }
        .gallery figure.wrong { border-color: #d9534f; }
        .gallery img, .gallery .noimage { width: 128px; height: 128px; object-fit: contain; image-rendering: pixelated; background: #000; display: block; margin: 0 auto .3rem; }
        .gallery .noimage { background: #eef0f4; color: #667085; display: flex; align-items: center; justify-content: center; }
        figcaption span { display: block; overflow-wrap: anywhere; }
        nav.toc { columns: 3; font-size: .85rem; }

        """;

    /// <summary>Click a header of a sortable table: numbers sort largest first, text A–Z; again reverses; empty cells stay last. Then the shared image store fills the gallery.</summary>
    private const string Script = """

        document.querySelectorAll('table.sortable').forEach(table => {
          table.querySelectorAll('thead th').forEach((th, col) => {
            th.tabIndex = 0;
            const sort = () => {
              const numeric = th.dataset.type === 'number';
              const current = th.getAttribute('aria-sort');
              const descending = current ? current === 'ascending' : numeric;
              table.querySelectorAll('thead th').forEach(h => h.removeAttribute('aria-sort'));
              th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
              const body = table.tBodies[0];
              const key = row => { const c = row.cells[col]; return c.dataset.value ?? c.textContent.trim(); };
              const rows = Array.from(body.rows).sort((a, b) => {
                const x = key(a), y = key(b);
                if (x === '' || y === '') return (x === '') - (y === '');
                const order = numeric ? Number(x) - Number(y) : x.localeCompare(y, undefined, { numeric: true });
                return descending ? -order : order;
              });
              rows.forEach(r => body.appendChild(r));
            };
            th.addEventListener('click', sort);
            th.addEventListener('keydown', e => { if (e.key === 'Enter') sort(); });
          });
        });
        const store = document.getElementById('nachos-images');
        if (store) {
          const images = JSON.parse(store.textContent);
          document.querySelectorAll('img[data-image]').forEach(img => { img.src = 'data:image/png;base64,' + images[img.dataset.image]; });
        }

        """;
}
