# The benchmark: New-Backup / Restore-Backup against pg_dump -Fc / pg_restore -j 2 in one run on one
# throwaway cluster. Figures are ratios against the baseline measured in the same run (machines are noisy).
# Called by `./build.ps1 Bench [-Scale N] [-PgbenchSeconds S]`; writes docs/benchmarks.md.
[CmdletBinding()]
param(
    [int]$Scale = 70,
    [int]$PgbenchSeconds = 60,
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
$savedEnv = @{ BACKUPTOOLS_PASSPHRASE = $env:BACKUPTOOLS_PASSPHRASE; PGPASSWORD = $env:PGPASSWORD }
try {
    Step "Starting a throwaway PostgreSQL 15 cluster"
    $pg = (Start-BtServices -StateFile $stateFile -NoS3).Postgres
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
ANALYZE;
"@ | Out-Null
    $dbSize = [long](Invoke-Psql -Postgres $pg -Database $db -Sql "SELECT pg_database_size('$db')")
    Write-Host "    database size: $(Format-Bytes $dbSize)"

    $env:BACKUPTOOLS_PASSPHRASE = [Convert]::ToBase64String([Security.Cryptography.RandomNumberGenerator]::GetBytes(24))
    $env:PGPASSWORD = $pg.Password
    $repo = Join-Path $WorkDirectory 'repository'
    $conn = Get-PgUri -Postgres $pg -Database $db -WithoutPassword
    Import-Module $ModulePath -Force
    New-BackupRepository -Repository $repo | Out-Null

    Step 'Baseline: pg_dump -Fc to a local file'
    $dumpFile = Join-Path $WorkDirectory 'baseline.dump'
    $pgDumpSeconds = Invoke-Timed (Join-Path $bin 'pg_dump') @('-Fc', '-f', $dumpFile, $db) $pgEnv
    $dumpBytes = (Get-Item $dumpFile).Length

    Step 'New-Backup to a local repository (first, full)'
    $first = Invoke-ModuleChild "New-Backup -Repository '$repo' -Database '$conn' -Tag bench | Select-Object Id, Size, Added"
    Write-Host ("    {0:N2} s (pg_dump -Fc {1:N2} s), stored {2}, peak memory {3}" -f $first.Seconds, $pgDumpSeconds, (Format-Bytes $first.Result.Added), (Format-Bytes $first.PeakBytes))

    Step 'A contiguous 1% of pgbench_accounts rows changed, then New-Backup'
    $accounts = 100000 * $Scale
    $n = [int]($accounts / 100); $start = [int]($accounts / 3)
    Invoke-Psql -Postgres $pg -Database $db -Sql "UPDATE pgbench_accounts SET abalance = abalance + 7, filler = 'changed' WHERE aid >= $start AND aid < $($start + $n)" | Out-Null
    $contig = Invoke-ModuleChild "New-Backup -Repository '$repo' -Database '$conn' -Tag bench | Select-Object Id, Size, Added"

    Step "pgbench -T $PgbenchSeconds (scattered updates), then New-Backup"
    $null = Invoke-Timed (Join-Path $bin 'pgbench') @('-T', "$PgbenchSeconds", '-c', '2', '-j', '2', $db) $pgEnv
    $scattered = Invoke-ModuleChild "New-Backup -Repository '$repo' -Database '$conn' -Tag bench | Select-Object Id, Size, Added"

    Step 'Baseline: pg_restore -j 2 from the local file'
    Invoke-Psql -Postgres $pg -Sql 'CREATE DATABASE restore_baseline' | Out-Null
    $pgRestoreSeconds = Invoke-Timed (Join-Path $bin 'pg_restore') @('-j', '2', '-d', 'restore_baseline', $dumpFile) (Get-PgEnvironment $pg 'restore_baseline')

    # Like for like with pg_restore: the restore alone (-SkipCheck). The checks a safe restore adds (row counts,
    # checksums, pg_amcheck) are timed on their own below.
    Step 'Restore-Backup of the first backup into a new database'
    $restore = Invoke-ModuleChild "Restore-Backup -Repository '$repo' -Id '$($first.Result.Id)' -AsDatabase restore_bt -SkipCheck -Confirm:`$false | Select-Object Success, Duration"
    if (-not $restore.Result.Success) { throw 'Restore-Backup failed in the benchmark.' }

    Step 'Restore-Backup with its checks against the backup (the default)'
    $checked = Invoke-ModuleChild "Restore-Backup -Repository '$repo' -Id '$($first.Result.Id)' -AsDatabase restore_bt_checked -Confirm:`$false | Select-Object Success, Duration"
    if (-not $checked.Result.Success) { throw 'Restore-Backup with checks failed in the benchmark.' }

    $rows = @(
        [pscustomobject]@{ Case = 'Backup wall time'; BackupTools = ('{0:N2} s' -f $first.Seconds); Baseline = ('{0:N2} s (pg_dump -Fc to a file)' -f $pgDumpSeconds); Ratio = ('{0:N2}x' -f ($first.Seconds / $pgDumpSeconds)); Goal = '<= 1.10x' }
        [pscustomobject]@{ Case = 'Restore wall time'; BackupTools = ('{0:N2} s' -f $restore.Seconds); Baseline = ('{0:N2} s (pg_restore -j 2)' -f $pgRestoreSeconds); Ratio = ('{0:N2}x' -f ($restore.Seconds / $pgRestoreSeconds)); Goal = '<= 1.15x' }
        [pscustomobject]@{ Case = 'Restore with checks (default)'; BackupTools = ('{0:N2} s' -f $checked.Seconds); Baseline = ('{0:N2} s (pg_restore -j 2, no checks)' -f $pgRestoreSeconds); Ratio = ('{0:N2}x' -f ($checked.Seconds / $pgRestoreSeconds)); Goal = '(information)' }
        [pscustomobject]@{ Case = 'Stored size, first backup'; BackupTools = (Format-Bytes $first.Result.Added); Baseline = ('{0} (pg_dump -Fc file)' -f (Format-Bytes $dumpBytes)); Ratio = ('{0:N2}x' -f ($first.Result.Added / $dumpBytes)); Goal = '' }
        [pscustomobject]@{ Case = 'Added after contiguous 1% change'; BackupTools = (Format-Bytes $contig.Result.Added); Baseline = 'first backup stored bytes'; Ratio = ('{0:P1}' -f ($contig.Result.Added / $first.Result.Added)); Goal = '< 5%' }
        [pscustomobject]@{ Case = "Added after pgbench -T $PgbenchSeconds"; BackupTools = (Format-Bytes $scattered.Result.Added); Baseline = 'first backup stored bytes'; Ratio = ('{0:P1}' -f ($scattered.Result.Added / $first.Result.Added)); Goal = '(reported)' }
        [pscustomobject]@{ Case = 'Peak memory, backup process'; BackupTools = (Format-Bytes $first.PeakBytes); Baseline = ('{0} (same pwsh after Import-Module)' -f (Format-Bytes $first.BaselinePeakBytes)); Ratio = ('+{0}' -f (Format-Bytes ($first.PeakBytes - $first.BaselinePeakBytes))); Goal = '< 300 MB' }
    )
    $rows | Format-Table -AutoSize | Out-Host

    $cpu = ((Get-Content /proc/cpuinfo | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -split ':', 2)[1].Trim()
    $md = @(
        '# Benchmarks', '',
        'Produced by `dotnet pwsh ./build.ps1 Bench' + $(if ($Scale -ne 70) { " -Scale $Scale" } else { '' }) + $(if ($PgbenchSeconds -ne 60) { " -PgbenchSeconds $PgbenchSeconds" } else { '' }) + '` (build/bench.ps1).',
        'Every figure is measured in the same run, on the same throwaway PostgreSQL 15 cluster; ratios are',
        'against the baseline of that run, because absolute times on a shared machine are noisy.', '',
        "- Date: $((Get-Date).ToUniversalTime().ToString('yyyy-MM-dd HH:mm')) UTC; machine: $([Environment]::ProcessorCount) cores ($cpu)",
        "- Database: pgbench scale $Scale + $mixedRows mixed rows; pg_database_size $(Format-Bytes $dbSize); pg_dump -Fc file $(Format-Bytes $dumpBytes)",
        '- BackupTools runs in a child `pwsh`; its time is the cmdlet''s own (pwsh start-up and module import excluded, repository unlock included); memory is that process''s peak RSS.', '',
        '| Case | BackupTools | Baseline | Ratio | Goal |', '|---|---|---|---|---|'
    ) + ($rows | ForEach-Object { "| $($_.Case) | $($_.BackupTools) | $($_.Baseline) | $($_.Ratio) | $($_.Goal) |" })
    Set-Content -Path $ReportPath -Value $md
    Write-Host "Wrote $ReportPath"
}
finally {
    Stop-BtServices -StateFile $stateFile
    foreach ($k in $savedEnv.Keys) { [Environment]::SetEnvironmentVariable($k, $savedEnv[$k]) }
}
