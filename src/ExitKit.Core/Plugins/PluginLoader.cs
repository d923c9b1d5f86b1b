using System.Reflection;
using System.Runtime.Loader;
using ExitKit.Connectors;

namespace ExitKit.Plugins;

/// <summary>A connector found in a plugin assembly.</summary>
/// <param name="Plugin">The plugin instance.</param>
/// <param name="AssemblyPath">The file it came from.</param>
public sealed record LoadedConnector(ConnectorPlugin Plugin, string AssemblyPath)
{
    /// <summary>The connector's descriptor.</summary>
    public ConnectorDescriptor Descriptor => Plugin.Descriptor;
}

/// <summary>Finds connector assemblies in plugin folders and loads each in its own load context.</summary>
/// <remarks>
/// The layout is <c>plugins/&lt;AssemblyName&gt;/&lt;AssemblyName&gt;.dll</c> with the connector's dependencies beside it.
/// ExitKit.Abstractions is shared with the host, so the plugin's types implement the host's contracts.
/// </remarks>
public static class PluginLoader
{
    /// <summary>The folders searched: <c>plugins/</c> beside the program, then each folder in <c>EXITKIT_PLUGIN_PATH</c>.</summary>
    public static IReadOnlyList<string> DefaultFolders()
    {
        var folders = new List<string> { Path.Combine(AppContext.BaseDirectory, "plugins") };
        var extra = Environment.GetEnvironmentVariable("EXITKIT_PLUGIN_PATH");
        if (!string.IsNullOrWhiteSpace(extra))
        {
            folders.AddRange(extra.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        return folders;
    }

    /// <summary>Loads every connector in the folders.</summary>
    /// <exception cref="ExitKitException">An assembly is corrupt, incompatible or its plugin cannot be created; the message names the file.</exception>
    public static IReadOnlyList<LoadedConnector> LoadAll(IEnumerable<string> folders)
    {
        ArgumentNullException.ThrowIfNull(folders);
        var connectors = new List<LoadedConnector>();
        foreach (var folder in folders.Where(Directory.Exists))
        {
            foreach (var pluginFolder in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
            {
                var assemblyPath = Path.Combine(pluginFolder, Path.GetFileName(pluginFolder) + ".dll");
                if (File.Exists(assemblyPath))
                {
                    connectors.AddRange(Load(assemblyPath));
                }
            }
        }
        var duplicate = connectors.GroupBy(connector => connector.Descriptor.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(group => group.Count() > 1);
        if (duplicate is not null)
        {
            throw new ExitKitException($"Two plugins provide a connector named '{duplicate.Key}': {string.Join(" and ", duplicate.Select(connector => connector.AssemblyPath))}. Remove one.");
        }
        return connectors.OrderBy(connector => connector.Descriptor.Name, StringComparer.Ordinal).ToArray();
    }

    /// <summary>Loads the connectors of one assembly.</summary>
    public static IReadOnlyList<LoadedConnector> Load(string assemblyPath)
    {
        Assembly assembly;
        try
        {
            assembly = new PluginLoadContext(assemblyPath).LoadFromAssemblyPath(Path.GetFullPath(assemblyPath));
        }
        catch (Exception error) when (error is BadImageFormatException or FileLoadException or FileNotFoundException)
        {
            throw new ExitKitException($"Plugin {assemblyPath} cannot be loaded: it is not a valid .NET assembly ({error.GetType().Name}). Remove it or rebuild the connector.",
                FailureKind.UnusableInput, error);
        }
        Type[] types;
        try
        {
            types = assembly.GetExportedTypes();
        }
        catch (Exception error) when (error is ReflectionTypeLoadException or FileNotFoundException or FileLoadException or TypeLoadException)
        {
            throw new ExitKitException($"Plugin {assemblyPath} is incompatible with this ExitKit ({error.Message}). Rebuild the connector against ExitKit.Abstractions {typeof(ConnectorPlugin).Assembly.GetName().Version}.",
                FailureKind.UnusableInput, error);
        }
        var loaded = new List<LoadedConnector>();
        foreach (var type in types.Where(type => typeof(ConnectorPlugin).IsAssignableFrom(type) && !type.IsAbstract))
        {
            try
            {
                loaded.Add(new LoadedConnector((ConnectorPlugin)Activator.CreateInstance(type)!, assemblyPath));
            }
            catch (Exception error) when (error is TargetInvocationException or MissingMethodException or TypeLoadException)
            {
                throw new ExitKitException($"Plugin {assemblyPath}: connector {type.FullName} cannot be created ({error.InnerException?.Message ?? error.Message}).",
                    FailureKind.UnusableInput, error);
            }
        }
        return loaded;
    }

    /// <summary>Finds a connector by name.</summary>
    /// <exception cref="ExitKitException">No plugin provides it; the message lists those that exist.</exception>
    public static LoadedConnector Find(IReadOnlyList<LoadedConnector> connectors, string name)
    {
        ArgumentNullException.ThrowIfNull(connectors);
        return connectors.FirstOrDefault(connector => string.Equals(connector.Descriptor.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ExitKitException($"There is no connector named '{name}'. Installed connectors: {string.Join(", ", connectors.Select(connector => connector.Descriptor.Name))}. Run `exitkit connectors` for details.");
    }

    private sealed class PluginLoadContext(string assemblyPath) : AssemblyLoadContext(Path.GetFileNameWithoutExtension(assemblyPath), isCollectible: false)
    {
        private readonly AssemblyDependencyResolver _resolver = new(Path.GetFullPath(assemblyPath));
        private static readonly string SharedContract = typeof(ConnectorPlugin).Assembly.GetName().Name!;

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            // The contracts come from the host, so plugin types are the host's types.
            if (assemblyName.Name == SharedContract)
            {
                return null;
            }
            var path = _resolver.ResolveAssemblyToPath(assemblyName);
            return path is null ? null : LoadFromAssemblyPath(path);
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
        {
            var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
            return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
        }
    }
}
