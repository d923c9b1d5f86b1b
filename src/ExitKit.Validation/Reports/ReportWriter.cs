using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ExitKit.Validation.Checks;
using static ExitKit.Validation.Checks.Wording;

namespace ExitKit.Validation.Reports;

/// <summary>Writes a <see cref="ValidationReport"/> as JSON (machines), Markdown and self-contained HTML (people).</summary>
public static class ReportWriter
{
    /// <summary>The file names written by <see cref="WriteAllAsync"/>.</summary>
    public const string JsonFile = "validation-report.json", MarkdownFile = "validation-report.md", HtmlFile = "validation-report.html";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>How reports are serialised: camelCase, indented, enums as snake_case strings.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // The report is a file of its own, never embedded in HTML: keep quotes and dashes readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Writes the three reports into a folder (created if needed); returns their paths.</summary>
    public static async Task<IReadOnlyList<string>> WriteAllAsync(ValidationReport report, string folder, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(folder);
        var files = new (string Name, string Text)[]
        {
            (JsonFile, ToJson(report)), (MarkdownFile, ToMarkdown(report)), (HtmlFile, ToHtml(report)),
        };
        var paths = new List<string>();
        foreach (var (name, text) in files)
        {
            var path = Path.Combine(folder, name);
            await File.WriteAllTextAsync(path, text, new UTF8Encoding(false), cancellationToken);
            paths.Add(path);
        }
        return paths;
    }

    /// <summary>The report as JSON.</summary>
    public static string ToJson(ValidationReport report) => JsonSerializer.Serialize(report, JsonOptions) + "\n";

    private static string Instant(DateTimeOffset instant) => instant.ToUniversalTime().ToString("d MMMM yyyy HH:mm 'UTC'", Invariant);

    private static string CountsLine(ValidationReport report) =>
        $"{report.Counts.Met} of {Count(report.Obligations.Count, "obligation")} met, {report.Counts.NotMet} not met, {report.Counts.NotCheckable} not checkable.";

    private static IEnumerable<(string Label, string Value)> Facts(ValidationReport report)
    {
        yield return ("Contract", $"{report.Schedule.ContractId}: {report.Schedule.ContractTitle}");
        if (report.Schedule.Parties.Count > 0)
        {
            yield return ("Parties", string.Join("; ", report.Schedule.Parties.Select(party => $"{party.Name} ({party.Role})")));
        }
        yield return ("Exit date", Date(report.Schedule.ExitDate));
        yield return ("Delivery deadline", Date(report.Schedule.DeliveryDeadline));
        yield return ("Working Days calendar", report.Schedule.Calendar);
        yield return ("Package", $"{report.Package.Location} (package id {report.Package.PackageId})");
        yield return ("Source", $"{report.Package.SourceSystem}, read by the {report.Package.Connector} connector");
        yield return ("Contents", $"{Count(report.Package.Tables, "table")}, {Count(report.Package.Rows, "row")}");
        yield return ("Problems reported by the connector", report.Package.Problems.Count == 0
            ? "none"
            : string.Join(", ", report.Package.Problems.Select(pair => $"{Number(pair.Value)} {pair.Key}")) + " (listed in the manifest)");
        yield return ("Sealed", Instant(report.Package.SealedAt));
        yield return ("Schedule file", report.Schedule.File);
        yield return ("Validated", Instant(report.ValidatedAt));
    }

    /// <summary>The report as Markdown.</summary>
    public static string ToMarkdown(ValidationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        md.Append(Invariant, $"# Exit validation: {Cell(report.Schedule.ContractTitle)}\n\n");
        md.Append(Invariant, $"**Outcome: {report.Outcome.Describe()}.** {CountsLine(report)}\n\n");
        md.Append("| | |\n|---|---|\n");
        foreach (var (label, value) in Facts(report))
        {
            md.Append(Invariant, $"| {label} | {Cell(value)} |\n");
        }
        md.Append("\n## Obligations\n\n| Clause | Obligation | Outcome | Finding |\n|---|---|---|---|\n");
        foreach (var obligation in report.Obligations)
        {
            var finding = obligation.Checks.FirstOrDefault(check => check.Outcome == obligation.Outcome) ?? obligation.Checks[0];
            md.Append(Invariant, $"| {Cell(obligation.Id)} | {Cell(obligation.Title)} | {obligation.Outcome.Describe()} | {Cell(finding.Summary)} |\n");
        }
        foreach (var obligation in report.Obligations)
        {
            md.Append(Invariant, $"\n## {obligation.Id} {obligation.Title}\n\n");
            md.Append(Invariant, $"{obligation.Headline}\n\n");
            if (obligation.Tables.Count > 0)
            {
                md.Append(Invariant, $"Tables: {string.Join(", ", obligation.Tables.Select(table => $"`{table}`"))}.\n\n");
            }
            foreach (var check in obligation.Checks)
            {
                md.Append(Invariant, $"- **{check.Kind}** ({check.Subject}) {check.Outcome.Describe()}: {check.Summary}\n");
                foreach (var detail in check.Details)
                {
                    md.Append(Invariant, $"  - {detail}\n");
                }
            }
        }
        md.Append("\nThe figures behind every finding are in the JSON report (`validation-report.json`).\n");
        return md.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    /// <summary>The report as one self-contained HTML page (inline CSS, no scripts, no external assets).</summary>
    public static string ToHtml(ValidationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        static string E(string text) => WebUtility.HtmlEncode(text);
        static string Badge(Outcome outcome) => outcome switch
        {
            Outcome.Met => "<span class=\"badge met\">Met</span>",
            Outcome.NotMet => "<span class=\"badge not-met\">Not met</span>",
            _ => "<span class=\"badge not-checkable\">Not checkable</span>",
        };
        var html = new StringBuilder();
        html.Append(Invariant, $"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Exit validation: {E(report.Schedule.ContractTitle)}</title>
            <style>
            body {"{"} font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1f24; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; {"}"}
            h1 {"{"} font-size: 1.6rem; margin-bottom: .25rem; {"}"}
            h2 {"{"} font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; padding-bottom: .25rem; {"}"}
            table {"{"} border-collapse: collapse; width: 100%; margin: 1rem 0; {"}"}
            th, td {"{"} text-align: left; vertical-align: top; padding: .35rem .6rem; border-bottom: 1px solid #d0d7de; {"}"}
            th {"{"} background: #f6f8fa; {"}"}
            .facts th {"{"} width: 14rem; background: none; font-weight: 600; {"}"}
            .badge {"{"} display: inline-block; padding: .05rem .5rem; border-radius: .75rem; font-size: .85rem; font-weight: 600; white-space: nowrap; {"}"}
            .met {"{"} background: #dafbe1; color: #116329; {"}"}
            .not-met {"{"} background: #ffebe9; color: #a40e26; {"}"}
            .not-checkable {"{"} background: #fff8c5; color: #7d4e00; {"}"}
            .headline {"{"} font-weight: 600; {"}"}
            .check {"{"} margin: .5rem 0 .75rem; {"}"}
            .check ul {"{"} margin: .25rem 0 0 1.25rem; padding: 0; color: #424a53; {"}"}
            code {"{"} background: #f6f8fa; padding: 0 .25rem; border-radius: .25rem; {"}"}
            footer {"{"} margin-top: 2rem; color: #57606a; font-size: .85rem; {"}"}
            </style>
            </head>
            <body>
            <h1>Exit validation: {E(report.Schedule.ContractTitle)}</h1>
            <p>{Badge(report.Outcome)} {E(CountsLine(report))}</p>
            <table class="facts">

            """);
        foreach (var (label, value) in Facts(report))
        {
            html.Append(Invariant, $"<tr><th>{E(label)}</th><td>{E(value)}</td></tr>\n");
        }
        html.Append("</table>\n<h2>Obligations</h2>\n<table>\n<tr><th>Clause</th><th>Obligation</th><th>Outcome</th><th>Finding</th></tr>\n");
        foreach (var obligation in report.Obligations)
        {
            var finding = obligation.Checks.FirstOrDefault(check => check.Outcome == obligation.Outcome) ?? obligation.Checks[0];
            html.Append(Invariant, $"<tr><td><a href=\"#{Anchor(obligation.Id)}\">{E(obligation.Id)}</a></td><td>{E(obligation.Title)}</td><td>{Badge(obligation.Outcome)}</td><td>{E(finding.Summary)}</td></tr>\n");
        }
        html.Append("</table>\n");
        foreach (var obligation in report.Obligations)
        {
            html.Append(Invariant, $"<h2 id=\"{Anchor(obligation.Id)}\">{E(obligation.Id)} {E(obligation.Title)} {Badge(obligation.Outcome)}</h2>\n");
            html.Append(Invariant, $"<p class=\"headline\">{E(obligation.Headline)}</p>\n");
            if (obligation.Tables.Count > 0)
            {
                html.Append(Invariant, $"<p>Tables: {string.Join(", ", obligation.Tables.Select(table => $"<code>{E(table)}</code>"))}.</p>\n");
            }
            foreach (var check in obligation.Checks)
            {
                html.Append(Invariant, $"<div class=\"check\">{Badge(check.Outcome)} <strong>{E(check.Kind)}</strong> ({E(check.Subject)}): {E(check.Summary)}");
                if (check.Details.Count > 0)
                {
                    html.Append("\n<ul>\n");
                    foreach (var detail in check.Details)
                    {
                        html.Append(Invariant, $"<li>{E(detail)}</li>\n");
                    }
                    html.Append("</ul>");
                }
                html.Append("</div>\n");
            }
        }
        html.Append("<footer>Written by ExitKit. The figures behind every finding are in validation-report.json.</footer>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static string Anchor(string id) =>
        "clause-" + new string(id.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-').ToArray());
}
