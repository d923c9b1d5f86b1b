using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ExitKit.Parquet;
using ExitKit.Storage;

namespace ExitKit.Packaging;

/// <summary>One thing wrong with a package, naming the file.</summary>
/// <param name="Path">The file concerned, relative to the package root.</param>
/// <param name="Problem">What is wrong and, where it helps, what to do.</param>
public sealed record VerificationFinding(string Path, string Problem);

/// <summary>The outcome of verifying a package.</summary>
/// <param name="Location">The package.</param>
/// <param name="FilesChecked">Files whose hash was computed.</param>
/// <param name="BytesChecked">Bytes hashed.</param>
/// <param name="Findings">Every problem found; empty when the package is valid.</param>
public sealed record VerificationResult(string Location, long FilesChecked, long BytesChecked, IReadOnlyList<VerificationFinding> Findings)
{
    /// <summary>True when nothing is wrong.</summary>
    public bool IsValid => Findings.Count == 0;
}

/// <summary>Checks a package the way an auditor's BagIt tool would (completeness and fixity), then the manifest against the files.</summary>
public static class PackageVerifier
{
    /// <summary>Verifies a package.</summary>
    /// <exception cref="ExitKitException">The package is not usable at all (not found, not a package, not sealed).</exception>
    public static async Task<VerificationResult> VerifyAsync(IPackageStore store, IProgress<long>? bytesHashed = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (!await store.ExistsAsync(PackageLayout.BagDeclaration, cancellationToken) && !await store.ExistsAsync(PackageManifest.FileName, cancellationToken))
        {
            var any = false;
            await foreach (var _ in store.ListAsync(cancellationToken: cancellationToken))
            {
                any = true;
                break;
            }
            throw ExitKitException.PackageUnusable(store.Location, any
                ? "is not an exit package: it has neither bagit.txt nor exitkit.json. If an export was interrupted, run it again with --resume."
                : "does not exist or is empty.");
        }
        var findings = new List<VerificationFinding>();
        // Listing tens of thousands of artefacts takes as long as reading the bag's manifests: both at once.
        var listing = Task.Run(async () =>
        {
            var listed = new Dictionary<string, long>(StringComparer.Ordinal);
            await foreach (var file in store.ListAsync(cancellationToken: cancellationToken))
            {
                listed[file.Path] = file.Length;
            }
            return listed;
        }, cancellationToken);
        var manifests = Task.Run(async () =>
        {
            var bagFindings = new List<VerificationFinding>();
            var payload = await ReadManifestFileAsync(store, PackageLayout.PayloadManifest, bagFindings, cancellationToken);
            var tagFiles = await ReadManifestFileAsync(store, PackageLayout.TagManifest, bagFindings, cancellationToken);
            return (payload, tagFiles, bagFindings);
        }, cancellationToken);
        var files = await listing;
        var (declared, tags, manifestFindings) = await manifests;
        if (!files.ContainsKey(PackageLayout.TagManifest))
        {
            findings.Add(new VerificationFinding(PackageLayout.TagManifest, "is missing: the package was never sealed or the file was deleted. An interrupted export is finished with --resume."));
        }
        foreach (var work in files.Keys.Where(path => path.StartsWith(PackageLayout.WorkFolder, StringComparison.Ordinal)))
        {
            findings.Add(new VerificationFinding(work, "is a work file of an unfinished export; a sealed package has none."));
        }

        findings.AddRange(manifestFindings);
        await CheckDeclarationAsync(store, files, findings, cancellationToken);

        // Completeness: every payload file listed, every listed file present.
        foreach (var path in files.Keys.Where(path => path.StartsWith(PackageLayout.Payload, StringComparison.Ordinal) && !declared.ContainsKey(path)))
        {
            findings.Add(new VerificationFinding(path, "is in the payload but not in manifest-sha256.txt: a file was added after sealing."));
        }
        foreach (var path in files.Keys.Where(path => !path.StartsWith(PackageLayout.Payload, StringComparison.Ordinal)
            && !path.StartsWith(PackageLayout.WorkFolder, StringComparison.Ordinal) && !tags.ContainsKey(path)
            && path is not PackageLayout.TagManifest))
        {
            findings.Add(new VerificationFinding(path, "is a tag file not listed in tagmanifest-sha256.txt: a file was added after sealing."));
        }
        foreach (var path in declared.Keys.Concat(tags.Keys).Where(path => !files.ContainsKey(path)))
        {
            findings.Add(new VerificationFinding(path, "is listed in the bag's manifest but missing from the package."));
        }

        // The manifest's own checks (a Parquet footer read per part) run beside the hashing, which rarely keeps both cores busy
        // to its end; their findings are listed after the hashes' and the bag's, as before.
        var tableFindings = new List<VerificationFinding>();
        var tableChecks = Task.Run(() => CheckExitManifestAsync(store, files, declared, tableFindings, cancellationToken), cancellationToken);

        // Fixity: hash every listed file that exists, one file or batch of small files per core at a time.
        var toHash = declared.Concat(tags).Where(pair => files.ContainsKey(pair.Key)).ToArray();
        long bytesChecked = 0;
        var hashFindings = new System.Collections.Concurrent.ConcurrentBag<VerificationFinding>();
        await Parallel.ForEachAsync(HashingBatches(toHash, files),
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            async (batch, token) =>
            {
                foreach (var pair in batch)
                {
                    var actual = await store.ComputeSha256Async(pair.Key, token);
                    Interlocked.Add(ref bytesChecked, files[pair.Key]);
                    if (!string.Equals(actual, pair.Value, StringComparison.OrdinalIgnoreCase))
                    {
                        hashFindings.Add(new VerificationFinding(pair.Key, $"has SHA-256 {actual}, but the bag's manifest records {pair.Value}: its content changed."));
                    }
                }
                bytesHashed?.Report(Interlocked.Read(ref bytesChecked));
            });
        findings.AddRange(hashFindings.OrderBy(finding => finding.Path, StringComparer.Ordinal));

        await CheckOxumAsync(store, files, declared, findings, cancellationToken);
        await tableChecks;
        findings.AddRange(tableFindings);
        return new VerificationResult(store.Location, toHash.Length, bytesChecked, findings);
    }

    /// <summary>
    /// The files to hash, largest first so no core is left with a big part at the end; files under 1 MiB go in batches of 64,
    /// since handing out one small artefact at a time cost about as much as hashing it (10,000 artefacts per million interactions).
    /// </summary>
    private static IEnumerable<KeyValuePair<string, string>[]> HashingBatches(KeyValuePair<string, string>[] toHash, Dictionary<string, long> files)
    {
        const long SmallFile = 1 << 20;
        const int SmallBatch = 64;
        var bySize = toHash.OrderByDescending(pair => files[pair.Key]).ToArray();
        foreach (var pair in bySize.TakeWhile(pair => files[pair.Key] >= SmallFile))
        {
            yield return [pair];
        }
        foreach (var batch in bySize.SkipWhile(pair => files[pair.Key] >= SmallFile).Chunk(SmallBatch))
        {
            yield return batch;
        }
    }

    private static async Task<Dictionary<string, string>> ReadManifestFileAsync(IPackageStore store, string manifestPath,
        List<VerificationFinding> findings, CancellationToken cancellationToken)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!await store.ExistsAsync(manifestPath, cancellationToken))
        {
            if (manifestPath != PackageLayout.TagManifest)
            {
                findings.Add(new VerificationFinding(manifestPath, "is missing: the payload's fixity cannot be checked."));
            }
            return entries;
        }
        var lineNumber = 0;
        foreach (var line in (await ReadTextAsync(store, manifestPath, cancellationToken)).Split('\n'))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }
            var separator = line.IndexOf(' ', StringComparison.Ordinal);
            if (separator != 64)
            {
                findings.Add(new VerificationFinding(manifestPath, $"line {lineNumber} is not '<sha256> <path>'."));
                continue;
            }
            entries[PackageSealer.DecodePath(line[(separator + 1)..].TrimStart(' ', '*'))] = line[..separator];
        }
        return entries;
    }

    private static async Task<string> ReadTextAsync(IPackageStore store, string path, CancellationToken cancellationToken)
    {
        await using var stream = await store.OpenReadAsync(path, cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    private static async Task CheckDeclarationAsync(IPackageStore store, Dictionary<string, long> files, List<VerificationFinding> findings, CancellationToken cancellationToken)
    {
        if (!files.ContainsKey(PackageLayout.BagDeclaration))
        {
            findings.Add(new VerificationFinding(PackageLayout.BagDeclaration, "is missing: the package is not a BagIt bag."));
            return;
        }
        var text = await ReadTextAsync(store, PackageLayout.BagDeclaration, cancellationToken);
        if (!text.StartsWith("BagIt-Version: ", StringComparison.Ordinal) || !text.Contains("Tag-File-Character-Encoding: UTF-8", StringComparison.Ordinal))
        {
            findings.Add(new VerificationFinding(PackageLayout.BagDeclaration, "does not declare a BagIt version and UTF-8 encoding."));
        }
    }

    private static async Task CheckOxumAsync(IPackageStore store, Dictionary<string, long> files, Dictionary<string, string> declared,
        List<VerificationFinding> findings, CancellationToken cancellationToken)
    {
        if (!files.ContainsKey(PackageLayout.BagInfo))
        {
            findings.Add(new VerificationFinding(PackageLayout.BagInfo, "is missing."));
            return;
        }
        var oxumLine = (await ReadTextAsync(store, PackageLayout.BagInfo, cancellationToken)).Split('\n')
            .FirstOrDefault(line => line.StartsWith("Payload-Oxum:", StringComparison.Ordinal));
        var payload = files.Where(pair => pair.Key.StartsWith(PackageLayout.Payload, StringComparison.Ordinal)).ToArray();
        var actual = string.Create(CultureInfo.InvariantCulture, $"{payload.Sum(pair => pair.Value)}.{payload.Length}");
        var recorded = oxumLine?["Payload-Oxum:".Length..].Trim();
        if (recorded != actual)
        {
            findings.Add(new VerificationFinding(PackageLayout.BagInfo, $"records Payload-Oxum {recorded ?? "(none)"}, but the payload is {actual} (bytes.files)."));
        }
    }

    private static async Task CheckExitManifestAsync(IPackageStore store, Dictionary<string, long> files, Dictionary<string, string> declared,
        List<VerificationFinding> findings, CancellationToken cancellationToken)
    {
        if (!files.ContainsKey(PackageManifest.FileName))
        {
            findings.Add(new VerificationFinding(PackageManifest.FileName, "is missing: the tables cannot be checked."));
            return;
        }
        PackageManifest? manifest;
        try
        {
            await using var stream = await store.OpenReadAsync(PackageManifest.FileName, cancellationToken);
            manifest = await JsonSerializer.DeserializeAsync<PackageManifest>(stream, PackageManifest.JsonOptions, cancellationToken);
        }
        catch (JsonException error)
        {
            findings.Add(new VerificationFinding(PackageManifest.FileName, $"is not a valid manifest: {error.Message}"));
            return;
        }
        if (manifest is null)
        {
            findings.Add(new VerificationFinding(PackageManifest.FileName, "is empty."));
            return;
        }
        foreach (var table in manifest.Tables)
        {
            if (table.Files.Sum(file => file.Rows) != table.Rows)
            {
                findings.Add(new VerificationFinding(PackageManifest.FileName, $"table {table.Name} records {table.Rows} rows but its files add up to {table.Files.Sum(file => file.Rows)}."));
            }
            if (table.DailyCounts is { } daily && daily.Values.Sum() != table.Rows)
            {
                findings.Add(new VerificationFinding(PackageManifest.FileName, $"table {table.Name} records {table.Rows} rows but its daily counts add up to {daily.Values.Sum()}."));
            }
            foreach (var file in table.Files)
            {
                if (!files.TryGetValue(file.Path, out var length))
                {
                    findings.Add(new VerificationFinding(file.Path, $"is listed for table {table.Name} in exitkit.json but missing."));
                    continue;
                }
                if (length != file.Bytes)
                {
                    findings.Add(new VerificationFinding(file.Path, $"is {length} bytes; exitkit.json records {file.Bytes}."));
                }
                if (declared.TryGetValue(file.Path, out var bagHash) && !string.Equals(bagHash, file.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    findings.Add(new VerificationFinding(file.Path, $"has SHA-256 {bagHash} in manifest-sha256.txt but {file.Sha256} in exitkit.json."));
                }
                await CheckFooterAsync(store, table, file, findings, cancellationToken);
            }
        }
        foreach (var original in manifest.Originals.Where(original => !files.ContainsKey(original.Path)))
        {
            findings.Add(new VerificationFinding(original.Path, "is listed as an original in exitkit.json but missing."));
        }
    }

    private static async Task CheckFooterAsync(IPackageStore store, TableEntry table, TableFile file, List<VerificationFinding> findings, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await store.OpenReadAsync(file.Path, cancellationToken);
            var footer = await ParquetPartReader.ReadFooterAsync(stream, cancellationToken);
            if (footer.Rows != file.Rows)
            {
                findings.Add(new VerificationFinding(file.Path, $"holds {footer.Rows} rows (Parquet footer); exitkit.json records {file.Rows}."));
            }
            var expected = table.Columns.Select(column => column.Name).ToArray();
            if (!footer.ColumnNames.SequenceEqual(expected))
            {
                findings.Add(new VerificationFinding(file.Path, $"has columns {string.Join(", ", footer.ColumnNames)}; table {table.Name} has {string.Join(", ", expected)}."));
            }
        }
        catch (Exception error) when (error is IOException or InvalidDataException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            findings.Add(new VerificationFinding(file.Path, $"is not a readable Parquet file ({error.Message}): it was truncated or damaged."));
        }
    }
}
