# Invoke-DisasterRecovery with the shipped DataCorruption runbook, against the harness's PostgreSQL.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $noServices = -not (Get-TestServices)
}
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-TestModule
    $env:BACKUPTOOLS_CONFIG_HOME = Join-Path $TestDrive 'config'
    $env:BACKUPTOOLS_PASSPHRASE = 'pester dr passphrase'
}
AfterAll { Remove-Item Env:BACKUPTOOLS_CONFIG_HOME, Env:BACKUPTOOLS_PASSPHRASE, Env:PGPASSWORD -ErrorAction Ignore }

Describe 'Invoke-DisasterRecovery -Scenario DataCorruption' -Skip:$noServices {
    BeforeAll {
        $env:PGPASSWORD = (Get-TestServices).postgres.password
        $repo = Join-Path $TestDrive 'repo'
        New-BackupRepository -Repository $repo -Confirm:$false | Out-Null
        $db = New-TestDatabase
        $good = New-Backup -Repository $repo -Database (Get-TestConnectionString $db)
        $goodFingerprint = Get-DatabaseFingerprint $db
        Start-Sleep -Milliseconds 1100
        # A second backup after more writes; its own new chunks get damaged below, so it no longer verifies.
        Invoke-Psql -Database $db -Arguments @('-c', "INSERT INTO public.posts (author_id, title, body) SELECT author_id, 'late ' || id, repeat(md5(id::text), 400) FROM public.posts") | Out-Null
        $bad = New-Backup -Repository $repo -Database (Get-TestConnectionString $db)
        $newChunk = Get-ChildItem (Join-Path $repo 'data') -Recurse -File | Where-Object LastWriteTimeUtc -gt $good.EndTime.UtcDateTime | Select-Object -First 1
        $bytes = [IO.File]::ReadAllBytes($newChunk.FullName); $bytes[40] = $bytes[40] -bxor 0xff; [IO.File]::WriteAllBytes($newChunk.FullName, $bytes)
        # The corruption: rows lost.
        Invoke-Psql -Database $db -Arguments @('-c', 'DELETE FROM public.posts WHERE id % 3 = 0') | Out-Null
        $config = Join-Path $TestDrive 'dr.json'
        @{ Repository = $repo; Database = (Get-TestConnectionString $db); RtoTarget = '00:30:00'; RpoTarget = '1.00:00:00' } | ConvertTo-Json | Set-Content $config
        $reports = Join-Path $TestDrive 'reports'
    }
    It '-WhatIf lists the plan and changes nothing' {
        $before = Get-DatabaseFingerprint $db
        $plan = @(Invoke-DisasterRecovery -Scenario DataCorruption -Config $config -ReportPath $reports -WhatIf)
        $plan.Count | Should -Be 4
        $plan[1].Name | Should -Match 'Choose the newest'
        $plan[2].Critical | Should -BeTrue
        $plan[2].Fallback | Should -BeTrue
        Get-DatabaseFingerprint $db | Should -Be $before
        Test-Path $reports | Should -BeFalse
    }
    It 'falls back past the damaged newest backup, restores the older one and writes the incident report' {
        $result = Invoke-DisasterRecovery -Scenario DataCorruption -Config $config -ReportPath $reports -Confirm:$false
        $result.Recovered | Should -BeTrue
        $result.BackupsUsed[0] | Should -Be $good.Id
        $result.RtoMet | Should -BeTrue
        $result.RpoAchieved | Should -BeGreaterThan ([timespan]::Zero)
        Get-DatabaseFingerprint $db | Should -Be $goodFingerprint
        $json = Get-Content ($result.ReportPath -replace '\.md$', '.json') -Raw | ConvertFrom-Json
        $json.scenario | Should -Be 'DataCorruption'
        $json.recovered | Should -BeTrue
        $json.steps.status | Should -Not -Contain 'Failed'
        ($json.steps | Where-Object name -like 'Choose*').detail | Should -Match "rejected as damaged: $($bad.Id)"
        Get-Content $result.ReportPath -Raw | Should -Match '\*\*Outcome: RECOVERED\*\*'
        (Get-Content $result.ReportPath -Raw) + (Get-Content ($result.ReportPath -replace '\.md$', '.json') -Raw) | Should -Not -Match ([regex]::Escape($env:PGPASSWORD))
    }
    It 'refuses a config holding a password before running anything' {
        $leaky = Join-Path $TestDrive 'leaky.json'
        @{ Repository = $repo; Database = (Get-TestConnectionString $db -WithPassword) } | ConvertTo-Json | Set-Content $leaky
        $err = { Invoke-DisasterRecovery -Scenario DataCorruption -Config $leaky -Confirm:$false -ErrorAction Stop } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.ToString() | Should -Match 'Database'
        $err.ToString() | Should -Not -Match ([regex]::Escape($env:PGPASSWORD))
    }
    It 'a run that cannot recover stops at the critical step, skips the rest and says so' {
        $empty = Join-Path $TestDrive 'empty-repo'
        New-BackupRepository -Repository $empty -Confirm:$false | Out-Null
        $config2 = Join-Path $TestDrive 'dr-empty.json'
        @{ Repository = $empty; Database = (Get-TestConnectionString $db) } | ConvertTo-Json | Set-Content $config2
        $result = Invoke-DisasterRecovery -Scenario DataCorruption -Config $config2 -ReportPath $reports -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failed
        $result.Recovered | Should -BeFalse
        $failed | Should -Not -BeNullOrEmpty
        $result.Steps[0] | Should -Match 'Failed'
        $result.Steps[1] | Should -Match 'Skipped'
    }
}

Describe 'Invoke-DisasterRecovery: HardwareFailure and Ransomware onto a new database' -Skip:$noServices {
    BeforeAll {
        $primary = Join-Path $TestDrive 'primary'
        $copy = Join-Path $TestDrive 'copy'
        New-BackupRepository -Repository $primary -Confirm:$false | Out-Null
        New-BackupRepository -Repository $copy -Confirm:$false | Out-Null
        $db = New-TestDatabase
        $env:PGPASSWORD = (Get-TestServices).postgres.password
        $both = New-Backup -Repository $primary, $copy -Database (Get-TestConnectionString $db)
        $fingerprint = Get-DatabaseFingerprint $db
        $reports = Join-Path $TestDrive 'reports'
        function New-DrConfig([string] $Name, [hashtable] $Settings) {
            $path = Join-Path $TestDrive "$Name.json"
            $Settings | ConvertTo-Json | Set-Content $path
            $path
        }
    }
    It '<_> -WhatIf lists its plan and runs nothing' -ForEach 'HardwareFailure', 'Ransomware', 'RegionOutage' {
        $config = New-DrConfig "whatif-$_" @{ Repository = $primary; CopyRepository = $copy; TargetDatabase = (Get-TestConnectionString 'never_created') }
        $plan = @(Invoke-DisasterRecovery -Scenario $_ -Config $config -ReportPath $reports -WhatIf)
        $plan.Count | Should -BeGreaterThan 2
        ($plan | Where-Object Critical).Count | Should -BeGreaterThan 0
        Test-Path $reports | Should -BeFalse
    }
    It 'HardwareFailure without a physical backup restores the newest logical one into the new server' {
        $target = 'pester_hw_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $config = New-DrConfig 'hw' @{ Repository = $primary; TargetDatabase = (Get-TestConnectionString $target) }
        $result = Invoke-DisasterRecovery -Scenario HardwareFailure -Config $config -ReportPath $reports -Confirm:$false
        $result.Recovered | Should -BeTrue
        $result.BackupsUsed | Should -Be @($both[0].Id)
        Get-DatabaseFingerprint $target | Should -Be $fingerprint
    }
    It 'Ransomware verifies the copy repository and restores from it alone' {
        $target = 'pester_rw_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $config = New-DrConfig 'rw' @{ Repository = (Join-Path $TestDrive 'untrusted-not-read'); CopyRepository = $copy; TargetDatabase = (Get-TestConnectionString $target) }
        $result = Invoke-DisasterRecovery -Scenario Ransomware -Config $config -ReportPath $reports -Confirm:$false
        $result.Recovered | Should -BeTrue
        $result.BackupsUsed | Should -Be @($both[1].Id)
        $result.Steps[0] | Should -Match 'Succeeded'
        Get-DatabaseFingerprint $target | Should -Be $fingerprint
        Get-Content $result.ReportPath -Raw | Should -Match 'rotate'
    }
}
