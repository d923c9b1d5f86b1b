using System.Text;

namespace ExitKit.Connectors.KnowledgeFiles.Internal;

/// <summary>File and folder names made from titles, ids and file names: safe on every file system, readable in a URL.</summary>
internal static class Slug
{
    private const int MaxLength = 80;

    /// <summary>Lower case letters and digits separated by single hyphens ("Where is my parcel?" → "where-is-my-parcel"); empty when nothing is left.</summary>
    public static string Of(string? text)
    {
        var slug = new StringBuilder();
        foreach (var character in text ?? "")
        {
            if (char.IsLetterOrDigit(character))
            {
                slug.Append(char.ToLowerInvariant(character));
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
            if (slug.Length >= MaxLength)
            {
                break;
            }
        }
        return slug.ToString().Trim('-');
    }

    /// <summary>A locale or other short code as one folder name: letters, digits, '-' and '_' kept, nothing else.</summary>
    public static string Segment(string text)
    {
        var segment = new StringBuilder();
        foreach (var character in text)
        {
            segment.Append(char.IsAsciiLetterOrDigit(character) || character is '-' or '_' ? char.ToLowerInvariant(character) : '-');
        }
        return segment.ToString().Trim('-');
    }

    /// <summary>An attachment's file name kept as close to the original as is safe: no folders, no leading dot, no control or reserved characters.</summary>
    public static string FileName(string? name, string fallback)
    {
        var file = new StringBuilder();
        foreach (var character in Path.GetFileName((name ?? "").Replace('\\', '/')))
        {
            file.Append(char.IsLetterOrDigit(character) || character is '.' or '-' or '_' ? character : '-');
        }
        var text = file.ToString().TrimStart('.');
        if (text.Length > 120)
        {
            var extension = Path.GetExtension(text);
            text = text[..(120 - Math.Min(extension.Length, 20))] + (extension.Length <= 20 ? extension : "");
        }
        return text.Length == 0 || text.All(character => character is '.' or '-') ? Of(fallback) : text;
    }
}
