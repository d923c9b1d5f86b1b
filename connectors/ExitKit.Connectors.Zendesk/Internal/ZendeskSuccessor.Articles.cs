using System.Security.Cryptography;
using System.Text.Json;

namespace ExitKit.Connectors.Zendesk.Internal;

/// <summary>Article versions as Help Center articles and translations.</summary>
internal sealed partial class ZendeskSuccessor
{
    private long? ZendeskSection(object?[] row) =>
        row[Articles.OrdinalOf("section_id")] is string section && settings.Sections.TryGetValue(section, out var mapped) ? mapped : settings.SectionId;

    private static byte[] TranslationRequest(object?[] row, bool withLocale) => ZendeskReplies.Body(json =>
    {
        json.WriteStartObject();
        json.WriteStartObject("translation");
        if (withLocale)
        {
            json.WriteString("locale", (string)row[Articles.OrdinalOf("locale")]!);
        }
        json.WriteString("title", (string)row[Articles.OrdinalOf("title")]!);
        json.WriteString("body", row[Articles.OrdinalOf("body")] as string ?? "");
        json.WriteBoolean("draft", row[Articles.OrdinalOf("state")] as string == "draft");
        json.WriteEndObject();
        json.WriteEndObject();
    });

    private byte[] ArticleRequest(object?[] row) => ZendeskReplies.Body(json =>
    {
        json.WriteStartObject();
        json.WriteStartObject("article");
        json.WriteString("title", (string)row[Articles.OrdinalOf("title")]!);
        json.WriteString("body", row[Articles.OrdinalOf("body")] as string ?? "");
        json.WriteString("locale", (string)row[Articles.OrdinalOf("locale")]!);
        json.WriteBoolean("draft", row[Articles.OrdinalOf("state")] as string == "draft");
        json.WriteNumber("permission_group_id", settings.PermissionGroupId!.Value);
        if (settings.UserSegmentId is { } segment)
        {
            json.WriteNumber("user_segment_id", segment);
        }
        else
        {
            json.WriteNull("user_segment_id");
        }
        WriteLabels(json, row);
        json.WriteEndObject();
        // Importing is not publishing news: followers of the section are not e-mailed.
        json.WriteBoolean("notify_subscribers", false);
        json.WriteEndObject();
    });

    private static void WriteLabels(Utf8JsonWriter json, object?[] row)
    {
        json.WriteStartArray("label_names");
        foreach (var label in row[Articles.OrdinalOf("labels")] as string[] ?? [])
        {
            json.WriteStringValue(label);
        }
        json.WriteEndArray();
    }

    private async Task<IReadOnlyList<RowImportResult>> ImportArticlesAsync(IReadOnlyList<object?[]> rows, bool dryRun, CancellationToken cancellationToken)
    {
        var results = new List<RowImportResult>(rows.Count);
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            results.Add(await ImportArticleAsync(row, dryRun, cancellationToken));
        }
        return results;
    }

    private async Task<RowImportResult> ImportArticleAsync(object?[] row, bool dryRun, CancellationToken cancellationToken)
    {
        var system = (string)row[0]!;
        var id = (string)row[1]!;
        var articleId = (string)row[Articles.OrdinalOf("article_id")]!;
        var locale = (string)row[Articles.OrdinalOf("locale")]!;
        var version = (long)row[Articles.OrdinalOf("version")]!;
        if (_latestVersion.TryGetValue(TranslationKey(row), out var latest) && version < latest)
        {
            return new RowImportResult(id, ImportOutcome.Failed, Reason: $"superseded: Zendesk Help Center keeps one body per translation, and version {latest} of " +
                $"this article in {locale} was imported instead (older versions stay in the package)");
        }
        if (row[Articles.OrdinalOf("state")] as string == "archived")
        {
            return new RowImportResult(id, ImportOutcome.Failed, Reason: "it is archived; Help Center's API creates articles and translations, not archived ones (archive it in Guide after importing, or leave it in the package)");
        }
        if (ZendeskSection(row) is not { } section)
        {
            return new RowImportResult(id, ImportOutcome.Failed, Reason: $"no Help Center section is configured for its section '{row[Articles.OrdinalOf("section_id")]}': " +
                "add it to the sections setting or set sectionId");
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData([.. TranslationRequest(row, withLocale: true), .. ArticleRequest(row),
            .. BitConverter.GetBytes(section)]));
        var translation = await IdMap.GetAsync(ZendeskIdMap.Translations, system, id, cancellationToken);
        var article = await IdMap.GetAsync(ZendeskIdMap.Articles, system, articleId, cancellationToken);
        if (article is { State: "pending" } && !dryRun)
        {
            article = await FindArticleAsync(row, section, system, articleId, hash, cancellationToken);
        }
        if (translation is { State: "pending" } && article is { State: "done" } && !dryRun)
        {
            translation = await FindTranslationAsync(row, article.ZendeskId!, system, id, cancellationToken);
        }
        if (translation is { State: "done" or "dry" })
        {
            if (translation.ContentSha256 == hash)
            {
                return new RowImportResult(id, ImportOutcome.Skipped, translation.ZendeskId);
            }
            if (dryRun)
            {
                return new RowImportResult(id, ImportOutcome.Updated, translation.ZendeskId);
            }
            return await UpdateArticleAsync(row, translation, hash, cancellationToken);
        }
        if (dryRun)
        {
            if (article is null)
            {
                await IdMap.SetAsync(ZendeskIdMap.Articles, system, articleId, new IdMapEntry("dry", null, null, _run, null, null, null), cancellationToken);
            }
            await IdMap.SetAsync(ZendeskIdMap.Translations, system, id, new IdMapEntry("dry", null, hash, _run, articleId, version, null), cancellationToken);
            return new RowImportResult(id, ImportOutcome.Created);
        }
        if (article is not { State: "done" })
        {
            // The article does not exist yet: it is created in this row's locale, which becomes its source locale.
            await IdMap.SetAsync(ZendeskIdMap.Articles, system, articleId, new IdMapEntry("pending", null, null, _run, null, section, null), cancellationToken);
            await IdMap.SetAsync(ZendeskIdMap.Translations, system, id, new IdMapEntry("pending", null, hash, _run, articleId, version, null), cancellationToken);
            var reply = await SendOnceAsync(HttpMethod.Post, $"/api/v2/help_center/sections/{ZendeskIdMap.Text(section)}/articles", ArticleRequest(row), cancellationToken);
            if (!reply.Succeeded)
            {
                await IdMap.RemoveAsync(ZendeskIdMap.Translations, system, id, cancellationToken);
                await IdMap.RemoveAsync(ZendeskIdMap.Articles, system, articleId, cancellationToken);
                return new RowImportResult(id, ImportOutcome.Failed, Reason: ZendeskReplies.Reason(reply));
            }
            using var document = JsonDocument.Parse(reply.Body);
            var created = document.RootElement.Get("article")?.Text("id")
                ?? throw ExitKitException.SourceFailed(ZendeskHttp.ConnectorName, $"creating an article answered {reply.Status} without an article id.");
            var translationId = created + "/" + locale;
            await IdMap.InOneAsync(async () =>
            {
                await IdMap.SetAsync(ZendeskIdMap.Articles, system, articleId, new IdMapEntry("done", created, null, _run, null, section, null), cancellationToken);
                await IdMap.SetAsync(ZendeskIdMap.Translations, system, id, new IdMapEntry("done", translationId, hash, _run, articleId, version, null), cancellationToken);
            }, cancellationToken);
            return new RowImportResult(id, ImportOutcome.Created, translationId);
        }
        await IdMap.SetAsync(ZendeskIdMap.Translations, system, id, new IdMapEntry("pending", null, hash, _run, articleId, version, null), cancellationToken);
        var added = await SendOnceAsync(HttpMethod.Post, $"/api/v2/help_center/articles/{article.ZendeskId}/translations", TranslationRequest(row, withLocale: true), cancellationToken);
        if (!added.Succeeded)
        {
            await IdMap.RemoveAsync(ZendeskIdMap.Translations, system, id, cancellationToken);
            return new RowImportResult(id, ImportOutcome.Failed, Reason: ZendeskReplies.Reason(added));
        }
        var addedId = article.ZendeskId + "/" + locale;
        await IdMap.SetAsync(ZendeskIdMap.Translations, system, id, new IdMapEntry("done", addedId, hash, _run, articleId, version, null), cancellationToken);
        return new RowImportResult(id, ImportOutcome.Created, addedId);
    }

    private async Task<RowImportResult> UpdateArticleAsync(object?[] row, IdMapEntry translation, string hash, CancellationToken cancellationToken)
    {
        var system = (string)row[0]!;
        var id = (string)row[1]!;
        var (articleZendeskId, locale) = SplitTranslationId(translation.ZendeskId!);
        var section = ZendeskSection(row)!.Value;
        var reply = await http.SendJsonAsync(HttpMethod.Put, $"/api/v2/help_center/articles/{articleZendeskId}/translations/{Uri.EscapeDataString(locale)}",
            TranslationRequest(row, withLocale: false), cancellationToken);
        if (reply.Succeeded)
        {
            reply = await http.SendJsonAsync(HttpMethod.Put, $"/api/v2/help_center/articles/{articleZendeskId}",
                ZendeskReplies.Body(json =>
                {
                    json.WriteStartObject();
                    json.WriteStartObject("article");
                    WriteLabels(json, row);
                    json.WriteNumber("section_id", section);
                    json.WriteEndObject();
                    json.WriteEndObject();
                }), cancellationToken);
        }
        if (!reply.Succeeded)
        {
            return new RowImportResult(id, ImportOutcome.Failed, Reason: ZendeskReplies.Reason(reply));
        }
        await IdMap.SetAsync(ZendeskIdMap.Translations, system, id, translation with { ContentSha256 = hash, State = "done" }, cancellationToken);
        return new RowImportResult(id, ImportOutcome.Updated, translation.ZendeskId);
    }

    private static (string Article, string Locale) SplitTranslationId(string translationId)
    {
        var slash = translationId.IndexOf('/', StringComparison.Ordinal);
        return (translationId[..slash], translationId[(slash + 1)..]);
    }

    /// <summary>Creating requests are sent once: on a 5xx or a broken connection the run stops, and the next run looks for what was created.</summary>
    private async Task<ZendeskReply> SendOnceAsync(HttpMethod method, string path, byte[] body, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendJsonAsync(method, path, body, cancellationToken);
        }
        catch (ZendeskUncertainException error)
        {
            throw ExitKitException.SourceFailed(ZendeskHttp.ConnectorName,
                $"{error.Message}; Zendesk may or may not have created it. Run the import again: it looks for it before creating it again.", error);
        }
    }

    /// <summary>An article whose creation was cut off: found again in its section by its title and locale, or created afresh.</summary>
    private async Task<IdMapEntry?> FindArticleAsync(object?[] row, long section, string system, string articleId, string hash, CancellationToken cancellationToken)
    {
        var title = (string)row[Articles.OrdinalOf("title")]!;
        var locale = (string)row[Articles.OrdinalOf("locale")]!;
        var matches = new List<string>();
        string? next = $"/api/v2/help_center/sections/{ZendeskIdMap.Text(section)}/articles.json?per_page=100";
        while (next is not null)
        {
            var reply = await http.SendJsonAsync(HttpMethod.Get, next, null, cancellationToken);
            if (!reply.Succeeded)
            {
                throw ExitKitException.SourceFailed(ZendeskHttp.ConnectorName, $"listing the articles of section {section} failed: {ZendeskReplies.Reason(reply)}");
            }
            using var document = JsonDocument.Parse(reply.Body);
            matches.AddRange(document.RootElement.Array("articles")
                .Where(article => article.Text("title") == title && (article.Text("source_locale") ?? article.Text("locale")) == locale)
                .Select(article => article.Text("id")).OfType<string>());
            next = document.RootElement.Text("next_page");
        }
        if (matches.Count == 1)
        {
            var entry = new IdMapEntry("done", matches[0], null, "", null, section, null);
            await IdMap.SetAsync(ZendeskIdMap.Articles, system, articleId, entry, cancellationToken);
            await IdMap.SetAsync(ZendeskIdMap.Translations, system, (string)row[1]!,
                new IdMapEntry("done", matches[0] + "/" + locale, hash, "", articleId, (long)row[Articles.OrdinalOf("version")]!, null), cancellationToken);
            return entry;
        }
        if (matches.Count > 1)
        {
            throw new ExitKitException($"Section {section} holds {matches.Count} articles titled '{title}' in {locale} ({string.Join(", ", matches)}), and an earlier " +
                $"import of article {articleId} stopped before it recorded which one it created. Delete the extra ones in Guide and run the import again.", FailureKind.Incomplete);
        }
        await IdMap.RemoveAsync(ZendeskIdMap.Articles, system, articleId, cancellationToken);
        return null;
    }

    private async Task<IdMapEntry?> FindTranslationAsync(object?[] row, string articleZendeskId, string system, string id, CancellationToken cancellationToken)
    {
        var locale = (string)row[Articles.OrdinalOf("locale")]!;
        var reply = await http.SendJsonAsync(HttpMethod.Get, $"/api/v2/help_center/articles/{articleZendeskId}/translations/{Uri.EscapeDataString(locale)}.json", null, cancellationToken);
        if (reply.Status == 404)
        {
            await IdMap.RemoveAsync(ZendeskIdMap.Translations, system, id, cancellationToken);
            return null;
        }
        if (!reply.Succeeded)
        {
            throw ExitKitException.SourceFailed(ZendeskHttp.ConnectorName, $"looking up translation {locale} of article {articleZendeskId} failed: {ZendeskReplies.Reason(reply)}");
        }
        // Found: recorded with no content hash, so the row is sent again as an update and Zendesk holds exactly the package's version.
        var entry = new IdMapEntry("done", articleZendeskId + "/" + locale, null, "", (string)row[Articles.OrdinalOf("article_id")]!,
            (long)row[Articles.OrdinalOf("version")]!, null);
        await IdMap.SetAsync(ZendeskIdMap.Translations, system, id, entry, cancellationToken);
        return entry;
    }
}
