// The harness as a program (build.ps1 and CI use it):
//   start --state <file> [--no-postgres] [--no-s3] [--archive]
//                                                     start the services, write the state file, exit 0 leaving them running;
//                                                     --archive: PostgreSQL with archive_mode = on (for WAL archiving tests)
//   stop --state <file>                               stop them and delete their folders
//   s3-seed --state <file> --bucket <b> --megabytes <n>       fill a bucket of the state's s3rver (benchmark)
//   s3-copy --state <file> --source <b> --target <b>          the benchmark's baseline copy; prints JSON with Seconds
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
        case "s3-seed":
            Console.WriteLine(await StorageBench.SeedAsync(S3Of(stateFile), Required("--bucket"), int.Parse(Required("--megabytes"), System.Globalization.CultureInfo.InvariantCulture)));
            return 0;
        case "s3-copy":
            Console.WriteLine(await StorageBench.CopyAsync(S3Of(stateFile), Required("--source"), Required("--target")));
            return 0;
        default:
            throw new ArgumentException($"Unknown command '{command}'. Usage: start --state <file> [--no-postgres] [--no-s3] [--archive] | stop --state <file> | s3-seed --state <file> --bucket <b> --megabytes <n> | s3-copy --state <file> --source <b> --target <b>");
    }
}
catch (Exception e)
{
    Console.Error.WriteLine($"BackupTools.Testing: {e.Message}");
    return 1;
}

S3State S3Of(string stateFile) => TestServices.ReadState(stateFile).S3 ?? throw new ArgumentException("The state file has no s3rver.");

string Required(string name) => Option(name) ?? throw new ArgumentException($"{name} is required.");

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
