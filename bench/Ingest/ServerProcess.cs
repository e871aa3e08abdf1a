using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace CivicDesk.Bench.Ingest;

/// <summary>
/// Resident memory of a process from /proc/&lt;pid&gt;/status, in MiB: the peak so far (VmHWM), now (VmRSS), and how
/// much of now is anonymous (GC heaps, native allocations), file-backed (the runtime's and the app's mapped files, such
/// as assemblies, ICU and the DB-IP database) and shared (the runtime's double-mapped executable memory for JIT code).
/// </summary>
internal readonly record struct Memory(double PeakMb, double CurrentMb, double AnonymousMb, double FileMb, double SharedMb);

/// <summary>
/// A server under test, run as a child process with its output in a log file: started, polled until ready, read for
/// memory and CPU time, and killed at the end (the measurement is over by then; a graceful stop is not measured).
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private ServerProcess(Process process, StreamWriter log, Uri address)
    {
        _process = process;
        _log = log;
        Address = address;
    }

    public Uri Address { get; }

    public int Id => _process.Id;

    public string LogPath => ((FileStream)_log.BaseStream).Name;

    public static ServerProcess Start(
        string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, Uri address, string logPath, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ServerProcess(process, log, address);
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.WriteLine(line);
        }
    }

    /// <summary>Polls GET /health/ready until it answers 200; fails if the process exits or the time runs out.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(2) };
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode} before it was ready; see {LogPath}.");
            }

            try
            {
                using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
            }

            if (Stopwatch.GetElapsedTime(started) > timeout)
            {
                throw new TimeoutException($"The server was not ready after {timeout.TotalSeconds:0} s; see {LogPath}.");
            }

            await Task.Delay(50, ct);
        }
    }

    public Memory ReadMemory()
    {
        var fields = new Dictionary<string, double>();
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon] is "VmHWM" or "VmRSS" or "RssAnon" or "RssFile" or "RssShmem")
            {
                fields[line[..colon]] = Kilobytes(line) / 1024.0;
            }
        }

        return new Memory(
            fields.GetValueOrDefault("VmHWM", double.NaN), fields.GetValueOrDefault("VmRSS", double.NaN),
            fields.GetValueOrDefault("RssAnon", double.NaN), fields.GetValueOrDefault("RssFile", double.NaN), fields.GetValueOrDefault("RssShmem", double.NaN));
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    /// <summary>User plus system CPU time the process has used so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        await _log.DisposeAsync();
    }

    /// <summary>A loopback address with a port that nothing listens on now.</summary>
    public static Uri FreeLoopbackAddress()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}");
    }

    /// <summary>Runs a command to completion and returns its standard output; throws with its output if it fails.</summary>
    public static async Task<string> RunToEndAsync(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory, CancellationToken ct)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            // The first arguments name the verb; later ones may hold a password, so they stay out of the message.
            throw new InvalidOperationException($"`{string.Join(' ', start.ArgumentList.Take(3))} …` failed ({process.ExitCode}):\n{await output}\n{await error}");
        }

        return await output;
    }
}
