# Remove-ExpiredBackup as users run it: -WhatIf lists and changes nothing, a real run leaves exactly the kept backups,
# the newest verified backup survives, -Prune shrinks the repository and what remains passes a full test.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $noServices = -not (Get-TestServices)
}
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-TestModule
    $env:BACKUPTOOLS_CONFIG_HOME = Join-Path $TestDrive 'config'
    $env:BACKUPTOOLS_PASSPHRASE = 'pester retention passphrase'
}
AfterAll { Remove-Item Env:BACKUPTOOLS_CONFIG_HOME, Env:BACKUPTOOLS_PASSPHRASE -ErrorAction Ignore }

Describe 'Remove-ExpiredBackup' -Skip:$noServices {
    BeforeAll {
        $repo = Join-Path $TestDrive 'repo'
        New-BackupRepository -Repository $repo -Confirm:$false | Out-Null
        $source = New-TestDatabase
        $connection = Get-TestConnectionString $source -WithPassword
        # The oldest is the only verified one; each later backup changes the data a little.
        $backups = @(New-Backup -Repository $repo -Database $connection -Tag nightly -Verify Quick)
        foreach ($i in 1..3) {
            Invoke-Psql -Database $source -Arguments @('-c', "CREATE TABLE public.retention_$i AS SELECT g AS n, md5(g::text) AS h FROM generate_series(1, 20000) g") | Out-Null
            $backups += New-Backup -Repository $repo -Database $connection -Tag nightly
        }
    }
    AfterAll { Invoke-Psql -Arguments @('-c', "DROP DATABASE IF EXISTS $source WITH (FORCE)") | Out-Null }

    It '-WhatIf lists a decision per backup and changes nothing' {
        $before = Get-RepositoryFile $repo
        $decisions = @(Remove-ExpiredBackup -Repository $repo -KeepLast 2 -Prune -PruneGracePeriod 0 -WhatIf)
        $decisions.Count | Should -Be 4
        $decisions | ForEach-Object { $_ | Should -BeOfType 'BackupTools.RetentionDecisionInfo' }
        $decisions.Id | Should -Be $backups.Id
        ($decisions | Where-Object Action -EQ 'Remove').Id | Should -Be $backups[1].Id
        $decisions[0].Reasons | Should -Be 'NewestVerified'
        $decisions[3].Reasons | Should -Be 'Last'
        $decisions.Removed | Should -Not -Contain $true
        Get-RepositoryFile $repo | Should -Be $before
    }

    It 'refuses an empty policy and an unknown time zone, naming the problem' {
        $err = { Remove-ExpiredBackup -Repository $repo -Confirm:$false -ErrorAction Stop } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.ToString() | Should -Match 'empty'
        $err = { Remove-ExpiredBackup -Repository $repo -KeepDaily 7 -TimeZone 'Mars/Olympus' -Confirm:$false -ErrorAction Stop } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.ToString() | Should -Match 'Mars/Olympus'
        @(Get-Backup -Repository $repo).Count | Should -Be 4
    }

    It 'a real run with -Prune leaves exactly the kept backups, shrinks data/, logs each removal and the rest passes Test-Backup -Level Full' {
        $chunksBefore = @(Get-RepositoryFile $repo 'data').Count
        $log = Join-Path $TestDrive 'retention.jsonl'
        $output = @(Remove-ExpiredBackup -Repository $repo -KeepLast 2 -TimeZone 'Europe/Berlin' -Prune -PruneGracePeriod 0 -Confirm:$false -LogPath $log)
        $events = @(Get-Content $log | ForEach-Object { $_ | ConvertFrom-Json })
        ($events | Where-Object event -EQ 'backup.removed').backupId | Should -Be $backups[1].Id
        $pruned = @($events | Where-Object event -EQ 'prune.completed')
        $pruned.Count | Should -Be 1
        $decisions = @($output | Where-Object { $_ -is [BackupTools.RetentionDecisionInfo] })
        $summary = @($output | Where-Object { $_ -is [BackupTools.PruneSummary] })
        ($decisions | Where-Object Removed).Id | Should -Be $backups[1].Id
        $kept = ($decisions | Where-Object Action -EQ 'Keep').Id
        (Get-Backup -Repository $repo).Id | Should -Be $kept
        $summary.Count | Should -Be 1
        $summary[0].BackupsRetained | Should -Be 3
        $summary[0].ChunksDeleted | Should -BeGreaterThan 0
        @(Get-RepositoryFile $repo 'data').Count | Should -Be ($chunksBefore - $summary[0].ChunksDeleted)
        $pruned[0].bytes | Should -Be $summary[0].BytesFreed
        $tests = Get-Backup -Repository $repo | Test-Backup -Level Full
        $tests.Success | Should -Not -Contain $false
        Get-RepositoryFile $repo 'locks' | Should -BeNullOrEmpty
    }

    It 'the decisions bind down the pipeline to Test-Backup' {
        $results = Remove-ExpiredBackup -Repository $repo -KeepLast 3 -WhatIf | Test-Backup
        @($results).Count | Should -Be 3
        $results.Success | Should -Not -Contain $false
    }
}
