# Point-in-time recovery as an operator drives it: Enable-WalArchiving on a cluster of its own (archive_mode = on),
# a physical New-Backup, Test-Backup and Get-WalArchiveStatus, then Invoke-PointInTimeRecovery -Start to a restore point,
# a restore drill of the physical backup (Test-Backup -Level Restore), and the error records of bad input. The WAL program
# is the module's bin/backuptools-wal. Every server this file starts is stopped in the Describe's AfterAll: the cluster's
# state file lives in the Describe's TestDrive, which Pester empties before a file-level AfterAll would run.
BeforeDiscovery {
    # The cluster is this file's own (archive_mode = on from the start), so only the server binaries are needed.
    $noServer = -not (Test-Path '/usr/lib/postgresql/15/bin/pg_ctl')
}
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../build/Services.psm1') -Force
    Import-TestModule
    $env:BACKUPTOOLS_CONFIG_HOME = Join-Path $TestDrive 'config'
    $passphrase = 'pester pitr passphrase'
    $env:BACKUPTOOLS_PASSPHRASE = $passphrase
    $stateFile = Join-Path $TestDrive 'pitr-services.json'
    $pgBin = '/usr/lib/postgresql/15/bin'

    function Invoke-PitrPsql([int] $Port, [string] $Sql) {
        $env:PGPASSWORD = $pg.Password
        try {
            $out = & (Join-Path $pgBin 'psql') -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $Port -U $pg.User -d postgres -c $Sql
            if ($LASTEXITCODE -ne 0) { throw "psql failed: $Sql" }
            $out
        }
        finally { Remove-Item Env:PGPASSWORD -ErrorAction Ignore }
    }

    function Stop-RecoveredServer([string] $DataDirectory) {
        # Run as postgres when we are root (PostgreSQL refuses root); immediate: the copy is thrown away.
        if (-not (Test-Path (Join-Path $DataDirectory 'postmaster.pid'))) { return }
        $pgCtl = Join-Path $pgBin 'pg_ctl'
        if ([Environment]::UserName -eq 'root') { & runuser -u postgres -- $pgCtl stop -w -m immediate -D $DataDirectory | Out-Null }
        else { & $pgCtl stop -w -m immediate -D $DataDirectory | Out-Null }
    }
}
AfterAll {
    Remove-Item Env:BACKUPTOOLS_CONFIG_HOME, Env:BACKUPTOOLS_PASSPHRASE -ErrorAction Ignore
}

Describe 'Point-in-time recovery through the module' -Skip:$noServer {
    BeforeAll {
        $pg = (Start-BtServices -StateFile $stateFile -NoS3 -ArchiveMode).Postgres
        $database = "postgresql://$($pg.User):$([uri]::EscapeDataString($pg.Password))@127.0.0.1:$($pg.Port)/postgres"
        $repo = Join-Path $TestDrive 'repo'
        New-BackupRepository -Repository $repo -Confirm:$false | Out-Null
        $archiving = Enable-WalArchiving -Repository $repo -Database $database -Confirm:$false
        $backup = New-Backup -Repository $repo -Database $database -Method Physical -Tag base
        Invoke-PitrPsql $pg.Port "CREATE TABLE pitr (phase int); INSERT INTO pitr SELECT 1 FROM generate_series(1, 10)" | Out-Null
        $lsn = Invoke-PitrPsql $pg.Port "SELECT pg_create_restore_point('pester_point')"
        Invoke-PitrPsql $pg.Port "INSERT INTO pitr SELECT 2 FROM generate_series(1, 5)" | Out-Null
        $segment = Invoke-PitrPsql $pg.Port "SELECT pg_walfile_name(pg_switch_wal())"
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while (-not (Test-Path (Join-Path $repo "wal/$segment")) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
    }
    AfterAll {
        # A recovered server a failed test left running first, then the cluster.
        Get-ChildItem $TestDrive -Directory -Filter 'restore*' | ForEach-Object { Stop-RecoveredServer (Join-Path $_.FullName 'data') }
        Stop-BtServices -StateFile $stateFile
    }

    It 'Enable-WalArchiving sets archive_command to the module''s WAL program and sees a segment arrive' {
        $archiving.RestartRequired | Should -BeFalse
        $archiving.VerifiedSegment | Should -Match '^[0-9A-F]{24}$'
        $archiving.ArchiveCommand | Should -Match 'bin/backuptools-wal'
        $archiving.ArchiveCommand | Should -Not -Match ([regex]::Escape($passphrase))
        (Invoke-PitrPsql $pg.Port 'SHOW archive_command') | Should -Be $archiving.ArchiveCommand
        Test-Path (Join-Path $repo "wal/$($archiving.VerifiedSegment)") | Should -BeTrue
    }

    It 'New-Backup -Method Physical writes a physical backup that Test-Backup -Level Full passes' {
        $backup.Kind | Should -Be 'physical'
        $result = $backup | Test-Backup -Level Full
        $result.Success | Should -BeTrue
        $result.Errors | Should -BeNullOrEmpty
    }

    It 'Get-WalArchiveStatus shows a healthy archive with a recoverable window' {
        $status = Get-WalArchiveStatus -Repository $repo -Database $database
        $status.Healthy | Should -BeTrue
        $status.Gaps | Should -BeNullOrEmpty
        $status.OldestRecoverableBackup | Should -Be $backup.Id
        $status.SegmentsBehind | Should -Be 0
        # The same window shows in Get-BackupStatus for the physical source.
        $physical = Get-BackupStatus -Repository $repo | Where-Object PitrWindowStart
        $physical | Should -Not -BeNullOrEmpty
        $physical[0].PitrWindowEnd | Should -BeGreaterThan $physical[0].PitrWindowStart
    }

    It 'Invoke-PointInTimeRecovery -Start recovers to the restore point and reports it' {
        $port = Get-FreeTcpPort
        $data = Join-Path $TestDrive 'restore1/data'
        try {
            $result = Invoke-PointInTimeRecovery -Repository $repo -TargetName pester_point -DataDirectory $data -Start -Port $port -Confirm:$false
            $result.Success | Should -BeTrue -Because ($result.Errors -join '; ')
            $result.BackupId | Should -Be $backup.Id
            $result.PointReached | Should -Match 'restore point "pester_point"'
            $result.ReachedLsn | Should -Not -BeNullOrEmpty
            (Invoke-PitrPsql $port 'SELECT count(*) FROM pitr') | Should -Be '10'
        }
        finally { Stop-RecoveredServer $data }
    }

    It 'Test-Backup -Level Restore drills the physical backup in a scratch cluster, records it and leaves nothing behind' {
        $scratch = Join-Path $TestDrive 'drills'
        New-Item -ItemType Directory -Force $scratch | Out-Null
        $walBefore = Get-ChildItem (Join-Path $repo 'wal') | Sort-Object Name | ForEach-Object Name
        $drill = Test-Backup -Repository $repo -Id $backup.Id -Level Restore -ScratchDirectory $scratch -RtoTarget '00:10:00'
        $drill.Success | Should -BeTrue -Because ($drill.Errors -join '; ')
        $drill.Level | Should -Be 'Restore'
        $drill.RecoveryTime | Should -BeGreaterThan ([TimeSpan]::Zero)
        $drill.RtoTarget | Should -Be ([TimeSpan]::FromMinutes(10))
        # The pitr table was created after the backup: the drill recovers to the backup's end, where the postgres database has none.
        $drill.Checks | Should -Contain 'Database postgres: connects, 0 user table(s), checks passed.'
        $drill.Steps.Name | Should -Be @("Restore and recover to the backup's end", 'Check every database', 'Stop and remove the scratch cluster')
        Get-ChildItem $scratch -Force | Should -BeNullOrEmpty
        Get-Process postgres -ErrorAction Ignore | Where-Object { $_.CommandLine -like "*$scratch*" } | Should -BeNullOrEmpty
        (Get-ChildItem (Join-Path $repo 'wal') | Sort-Object Name | ForEach-Object Name) | Should -Be $walBefore
        $status = Get-BackupStatus -Repository $repo | Where-Object PitrWindowStart
        $status[0].LastDrillSuccess | Should -BeTrue
        $status[0].LastDrillDuration | Should -BeGreaterThan ([TimeSpan]::Zero)
    }

    It 'refuses -TargetServer for a physical drill with an InvalidArgument error record' {
        $err = $null
        try { Test-Backup -Repository $repo -Id $backup.Id -Level Restore -TargetServer $database -ErrorAction Stop }
        catch { $err = $_ }
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match 'TargetServer'
    }

    It 'refuses a non-empty data directory with an InvalidOperation error record and leaves it alone' {
        $data = Join-Path $TestDrive 'restore2/data'
        New-Item -ItemType Directory -Force $data | Out-Null
        Set-Content (Join-Path $data 'keep.txt') 'mine'
        { Invoke-PointInTimeRecovery -Repository $repo -TargetName pester_point -DataDirectory $data -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'BackupTools.InvalidOperation,BackupTools.Cmdlets.InvokePointInTimeRecoveryCommand'
        Get-Content (Join-Path $data 'keep.txt') | Should -Be 'mine'
    }

    It 'names an LSN that does not parse in an InvalidArgument error record' {
        $err = $null
        try { Invoke-PointInTimeRecovery -Repository $repo -TargetLsn 'not-an-lsn' -DataDirectory (Join-Path $TestDrive 'restore3/data') -Confirm:$false -ErrorAction Stop }
        catch { $err = $_ }
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.TargetObject | Should -Be 'not-an-lsn'
    }
}
