namespace ExitKit.Packaging;

/// <summary>Where things live in a package (see docs/format.md).</summary>
public static class PackageLayout
{
    /// <summary>The BagIt payload folder.</summary>
    public const string Payload = "data/";
    /// <summary>Content-addressed artefacts.</summary>
    public const string Artefacts = "data/artefacts/";
    /// <summary>The vendor's original files.</summary>
    public const string Originals = "data/originals/";
    /// <summary>Work files of an export in progress (checkpoints); removed when the package is sealed.</summary>
    public const string WorkFolder = ".exitkit/";
    /// <summary>The Frictionless Data Package descriptor.</summary>
    public const string DataPackage = "datapackage.json";
    /// <summary>BagIt declaration.</summary>
    public const string BagDeclaration = "bagit.txt";
    /// <summary>BagIt metadata.</summary>
    public const string BagInfo = "bag-info.txt";
    /// <summary>BagIt payload manifest.</summary>
    public const string PayloadManifest = "manifest-sha256.txt";
    /// <summary>BagIt tag manifest; written last, so its presence means the package is sealed.</summary>
    public const string TagManifest = "tagmanifest-sha256.txt";

    /// <summary>The folder of a table's Parquet parts.</summary>
    public static string TableFolder(string table) => $"data/{table}/";

    /// <summary>The path of a table's part.</summary>
    public static string PartPath(string table, int partIndex, string? shard = null) =>
        shard is null ? $"data/{table}/part-{partIndex:D5}.parquet" : $"data/{table}/{shard}-part-{partIndex:D5}.parquet";

    /// <summary>The path of an artefact by its SHA-256.</summary>
    public static string ArtefactPath(string sha256) => $"{Artefacts}{sha256[..2]}/{sha256}";

    /// <summary>The path of an original file.</summary>
    public static string OriginalPath(string relativePath)
    {
        var normalised = relativePath.Replace('\\', '/').TrimStart('/');
        if (normalised.Split('/').Any(segment => segment is ".." or "." or ""))
        {
            throw new ExitKitException($"The original file path '{relativePath}' is not a plain relative path; connectors must not escape data/originals/.");
        }
        return Originals + normalised;
    }
}
