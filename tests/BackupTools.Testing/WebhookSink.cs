using System;
using System.Collections.Concurrent;
using System.IO;
using System.Net;
using System.Threading.Tasks;

namespace BackupTools.Testing
{
    /// <summary>
    /// An incoming-webhook stand-in on loopback: records every request body and answers 200, or the statuses queued in
    /// <see cref="Answers"/> first. Plain framework code, so Pester compiles this same file with Add-Type -Path.
    /// </summary>
    public sealed class WebhookSink : IDisposable
    {
        private readonly HttpListener _listener = new HttpListener();

        /// <summary>Starts listening on 127.0.0.1:<paramref name="port"/>.</summary>
        public WebhookSink(int port)
        {
            _listener.Prefixes.Add("http://127.0.0.1:" + port + "/");
            _listener.Start();
            Url = new Uri("http://127.0.0.1:" + port + "/services/T000/B000/" + Token);
            Task.Run(ServeAsync);
        }

        /// <summary>The secret part of <see cref="Url"/>, which must never show in logs or messages.</summary>
        public const string Token = "sinksecrettoken";

        /// <summary>A webhook URL on the sink, with a token in its path like Slack's.</summary>
        public Uri Url { get; }

        /// <summary>The request bodies received, in order.</summary>
        public ConcurrentQueue<string> Bodies { get; } = new ConcurrentQueue<string>();

        /// <summary>HTTP statuses to answer with before falling back to 200.</summary>
        public ConcurrentQueue<int> Answers { get; } = new ConcurrentQueue<int>();

        /// <summary>Stops listening.</summary>
        public void Dispose() => _listener.Close();

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync().ConfigureAwait(false); }
                catch (Exception e) when (e is HttpListenerException || e is ObjectDisposedException || e is InvalidOperationException) { return; }
                using (var reader = new StreamReader(context.Request.InputStream)) Bodies.Enqueue(await reader.ReadToEndAsync().ConfigureAwait(false));
                int status;
                context.Response.StatusCode = Answers.TryDequeue(out status) ? status : 200;
                context.Response.Close();
            }
        }
    }
}
