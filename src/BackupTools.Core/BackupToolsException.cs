namespace BackupTools.Core;

/// <summary>What kind of failure an engine error is; the cmdlets map it to an ErrorCategory.</summary>
public enum BackupErrorKind
{
    InvalidArgument,      // bad input: unparseable connection string, bad URI, bad option
    NotFound,             // unknown backup id, missing repository, missing bucket
    AuthenticationFailed, // wrong passphrase, bad credentials
    ConnectionFailed,     // unreachable server or endpoint (after retries)
    Corrupt,              // a chunk or manifest fails authentication, size or hash check
    PermissionDenied,
    ResourceBusy,         // a lock is held by someone else
    InvalidOperation,     // the request cannot be done in the current state
    ExternalToolFailed,   // pg_dump / pg_restore exited non-zero
}

/// <summary>
/// The one exception type the engine throws for failures a user should read. The message names the
/// problem and the offending value (never a secret); <see cref="Target"/> carries that value.
/// </summary>
public class BackupToolsException : Exception
{
    public BackupToolsException(BackupErrorKind kind, string message, object? target = null, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Target = target;
    }

    public BackupErrorKind Kind { get; }
    public object? Target { get; }

    /// <summary>A stable identifier for the error, e.g. "BackupTools.NotFound".</summary>
    public string ErrorId => "BackupTools." + Kind;
}
