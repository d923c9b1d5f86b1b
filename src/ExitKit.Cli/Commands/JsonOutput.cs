using System.Text.Json;
using ExitKit.Packaging;

namespace ExitKit.Cli.Commands;

/// <summary>How <c>--json</c> output is written: the manifest's conventions (camelCase, indented).</summary>
internal static class JsonOutput
{
    public static JsonSerializerOptions Options => PackageManifest.JsonOptions;
}
