using System.Globalization;

namespace ExitKit.Connectors.Zendesk.Internal;

/// <summary>
/// Where reading a paged list stands: which list of the table, which page (the URL that fetched it and its number) and how
/// many of that page's items were already read. Resuming refetches that page and skips those items: no duplicate, no gap.
/// </summary>
internal sealed record ListCursor(int List, int Page, int Skip, string FetchPath)
{
    private const string Prefix = "zd1";

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Prefix}|{List}|{Page}|{Skip}|{FetchPath}");

    public static ListCursor? Parse(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var parts = text.Split('|', 5);
        if (parts.Length != 5 || parts[0] != Prefix
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var list)
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var page)
            || !int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var skip)
            || !parts[4].StartsWith('/'))
        {
            throw ExitKitException.SourceFailed(ZendeskHttp.ConnectorName,
                $"the resume cursor '{text}' was not written by this connector; start the export again without resuming.");
        }
        return new ListCursor(list, page, skip, parts[4]);
    }
}
