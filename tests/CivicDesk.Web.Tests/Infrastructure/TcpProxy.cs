using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace CivicDesk.Web.Tests.Infrastructure;

/// <summary>
/// A TCP proxy on a loopback port in front of a server (the test PostgreSQL), which a test takes down and brings back.
/// Down looks to the client exactly as a stopped server does: every open connection is reset and new connections are
/// refused, because nothing listens on the port any more. Up, it listens on the same port again.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly DnsEndPoint _target;
    private readonly Lock _gate = new();
    private readonly HashSet<Link> _links = [];
    private readonly HashSet<Task> _serving = [];
    private Socket? _listener;
    private Task _accepting = Task.CompletedTask;

    private TcpProxy(DnsEndPoint target, int port)
    {
        _target = target;
        Port = port;
    }

    /// <summary>The loopback port clients connect to; the same while down and after coming back.</summary>
    public int Port { get; }

    /// <summary>Connections passed on so far, to check that clients really went through the proxy.</summary>
    public int Connections { get; private set; }

    /// <summary>A running proxy to <paramref name="host"/>:<paramref name="port"/>.</summary>
    public static TcpProxy Start(string host, int port)
    {
        // A port below the ephemeral range: while the proxy is down, no outgoing connection can be given its port, so
        // it can always listen on it again.
        var (low, _) = EphemeralPorts();
        for (var attempt = 0; ; attempt++)
        {
            var proxy = new TcpProxy(new DnsEndPoint(host, port), Random.Shared.Next(10_000, Math.Max(10_001, low)));
            try
            {
                proxy.Up();
                return proxy;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < 50)
            {
            }
        }
    }

    /// <summary>Listens again (on the same port) and passes new connections on.</summary>
    public void Up()
    {
        lock (_gate)
        {
            if (_listener is not null)
            {
                return;
            }

            var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                listener.Bind(new IPEndPoint(IPAddress.Loopback, Port));
                listener.Listen(64);
            }
            catch
            {
                listener.Dispose();
                throw;
            }

            _listener = listener;
            _accepting = AcceptAsync(listener);
        }
    }

    /// <summary>Stops listening (new connections are refused) and resets every open connection.</summary>
    public async Task DownAsync()
    {
        Socket? listener;
        List<Link> links;
        List<Task> serving;
        lock (_gate)
        {
            listener = _listener;
            _listener = null;
            links = [.. _links];
            _links.Clear();
            serving = [.. _serving];
        }

        listener?.Dispose();
        foreach (var link in links)
        {
            link.Reset();
        }

        await _accepting;
        await Task.WhenAll(serving);
    }

    public async ValueTask DisposeAsync() => await DownAsync();

    private async Task AcceptAsync(Socket listener)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_gate)
            {
                var serving = ServeAsync(client, listener);
                _serving.Add(serving);
                _ = serving.ContinueWith(t => { lock (_gate) { _serving.Remove(t); } }, TaskScheduler.Default);
            }
        }
    }

    private async Task ServeAsync(Socket client, Socket listener)
    {
        await Task.Yield();
        var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp);
        var link = new Link(client, upstream);
        try
        {
            await upstream.ConnectAsync(_target);
        }
        catch (SocketException)
        {
            link.Reset();
            return;
        }

        lock (_gate)
        {
            if (_listener != listener)
            {
                // Taken down while this connection was being set up.
                link.Reset();
                return;
            }

            _links.Add(link);
            Connections++;
        }

        // When either side ends its stream, the whole connection ends, as it would without the proxy.
        await Task.WhenAny(PumpAsync(client, upstream), PumpAsync(upstream, client));
        lock (_gate)
        {
            _links.Remove(link);
        }

        link.Close();
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    private static (int Low, int High) EphemeralPorts()
    {
        const string path = "/proc/sys/net/ipv4/ip_local_port_range";
        var parts = File.Exists(path) ? File.ReadAllText(path).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries) : [];
        return parts.Length == 2
            ? (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture))
            : (32_768, 60_999);
    }

    /// <summary>One client connection and its connection to the server.</summary>
    private sealed class Link(Socket client, Socket upstream)
    {
        /// <summary>What a client sees when the server's host stops: the connection is reset (RST), not closed.</summary>
        public void Reset()
        {
            foreach (var socket in new[] { client, upstream })
            {
                try
                {
                    socket.LingerState = new LingerOption(true, 0);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                }

                socket.Dispose();
            }
        }

        public void Close()
        {
            client.Dispose();
            upstream.Dispose();
        }
    }
}
