using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using Amazon.Runtime;

namespace BackupTools.Core.Storage;

/// <summary>
/// Decides whether a storage failure is worth retrying: server-side 5xx and throttling, dropped or
/// refused connections, timeouts. Missing objects, refused credentials, bad requests and the engine's
/// own errors are permanent and fail fast.
/// </summary>
internal static class TransientFaults
{
    /// <summary>True when <paramref name="e"/> is transient; a cancellation the caller asked for never is.</summary>
    public static bool IsTransient(Exception e, CancellationToken callerToken)
    {
        switch (e)
        {
            case BlobNotFoundException or BackupToolsException or ArgumentException:
                return false;
            case OperationCanceledException:
                return !callerToken.IsCancellationRequested; // a timeout, not the caller giving up
            case AmazonServiceException service when service.StatusCode != 0:
                return IsTransientStatus(service.StatusCode) || (service.InnerException is { } inner && IsTransient(inner, callerToken));
            case FileNotFoundException or DirectoryNotFoundException or PathTooLongException:
                return false;
            case HttpRequestException { StatusCode: { } status }:
                return IsTransientStatus(status);
            case IOException or HttpRequestException or SocketException or TimeoutException or WebException:
                return true;
            case AmazonServiceException:
                return true; // no status: the connection dropped before a response came
            case AmazonClientException:
                return e.InnerException is { } cause && IsTransient(cause, callerToken); // e.g. a wrapped network failure
            default:
                return e.InnerException is { } wrapped && IsTransient(wrapped, callerToken);
        }
    }

    private static bool IsTransientStatus(HttpStatusCode status)
        => (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
}
