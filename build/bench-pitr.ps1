# The point-in-time recovery benchmark, one run on one throwaway PostgreSQL 15 cluster (archive_mode = on):
#   base backup      New-Backup -Method Physical  vs  pg_basebackup -Ft to a local folder  vs  pgBackRest 2.45 full (zstd)
#   restore          Invoke-PointInTimeRecovery (data directory, no start)  vs  pgBackRest restore
#   WAL push         the WAL program's median time per 16 MiB segment, and its sustained rate against the WAL rate of
#                    pgbench -c 2 (the archive must never fall behind).
# Called by `./build.ps1 Bench` after build/bench.ps1 (the module is built with the Native AOT WAL program); writes
# docs/benchmarks-pitr.md. pgBackRest comes from the Debian package (installed here with apt-get when root).
[CmdletBinding()]
param(
    [int]$Scale = 70,
    [int]$PgbenchSeconds = 30,
    [int]$PushSamples = 20,
    [string]$ModulePath = (Join-Path (Split-Path -Parent $PSScriptRoot) 'out/BackupTools/BackupTools.psd1'),
    [string]$WorkDirectory = (Join-Path (Split-Path -Parent $PSScriptRoot) 'out/bench-pitr'),
    [string]$ReportPath = (Join-Path (Split-Path -Parent $PSScriptRoot) 'docs/benchmarks-pitr.md')
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot 'Services.psm1') -Force

function Step([string]$Text) { Write-Host "`n==> $Text" -ForegroundColor Cyan }

function Measure-Seconds([scriptblock]$Script) {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    & $Script | Out-Null
    $sw.Elapsed.TotalSeconds
}

function Invoke-AsPostgres {
    <# Runs a program as the server's OS user (runuser when root; PGPASSWORD comes through the environment); throws on failure. #>
    param([string]$Program, [string[]]$Arguments)
    $out = if ((& id -u) -eq '0') { & runuser -u postgres -- $Program @Arguments 2>&1 } else { & $Program @Arguments 2>&1 }
    if ($LASTEXITCODE -ne 0) { throw "$Program $($Arguments -join ' ') failed ($LASTEXITCODE): $($out -join "`n")" }
}

function New-PostgresFolder([string]$Path) {
    New-Item -ItemType Directory -Force $Path | Out-Null
    if ((& id -u) -eq '0') { & chown -R postgres: $Path }
    $Path
}

if (-not (Get-Command pgbackrest -ErrorAction Ignore)) {
    if ((& id -u) -ne '0') { throw 'pgbackrest is not installed (apt-get install pgbackrest).' }
    Step 'Installing pgBackRest (Debian package)'
    $env:DEBIAN_FRONTEND = 'noninteractive'
    & apt-get install -y -q --no-install-recommends pgbackrest | Out-Host
    if ($LASTEXITCODE -ne 0) { throw 'apt-get install pgbackrest failed.' }
}
$pgbackrestVersion = (& pgbackrest version) -join ' '

if (Test-Path $WorkDirectory) { Remove-Item -Recurse -Force $WorkDirectory }
New-Item -ItemType Directory -Force $WorkDirectory | Out-Null
& chmod 755 $WorkDirectory
$stateFile = Join-Path $WorkDirectory 'services.json'
$savedEnv = @{ BACKUPTOOLS_PASSPHRASE = $env:BACKUPTOOLS_PASSPHRASE; PGPASSWORD = $env:PGPASSWORD }
try {
    Step 'Starting a throwaway PostgreSQL 15 cluster with archive_mode = on'
    $pg = (Start-BtServices -StateFile $stateFile -NoS3 -ArchiveMode).Postgres
    $bin = $pg.BinDirectory
    $env:PGPASSWORD = $pg.Password
    $pgEnv = Get-PgEnvironment $pg 'postgres'
    $conn = Get-PgUri -Postgres $pg -Database 'postgres' -WithoutPassword

    Step "pgbench -i -s $Scale"
    Invoke-WithPgEnvironment $pgEnv { & (Join-Path $bin 'pgbench') -i -s $Scale -q postgres 2>&1 | Out-Null }
    Invoke-Psql -Postgres $pg -Sql 'CHECKPOINT' | Out-Null
    $clusterBytes = [long](Invoke-Psql -Postgres $pg -Sql 'SELECT sum(pg_database_size(oid)) FROM pg_database')
    Write-Host "    cluster size: $(Format-Bytes $clusterBytes)"

    $env:BACKUPTOOLS_PASSPHRASE = [Convert]::ToBase64String([Security.Cryptography.RandomNumberGenerator]::GetBytes(24))
    Import-Module $ModulePath -Force
    $repo = Join-Path $WorkDirectory 'repository'
    New-BackupRepository -Repository $repo | Out-Null
    $archiving = Enable-WalArchiving -Repository $repo -Database $conn -Confirm:$false
    Write-Host "    archive_command: $($archiving.ArchiveCommand)"

    Step 'Baseline: pg_basebackup -Ft to a local folder'
    $baseDir = New-PostgresFolder (Join-Path $WorkDirectory 'pg_basebackup')
    $pgBaseBackupSeconds = Measure-Seconds {
        Invoke-WithPgEnvironment $pgEnv { Invoke-AsPostgres (Join-Path $bin 'pg_basebackup') @('-D', (Join-Path $baseDir 'out'), '-Ft', '-X', 'none', '--checkpoint=fast', '--no-manifest') }
    }

    Step 'pgBackRest full backup (compress-type=zst)'
    $pgbrRepo = New-PostgresFolder (Join-Path $WorkDirectory 'pgbackrest')
    $pgbrConf = Join-Path $pgbrRepo 'pgbackrest.conf'
    Set-Content $pgbrConf @(
        '[global]', "repo1-path=$pgbrRepo/repo", 'compress-type=zst', 'start-fast=y', 'archive-check=n', 'log-level-console=warn',
        'log-level-file=off', "lock-path=$pgbrRepo/lock", "spool-path=$pgbrRepo/spool",
        '[bench]', "pg1-path=$($pg.DataDirectory)", "pg1-port=$($pg.Port)", "pg1-socket-path=$($pg.SocketDirectory)", 'pg1-user=postgres')
    & chown -R postgres: $pgbrRepo
    $pgbr = @("--config=$pgbrConf", '--stanza=bench')
    Invoke-AsPostgres pgbackrest ($pgbr + 'stanza-create')
    $pgbrBackupSeconds = Measure-Seconds { Invoke-AsPostgres pgbackrest ($pgbr + @('--type=full', 'backup')) }

    Step 'New-Backup -Method Physical (first)'
    $firstSeconds = Measure-Seconds { $script:first = New-Backup -Repository $repo -Database $conn -Method Physical -Tag bench }

    Step "pgbench -c 2 -T ${PgbenchSeconds}: WAL rate, archive keeping up, then a second physical backup"
    $lsnBefore = Invoke-Psql -Postgres $pg -Sql 'SELECT pg_current_wal_lsn()'
    Invoke-WithPgEnvironment $pgEnv { & (Join-Path $bin 'pgbench') -c 2 -j 2 -T $PgbenchSeconds postgres 2>&1 | Out-Null }
    $walBytes = [long](Invoke-Psql -Postgres $pg -Sql "SELECT pg_current_wal_lsn() - '$lsnBefore'::pg_lsn")
    $walRate = $walBytes / $PgbenchSeconds
    $status = Get-WalArchiveStatus -Repository $repo -Database $conn
    $secondSeconds = Measure-Seconds { $script:second = New-Backup -Repository $repo -Database $conn -Method Physical -Tag bench }

    Step "WAL push: $PushSamples real segments through the WAL program, one process each"
    $segments = @(Get-ChildItem (Join-Path $pg.DataDirectory 'pg_wal') | Where-Object Name -Match '^[0-9A-F]{24}$' | Select-Object -First $PushSamples)
    $env:BACKUPTOOLS_WAL_CONFIG = $archiving.ConfigPath
    $walProgram = Join-Path (Split-Path -Parent $ModulePath) 'bin/backuptools-wal'
    $pushTimes = @()
    $i = 0
    foreach ($segment in $segments) {
        # Timeline FF: names no real segment of this cluster has, so every push stores a new object.
        $name = '000000FF' + $segment.Name.Substring(8, 12) + ('{0:X4}' -f $i++)
        $pushTimes += Measure-Seconds { & $walProgram push $segment.FullName $name; if ($LASTEXITCODE -ne 0) { throw "push $name failed" } }
    }
    Remove-Item Env:BACKUPTOOLS_WAL_CONFIG
    $pushMedian = ($pushTimes | Sort-Object)[[int][Math]::Floor($pushTimes.Count / 2)]
    $segmentSize = 16MB
    $archiveRate = $segmentSize / $pushMedian

    Step 'Restore: Invoke-PointInTimeRecovery (data directory) vs pgbackrest restore'
    Invoke-Psql -Postgres $pg -Sql "SELECT pg_create_restore_point('bench')" | Out-Null
    $closed = Invoke-Psql -Postgres $pg -Sql 'SELECT pg_walfile_name(pg_switch_wal())'
    $deadline = [DateTime]::UtcNow.AddSeconds(120)
    while (-not (Test-Path (Join-Path $repo "wal/$closed")) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
    $btData = Join-Path $WorkDirectory 'restore-bt/data'
    $btRestoreSeconds = Measure-Seconds {
        $script:restore = Invoke-PointInTimeRecovery -Repository $repo -TargetName bench -DataDirectory $btData -BackupId $second.Id -Confirm:$false
    }
    $pgbrData = New-PostgresFolder (Join-Path $WorkDirectory 'restore-pgbr/data')
    & chmod 700 $pgbrData
    $pgbrRestoreSeconds = Measure-Seconds { Invoke-AsPostgres pgbackrest ($pgbr + @("--pg1-path=$pgbrData", 'restore')) }

    $rows = @(
        [pscustomobject]@{ Case = 'Base backup wall time'; BackupTools = ('{0:N2} s' -f $firstSeconds); Baseline = ('{0:N2} s pg_basebackup -Ft; {1:N2} s pgBackRest full zst' -f $pgBaseBackupSeconds, $pgbrBackupSeconds); Ratio = ('{0:N2}x pgBackRest' -f ($firstSeconds / $pgbrBackupSeconds)); Goal = '<= 1.00x pgBackRest' }
        [pscustomobject]@{ Case = 'Base backup stored'; BackupTools = (Format-Bytes $first.Added); Baseline = "cluster $(Format-Bytes $clusterBytes)"; Ratio = ('{0:P0}' -f ($first.Added / $clusterBytes)); Goal = '' }
        [pscustomobject]@{ Case = "Second base backup after pgbench -T $PgbenchSeconds"; BackupTools = ('{0:N2} s, {1} added' -f $secondSeconds, (Format-Bytes $second.Added)); Baseline = 'first base backup stored bytes'; Ratio = ('{0:P1}' -f ($second.Added / $first.Added)); Goal = '(reported)' }
        [pscustomobject]@{ Case = 'Data-directory restore'; BackupTools = ('{0:N2} s' -f $btRestoreSeconds); Baseline = ('{0:N2} s pgbackrest restore' -f $pgbrRestoreSeconds); Ratio = ('{0:N2}x' -f ($btRestoreSeconds / $pgbrRestoreSeconds)); Goal = '<= 1.00x' }
        [pscustomobject]@{ Case = 'WAL push, median per segment'; BackupTools = ('{0:N0} ms' -f ($pushMedian * 1000)); Baseline = "$($pushTimes.Count) real 16 MiB segments, one process each"; Ratio = ''; Goal = '< 100 ms' }
        [pscustomobject]@{ Case = 'Sustained archive rate vs pgbench -c 2 WAL rate'; BackupTools = ('{0}/s' -f (Format-Bytes $archiveRate)); Baseline = ('{0}/s WAL' -f (Format-Bytes $walRate)); Ratio = ('{0:N1}x' -f ($archiveRate / [Math]::Max(1, $walRate))); Goal = '>= 5x' }
        [pscustomobject]@{ Case = 'Archive behind after pgbench'; BackupTools = ('{0} segments' -f $status.SegmentsBehind); Baseline = ''; Ratio = ''; Goal = '0-1' }
    )
    $rows | Format-Table -AutoSize | Out-Host
    $cpu = ((Get-Content /proc/cpuinfo | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -split ':', 2)[1].Trim()
    $md = @(
        '# Point-in-time recovery benchmarks', '',
        'Produced by `dotnet pwsh ./build.ps1 Bench` (build/bench-pitr.ps1), all figures from the same run on one throwaway',
        'PostgreSQL 15 cluster (archive_mode = on, archiving through the Native AOT `backuptools-wal`).', '',
        "- Date: $((Get-Date).ToUniversalTime().ToString('yyyy-MM-dd HH:mm')) UTC; machine: $([Environment]::ProcessorCount) cores ($cpu)",
        "- Cluster: pgbench scale $Scale, $(Format-Bytes $clusterBytes); $pgbackrestVersion with compress-type=zst, defaults otherwise",
        "- Load average when the report was written: $((Get-Content /proc/loadavg) -split ' ' | Select-Object -First 3) (other work on the machine slows every column alike)",
        '- BackupTools times include opening the repository (Argon2id unlock) in this pwsh session.', '',
        '| Case | BackupTools | Baseline | Ratio | Goal |', '|---|---|---|---|---|'
    ) + ($rows | ForEach-Object { "| $($_.Case) | $($_.BackupTools) | $($_.Baseline) | $($_.Ratio) | $($_.Goal) |" })
    Set-Content -Path $ReportPath -Value $md
    Write-Host "Wrote $ReportPath"
}
finally {
    Stop-BtServices -StateFile $stateFile
    foreach ($k in $savedEnv.Keys) { Restore-EnvironmentVariable $k $savedEnv[$k] }
}
