# Copy-Backup and the schedule cmdlets as a user drives them, against the harness's PostgreSQL and s3rver.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $noServices = -not (Get-TestServices)
}
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-TestModule
    $env:BACKUPTOOLS_CONFIG_HOME = Join-Path $TestDrive 'config'
    $env:BACKUPTOOLS_PASSPHRASE = 'pester passphrase'
}
AfterAll { Remove-Item Env:BACKUPTOOLS_CONFIG_HOME, Env:BACKUPTOOLS_PASSPHRASE, Env:PGPASSWORD -ErrorAction Ignore }

Describe 'Copy-Backup' -Skip:$noServices {
    BeforeAll {
        $repo = Join-Path $TestDrive 'copy-source'
        New-BackupRepository -Repository $repo -Confirm:$false | Out-Null
        $source = New-TestDatabase
        $backup = New-Backup -Repository $repo -Database (Get-TestConnectionString $source -WithPassword) -Tag monthly
        $s3 = (Get-TestServices).s3
        $coldCredential = [pscredential]::new($s3.accessKey, (ConvertTo-SecureString $s3.secretKey -AsPlainText -Force))
        $coldPassphrase = ConvertTo-SecureString 'a different cold passphrase' -AsPlainText -Force
        $cold = 's3://pester-cold-' + [guid]::NewGuid().ToString('N').Substring(0, 8) + '/archive'
        $coldAccess = @{ Endpoint = $s3.endpoint; Region = 'us-east-1'; Credential = $coldCredential; Passphrase = $coldPassphrase }
        New-BackupRepository -Repository $cold @coldAccess -Confirm:$false | Out-Null
        $copyTo = @{
            Destination = $cold; DestinationEndpoint = $s3.endpoint; DestinationRegion = 'us-east-1'
            DestinationCredential = $coldCredential; DestinationPassphrase = $coldPassphrase
        }
        $copyLog = Join-Path $TestDrive 'copy.jsonl'
        $copy = $backup | Copy-Backup @copyTo -StorageClass STANDARD_IA -LogPath $copyLog
    }
    It 'copies to an S3 repository with another passphrase and checks the copy' {
        $copy.Id | Should -Be $backup.Id
        $copy.Skipped | Should -BeFalse
        $copy.StorageClass | Should -Be 'STANDARD_IA'
        $copy.Verified | Should -Be 'Quick: passed'
        $copy.Uploaded | Should -BeGreaterThan 0
        $copy.ChunksNew | Should -Be $copy.ChunksTotal
    }
    It '-LogPath records the copy with its id and bytes, and never the passphrases' {
        $events = @(Get-Content $copyLog | ForEach-Object { $_ | ConvertFrom-Json })
        $copied = @($events | Where-Object event -EQ 'copy.completed')
        $copied.Count | Should -Be 1
        $copied[0].backupId | Should -Be $backup.Id
        $copied[0].bytes | Should -Be $copy.Uploaded
        Get-Content $copyLog -Raw | Should -Not -Match ([regex]::Escape($env:BACKUPTOOLS_PASSPHRASE))
        Get-Content $copyLog -Raw | Should -Not -Match 'a different cold passphrase'
    }
    It 'Test-Backup -Level Full passes in the destination and the copy restores the original data' {
        $listed = Get-Backup -Repository $cold @coldAccess -Id $backup.Id
        $listed.Tags | Should -Be @('monthly')
        ($listed | Test-Backup -Level Full -Credential $coldCredential -Passphrase $coldPassphrase).Success | Should -Not -Contain $false
        $restored = 'pester_cold_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $result = $listed | Restore-Backup -Credential $coldCredential -Passphrase $coldPassphrase `
            -TargetDatabase (Get-TestConnectionString postgres -WithPassword) -AsDatabase $restored -Confirm:$false
        $result.Success | Should -BeTrue
        Get-DatabaseFingerprint $restored | Should -Be (Get-DatabaseFingerprint $source)
    }
    It 'a second copy of the same id is InvalidOperation; -SkipExisting reports Skipped' {
        $err = { $backup | Copy-Backup @copyTo -ErrorAction Stop } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $err.ToString() | Should -Match $backup.Id
        ($backup | Copy-Backup @copyTo -SkipExisting).Skipped | Should -BeTrue
    }
    It 'a wrong destination passphrase is an AuthenticationError and copies nothing' {
        $wrong = $copyTo.Clone()
        $wrong.DestinationPassphrase = ConvertTo-SecureString 'not the cold passphrase' -AsPlainText -Force
        $second = New-Backup -Repository $repo -Database (Get-TestConnectionString $source -WithPassword)
        $err = { $second | Copy-Backup @wrong -ErrorAction Stop } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        Get-Backup -Repository $cold @coldAccess -Id $second.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
    It '-WhatIf copies nothing' {
        $local = Join-Path $TestDrive 'copy-whatif'
        New-BackupRepository -Repository $local -Confirm:$false | Out-Null
        Copy-Backup -Id $backup.Id -Repository $repo -Destination $local -WhatIf
        Get-Backup -Repository $local | Should -BeNullOrEmpty
    }
}

Describe 'Schedules' -Skip:$noServices {
    BeforeAll {
        $schedule = Join-Path $TestDrive 'schedule/schedules.json'
        $repo = Join-Path $TestDrive 'scheduled'
        New-BackupRepository -Repository $repo -Confirm:$false | Out-Null
        $db = New-TestDatabase
        $env:PGPASSWORD = (Get-TestServices).postgres.password  # as a scheduled task gets it: from the environment
        $registered = [DateTimeOffset]::UtcNow
        $job = Register-BackupSchedule -Path $schedule -Name nightly -Cron '0 2 * * *' -TimeZone UTC -Database (Get-TestConnectionString $db) `
            -PgBinDirectory /usr/lib/postgresql/15/bin -Repository $repo -Tag nightly -Verify Full -KeepDaily 7
        # The next 02:00 UTC after registration, and a moment three days later (two missed slots on top).
        $firstSlot = $registered.UtcDateTime.Date.AddHours(2)
        if ($firstSlot -le $registered.UtcDateTime) { $firstSlot = $firstSlot.AddDays(1) }
        $firstSlot = [DateTimeOffset]::new($firstSlot, [TimeSpan]::Zero)
    }
    It 'Register-BackupSchedule writes the job and Get-BackupSchedule shows its next run' {
        $job.Name | Should -Be 'nightly'
        $job.Retention | Should -Be '7 daily'
        $shown = Get-BackupSchedule -Path $schedule -Name nightly
        $shown.NextRun | Should -Be $firstSlot
        $shown.Due | Should -BeFalse
        $shown.LastResult | Should -BeNullOrEmpty
    }
    It 'a password in the connection string is refused without repeating it' {
        $err = { Register-BackupSchedule -Path $schedule -Name leaky -Cron '@daily' -Database 'postgresql://postgres:Hunter2Secret@db/app' -Repository $repo -ErrorAction Stop } |
            Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.ToString() | Should -Not -Match 'Hunter2Secret'
        Get-Content $schedule -Raw | Should -Not -Match 'Hunter2Secret'
    }
    It 'a bad cron expression is InvalidArgument naming it' {
        $err = { Register-BackupSchedule -Path $schedule -Name bad -Cron '61 * * * *' -Database (Get-TestConnectionString $db) -Repository $repo -ErrorAction Stop } |
            Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.ToString() | Should -Match '61 \* \* \* \*'
    }
    It 'Invoke-BackupSchedule runs the due job once, catching up missed runs once, and records the result' {
        Invoke-BackupSchedule -Path $schedule -Now $firstSlot.AddMinutes(-1) | Should -BeNullOrEmpty
        $late = $firstSlot.AddDays(2).AddHours(5)
        $runs = @(Invoke-BackupSchedule -Path $schedule -Now $late)
        $again = @(Invoke-BackupSchedule -Path $schedule -Now $late.AddMinutes(5))
        $runs | Should -HaveCount 1
        $runs[0].Success | Should -BeTrue
        $runs[0].DueAt | Should -Be $firstSlot
        $again | Should -HaveCount 0
        $backups = @(Get-Backup -Repository $repo -Tag nightly)
        $backups | Should -HaveCount 1
        $backups[0].Id | Should -Be $runs[0].BackupId
        $backups[0].Verified | Should -Be 'Full: passed'
        $state = Get-BackupSchedule -Path $schedule -Name nightly
        $state.LastResult | Should -Be 'Succeeded'
        $state.LastBackupId | Should -Be $runs[0].BackupId
        $state.LastRun | Should -Be $late
    }
    It 'a second invocation while another process holds the lock runs nothing' {
        $lockPath = "$schedule.lock"
        $holder = Start-ChildPwsh -Command "`$f = [IO.File]::Open('$lockPath', 'OpenOrCreate', 'ReadWrite', 'None'); 'held'; Start-Sleep -Seconds 60"
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            do {
                Start-Sleep -Milliseconds 200
                $held = try { [IO.File]::Open($lockPath, 'Open', 'ReadWrite', 'None').Dispose(); $false } catch { $true }
            } until ($held -or [DateTime]::UtcNow -gt $deadline)
            $held | Should -BeTrue
            $runs = Invoke-BackupSchedule -Path $schedule -Now $firstSlot.AddDays(30) -WarningVariable warnings -WarningAction SilentlyContinue
            $runs | Should -BeNullOrEmpty
            $warnings | Should -Match 'Another Invoke-BackupSchedule is running'
            @(Get-Backup -Repository $repo -Tag nightly) | Should -HaveCount 1
        }
        finally { $holder.Process.Kill($true) }
    }
    It 'two Invoke-BackupSchedule processes at once: one runs the due job, the other runs nothing' {
        # A database that accepts the connection and never answers keeps the first run busy (3 attempts x 6 s connect timeout).
        $silent = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $silent.Start()
        try {
            $busy = Join-Path $TestDrive 'busy/schedules.json'
            $uri = "postgresql://postgres@127.0.0.1:$($silent.LocalEndpoint.Port)/silent?connect_timeout=6"
            Register-BackupSchedule -Path $busy -Name slow -Cron '@hourly' -TimeZone UTC -Database $uri -Repository $repo | Out-Null
            $at = [DateTimeOffset]::UtcNow.AddHours(3).ToString('o')
            $command = "Import-Module '$(Join-Path (Get-TestModulePath) 'BackupTools.psd1')'; Invoke-BackupSchedule -Path '$busy' -Now '$at' -Verbose"
            $children = 1..2 | ForEach-Object { Start-ChildPwsh -Command $command }
            $outputs = $children | ForEach-Object { Receive-ChildPwshOutput $_ }
            ($outputs | Where-Object { $_ -match 'Another Invoke-BackupSchedule is running' }) | Should -HaveCount 1
            ($outputs | Where-Object { $_ -match "Running schedule job 'slow'" }) | Should -HaveCount 1
            (Get-BackupSchedule -Path $busy).LastResult | Should -Be 'Failed'
        }
        finally { $silent.Stop() }
    }
    It 'a failed job is an error ($? false) and the installed command exits 1; a clean run exits 0' {
        $failing = Join-Path $TestDrive 'failing/schedules.json'
        # Every second, so the real clock makes it due again for the child run below.
        Register-BackupSchedule -Path $failing -Name broken -Cron '* * * * * *' -TimeZone UTC -Database "postgresql://postgres@127.0.0.1:$(Get-FreeTcpPort)/nowhere" `
            -Repository $repo | Out-Null
        Start-Sleep -Milliseconds 1100
        $runs = Invoke-BackupSchedule -Path $failing -ErrorVariable failures -ErrorAction SilentlyContinue
        $succeeded = $?
        $succeeded | Should -BeFalse
        $runs.Success | Should -BeFalse
        $failures | Should -HaveCount 1
        $failures[0].ToString() | Should -Match 'broken'
        (Get-BackupSchedule -Path $failing).LastResult | Should -Be 'Failed'

        # The command -Install would give cron, run as cron would run it.
        $plan = Register-BackupSchedule -Install -Scheduler Cron -Path $failing -WhatIf
        $plan.Installed | Should -BeFalse
        $command = $plan.Command
        $command[-1] | Should -Match '-ErrorAction Stop$'
        & $command[0] $command[1..($command.Count - 1)] *> $null
        $LASTEXITCODE | Should -Be 1
        Unregister-BackupSchedule -Path $failing -Name broken -Confirm:$false
        & $command[0] $command[1..($command.Count - 1)] *> $null
        $LASTEXITCODE | Should -Be 0
    }
    It '-Install -WhatIf shows the systemd units and writes nothing' {
        $plan = Register-BackupSchedule -Install -Scheduler Systemd -IntervalMinutes 10 -Path $schedule -WhatIf
        $plan.Kind | Should -Be 'Systemd'
        $plan.Installed | Should -BeFalse
        $paths = @($plan.Files.Keys)
        $paths | Should -HaveCount 2
        $paths[0] | Should -Match 'backuptools-schedule\.service$'
        $plan.Files[$paths[1]] | Should -Match 'OnCalendar=\*:0/10'
        $plan.Files[$paths[0]] | Should -Match ([regex]::Escape($schedule))
        $paths | ForEach-Object { Test-Path $_ | Should -BeFalse }
    }
    It '-DefaultPlan registers daily, weekly and the monthly cold copy; Unregister-BackupSchedule removes them' {
        $plan = Join-Path $TestDrive 'plan/schedules.json'
        $jobs = Register-BackupSchedule -Path $plan -DefaultPlan -Database (Get-TestConnectionString $db) -ConfigPath $TestDrive -Repository $repo -ColdRepository (Join-Path $TestDrive 'cold') -TimeZone Europe/Berlin
        $jobs.Name | Should -Be @('daily', 'weekly', 'monthly-cold-copy')
        $jobs.Cron | Should -Be @('0 2 * * 1-6', '0 2 * * 0', '0 5 1 * *')
        ($jobs | Where-Object Name -ne 'monthly-cold-copy').Retention | Should -Be @('7 daily, 4 weekly, 12 monthly', '7 daily, 4 weekly, 12 monthly')
        Get-BackupSchedule -Path $plan | Unregister-BackupSchedule -Path $plan -Confirm:$false
        Get-BackupSchedule -Path $plan | Should -BeNullOrEmpty
    }
}
