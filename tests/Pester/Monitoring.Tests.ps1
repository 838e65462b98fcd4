# Get-BackupStatus, Export-BackupReport (HTML in headless Chromium, Prometheus, JSON), New-Backup -NotifyWebhook
# against a local HTTP listener, -LogPath JSON lines, and argument completion, against the real test services.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $noServices = -not (Get-TestServices)
}
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-TestModule
    $env:BACKUPTOOLS_CONFIG_HOME = Join-Path $TestDrive 'config'
    $env:BACKUPTOOLS_PASSPHRASE = 'pester monitoring passphrase'
    $artifacts = Join-Path (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path 'out/test-artifacts'

    # The same loopback webhook stand-in the xunit tests use, compiled from its source.
    Add-Type -Path (Join-Path $PSScriptRoot '../BackupTools.Testing/WebhookSink.cs')

    function Read-LogEvent([string] $Path) { Get-Content $Path | ForEach-Object { $_ | ConvertFrom-Json } }

    function Invoke-Chromium([string[]] $Arguments) {
        # Debian's chromium, headless, with a fresh profile and nothing fetched in the background; no shell (ArgumentList).
        $profileDir = Join-Path $TestDrive ('chromium-' + [guid]::NewGuid().ToString('N'))
        $info = [System.Diagnostics.ProcessStartInfo]::new('/usr/bin/chromium')
        foreach ($argument in @('--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                '--disable-background-networking', '--disable-component-update', '--disable-sync', "--user-data-dir=$profileDir",
                '--enable-logging=stderr', '--v=0') + $Arguments) { $info.ArgumentList.Add($argument) }
        $info.UseShellExecute = $false
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $process = [System.Diagnostics.Process]::Start($info)
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit(90000)) { $process.Kill($true); throw 'chromium did not finish in 90 s' }
        [pscustomobject]@{ ExitCode = $process.ExitCode; Stdout = $stdout.GetAwaiter().GetResult(); Stderr = $stderr.GetAwaiter().GetResult() }
    }
}
AfterAll { Remove-Item Env:BACKUPTOOLS_CONFIG_HOME, Env:BACKUPTOOLS_PASSPHRASE -ErrorAction Ignore }

Describe 'Monitoring' -Skip:$noServices {
    BeforeAll {
        $pg = (Get-TestServices).postgres
        $database = New-TestDatabase
        $env:PGPASSWORD = $pg.password # after Invoke-Psql, which clears it
        $repo = Join-Path $TestDrive 'repo'
        New-BackupRepository -Repository $repo | Out-Null
        Register-BackupRepository -Name monitored -Repository $repo | Out-Null
        $sourceIdentity = "$($pg.host):$($pg.port)/$database"
        $log = Join-Path $TestDrive 'backup.log'
        # The first backup gets the password inside the connection string: it must not reach the log.
        $first = New-Backup -Repository monitored -Database (Get-TestConnectionString $database -WithPassword) -LogPath $log
        $null = $first | Test-Backup -Level Full -LogPath $log
        $second = New-Backup -Repository monitored -Database (Get-TestConnectionString $database)
        $ids = @($first.Id, $second.Id)
        Start-Sleep -Seconds 2 # so a one-second RPO target makes the newest backup stale
    }
    BeforeEach { $env:PGPASSWORD = $pg.password }
    AfterAll {
        Remove-Item Env:PGPASSWORD -ErrorAction Ignore
        Invoke-Psql -Arguments @('-c', "DROP DATABASE IF EXISTS $database WITH (FORCE)") | Out-Null
    }

    Context 'Get-BackupStatus' {
        It 'shows a fresh, verified source as Healthy with its newest backup and trend' {
            $status = @(Get-BackupStatus -Repository monitored)
            $status.Count | Should -Be 1
            $status[0].Type | Should -Be 'database'
            $status[0].Source | Should -Be $sourceIdentity
            $status[0].State | Should -Be 'Healthy' -Because ($status[0].Reasons -join '; ')
            $status[0].LastBackupId | Should -Be $second.Id
            $status[0].BackupCount | Should -Be 2
            $status[0].SizeTrend.Count | Should -Be 2
            $status[0].LastVerificationLevel | Should -Be 'Full'
            $status[0].LastVerificationSuccess | Should -BeTrue
            $status[0].PitrWindowStart | Should -BeNullOrEmpty
            $status[0].NextScheduledRun | Should -BeNullOrEmpty
        }
        It 'shows Critical for a backup older than the RPO target' {
            $status = Get-BackupStatus -Repository monitored -RpoTarget '00:00:01'
            $status.State | Should -Be 'Critical'
            $status.Reasons | Should -Match 'older than the RPO target 1s'
            $status.Age | Should -BeGreaterThan ([TimeSpan]::FromSeconds(1))
        }
        It 'looks at every registered repository by default; an empty one is Critical' {
            New-BackupRepository -Repository (Join-Path $TestDrive 'empty') | Out-Null
            Register-BackupRepository -Name empty -Repository (Join-Path $TestDrive 'empty') | Out-Null
            $status = @(Get-BackupStatus)
            ($status.Repository | Sort-Object -Unique) | Should -Be @('empty', 'monitored')
            $empty = $status | Where-Object Repository -eq 'empty'
            $empty.Type | Should -Be 'repository'
            $empty.State | Should -Be 'Critical'
            $empty.Reasons | Should -Contain 'no backups in the repository'
        }
        It 'turns a repository it cannot open into a Critical row and an AuthenticationError' {
            $wrong = ConvertTo-SecureString 'not the passphrase' -AsPlainText -Force
            $status = Get-BackupStatus -Repository monitored -Passphrase $wrong -ErrorVariable failures -ErrorAction SilentlyContinue
            $status.Type | Should -Be 'repository'
            $status.State | Should -Be 'Critical'
            $status.Reasons | Should -Match 'cannot be read'
            $failures[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        }
        It 'shows the latest restore drill (Test-Backup -Level Restore) and logs it' {
            $drillLog = Join-Path $TestDrive 'drill.log'
            $drill = $second | Test-Backup -Level Restore -LogPath $drillLog
            $drill.Success | Should -BeTrue -Because ($drill.Errors -join '; ')
            $status = Get-BackupStatus -Repository monitored
            $status.LastDrillSuccess | Should -BeTrue
            $status.LastDrillTime | Should -BeGreaterThan $second.EndTime
            $status.LastDrillDuration | Should -BeGreaterThan ([TimeSpan]::Zero)
            $status.LastVerificationLevel | Should -Be 'Restore'
            $event = Read-LogEvent $drillLog | Where-Object event -eq 'drill.completed'
            $event.backupId | Should -Be $second.Id
            $event.durationSeconds | Should -BeGreaterThan 0
        }
        It 'fits the default table in 120 columns' {
            $lines = (Get-BackupStatus -Repository monitored -RpoTarget '00:00:01' | Format-Table | Out-String -Width 250) -split "`r?`n"
            ($lines | Measure-Object -Property Length -Maximum).Maximum | Should -BeLessOrEqual 120
            ($lines | Where-Object { $_ -match 'Critical' }) | Should -Not -BeNullOrEmpty
        }
    }

    Context 'Export-BackupReport' {
        It 'writes a Prometheus textfile where the stale source is critical' {
            $path = Join-Path $TestDrive 'prom/backuptools.prom'
            New-Item -ItemType Directory (Split-Path $path) | Out-Null
            Set-Content $path 'stale content'
            $file = Export-BackupReport -Repository monitored -Format Prometheus -Path $path -RpoTarget '00:00:01'
            $file.FullName | Should -Be $path
            $text = Get-Content $path -Raw
            $labels = "{repository=`"monitored`",type=`"database`",source=`"$sourceIdentity`"}"
            $text | Should -Match ([regex]::Escape("backuptools_status$labels 2") + '\n')
            $text | Should -Match ([regex]::Escape('backuptools_repository_status{repository="monitored"} 2'))
            $text | Should -Match ([regex]::Escape("backuptools_last_backup_size_bytes$labels ") + '[1-9]')
            $text | Should -Match '# HELP backuptools_last_success_timestamp_seconds .+\n# TYPE backuptools_last_success_timestamp_seconds gauge'
            $text | Should -Not -Match 'stale content'
            @(Get-ChildItem (Split-Path $path) -Force).Name | Should -Be @('backuptools.prom')
        }
        It 'writes JSON with the same status' {
            $path = Join-Path $TestDrive 'report.json'
            Export-BackupReport -Repository monitored -Format Json -Path $path -RpoTarget '00:00:01' | Out-Null
            $report = Get-Content $path -Raw | ConvertFrom-Json
            $report.state | Should -Be 'Critical'
            $report.repositories[0].sources[0].state | Should -Be 'Critical'
            @($report.repositories[0].backups.backupId) | Should -Be $ids
        }
        It '-WhatIf writes nothing' {
            $path = Join-Path $TestDrive 'whatif.html'
            Export-BackupReport -Repository monitored -Format Html -Path $path -WhatIf
            $path | Should -Not -Exist
        }
        It 'an HTML page renders in headless Chromium without console errors, lists every backup and shows Critical' {
            if (-not (Test-Path '/usr/bin/chromium')) {
                Set-ItResult -Skipped -Because "Debian's chromium is not installed (build.ps1 Test installs it with apt-get when it runs as root)"
                return
            }
            $path = Join-Path $TestDrive 'report.html'
            Export-BackupReport -Repository monitored -Format Html -Path $path -RpoTarget '00:00:01' | Out-Null
            New-Item -ItemType Directory -Force $artifacts | Out-Null
            $screenshot = Join-Path $artifacts 'backup-report.png'
            Remove-Item $screenshot -ErrorAction Ignore
            $url = [System.Uri]::new($path, [System.UriKind]::Absolute).AbsoluteUri
            $url | Should -BeLike 'file:///*'
            $dom = Invoke-Chromium -Arguments @('--dump-dom', $url)
            $shot = Invoke-Chromium -Arguments @("--screenshot=$screenshot", '--window-size=1280,2000', $url)

            $dom.ExitCode | Should -Be 0 -Because $dom.Stderr
            foreach ($id in $ids) { $dom.Stdout | Should -Match ([regex]::Escape("<td class=`"backup-id`">$id</td>")) }
            $dom.Stdout | Should -Match ([regex]::Escape("data-state=`"Critical`"><h4>database $sourceIdentity</h4>"))
            $dom.Stdout | Should -Match 'id="overall-state">Critical<'
            $dom.Stdout | Should -Match '<svg'
            foreach ($run in $dom, $shot) {
                $run.Stderr | Should -Not -Match 'Uncaught|ERROR:CONSOLE|CONSOLE\(\d+\)'
            }
            $shot.ExitCode | Should -Be 0 -Because $shot.Stderr
            (Get-Item $screenshot).Length | Should -BeGreaterThan 10000
        }
    }

    Context 'New-Backup -NotifyWebhook' {
        BeforeAll {
            $sink = [BackupTools.Testing.WebhookSink]::new((Get-FreeTcpPort))
            $deadUrl = "http://127.0.0.1:$(Get-FreeTcpPort)/services/T000/B000/$([BackupTools.Testing.WebhookSink]::Token)"
            # The one message the sink received (posting is asynchronous: give it a moment), parsed.
            function Get-OnlyMessage {
                Start-Sleep -Milliseconds 500
                $sink.Bodies.Count | Should -Be 1
                $sink.Bodies.ToArray()[0] | ConvertFrom-Json
            }
        }
        AfterAll { $sink.Dispose() }
        BeforeEach { $sink.Bodies.Clear() }

        It 'Invoke-BackupSchedule posts one message for a failed job, naming it' {
            $schedule = Join-Path $TestDrive 'notify/schedules.json'
            Register-BackupSchedule -Path $schedule -Name broken-nightly -Cron '* * * * * *' -TimeZone UTC `
                -Database "postgresql://postgres@127.0.0.1:$(Get-FreeTcpPort)/nowhere" -Repository monitored | Out-Null
            Start-Sleep -Milliseconds 1100
            $null = Invoke-BackupSchedule -Path $schedule -NotifyWebhook $sink.Url -ErrorAction SilentlyContinue
            $message = Get-OnlyMessage
            $message.status | Should -Be 'failure'
            $message.source | Should -Be 'scheduled job broken-nightly'
            $message.error | Should -Not -BeNullOrEmpty
            # The failed scheduled run makes the repository Critical in Get-BackupStatus.
            $env:BACKUPTOOLS_SCHEDULE_FILE = $schedule
            try { $status = @(Get-BackupStatus -Repository monitored) }
            finally { Remove-Item Env:BACKUPTOOLS_SCHEDULE_FILE }
            ($status | Where-Object State -eq 'Critical').Reasons -join ' ' | Should -Match 'broken-nightly'
        }
        It 'a restore drill that misses its objective posts one message' {
            $latest = Get-Backup -Repository monitored | Where-Object Components -contains 'database' | Select-Object -Last 1
            $drill = $latest | Test-Backup -Level Restore -TargetServer (Get-TestConnectionString postgres -WithPassword) `
                -RtoTarget ([timespan]::FromMilliseconds(1)) -NotifyWebhook $sink.Url
            $drill.Success | Should -BeFalse
            $message = Get-OnlyMessage
            $message.operation | Should -Be 'Restore drill'
            $message.backupId | Should -Be $latest.Id
            $message.error | Should -Match 'recovery-time objective'
        }
        It 'a failed backup (unreachable database) posts exactly one message with the error and the source' {
            $port = Get-FreeTcpPort
            $result = New-Backup -Repository monitored -Database "postgresql://postgres@127.0.0.1:$port/unreachable_db" `
                -NotifyWebhook $sink.Url -ErrorVariable failures -ErrorAction SilentlyContinue
            $result | Should -BeNullOrEmpty
            $failures.Count | Should -Be 1
            $message = Get-OnlyMessage
            $message.status | Should -Be 'failure'
            $message.source | Should -Be "database 'unreachable_db' on 127.0.0.1:$port"
            $message.error | Should -Not -BeNullOrEmpty
            $message.error | Should -Be $failures[0].Exception.Message
            $message.text | Should -Match 'FAILED'
            $message.host | Should -Be ([Environment]::MachineName)
            $message.repository | Should -Be 'monitored'
        }
        It 'a repository that cannot be opened (wrong passphrase) posts one failure naming it, and no backup is taken' {
            $before = @(Get-Backup -Repository monitored).Count
            $wrong = ConvertTo-SecureString 'not the passphrase' -AsPlainText -Force
            $result = New-Backup -Repository monitored -Passphrase $wrong -Database (Get-TestConnectionString $database) `
                -NotifyWebhook $sink.Url -ErrorVariable failures -ErrorAction SilentlyContinue
            $result | Should -BeNullOrEmpty
            $failures.Count | Should -Be 1
            $message = Get-OnlyMessage
            $message.status | Should -Be 'failure'
            $message.error | Should -Match ([regex]::Escape($failures[0].Exception.Message))
            $message.error | Should -Not -Match 'not the passphrase'
            @(Get-Backup -Repository monitored).Count | Should -Be $before
        }
        It 'a successful backup posts only with -NotifyOnSuccess, naming the backup id' {
            $quiet = New-Backup -Repository monitored -Database (Get-TestConnectionString $database) -NotifyWebhook $sink.Url
            $sink.Bodies.Count | Should -Be 0
            $loud = New-Backup -Repository monitored -Database (Get-TestConnectionString $database) -NotifyWebhook $sink.Url -NotifyOnSuccess
            $sink.Bodies.Count | Should -Be 1
            $message = $sink.Bodies.ToArray()[0] | ConvertFrom-Json
            $message.status | Should -Be 'success'
            $message.backupId | Should -Be $loud.Id
            $quiet.Id | Should -Not -BeNullOrEmpty
        }
        It 'a dead webhook warns without the URL token and does not fail a good backup' {
            $webhookLog = Join-Path $TestDrive 'webhook.log'
            $backup = New-Backup -Repository monitored -Database (Get-TestConnectionString $database) -NotifyWebhook $deadUrl `
                -NotifyOnSuccess -LogPath $webhookLog -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable failures
            $backup.Id | Should -Not -BeNullOrEmpty
            $failures | Should -BeNullOrEmpty
            $warnings.Count | Should -Be 1
            "$warnings" | Should -Match 'could not be delivered to the webhook on 127\.0\.0\.1'
            "$warnings" | Should -Not -Match ([BackupTools.Testing.WebhookSink]::Token)
            Get-Content $webhookLog -Raw | Should -Not -Match ([BackupTools.Testing.WebhookSink]::Token)
            (Read-LogEvent $webhookLog | Where-Object event -eq 'backup.completed').backupId | Should -Be $backup.Id
        }
    }

    Context '-LogPath' {
        It 'New-Backup and Test-Backup append JSON lines with the backup id, bytes and durations' {
            $events = @(Read-LogEvent $log)
            $backup = $events | Where-Object event -eq 'backup.completed'
            $backup.backupId | Should -Be $first.Id
            $backup.bytes | Should -Be $first.Size
            $backup.durationSeconds | Should -BeGreaterThan 0
            $verify = $events | Where-Object event -eq 'verify.completed'
            $verify.backupId | Should -Be $first.Id
            $verify.message | Should -Match 'Full check of database: passed'
            foreach ($e in $events) {
                $e.PSObject.Properties.Name | Should -Be @('timestamp', 'level', 'event', 'backupId', 'bytes', 'durationSeconds', 'message')
                $e.timestamp | Should -Not -BeNullOrEmpty
            }
        }
        It 'never holds the password that was in the connection string' {
            Get-Content $log -Raw | Should -Not -Match ([regex]::Escape($pg.password))
        }
        It 'a failing Test-Backup logs an error event naming the backup' {
            $errorLog = Join-Path $TestDrive 'error.log'
            Test-Backup -Repository monitored -Id '20200101T000000Z-000000' -LogPath $errorLog -ErrorAction SilentlyContinue
            $event = Read-LogEvent $errorLog | Where-Object event -eq 'error'
            $event.level | Should -Be 'error'
            $event.backupId | Should -Be '20200101T000000Z-000000'
            $event.message | Should -Match '20200101T000000Z-000000'
        }
        It 'Restore-Backup logs restore.completed' {
            $restoreLog = Join-Path $TestDrive 'restore.log'
            $target = 'pester_mon_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
            try {
                $result = $first | Restore-Backup -AsDatabase $target -LogPath $restoreLog -Confirm:$false
                $result.Success | Should -BeTrue
                $event = Read-LogEvent $restoreLog | Where-Object event -eq 'restore.completed'
                $event.backupId | Should -Be $first.Id
                $event.bytes | Should -BeGreaterThan 0
                $event.message | Should -Match $target
            }
            finally { Invoke-Psql -Arguments @('-c', "DROP DATABASE IF EXISTS $target WITH (FORCE)") | Out-Null }
        }
        It 'a log path in a missing folder is ObjectNotFound' {
            { Test-Backup -Repository monitored -Id $first.Id -LogPath (Join-Path $TestDrive 'missing/x.log') -ErrorAction Stop } |
                Should -Throw -ErrorId 'BackupTools.NotFound*'
        }
    }

    Context 'Argument completion' {
        It 'completes -Repository with registered names' {
            foreach ($script in 'Get-Backup -Repository monit', 'Get-BackupStatus -Repository monit', 'New-Backup -Repository monit') {
                (TabExpansion2 -inputScript $script -cursorColumn $script.Length).CompletionMatches.CompletionText | Should -Contain 'monitored'
            }
        }
        It 'completes -Id with the backup ids of the repository, newest first' {
            $script = 'Test-Backup -Repository monitored -Id '
            $found = @((TabExpansion2 -inputScript $script -cursorColumn $script.Length).CompletionMatches.CompletionText)
            $found | Should -Contain $first.Id
            $found | Should -Contain $second.Id
            $found.IndexOf($second.Id) | Should -BeLessThan $found.IndexOf($first.Id)
            $prefix = $first.Id.Substring(0, 20)
            $script = "Restore-Backup -Repository monitored -Id $prefix"
            @((TabExpansion2 -inputScript $script -cursorColumn $script.Length).CompletionMatches.CompletionText) | Should -Contain $first.Id
        }
    }
}
