# New-Backup as users and runbooks meet it: a backup killed half-way and the one after it, secrets kept out of every
# argv, error records that name the offending value and leave the repository alone, pipelines, and Write-Progress.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $noServices = -not (Get-TestServices)
}
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-TestModule
    $env:BACKUPTOOLS_CONFIG_HOME = Join-Path $TestDrive 'config'
    $passphrase = 'pester new-backup passphrase'
    $env:BACKUPTOOLS_PASSPHRASE = $passphrase
    $pgPassword = (Get-TestServices).postgres.password
}
AfterAll { Remove-Item Env:BACKUPTOOLS_CONFIG_HOME, Env:BACKUPTOOLS_PASSPHRASE -ErrorAction Ignore }

Describe 'New-Backup killed with SIGKILL mid-way' -Skip:$noServices {
    BeforeAll {
        $repo = Join-Path $TestDrive 'repo'
        New-BackupRepository -Repository $repo -Confirm:$false | Out-Null
        $source = New-LargeTestDatabase -Rows 600000
        # The child gets the connection string without a password; the password and the passphrase reach it only
        # through its environment, so its own argv is clean and pg_dump's argv is what the engine built.
        $child = Start-ChildPwsh -Command @'
$ErrorActionPreference = 'Stop'
Import-Module $env:PESTER_MODULE
New-Backup -Repository $env:PESTER_REPO -Database $env:PESTER_DATABASE | Out-Null
'@ -Environment @{
            PESTER_MODULE            = Join-Path (Get-TestModulePath) 'BackupTools.psd1'
            PESTER_REPO              = $repo
            PESTER_DATABASE          = Get-TestConnectionString $source
            PGPASSWORD               = $pgPassword
            BACKUPTOOLS_PASSPHRASE   = $passphrase
            BACKUPTOOLS_CONFIG_HOME  = $env:BACKUPTOOLS_CONFIG_HOME
        }
        $pgDump = '(^|/)pg_dump -Fc ' # the dump itself, not the engine's pg_dump --version probes
        $seen = Watch-ProcessCommandLine -TimeoutSeconds 90 -Until {
            param($processes)
            $child.Process.HasExited -or ((@(Get-RepositoryFile $repo 'data').Count -ge 3) -and
                @(Select-ProcessTree $processes $child.Process.Id | Where-Object CommandLine -Match $pgDump).Count -gt 0)
        }
        $chunksAtKill = @(Get-RepositoryFile $repo 'data').Count
        $endedBeforeKill = $child.Process.HasExited
        $child.Process.Kill($true) # SIGKILL to dotnet, pwsh and pg_dump alike
        $childOutput = Receive-ChildPwshOutput $child
        $locksAfterKill = @(Get-RepositoryFile $repo 'locks')
        $childDumps = @(Select-ProcessTree $seen $child.Process.Id | Where-Object CommandLine -Match $pgDump)
    }
    AfterAll { Invoke-Psql -Arguments @('-c', "DROP DATABASE IF EXISTS $source WITH (FORCE)") | Out-Null }

    It 'was killed while pg_dump was still running and chunks were landing' {
        $endedBeforeKill | Should -BeFalse -Because "the backup must still run when killed (child output: $childOutput)"
        $childDumps | Should -Not -BeNullOrEmpty
        $chunksAtKill | Should -BeGreaterOrEqual 3
    }
    It 'left no backup behind: Get-Backup lists none and snapshots/ is empty' {
        @(Get-Backup -Repository $repo).Count | Should -Be 0
        Get-RepositoryFile $repo 'snapshots' | Should -BeNullOrEmpty
    }
    It 'never put the database password in an argument list (pg_dump included)' {
        $seen | Where-Object { $_.CommandLine.Contains($pgPassword) } | Should -BeNullOrEmpty
    }

    Context 'the next backup' {
        BeforeAll {
            # Runs in another runspace of this process so the test can watch argv meanwhile and read its progress
            # stream; this time the password is in the connection string the user passes.
            $shell = [powershell]::Create()
            $null = $shell.AddScript('param($Module, $Repo, $Database) Import-Module $Module; New-Backup -Repository $Repo -Database $Database').
                AddArgument((Join-Path (Get-TestModulePath) 'BackupTools.psd1')).AddArgument($repo).
                AddArgument((Get-TestConnectionString $source -WithPassword))
            $pending = $shell.BeginInvoke()
            $seenAgain = Watch-ProcessCommandLine -Until { $pending.IsCompleted }
            $resumed = @($shell.EndInvoke($pending))
            $resumeErrors = @($shell.Streams.Error)
            $progress = @($shell.Streams.Progress)
            $shell.Dispose()
        }

        It 'succeeds and reuses the chunks the killed run uploaded' {
            $resumeErrors | Should -BeNullOrEmpty
            $resumed.Count | Should -Be 1
            $resumed[0].ChunksNew | Should -BeLessThan $resumed[0].ChunksTotal
            # The dump's first chunk holds pg_dump's header (with its timestamp); the rest uploaded before the kill match.
            ($resumed[0].ChunksTotal - $resumed[0].ChunksNew) | Should -BeGreaterOrEqual ($chunksAtKill - 1)
            # The killed run left its lock; the new run found it stale (its process is gone) and removed it, then its own.
            $locksAfterKill.Count | Should -Be 1
            Get-RepositoryFile $repo 'locks' | Should -BeNullOrEmpty
        }
        It 'is the only backup listed and passes Test-Backup -Level Full' {
            (Get-Backup -Repository $repo).Id | Should -Be $resumed[0].Id
            $results = Test-Backup -Id $resumed[0].Id -Repository $repo -Level Full
            $results | Should -Not -BeNullOrEmpty
            $results.Success | Should -Not -Contain $false
        }
        It 'kept the password from a connection string out of pg_dump''s argument list' {
            @(Select-ProcessTree $seenAgain $PID | Where-Object CommandLine -Match $pgDump) | Should -Not -BeNullOrEmpty -Because 'the watch must have seen our pg_dump run'
            $seenAgain | Where-Object { $_.CommandLine.Contains($pgPassword) } | Should -BeNullOrEmpty
        }
        It 'wrote Write-Progress records for the dump, then completed them' {
            $dump = @($progress | Where-Object { $_.Activity -eq "Backing up database $source" })
            $dump | Should -Not -BeNullOrEmpty
            @($dump | Where-Object { $_.RecordType -eq 'Processing' -and $_.StatusDescription -match '^pg_dump: \d' }) | Should -Not -BeNullOrEmpty
            @($dump | Where-Object { $_.RecordType -eq 'Processing' -and $_.PercentComplete -in 0..100 }) | Should -Not -BeNullOrEmpty
            $dump[-1].RecordType | Should -Be 'Completed'
        }
        It 'holds neither the database password nor the passphrase in any repository or config file' {
            $files = @(Get-ChildItem $repo, $env:BACKUPTOOLS_CONFIG_HOME -Recurse -File -ErrorAction Ignore)
            $files.Count | Should -BeGreaterThan 3
            foreach ($file in $files) {
                # Latin1 maps each byte to one char, so an ASCII secret is found wherever its bytes are.
                $content = [System.Text.Encoding]::Latin1.GetString([System.IO.File]::ReadAllBytes($file.FullName))
                $content.Contains($pgPassword) | Should -BeFalse -Because "$($file.FullName) must not hold the database password"
                $content.Contains($passphrase) | Should -BeFalse -Because "$($file.FullName) must not hold the passphrase"
            }
        }
    }
}

Describe 'A repository with one backup' -Skip:$noServices {
    BeforeAll {
        $repo = Join-Path $TestDrive 'small'
        New-BackupRepository -Repository $repo -Confirm:$false | Out-Null
        $source = New-TestDatabase
        $backup = New-Backup -Repository $repo -Database (Get-TestConnectionString $source -WithPassword)
        $pg = (Get-TestServices).postgres
        $unknownId = '20000101T000000Z-0badc0'
        $closedPort = Get-FreeTcpPort
        $missingRepo = Join-Path $TestDrive 'no-such-repository'
    }

    Context 'errors as a user sees them' {
        BeforeEach { $filesBefore = Get-RepositoryFile $repo }

        It '<Case> is <Category> naming the offending value, with no secret in the error' -ForEach @(
            @{ Case = 'Restore-Backup of an unknown id'; Category = 'ObjectNotFound'; Id = 'BackupTools.NotFound'
               Named = { $unknownId }; Secret = { $pgPassword }
               Run = { Restore-Backup -Id $unknownId -Repository $repo -TargetDatabase (Get-TestConnectionString postgres -WithPassword) -AsDatabase never_made -Confirm:$false -ErrorAction Stop } }
            @{ Case = 'Test-Backup of an unknown id'; Category = 'ObjectNotFound'; Id = 'BackupTools.NotFound'
               Named = { $unknownId }; Secret = { $passphrase }
               Run = { Test-Backup -Id $unknownId -Repository $repo -Level Full -ErrorAction Stop } }
            @{ Case = 'New-Backup from a closed port'; Category = 'ConnectionError'; Id = 'BackupTools.ConnectionFailed'
               Named = { "127.0.0.1:$closedPort" }; Secret = { 'Closed-Port-Secret-7f3a' }
               Run = { New-Backup -Repository $repo -Database "postgresql://postgres:Closed-Port-Secret-7f3a@127.0.0.1:$closedPort/appdb" -ErrorAction Stop } }
            @{ Case = 'New-Backup with a wrong database password'; Category = 'AuthenticationError'; Id = 'BackupTools.AuthenticationFailed'
               Named = { "$($pg.host):$($pg.port)/$source as $($pg.user)" }; Secret = { 'Wrong-Db-Password-41c9' }
               Run = { New-Backup -Repository $repo -Database "postgresql://$($pg.user):Wrong-Db-Password-41c9@$($pg.host):$($pg.port)/$source" -ErrorAction Stop } }
            @{ Case = 'New-Backup into a missing repository'; Category = 'ObjectNotFound'; Id = 'BackupTools.NotFound'
               Named = { $missingRepo }; Secret = { $pgPassword }
               Run = { New-Backup -Repository $missingRepo -Database (Get-TestConnectionString $source -WithPassword) -ErrorAction Stop } }
        ) {
            $err = { & $Run } | Should -Throw -PassThru
            $err.CategoryInfo.Category | Should -Be $Category
            $err.FullyQualifiedErrorId | Should -BeLike "$Id,BackupTools.Cmdlets.*"
            $err.ToString() | Should -BeLike "*$(& $Named)*"
            $text = ($err | Out-String) + $err.Exception.ToString() + "$($err.TargetObject)" + "$($err.CategoryInfo)"
            $text | Should -Not -BeLike "*$(& $Secret)*"
            $text | Should -Not -BeLike "*$pgPassword*"
            Get-RepositoryFile $repo | Should -Be $filesBefore
            $missingRepo | Should -Not -Exist
        }
    }

    Context 'pipelines' {
        It 'Get-Backup | Test-Backup checks the backup' {
            $results = @(Get-Backup -Repository $repo | Test-Backup)
            $results | Should -Not -BeNullOrEmpty
            $results.Success | Should -Not -Contain $false
            $results[0].BackupId | Should -Be $backup.Id
        }
        It 'Get-Backup | Restore-Backup -AsDatabase restores to the recorded server with PGPASSWORD' {
            $copy = 'pester_pipe_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
            $env:PGPASSWORD = $pgPassword
            try { $result = Get-Backup -Repository $repo | Restore-Backup -AsDatabase $copy -Confirm:$false }
            finally { Remove-Item Env:PGPASSWORD -ErrorAction Ignore }
            $result.Success | Should -BeTrue
            Get-DatabaseFingerprint $copy | Should -Be (Get-DatabaseFingerprint $source)
            Invoke-Psql -Arguments @('-c', "DROP DATABASE $copy WITH (FORCE)") | Out-Null
        }
    }
}
