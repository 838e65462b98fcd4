# New-Backup -ConfigPath and Restore-Backup -Component Config as an operator drives them: an identical tree comes back,
# nothing lands outside -ConfigDestination, existing files stay without -Force, -WhatIf writes nothing, errors carry
# a category and the offending path, and the .env secret is nowhere in the repository in the clear.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $noServices = -not (Get-TestServices)
}
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-TestModule
    $env:BACKUPTOOLS_CONFIG_HOME = Join-Path $TestDrive 'config'
    $env:BACKUPTOOLS_PASSPHRASE = 'pester config passphrase'
    $secret = 'SERVICE_ROLE_KEY=pester-secret-0c4f9a7d2e'

    function Set-Entry([string] $Path, [string] $Text, [string] $Mode, [datetime] $Modified) {
        New-Item -ItemType Directory -Force -Path (Split-Path $Path) | Out-Null
        [System.IO.File]::WriteAllText($Path, $Text)
        [System.IO.File]::SetUnixFileMode($Path, [System.IO.UnixFileMode] [Convert]::ToInt32($Mode, 8))
        [System.IO.File]::SetLastWriteTimeUtc($Path, $Modified)
    }
    function Get-TreeListing([string] $Root) {
        # One line per object below $Root, links not followed: path, type, mode, time and content hash or link target.
        Get-ChildItem -LiteralPath $Root -Recurse -Force -FollowSymlink:$false | Sort-Object FullName | ForEach-Object {
            $name = [System.IO.Path]::GetRelativePath($Root, $_.FullName)
            if ($_.LinkTarget) { "$name -> $($_.LinkTarget)" }
            elseif ($_.PSIsContainer) { "$name/ $($_.UnixFileMode) $($_.LastWriteTimeUtc.ToString('o'))" }
            else { "$name $($_.UnixFileMode) $($_.LastWriteTimeUtc.ToString('o')) $((Get-FileHash -LiteralPath $_.FullName).Hash)" }
        }
    }

    $tree = Join-Path $TestDrive 'supabase/docker'
    $when = [datetime]::new(2024, 5, 1, 8, 0, 0, [System.DateTimeKind]::Utc)
    Set-Entry (Join-Path $tree '.env') "POSTGRES_PASSWORD=x`n$secret`n" '0600' $when
    Set-Entry (Join-Path $tree 'volumes/api/kong.yml') "_format_version: '2.1'`n" '0644' $when.AddMinutes(1)
    [System.IO.File]::WriteAllBytes((Join-Path $tree 'volumes/logo.png'), [byte[]] (0..255 + 255..0))
    New-Item -ItemType Directory -Path (Join-Path $tree 'volumes/db/init') | Out-Null
    New-Item -ItemType SymbolicLink -Path (Join-Path $tree 'kong.yml') -Target 'volumes/api/kong.yml' | Out-Null
    [System.IO.Directory]::SetLastWriteTimeUtc((Join-Path $tree 'volumes/db'), $when.AddHours(1))

    $repo = Join-Path $TestDrive 'repo'
    New-BackupRepository -Repository $repo -Confirm:$false | Out-Null
    $backup = New-Backup -Repository $repo -ConfigPath $tree -Tag config -Verify Full
}
AfterAll { Remove-Item Env:BACKUPTOOLS_CONFIG_HOME, Env:BACKUPTOOLS_PASSPHRASE -ErrorAction Ignore }

Describe 'Configuration files' {
    It 'New-Backup -ConfigPath alone takes a verified backup with a config component' {
        $backup.Components | Should -Be @('config')
        $backup.Verified | Should -Be 'Full: passed'
    }
    It 'Test-Backup checks the config component at Quick and Full' {
        foreach ($level in 'Quick', 'Full') {
            $result = $backup | Test-Backup -Level $level
            $result.Component | Should -Be 'config'
            $result.Success | Should -BeTrue
        }
    }
    It 'Restore-Backup -Component Config gives an identical tree under the destination' {
        $destination = Join-Path $TestDrive 'restored'
        $result = $backup | Restore-Backup -Component Config -ConfigDestination $destination -Confirm:$false
        $result.Success | Should -BeTrue
        $result.Component | Should -Be 'config'
        $result.Target | Should -Be $destination
        Get-TreeListing (Join-Path $destination 'docker') | Should -Be (Get-TreeListing $tree)
        (Get-Item (Join-Path $destination 'docker/kong.yml')).LinkTarget | Should -Be 'volumes/api/kong.yml'
    }
    It 'the .env secret is nowhere in the repository in plaintext' {
        $files = Get-ChildItem $repo -Recurse -File
        $files | Should -Not -BeNullOrEmpty
        foreach ($file in $files) {
            # Latin-1 maps each byte to one character, so a substring search is a byte search.
            [System.Text.Encoding]::Latin1.GetString([System.IO.File]::ReadAllBytes($file.FullName)).Contains('pester-secret-0c4f9a7d2e') |
                Should -BeFalse -Because "$($file.Name) must not hold the secret"
        }
    }
    It 'an existing file is not overwritten without -Force: an InvalidOperation error names it' {
        $destination = Join-Path $TestDrive 'existing'
        $backup | Restore-Backup -Component Config -ConfigDestination $destination -Confirm:$false | Out-Null
        $env = Join-Path $destination 'docker/.env'
        Set-Content -LiteralPath $env -Value 'edited'
        $backup | Restore-Backup -Component Config -ConfigDestination $destination -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failure |
            Should -BeNullOrEmpty
        $failure[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $failure[0].ToString() | Should -Match ([regex]::Escape($env))
        Get-Content -LiteralPath $env | Should -Be 'edited'
        $forced = $backup | Restore-Backup -Component Config -ConfigDestination $destination -Force -Confirm:$false
        Get-Content -LiteralPath $env | Should -Contain $secret
        # What -Force replaced is kept in a restore point.
        $forced.RestorePointId | Should -Not -BeNullOrEmpty
        (Get-Backup -Repository $repo -Tag restore-point).Id | Should -Contain $forced.RestorePointId
    }
    It 'a folder at the destination that links outside is refused with PermissionDenied and nothing is written' {
        $outside = Join-Path $TestDrive 'outside'
        New-Item -ItemType Directory -Path $outside | Out-Null
        $destination = Join-Path $TestDrive 'linked'
        New-Item -ItemType Directory -Path (Join-Path $destination 'docker') | Out-Null
        New-Item -ItemType SymbolicLink -Path (Join-Path $destination 'docker/volumes') -Target $outside | Out-Null
        $backup | Restore-Backup -Component Config -ConfigDestination $destination -Force -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failure
        $failure[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $failure[0].TargetObject | Should -Be (Join-Path $destination 'docker/volumes')
        Get-ChildItem $outside -Force | Should -BeNullOrEmpty
        @(Get-ChildItem (Join-Path $destination 'docker') -Force).Name | Should -Be @('volumes')
    }
    It '-ConfigDestination alone restores the configuration; -WhatIf writes nothing' {
        $destination = Join-Path $TestDrive 'whatif'
        Restore-Backup -Id $backup.Id -Repository $repo -ConfigDestination $destination -WhatIf
        Test-Path $destination | Should -BeFalse
        Restore-Backup -Id $backup.Id -Repository $repo -ConfigDestination $destination -Path docker/volumes/api -Confirm:$false | Out-Null
        (Get-ChildItem $destination -Recurse -File).Name | Should -Be @('kong.yml')
    }
    It 'a missing -ConfigPath is ObjectNotFound naming it, and no backup is written' {
        $missing = Join-Path $TestDrive 'no-such-config'
        $before = @(Get-Backup -Repository $repo).Count
        New-Backup -Repository $repo -ConfigPath $tree, $missing -ErrorAction SilentlyContinue -ErrorVariable failure | Should -BeNullOrEmpty
        $failure[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failure[0].TargetObject | Should -Be $missing
        @(Get-Backup -Repository $repo).Count | Should -Be $before
    }
    It '-Component Config without -ConfigDestination is InvalidArgument naming the parameter' {
        $backup | Restore-Backup -Component Config -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failure | Should -BeNullOrEmpty
        $failure[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $failure[0].TargetObject | Should -Be 'ConfigDestination'
    }
    It 'a backup without a config component is ObjectNotFound for -Component Config' -Skip:$noServices {
        $dbOnly = New-Backup -Repository $repo -Database (Get-TestConnectionString postgres -WithPassword) -NoRoles
        $dbOnly | Restore-Backup -Component Config -ConfigDestination (Join-Path $TestDrive 'none') -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failure
        $failure[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failure[0].ToString() | Should -Match $dbOnly.Id
    }
    It 'New-Backup without any source is InvalidArgument' {
        New-Backup -Repository $repo -ErrorAction SilentlyContinue -ErrorVariable failure | Should -BeNullOrEmpty
        $failure[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}

Describe 'Database and configuration in one backup' -Skip:$noServices {
    BeforeAll {
        $source = New-TestDatabase
        $both = New-Backup -Repository $repo -Database (Get-TestConnectionString $source -WithPassword) -ConfigPath $tree
    }
    AfterAll { Invoke-Psql -Arguments @('-c', "DROP DATABASE IF EXISTS $source WITH (FORCE)") | Out-Null }

    It 'records the database first, then the configuration' {
        $both.Components | Should -Be @('database', 'config')
        $both.Database | Should -Be $source
    }
    It 'restores just the configuration with -Component Config' {
        $destination = Join-Path $TestDrive 'both'
        $result = $both | Restore-Backup -Component Config -ConfigDestination $destination -Confirm:$false
        $result.Component | Should -Be 'config'
        Get-TreeListing (Join-Path $destination 'docker') | Should -Be (Get-TreeListing $tree)
    }
}
