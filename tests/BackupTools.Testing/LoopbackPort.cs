using System.Net;
using System.Net.Sockets;

namespace BackupTools.Testing;

/// <summary>Free TCP ports on the loopback interface, for listeners a test starts and for addresses nothing answers on.</summary>
public static class LoopbackPort
{
    /// <summary>A port nothing listens on (taken from the OS, then released).</summary>
    public static int Free()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
