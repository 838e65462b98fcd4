using BackupTools.Core.Storage;

namespace BackupTools.Tests.Storage;

/// <summary>The conformance suite against a local folder (a fresh temporary folder per test).</summary>
public sealed class LocalBlobStoreTests : BlobStoreConformance, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "backuptools-local-" + Guid.NewGuid().ToString("N"));

    protected override Task<IBlobStore> CreateStoreAsync() => Task.FromResult<IBlobStore>(new LocalBlobStore(_root));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
