using Nachos.Host.Running;
using Nachos.Shared.Study;

namespace Nachos.Host.Application;

/// <summary>A finished study's report in one format: a stored file (json, csv) or rendered text (html).</summary>
public sealed record ReportDocument(string MediaType, string? FilePath, string? Text)
{
    public const string Formats = "json, csv, html or result";

    public static bool IsFormat(string format) => format is "json" or "csv" or "html" or "result";

    /// <summary>The report of the run directory <paramref name="dir"/> (which holds report.json) in <paramref name="format"/>.</summary>
    /// <param name="html">Renders the self-contained HTML file (the served catalog keeps it once rendered).</param>
    /// <param name="noCsv">The refusal's text when the study has no report.csv (the API does not show the node's paths).</param>
    /// <param name="result">The result statement (default: loaded from the run directory; the served catalog keeps its own).</param>
    public static Outcome<ReportDocument> Of(string dir, string format, Func<string> html, Func<string, string> noCsv, Func<ResultStatement?>? result = null) => format switch
    {
        "json" => new ReportDocument("application/json", RunLayout.ReportPath(dir), null),
        "csv" => File.Exists(RunLayout.ReportCsvPath(dir))
            ? new ReportDocument("text/csv", RunLayout.ReportCsvPath(dir), null)
            : Refusal.NotFound(noCsv(Path.GetFullPath(RunLayout.ReportCsvPath(dir)))),
        "html" => new ReportDocument("text/html; charset=utf-8", null, html()),
        // The result in words (ResultText as JSON), for clients that show it above their table.
        "result" => (result ?? (() => StudyResult.Load(dir, StudyReport.Read(RunLayout.ReportPath(dir)))))() is { } statement
            ? new ReportDocument("application/json", null, System.Text.Json.JsonSerializer.Serialize(statement.Text, Contract.ApiJson.Options))
            : Refusal.NotFound("no result statement: the study's spec or split plan cannot be read"),
        _ => Refusal.BadRequest($"format '{format}': expected {Formats}"),
    };

    public string ReadText() => Text ?? File.ReadAllText(FilePath!);
}
