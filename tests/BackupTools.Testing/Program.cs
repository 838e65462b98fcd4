// The harness as a program (build.ps1 and CI use it):
//   start --state <file> [--no-postgres] [--no-s3] [--archive]
//                                                     start the services, write the state file, exit 0 leaving them running;
//                                                     --archive: PostgreSQL with archive_mode = on (for WAL archiving tests)
//   stop --state <file>                               stop them and delete their folders
using BackupTools.Testing;

try
{
    var command = args.FirstOrDefault();
    var stateFile = Option("--state") ?? throw new ArgumentException("--state <file> is required.");
    switch (command)
    {
        case "start":
            var services = await TestServices.StartAsync(postgres: !args.Contains("--no-postgres"), s3: !args.Contains("--no-s3"),
                postgresSettings: args.Contains("--archive") ? PostgresCluster.ArchiveSettings : null);
            try
            {
                if (!args.Contains("--no-postgres")) _ = services.Postgres; // throws the cause when it failed
                if (!args.Contains("--no-s3")) _ = services.S3;
            }
            catch
            {
                await services.StopAsync(); // do not leave the one that did start running
                throw;
            }
            services.WriteState(stateFile);
            Console.WriteLine(TestServices.ToJson(services.State, hidePassword: true));
            return 0;
        case "stop":
            await TestServices.Attach(TestServices.ReadState(stateFile)).StopAsync();
            File.Delete(stateFile);
            return 0;
        default:
            throw new ArgumentException($"Unknown command '{command}'. Usage: start --state <file> [--no-postgres] [--no-s3] [--archive] | stop --state <file>");
    }
}
catch (Exception e)
{
    Console.Error.WriteLine($"BackupTools.Testing: {e.Message}");
    return 1;
}

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
