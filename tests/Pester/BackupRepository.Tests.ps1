# New-BackupRepository, Register-BackupRepository and Get-BackupRepository.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-TestModule
    $env:BACKUPTOOLS_CONFIG_HOME = Join-Path $TestDrive 'config'
    $passphrase = ConvertTo-SecureString 'correct horse battery' -AsPlainText -Force
}
AfterAll { Remove-Item Env:BACKUPTOOLS_CONFIG_HOME -ErrorAction Ignore }

Describe 'New-BackupRepository' {
    It 'creates a repository and reports it' {
        $info = New-BackupRepository -Repository (Join-Path $TestDrive 'r1') -Passphrase $passphrase -Confirm:$false
        $info.Id | Should -Not -BeNullOrEmpty
        $info.KeyCount | Should -Be 1
        Join-Path $TestDrive 'r1/config.json' | Should -Exist
    }
    It 'derives the key with libsodium from the module folder (one lane of 64 MiB, 3 passes)' {
        $repo = Join-Path $TestDrive 'r1'
        $kdf = (Get-Content (Get-ChildItem (Join-Path $repo 'keys'))[0].FullName | ConvertFrom-Json).kdf
        "$($kdf.memoryKiB)/$($kdf.iterations)/$($kdf.parallelism)" | Should -Be '65536/3/1'
        Get-Backup -Repository $repo -Passphrase $passphrase | Should -BeNullOrEmpty
        # The engine's load context found the native library where the package put it for this platform.
        $module = (Get-Module BackupTools).ModuleBase
        $loaded = (Get-Process -Id $PID).Modules | Where-Object ModuleName -Like 'libsodium*' | ForEach-Object FileName
        $loaded | Should -BeLike (Join-Path $module 'Dependencies/runtimes/*/native/*')
    }
    It '-WhatIf creates nothing' {
        New-BackupRepository -Repository (Join-Path $TestDrive 'r2') -Passphrase $passphrase -WhatIf
        Join-Path $TestDrive 'r2' | Should -Not -Exist
    }
    It 'a wrong passphrase is an AuthenticationError' {
        $repo = Join-Path $TestDrive 'r3'
        New-BackupRepository -Repository $repo -Passphrase $passphrase -Confirm:$false | Out-Null
        $wrong = ConvertTo-SecureString 'wrong' -AsPlainText -Force
        $err = { Get-Backup -Repository $repo -Passphrase $wrong } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $err.ToString() | Should -Not -Match 'wrong'
    }
    It 'a missing repository is ObjectNotFound' {
        $err = { Get-Backup -Repository (Join-Path $TestDrive 'none') -Passphrase $passphrase } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
    It 'no passphrase at all is a clear InvalidArgument error' {
        $err = { Get-Backup -Repository (Join-Path $TestDrive 'r1') } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.ToString() | Should -Match 'BACKUPTOOLS_PASSPHRASE'
    }
}

Describe 'Register-BackupRepository / Get-BackupRepository' {
    It 'registers, lists by wildcard and opens by name with the key file' {
        $keyFile = Join-Path $TestDrive 'key'
        Set-Content $keyFile 'correct horse battery'
        # TestDrive is per Describe: this block makes its own repository, opened later by name and key file only.
        New-BackupRepository -Repository (Join-Path $TestDrive 'r1') -KeyFile $keyFile -Confirm:$false | Out-Null
        Register-BackupRepository -Name main -Repository (Join-Path $TestDrive 'r1') -KeyFile $keyFile | Out-Null
        (Get-BackupRepository -Name ma*).Name | Should -Be 'main'
        Get-Content (Join-Path $env:BACKUPTOOLS_CONFIG_HOME 'repositories.json') -Raw | Should -Not -Match 'horse'
        @(Get-Backup -Repository main).Count | Should -Be 0
    }
    It 'refuses a duplicate name without -Force' {
        { Register-BackupRepository -Name main -Repository (Join-Path $TestDrive 'r3') } | Should -Throw
        Register-BackupRepository -Name main -Repository (Join-Path $TestDrive 'r3') -Force | Out-Null
        (Get-BackupRepository main).Repository | Should -BeLike '*r3'
    }
    It 'an unknown name is ObjectNotFound' {
        Get-BackupRepository -Name nope -ErrorAction SilentlyContinue -ErrorVariable failure
        $failure[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}
