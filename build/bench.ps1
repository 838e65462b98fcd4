# The benchmark, two cases. Database: New-Backup / Restore-Backup against pg_dump -Fc / pg_restore -j 2 on one
# throwaway cluster. Storage: New-Backup -Storage of a bucket on s3rver against a plain parallel GET-then-PUT copy
# of the same objects through the same S3 client, plus the incremental re-run. Figures are ratios against the
# baseline measured in the same run (machines are noisy).
# Called by `./build.ps1 Bench [-Scale N] [-PgbenchSeconds S] [-StorageMB M] [-Case Database,Storage]`; writes
# docs/benchmarks.md (a case not run keeps its section from the existing file).
[CmdletBinding()]
param(
    [int]$Scale = 70,
    [int]$PgbenchSeconds = 60,
    # Size of the storage case's bucket (a few large multipart objects hold 60%, many small ones the rest).
    [int]$StorageMB = 1024,
    [ValidateSet('Database', 'Storage')]
    [string[]]$Case = @('Database', 'Storage'),
    [string]$ModulePath = (Join-Path (Split-Path -Parent $PSScriptRoot) 'out/BackupTools/BackupTools.psd1'),
    [string]$WorkDirectory = (Join-Path (Split-Path -Parent $PSScriptRoot) 'out/bench'),
    [string]$ReportPath = (Join-Path (Split-Path -Parent $PSScriptRoot) 'docs/benchmarks.md')
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot 'Services.psm1') -Force
$root = Split-Path -Parent $PSScriptRoot

function Step([string]$Text) { Write-Host "`n==> $Text" -ForegroundColor Cyan }

function Invoke-Timed {
    <# Runs a native program with an argument list (no shell); returns seconds. #>
    param([string]$Program, [string[]]$Arguments, [hashtable]$Environment)
    $sw = [Diagnostics.Stopwatch]::StartNew()
    Invoke-WithPgEnvironment $Environment { & $Program @Arguments | Out-Null; if ($LASTEXITCODE -ne 0) { throw "$Program exited $LASTEXITCODE" } }
    $sw.Elapsed.TotalSeconds
}

function Invoke-ModuleChild {
    <# Runs one BackupTools command in a child pwsh, so its wall time and peak memory are its own.
       Returns the child's JSON: Seconds, PeakBytes, BaselinePeakBytes (after import, before the command), Result. #>
    param([string]$Command)
    $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$ModulePath'
`$base = [Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64
`$sw = [Diagnostics.Stopwatch]::StartNew()
`$r = & { $Command }
`$s = `$sw.Elapsed.TotalSeconds
`$p = [Diagnostics.Process]::GetCurrentProcess(); `$p.Refresh()
[pscustomobject]@{ Seconds = `$s; PeakBytes = `$p.PeakWorkingSet64; BaselinePeakBytes = `$base; Result = `$r } | ConvertTo-Json -Depth 4 -Compress
"@
    $file = Join-Path $WorkDirectory 'child.ps1'
    Set-Content -Path $file -Value $script
    $out = & dotnet pwsh -NoProfile -NonInteractive -File $file
    if ($LASTEXITCODE -ne 0) { throw "BackupTools command failed: $Command`n$($out -join "`n")" }
    ($out | Select-Object -Last 1) | ConvertFrom-Json
}

if (Test-Path $WorkDirectory) { Remove-Item -Recurse -Force $WorkDirectory }
New-Item -ItemType Directory -Force $WorkDirectory | Out-Null
# pg_dump and pg_restore run as this user, on files it writes.
$stateFile = Join-Path $WorkDirectory 'services.json'
function Invoke-DatabaseCase {
    <# The database case; returns its report section (markdown lines). #>
    $pg = $services.Postgres
    $bin = $pg.BinDirectory
    $db = 'bench'
    $pgEnv = Get-PgEnvironment $pg $db
    Invoke-Psql -Postgres $pg -Sql "CREATE DATABASE $db" | Out-Null

    Step "pgbench -i -s $Scale, plus a table of mixed rows (text, jsonb, uuid, ~20% incompressible bytea)"
    $null = Invoke-Timed (Join-Path $bin 'pgbench') @('-i', '-s', "$Scale", '-q', $db) $pgEnv
    $mixedRows = 3000 * $Scale
    Invoke-Psql -Postgres $pg -Database $db -Sql @"
CREATE TABLE mixed (id bigserial PRIMARY KEY, uid uuid NOT NULL, title text, body text, attrs jsonb, blob bytea, created timestamptz);
INSERT INTO mixed (uid, title, body, attrs, blob, created)
SELECT gen_random_uuid(),
       'Order ' || g || ' for customer ' || (g % 9973),
       repeat('Lorem ipsum dolor sit amet, consectetur adipiscing elit ' || (g % 131) || '. ', 4),
       jsonb_build_object('sku', 'SKU-' || (g % 5000), 'qty', g % 17, 'tags', jsonb_build_array('a' || (g % 7), 'b' || (g % 11)), 'price', round((g % 1000) * 1.37, 2)),
       decode(md5(random()::text) || md5(random()::text) || md5(random()::text) || md5(random()::text) || md5(random()::text) || md5(random()::text) || md5(random()::text) || md5(random()::text), 'hex'),
       now() - (g || ' minutes')::interval
FROM generate_series(1, $mixedRows) g;
"@ | Out-Null
    # Steady state before anything is timed: without this, autovacuum takes the fresh rows (hint bits, freezing) in
    # the middle of whichever measurement runs first after the load.
    Invoke-Psql -Postgres $pg -Database $db -Sql 'VACUUM (FREEZE, ANALYZE)' | Out-Null
    Invoke-Psql -Postgres $pg -Database $db -Sql 'CHECKPOINT' | Out-Null
    $dbSize = [long](Invoke-Psql -Postgres $pg -Database $db -Sql "SELECT pg_database_size('$db')")
    Write-Host "    database size: $(Format-Bytes $dbSize)"

    $env:PGPASSWORD = $pg.Password
    $repo = Join-Path $WorkDirectory 'repository'
    $conn = Get-PgUri -Postgres $pg -Database $db -WithoutPassword
    Import-Module $ModulePath -Force
    New-BackupRepository -Repository $repo | Out-Null

    # Every timed step starts on a quiet server: the databases the step before restored are dropped, no autovacuum
    # worker is busy (one starts on every freshly loaded table, a minute or so later), and a checkpoint has written out
    # the dirty pages (a restore leaves about a gigabyte). Without this the second of two restores paid for the first.
    function Wait-Quiet([string[]]$Drop = @()) {
        foreach ($d in $Drop) { Invoke-Psql -Postgres $pg -Sql "DROP DATABASE IF EXISTS $d" | Out-Null }
        $deadline = [DateTime]::UtcNow.AddSeconds(120)
        while ([DateTime]::UtcNow -lt $deadline -and
               [int](Invoke-Psql -Postgres $pg -Sql "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'") -gt 0) {
            Start-Sleep -Milliseconds 500
        }
        Invoke-Psql -Postgres $pg -Sql 'CHECKPOINT' | Out-Null
    }
    function Measure-PgRestore([string]$Into) {
        Wait-Quiet
        Invoke-Psql -Postgres $pg -Sql "CREATE DATABASE $Into" | Out-Null
        $seconds = Invoke-Timed (Join-Path $bin 'pg_restore') @('-j', '2', '-d', $Into, $dumpFile) (Get-PgEnvironment $pg $Into)
        Wait-Quiet -Drop $Into
        $seconds
    }
    function Measure-Restore([string]$Into, [string]$Options = '-SkipCheck') {
        Wait-Quiet
        $r = Invoke-ModuleChild "Restore-Backup -Repository '$repo' -Id '$($first.Result.Id)' -AsDatabase $Into $Options -Confirm:`$false | Select-Object Success, Duration, Steps"
        if (-not $r.Result.Success) { throw "Restore-Backup $Options failed in the benchmark." }
        Write-Host ("    {0:N2} s; steps: {1}" -f $r.Seconds, (($r.Result.Steps | ForEach-Object { '{0} {1:N2} s' -f $_.Name, $_.Duration.TotalSeconds }) -join '; '))
        Wait-Quiet -Drop $Into
        $r
    }

    # Backups in ABBA order too (pg_dump, New-Backup, New-Backup into a second new repository, pg_dump), so both
    # New-Backup runs do the same work (a full first backup); the figures are the means.
    $dumpFile = Join-Path $WorkDirectory 'baseline.dump'
    Step 'Baseline: pg_dump -Fc to a local file (1 of 2)'
    Wait-Quiet
    $dumpRuns = @(Invoke-Timed (Join-Path $bin 'pg_dump') @('-Fc', '-f', $dumpFile, $db) $pgEnv)
    $dumpBytes = (Get-Item $dumpFile).Length

    Step 'New-Backup to a local repository (first, full; 1 of 2)'
    Wait-Quiet
    $first = Invoke-ModuleChild "New-Backup -Repository '$repo' -Database '$conn' -Tag bench | Select-Object Id, Size, Added"
    Write-Host ("    {0:N2} s, stored {1}, peak memory {2}" -f $first.Seconds, (Format-Bytes $first.Result.Added), (Format-Bytes $first.PeakBytes))
    Step 'New-Backup to a second new local repository (first, full; 2 of 2)'
    $repo2 = Join-Path $WorkDirectory 'repository2'
    New-BackupRepository -Repository $repo2 | Out-Null
    Wait-Quiet
    $again = Invoke-ModuleChild "New-Backup -Repository '$repo2' -Database '$conn' -Tag bench | Select-Object Id, Size, Added"
    Write-Host ("    {0:N2} s" -f $again.Seconds)
    Step 'Baseline: pg_dump -Fc to a local file (2 of 2)'
    Wait-Quiet
    $dumpRuns += Invoke-Timed (Join-Path $bin 'pg_dump') @('-Fc', '-f', $dumpFile, $db) $pgEnv
    $pgDumpSeconds = ($dumpRuns | Measure-Object -Average).Average
    $backupSeconds = ($first.Seconds + $again.Seconds) / 2
    $backupPairs = 'runs: {0:N2}, {1:N2}; pg_dump -Fc runs: {2}' -f $first.Seconds, $again.Seconds, (($dumpRuns | ForEach-Object { '{0:N2}' -f $_ }) -join ', ')

    Step 'A contiguous 1% of pgbench_accounts rows changed, then New-Backup'
    $accounts = 100000 * $Scale
    $n = [int]($accounts / 100); $start = [int]($accounts / 3)
    Invoke-Psql -Postgres $pg -Database $db -Sql "UPDATE pgbench_accounts SET abalance = abalance + 7, filler = 'changed' WHERE aid >= $start AND aid < $($start + $n)" | Out-Null
    $contig = Invoke-ModuleChild "New-Backup -Repository '$repo' -Database '$conn' -Tag bench | Select-Object Id, Size, Added"

    Step "pgbench -T $PgbenchSeconds (scattered updates), then New-Backup"
    $null = Invoke-Timed (Join-Path $bin 'pgbench') @('-T', "$PgbenchSeconds", '-c', '2', '-j', '2', $db) $pgEnv
    $scattered = Invoke-ModuleChild "New-Backup -Repository '$repo' -Database '$conn' -Tag bench | Select-Object Id, Size, Added"

    # Restores in ABBA order (baseline, ours, ours, baseline), each from a quiet server, and the mean of each pair: a
    # drift of the machine during the four runs then weighs on both sides alike.
    # Autovacuum off while restores are timed: it starts on each freshly loaded table at a moment of its own choosing,
    # inside one run or the next, and was the largest source of noise between runs. Both sides run without it.
    Invoke-Psql -Postgres $pg -Sql 'ALTER SYSTEM SET autovacuum = off' | Out-Null
    Invoke-Psql -Postgres $pg -Sql 'SELECT pg_reload_conf()' | Out-Null
    Step 'Baseline: pg_restore -j 2 from the local file (1 of 2)'
    $baselineRuns = @(Measure-PgRestore 'restore_baseline')
    # Like for like with pg_restore: the restore alone (-SkipCheck). The checks a safe restore adds (row counts,
    # checksums, pg_amcheck) are timed on their own below.
    Step 'Restore-Backup of the first backup into a new database (1 of 2)'
    $restoreRuns = @((Measure-Restore 'restore_bt').Seconds)
    Step 'Restore-Backup of the first backup into a new database (2 of 2)'
    $restoreRuns += (Measure-Restore 'restore_bt').Seconds
    Step 'Baseline: pg_restore -j 2 from the local file (2 of 2)'
    $baselineRuns += Measure-PgRestore 'restore_baseline'
    $pgRestoreSeconds = ($baselineRuns | Measure-Object -Average).Average
    $restore = [pscustomobject]@{ Seconds = ($restoreRuns | Measure-Object -Average).Average }
    $pairs = 'runs: {0}; pg_restore -j 2 runs: {1}' -f (($restoreRuns | ForEach-Object { '{0:N2}' -f $_ }) -join ', '), (($baselineRuns | ForEach-Object { '{0:N2}' -f $_ }) -join ', ')

    # The default (parallel COPY sessions, see ParallelCopyRestore) against -Jobs 1: the backup streamed into one pg_restore.
    Step 'Restore-Backup -Jobs 1 (streamed into one pg_restore) into a new database'
    $streamed = Measure-Restore 'restore_bt_streamed' '-Jobs 1 -SkipCheck'

    Step 'Restore-Backup with its checks against the backup (the default)'
    $checked = Measure-Restore 'restore_bt_checked' ''
    Invoke-Psql -Postgres $pg -Sql 'ALTER SYSTEM RESET autovacuum' | Out-Null
    Invoke-Psql -Postgres $pg -Sql 'SELECT pg_reload_conf()' | Out-Null

    $rows = @(
        [pscustomobject]@{ Case = 'Backup wall time (mean of 2, ABBA)'; BackupTools = ('{0:N2} s' -f $backupSeconds); Baseline = ('{0:N2} s (pg_dump -Fc to a file; {1})' -f $pgDumpSeconds, $backupPairs); Ratio = ('{0:N2}x' -f ($backupSeconds / $pgDumpSeconds)); Goal = '<= 1.10x' }
        [pscustomobject]@{ Case = 'Restore wall time (mean of 2, ABBA)'; BackupTools = ('{0:N2} s' -f $restore.Seconds); Baseline = ('{0:N2} s (pg_restore -j 2; {1})' -f $pgRestoreSeconds, $pairs); Ratio = ('{0:N2}x' -f ($restore.Seconds / $pgRestoreSeconds)); Goal = '<= 1.15x' }
        [pscustomobject]@{ Case = 'Restore wall time, -Jobs 1 (one streamed pg_restore)'; BackupTools = ('{0:N2} s' -f $streamed.Seconds); Baseline = ('{0:N2} s (pg_restore -j 2)' -f $pgRestoreSeconds); Ratio = ('{0:N2}x' -f ($streamed.Seconds / $pgRestoreSeconds)); Goal = '(information)' }
        [pscustomobject]@{ Case = 'Restore with checks (default)'; BackupTools = ('{0:N2} s' -f $checked.Seconds); Baseline = ('{0:N2} s (pg_restore -j 2, no checks)' -f $pgRestoreSeconds); Ratio = ('{0:N2}x' -f ($checked.Seconds / $pgRestoreSeconds)); Goal = '(information)' }
        [pscustomobject]@{ Case = 'Stored size, first backup'; BackupTools = (Format-Bytes $first.Result.Added); Baseline = ('{0} (pg_dump -Fc file)' -f (Format-Bytes $dumpBytes)); Ratio = ('{0:N2}x' -f ($first.Result.Added / $dumpBytes)); Goal = '' }
        [pscustomobject]@{ Case = 'Added after contiguous 1% change'; BackupTools = (Format-Bytes $contig.Result.Added); Baseline = 'first backup stored bytes'; Ratio = ('{0:P1}' -f ($contig.Result.Added / $first.Result.Added)); Goal = '< 5%' }
        [pscustomobject]@{ Case = "Added after pgbench -T $PgbenchSeconds"; BackupTools = (Format-Bytes $scattered.Result.Added); Baseline = 'first backup stored bytes'; Ratio = ('{0:P1}' -f ($scattered.Result.Added / $first.Result.Added)); Goal = '(reported)' }
        [pscustomobject]@{ Case = 'Peak memory, backup process'; BackupTools = (Format-Bytes $first.PeakBytes); Baseline = ('{0} (same pwsh after Import-Module)' -f (Format-Bytes $first.BaselinePeakBytes)); Ratio = ('+{0}' -f (Format-Bytes ($first.PeakBytes - $first.BaselinePeakBytes))); Goal = '< 300 MB' }
    )
    $rows | Format-Table -AutoSize | Out-Host
    @(
        '## Database', '',
        "- Database: pgbench scale $Scale + $mixedRows mixed rows; pg_database_size $(Format-Bytes $dbSize); pg_dump -Fc file $(Format-Bytes $dumpBytes)", '',
        '| Case | BackupTools | Baseline | Ratio | Goal |', '|---|---|---|---|---|'
    ) + ($rows | ForEach-Object { "| $($_.Case) | $($_.BackupTools) | $($_.Baseline) | $($_.Ratio) | $($_.Goal) |" })
}

function Invoke-StorageCase {
    <# The storage case; returns its report section (markdown lines). #>
    $s3 = $services.S3
    $harness = Get-HarnessPath
    $bucket = 'bench-storage'
    Step "Seeding bucket $bucket on s3rver with about $StorageMB MB (3 large multipart objects, many small ones)"
    $seed = (& dotnet $harness s3-seed --state $stateFile --bucket $bucket --megabytes $StorageMB) | ConvertFrom-Json
    if ($LASTEXITCODE -ne 0) { throw 's3-seed failed.' }
    Write-Host ("    {0:N0} objects, {1}" -f $seed.Objects, (Format-Bytes $seed.Bytes))

    Step 'Baseline: parallel GET-then-PUT copy of every object through the same S3 client (8 at a time)'
    $copy = (& dotnet $harness s3-copy --state $stateFile --source $bucket --target "$bucket-copy") | ConvertFrom-Json
    if ($LASTEXITCODE -ne 0) { throw 's3-copy failed.' }

    # The repository is on the same s3rver, so both sides read from and write to the same server.
    $env:AWS_ACCESS_KEY_ID = $s3.AccessKey; $env:AWS_SECRET_ACCESS_KEY = $s3.SecretKey; $env:AWS_REGION = 'us-east-1'
    $repo = 's3://bench-repository/storage'
    Import-Module $ModulePath -Force
    New-BackupRepository -Repository $repo -Endpoint $s3.Endpoint | Out-Null
    $command = "New-Backup -Repository '$repo' -Endpoint '$($s3.Endpoint)' -Storage '$($s3.Endpoint)' -Bucket '$bucket' | Select-Object Id, Size, Added"
    Step 'New-Backup -Storage (first, full)'
    $full = Invoke-ModuleChild $command
    Step 'New-Backup -Storage again over the unchanged bucket (incremental)'
    $again = Invoke-ModuleChild $command
    if ($again.Result.Size -ne 0) { throw "The incremental run read $($again.Result.Size) bytes of an unchanged bucket." }
    Step 'Get-Backup -Latest (what opening the repository costs: key derivation, manifests)'
    $open = Invoke-ModuleChild "Get-Backup -Repository '$repo' -Endpoint '$($s3.Endpoint)' -Latest | Select-Object Id"
    Step 'Opening the repository, phase by phase (build/bench-open.ps1, fresh pwsh)'
    $phases = (& dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot 'bench-open.ps1') -Repository $repo -Endpoint $s3.Endpoint -ModulePath $ModulePath |
        Select-Object -Last 1) | ConvertFrom-Json
    if ($LASTEXITCODE -ne 0) { throw 'bench-open.ps1 failed.' }

    $rows = @(
        [pscustomobject]@{ Case = 'Storage backup throughput'; BackupTools = ('{0:N1} MB/s ({1:N2} s)' -f ($seed.Bytes / 1MB / $full.Seconds), $full.Seconds); Baseline = ('{0:N1} MB/s ({1:N2} s, GET-then-PUT copy)' -f ($seed.Bytes / 1MB / $copy.Seconds), $copy.Seconds); Ratio = ('{0:N2}x' -f ($copy.Seconds / $full.Seconds)); Goal = '>= 0.90x' }
        [pscustomobject]@{ Case = 'Incremental, unchanged bucket'; BackupTools = ('{0:N2} s' -f $again.Seconds); Baseline = ('{0:N2} s (the full run)' -f $full.Seconds); Ratio = ('{0:P1}' -f ($again.Seconds / $full.Seconds)); Goal = '< 10%' }
        [pscustomobject]@{ Case = 'Incremental beyond opening the repository'; BackupTools = ('{0:N2} s' -f ($again.Seconds - $open.Seconds)); Baseline = ('{0:N2} s (the full run; Get-Backup -Latest took {1:N2} s)' -f $full.Seconds, $open.Seconds); Ratio = ('{0:P1}' -f (($again.Seconds - $open.Seconds) / $full.Seconds)); Goal = '(information)' }
        [pscustomobject]@{ Case = 'Stored size'; BackupTools = (Format-Bytes $full.Result.Added); Baseline = ('{0} (the objects)' -f (Format-Bytes $seed.Bytes)); Ratio = ('{0:N2}x' -f ($full.Result.Added / $seed.Bytes)); Goal = '' }
        [pscustomobject]@{ Case = 'Peak memory, backup process'; BackupTools = (Format-Bytes $full.PeakBytes); Baseline = ('{0} (same pwsh after Import-Module)' -f (Format-Bytes $full.BaselinePeakBytes)); Ratio = ('+{0}' -f (Format-Bytes ($full.PeakBytes - $full.BaselinePeakBytes))); Goal = '(information)' }
    )
    $rows | Format-Table -AutoSize | Out-Host
    @(
        '## Storage buckets', '',
        ("- Bucket on s3rver: {0:N0} objects, {1} (3 multipart objects of {2} each; the rest 16-512 KB; half random, half text); repository on the same s3rver" -f $seed.Objects, (Format-Bytes $seed.Bytes), (Format-Bytes ([long]($seed.Bytes * 0.6 / 3)))),
        '- Baseline: every object GET then PUT into another bucket, 8 at a time, through the engine''s own S3 client (same SDK settings, same multipart writer), in the harness process.',
        ("- The BackupTools times include opening the repository (Argon2id key derivation and the manifests: {0:N2} s for Get-Backup -Latest), which the baseline does not pay." -f $open.Seconds),
        ("- Opening, phase by phase in a fresh pwsh (build/bench-open.ps1): engine and S3 client {0:N2} s, first S3 request {1:N2} s, unlock (config.json, key file, Argon2id) {2:N2} s, newest manifest {3:N2} s ({4:N0} methods JIT-compiled in all); unlocking again warm {5:N2} s; opening all {6} manifests afterwards {7:N2} s." -f
            $phases.EngineAndClient, $phases.FirstRequest, $phases.Unlock, $phases.LatestManifest, $phases.JitCompiledMethods, $phases.UnlockWarm, $phases.Manifests, $phases.AllManifests), '',
        '| Case | BackupTools | Baseline | Ratio | Goal |', '|---|---|---|---|---|'
    ) + ($rows | ForEach-Object { "| $($_.Case) | $($_.BackupTools) | $($_.Baseline) | $($_.Ratio) | $($_.Goal) |" })
}

function Get-KeptSection([string]$Heading) {
    <# A section of the existing report (from its heading to the next '## '), for a case not run this time. #>
    if (-not (Test-Path $ReportPath)) { return @() }
    $lines = Get-Content $ReportPath
    $start = [array]::IndexOf($lines, $Heading)
    if ($start -lt 0) { return @() }
    $end = $start + 1
    while ($end -lt $lines.Count -and -not $lines[$end].StartsWith('## ')) { $end++ }
    $lines[$start..($end - 1)]
}

$savedEnv = @{ BACKUPTOOLS_PASSPHRASE = $env:BACKUPTOOLS_PASSPHRASE; PGPASSWORD = $env:PGPASSWORD
               AWS_ACCESS_KEY_ID = $env:AWS_ACCESS_KEY_ID; AWS_SECRET_ACCESS_KEY = $env:AWS_SECRET_ACCESS_KEY; AWS_REGION = $env:AWS_REGION }
try {
    Step 'Starting a throwaway PostgreSQL 15 cluster and s3rver'
    $services = Start-BtServices -StateFile $stateFile -NoS3:('Storage' -notin $Case)
    $env:BACKUPTOOLS_PASSPHRASE = [Convert]::ToBase64String([Security.Cryptography.RandomNumberGenerator]::GetBytes(24))
    $databaseSection = if ('Database' -in $Case) { Invoke-DatabaseCase } else { Get-KeptSection '## Database' }
    $storageSection = if ('Storage' -in $Case) { Invoke-StorageCase } else { Get-KeptSection '## Storage buckets' }
    # Kept as it is: the figures of earlier runs, added by hand with what changed between them.
    $historySection = Get-KeptSection '## Earlier runs'

    $options = @(if ($Scale -ne 70) { "-Scale $Scale" }) + @(if ($PgbenchSeconds -ne 60) { "-PgbenchSeconds $PgbenchSeconds" }) +
        @(if ($StorageMB -ne 1024) { "-StorageMB $StorageMB" }) + @(if ($Case.Count -lt 2) { "-BenchCase $($Case -join ',')" })
    $invocation = (@('dotnet pwsh ./build.ps1 Bench') + $options) -join ' '
    $cpu = ((Get-Content /proc/cpuinfo | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -split ':', 2)[1].Trim()
    $md = @(
        '# Benchmarks', '',
        "Produced by ``$invocation`` (build/bench.ps1).",
        'Every figure is measured in the same run, on the same throwaway services; ratios are',
        'against the baseline of that run, because absolute times on a shared machine are noisy.', '',
        "- Date: $((Get-Date).ToUniversalTime().ToString('yyyy-MM-dd HH:mm')) UTC; machine: $([Environment]::ProcessorCount) cores ($cpu)$(if ($Case.Count -lt 2) { "; this run measured: $($Case -join ', ') (the other section is from an earlier run)" })",
        '- BackupTools runs in a child `pwsh`; its time is the cmdlet''s own (pwsh start-up and module import excluded, repository unlock included); memory is that process''s peak RSS.', ''
    ) + $databaseSection + @('') + $storageSection
    if ($historySection) { $md = @($md | Select-Object -SkipLast ([int]($md[-1] -eq ''))) + @('') + $historySection }
    Set-Content -Path $ReportPath -Value $md
    Write-Host "Wrote $ReportPath"
}
finally {
    Stop-BtServices -StateFile $stateFile
    foreach ($k in $savedEnv.Keys) { Restore-EnvironmentVariable $k $savedEnv[$k] }
}
