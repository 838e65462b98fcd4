using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using BackupTools.Core.Repository;

namespace BackupTools.Core.Operations;

/// <summary>
/// One backup being written into one or more repositories ("destinations") at once. Every source stream is read once
/// and fanned out to each destination's write path (each repository chunks, encrypts and stores it with its own keys).
/// A destination that fails (lock refused, upload error, manifest not saved) is set aside with its error while the
/// others go on; the backup fails as a whole only when a source fails or no destination is left.
/// Components are added in the order they are taken; <see cref="CommitAsync"/> writes each destination's manifest last.
/// </summary>
public sealed class BackupSession : IAsyncDisposable
{
    /// <summary>How much of a fanned-out stream may wait for the slowest destination.</summary>
    private const long FanOutBufferBytes = 16 << 20;
    private const int PumpBufferBytes = 1 << 20;

    private readonly List<ComponentWriter> _components = new();
    private readonly IBackupLog _log;

    private BackupSession(IReadOnlyList<BackupDestination> destinations, IBackupLog log)
    {
        Destinations = destinations;
        _log = log;
    }

    /// <summary>Every destination, in the order given, with its outcome so far.</summary>
    public IReadOnlyList<BackupDestination> Destinations { get; }

    /// <summary>The destinations still being written (no failure so far).</summary>
    public IEnumerable<BackupDestination> Live => Destinations.Where(d => d.Error is null);

    /// <summary>The id every destination's manifest gets (the same backup, wherever it lands).</summary>
    public string BackupId { get; } = Manifest.NewId(DateTimeOffset.UtcNow);

    /// <summary>When the session started (the backup's start time).</summary>
    public DateTimeOffset StartTime { get; } = DateTimeOffset.UtcNow;

    /// <summary>
    /// Takes a shared (backup) lock in every repository. A repository whose lock is refused is set aside with that
    /// error; when none is left the first error is thrown.
    /// </summary>
    public static async Task<BackupSession> BeginAsync(IReadOnlyList<BackupRepository> repositories, string purpose, IBackupLog log, CancellationToken ct = default)
    {
        if (repositories.Count == 0)
            throw new BackupToolsException(BackupErrorKind.InvalidArgument, "A backup needs at least one repository.", "Repository");
        var session = new BackupSession(repositories.Select(r => new BackupDestination(r)).ToList(), log);
        foreach (var destination in session.Destinations)
        {
            try
            {
                destination.Lock = await destination.Repository.LockAsync(false, purpose, ct).ConfigureAwait(false);
            }
            catch (BackupToolsException e)
            {
                session.SetAside(destination, e);
            }
        }
        session.ThrowWhenNoneLeft();
        return session;
    }

    /// <summary>Starts a component; its files are written through the returned writer. Order follows the calls.</summary>
    public ComponentWriter AddComponent(string type, string name, Dictionary<string, string> source)
    {
        var writer = new ComponentWriter(this, new ComponentEntry { Type = type, Name = name, Order = _components.Count, Source = source });
        _components.Add(writer);
        return writer;
    }

    /// <summary>
    /// Writes one stream into every live destination, reading <paramref name="source"/> once. Returns the stored file
    /// per destination that succeeded. A source failure (or cancellation) is thrown; a destination failure sets that
    /// destination aside.
    /// </summary>
    internal async Task<IReadOnlyDictionary<BackupDestination, FileEntry>> WriteStreamAsync(string name, Stream source, IProgress<long>? progress, CancellationToken ct,
        StreamWriteOptions? options = null)
    {
        var live = Live.ToList();
        if (live.Count == 1)
        {
            // One destination: no fan-out; any failure fails the backup (there is nothing else to keep going).
            var only = live[0];
            var file = await only.Repository.WriteStreamAsync(name, source, only.Stats, progress, ct, options).ConfigureAwait(false);
            return new Dictionary<BackupDestination, FileEntry> { [only] = file };
        }
        var pipes = live.Select(_ => new Pipe(new PipeOptions(pauseWriterThreshold: FanOutBufferBytes, resumeWriterThreshold: FanOutBufferBytes / 2,
            useSynchronizationContext: false))).ToArray();
        var writes = live.Select((d, i) => Task.Run(() => WriteFromPipeAsync(d, name, pipes[i].Reader, options, ct), CancellationToken.None)).ToArray();
        Exception? sourceError = null;
        try
        {
            await PumpAsync(source, pipes.Select(p => p.Writer).ToArray(), progress, ct).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            sourceError = e;
        }
        foreach (var pipe in pipes) await pipe.Writer.CompleteAsync(sourceError).ConfigureAwait(false);
        var files = new Dictionary<BackupDestination, FileEntry>();
        for (var i = 0; i < live.Count; i++)
        {
            try
            {
                files[live[i]] = await writes[i].ConfigureAwait(false);
            }
            catch (Exception e) when (sourceError is null && e is not OperationCanceledException)
            {
                SetAside(live[i], e);
            }
            catch when (sourceError is not null)
            {
                // The source failed: every destination's write ends with it; the source error is what counts.
            }
        }
        if (sourceError is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(sourceError);
        ThrowWhenNoneLeft();
        return files;
    }

    /// <summary>Copies the source into every pipe that is still read; stops early when no reader is left.</summary>
    private static async Task PumpAsync(Stream source, PipeWriter[] outputs, IProgress<long>? progress, CancellationToken ct)
    {
        var open = outputs.Select(_ => true).ToArray();
        var buffer = ArrayPool<byte>.Shared.Rent(PumpBufferBytes);
        try
        {
            long total = 0;
            while (open.Any(o => o))
            {
                var n = await source.ReadAsync(buffer.AsMemory(0, PumpBufferBytes), ct).ConfigureAwait(false);
                if (n == 0) return;
                for (var i = 0; i < outputs.Length; i++)
                {
                    if (!open[i]) continue;
                    var result = await outputs[i].WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                    if (result.IsCompleted) open[i] = false; // that destination stopped reading (it failed)
                }
                total += n;
                progress?.Report(total);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<FileEntry> WriteFromPipeAsync(BackupDestination destination, string name, PipeReader reader, StreamWriteOptions? options, CancellationToken ct)
    {
        try
        {
            await using var stream = reader.AsStream();
            return await destination.Repository.WriteStreamAsync(name, stream, destination.Stats, null, ct, options).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await reader.CompleteAsync(e).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Writes each live destination's manifest (chunks are all stored by now, so this is the commit). A destination
    /// whose manifest cannot be saved is set aside. Throws when none committed.
    /// </summary>
    public async Task CommitAsync(string kind, IReadOnlyList<string> tags, CancellationToken ct = default)
    {
        if (_components.Count == 0)
            throw new BackupToolsException(BackupErrorKind.InvalidArgument, "Nothing to back up: give a database, storage or configuration source.", null);
        foreach (var destination in Live.ToList())
        {
            try
            {
                var components = _components.Select(c => c.EntryFor(destination)).ToList();
                var manifest = new Manifest
                {
                    Id = BackupId,
                    Kind = kind,
                    Tags = tags.ToList(),
                    StartTime = StartTime,
                    Parent = (await destination.FindPreviousAsync(components[0], ct).ConfigureAwait(false))?.Id,
                    Components = components,
                };
                destination.Stats.CopyTo(manifest.Stats);
                manifest.EndTime = DateTimeOffset.UtcNow;
                manifest.Stats.DurationSeconds = (manifest.EndTime - StartTime).TotalSeconds;
                await destination.Repository.SaveManifestAsync(manifest, ct).ConfigureAwait(false);
                destination.Manifest = manifest;
                _log.Write(LogLevel.Information,
                    $"Backup {manifest.Id} committed to {destination.Repository.Location}: {manifest.Stats.BytesRead:N0} bytes read, {manifest.Stats.BytesAdded:N0} added.");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                SetAside(destination, e);
            }
        }
        ThrowWhenNoneLeft();
    }

    /// <summary>Records a destination's failure and goes on with the others.</summary>
    private void SetAside(BackupDestination destination, Exception error)
    {
        destination.Error = error as BackupToolsException
            ?? new BackupToolsException(BackupErrorKind.InvalidOperation, $"Writing to repository {destination.Repository.Location} failed: {error.Message}", destination.Repository.Location.ToString(), error);
        if (Destinations.Count > 1)
            _log.Write(LogLevel.Warning, $"Repository {destination.Repository.Location} is left out of this backup: {destination.Error.Message}");
    }

    private void ThrowWhenNoneLeft()
    {
        if (Live.Any()) return;
        var first = Destinations[0].Error!;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
    }

    /// <summary>Releases every lock taken.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var destination in Destinations)
        {
            if (destination.Lock is not null) await destination.Lock.DisposeAsync().ConfigureAwait(false);
            destination.Lock = null;
        }
    }
}

/// <summary>One repository a session writes to, and how that went.</summary>
public sealed class BackupDestination
{
    /// <summary>The previous backup found per source identity (null: there is none).</summary>
    private readonly Dictionary<string, Manifest?> _previous = new(StringComparer.Ordinal);

    internal BackupDestination(BackupRepository repository) => Repository = repository;

    /// <summary>The repository written to.</summary>
    public BackupRepository Repository { get; }

    /// <summary>Counters of what this destination read and stored.</summary>
    public WriteStats Stats { get; } = new();

    /// <summary>Why this destination was left out, or null while it is fine.</summary>
    public BackupToolsException? Error { get; internal set; }

    /// <summary>The committed manifest, once <see cref="BackupSession.CommitAsync"/> saved it.</summary>
    public Manifest? Manifest { get; internal set; }

    internal IAsyncDisposable? Lock { get; set; }

    /// <summary>
    /// The newest earlier backup in this repository holding a component of the same type and source identity
    /// (<see cref="ComponentIdentity"/>); incremental sources use it to reuse unchanged content.
    /// </summary>
    public async Task<Manifest?> FindPreviousAsync(ComponentEntry component, CancellationToken ct = default)
    {
        var identity = ComponentIdentity.Of(component);
        if (!_previous.TryGetValue(identity, out var previous))
        {
            // Newest first: only the manifests back to the previous backup of this source are opened, not all of them.
            previous = await Repository.FindLatestManifestAsync(m => m.Components.Any(c => ComponentIdentity.Of(c) == identity), ct).ConfigureAwait(false);
            _previous[identity] = previous;
        }
        return previous;
    }
}

/// <summary>What makes two components "the same source" across backups (the parent chain and incremental reuse).</summary>
public static class ComponentIdentity
{
    /// <summary>The source keys that identify a component of each type; other types use every source key.</summary>
    private static readonly Dictionary<string, string[]> KeysByType = new(StringComparer.Ordinal)
    {
        ["database"] = new[] { "host", "port", "database" },
        ["storage"] = new[] { "endpoint" },
    };

    /// <summary>e.g. "database|host=db.example|port=5432|database=postgres".</summary>
    public static string Of(ComponentEntry component)
    {
        var keys = KeysByType.TryGetValue(component.Type, out var k) ? k : component.Source.Keys.Order(StringComparer.Ordinal).ToArray();
        return component.Type + string.Concat(keys.Select(key => $"|{key}={component.Source.GetValueOrDefault(key)}"));
    }
}

/// <summary>
/// Writes the files of one component into every live destination of a session. Files may be stored from several
/// tasks at once (e.g. objects downloaded in parallel); each destination's file list keeps the order they were added.
/// </summary>
public sealed class ComponentWriter
{
    private readonly BackupSession _session;
    private readonly Dictionary<BackupDestination, List<FileEntry>> _files = new();

    internal ComponentWriter(BackupSession session, ComponentEntry template)
    {
        _session = session;
        Template = template;
    }

    /// <summary>The component's description shared by every destination (type, name, source, tables, warnings); its Files are ignored.</summary>
    public ComponentEntry Template { get; }

    /// <summary>The session this component belongs to.</summary>
    public BackupSession Session => _session;

    /// <summary>
    /// Stores one stream under <paramref name="name"/> in every live destination (read once) and adds it to the
    /// component. <paramref name="describe"/> fills in the file's format and metadata on each destination's entry.
    /// </summary>
    public async Task<IReadOnlyDictionary<BackupDestination, FileEntry>> WriteFileAsync(string name, Stream source,
        Action<FileEntry>? describe = null, IProgress<long>? progress = null, CancellationToken ct = default)
    {
        var files = await StoreAsync(name, source, progress, ct).ConfigureAwait(false);
        Add(files, describe);
        return files;
    }

    /// <summary>
    /// Stores one stream in every live destination (read once) without adding it to the component yet: for a stream
    /// whose producer may still fail afterwards (a tool's exit code), <see cref="Add"/> it once it is known good.
    /// <paramref name="options"/>: the expected size when known (a listed object), and whether to hash the whole stream.
    /// </summary>
    public Task<IReadOnlyDictionary<BackupDestination, FileEntry>> StoreAsync(string name, Stream source, IProgress<long>? progress = null, CancellationToken ct = default,
        StreamWriteOptions? options = null)
        => _session.WriteStreamAsync(name, source, progress, ct, options);

    /// <summary>Adds stored files (one per destination) to the component, described by <paramref name="describe"/>.</summary>
    public void Add(IReadOnlyDictionary<BackupDestination, FileEntry> files, Action<FileEntry>? describe = null)
    {
        foreach (var (destination, file) in files)
        {
            describe?.Invoke(file);
            AddFile(destination, file);
        }
    }

    /// <summary>Adds an already-stored file to one destination's copy of the component (e.g. an unchanged object whose chunks are reused).</summary>
    public void AddFile(BackupDestination destination, FileEntry file)
    {
        lock (_files)
        {
            if (!_files.TryGetValue(destination, out var list)) _files[destination] = list = new List<FileEntry>();
            list.Add(file);
        }
    }

    /// <summary>Records a warning on the component (every destination).</summary>
    public void AddWarning(string warning)
    {
        lock (_files) (Template.Warnings ??= new()).Add(warning);
    }

    /// <summary>This component as stored in one destination's manifest: a copy of the template with that destination's files.</summary>
    internal ComponentEntry EntryFor(BackupDestination destination)
    {
        var entry = JsonSerializer.Deserialize<ComponentEntry>(JsonSerializer.SerializeToUtf8Bytes(Template))!;
        entry.Files = _files.TryGetValue(destination, out var list) ? list : new List<FileEntry>();
        return entry;
    }
}
