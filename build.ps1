<#
.SYNOPSIS
    Builds, tests and packages the BackupTools module.
.DESCRIPTION
    Build    compiles the solution (Release) and lays out the module folder out/BackupTools:
             BackupTools.psd1, BackupTools.dll, BackupTools.Format.ps1xml, en-US help, and Dependencies/
             (the engine and every third-party assembly, loaded in a private AssemblyLoadContext), and bin/
             (backuptools-wal, PostgreSQL's archive/restore command: framework-dependent here; Native AOT for
             linux-x64 in Package and Bench). Package and Bench also precompile Dependencies/ (ReadyToRun) for
             the runtime pwsh runs on, so a command's first call does not JIT-compile the engine.
    Test     Install chromium when missing (apt-get, as root), Build, start PostgreSQL and s3rver once (test
             harness), run xunit and Pester, always stop the services, and print one line
             "Tests: N passed, M failed". Exits 1 on any failure. Test artifacts (the HTML report's
             screenshot) go to out/test-artifacts.
    Demo     Build, then build/demo.ps1 (throwaway cluster, backup, damage, restore, proof).
    Bench    Build (AOT WAL program, ReadyToRun), then build/bench.ps1 -Scale -PgbenchSeconds -StorageMB -BenchCase (docs/benchmarks.md) and
             build/bench-pitr.ps1 -Scale (docs/benchmarks-pitr.md: base backup and restore against pgBackRest, WAL push).
    Package  Build, then out/package/BackupTools.<version>.nupkg (a local PowerShell repository).
    Clean    removes out/ and the build outputs.
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Bench', 'Package', 'Clean')]
    [string] $Task = 'Build',
    # Size of the Bench data set (passed to build/bench.ps1).
    [int] $Scale = 70,
    # Length of the scattered-update pgbench run in the Bench task.
    [int] $PgbenchSeconds = 60,
    # Size of the Bench storage case's bucket, in MB.
    [int] $StorageMB = 1024,
    # The Bench cases to run (Database, Storage); a case not run keeps its section of docs/benchmarks.md.
    [ValidateSet('Database', 'Storage')]
    [string[]] $BenchCase = @('Database', 'Storage'),
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot
$out = Join-Path $root 'out'
$moduleDir = Join-Path $out 'BackupTools'
$pgBin = '/usr/lib/postgresql/15/bin'

function Invoke-Native {
    # Runs a program (no shell) and stops the build when it fails.
    param([Parameter(Mandatory)] [string] $FilePath, [string[]] $ArgumentList = @())
    & $FilePath @ArgumentList
    if ($LASTEXITCODE -ne 0) { throw "$FilePath $($ArgumentList -join ' ') failed with exit code $LASTEXITCODE." }
}

function Install-Prerequisites {
    # PostgreSQL 15 server binaries and node/npm (for s3rver); with -ForTests also Debian's chromium (the HTML report
    # is rendered in headless Chromium). Installed with apt-get when running as root.
    param([switch] $ForTests)
    $missing = @()
    if (-not $IsWindows -and -not (Test-Path (Join-Path $pgBin 'pg_ctl'))) { $missing += 'postgresql-15' }
    if (-not (Get-Command npm -ErrorAction Ignore)) { $missing += 'nodejs', 'npm' }
    $canInstall = -not $IsWindows -and (& id -u) -eq '0' -and (Get-Command apt-get -ErrorAction Ignore)
    if ($ForTests -and $IsLinux -and -not (Test-Path '/usr/bin/chromium')) {
        # Only the HTML report test needs it, and it says it was skipped when chromium is absent.
        if ($canInstall) { $missing += 'chromium' }
        else { Write-Warning 'chromium is missing and cannot be installed here (not root or no apt-get): the HTML report test will be skipped.' }
    }
    if ($missing) {
        if (-not $canInstall) {
            throw "Missing prerequisites: $($missing -join ', '). Install them (e.g. apt-get install $($missing -join ' ')) and run again."
        }
        Write-Host "Installing $($missing -join ', ') with apt-get"
        $env:DEBIAN_FRONTEND = 'noninteractive'
        Invoke-Native apt-get @('update', '-q')
        Invoke-Native apt-get (@('install', '-y', '-q', '--no-install-recommends') + $missing)
    }
    $s3Harness = Join-Path $root 'tests/harness/s3'
    if ((Test-Path (Join-Path $s3Harness 'package-lock.json')) -and -not (Test-Path (Join-Path $s3Harness 'node_modules'))) {
        Push-Location $s3Harness
        try { Invoke-Native npm @('ci', '--no-audit', '--no-fund') } finally { Pop-Location }
    }
}

function Publish-WalProgram([switch] $Aot) {
    # The archive_command / restore_command program, into <module>/bin. -Aot: Native AOT for linux-x64 (no runtime
    # needed, ~2 ms start; about 1.5 min to compile, so Package and Bench do it); otherwise framework-dependent (fast
    # to build; needs a .NET runtime where PostgreSQL runs it).
    $bin = Join-Path $moduleDir 'bin'
    $project = Join-Path $root 'src/BackupTools.Wal'
    $linuxX64 = [System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier -eq 'linux-x64'
    if ($Aot -and $linuxX64) {
        Invoke-Native dotnet @('publish', $project, '-c', $Configuration, '-r', 'linux-x64', '-o', $bin, '-nologo', '-v', 'quiet')
        Remove-Item (Join-Path $bin '*.dbg'), (Join-Path $bin '*.pdb') -ErrorAction Ignore
    }
    else {
        if ($Aot) { Write-Warning 'Native AOT is published for linux-x64 only; this platform gets the framework-dependent WAL program.' }
        Invoke-Native dotnet @('publish', $project, '-c', $Configuration, '--no-build', '-o', $bin, '-nologo', '-v', 'quiet')
    }
}

function Publish-ReadyToRun([string] $Dependencies) {
    # Replaces the engine and its dependencies with ReadyToRun images (IL plus precompiled code), so a command's first
    # call does not JIT-compile the engine, AWSSDK and Npgsql (measured: about 3,600 fewer methods JIT-compiled by a
    # cold Get-Backup). The runtime uses precompiled code only from a compiler of its own major version, so the code
    # is compiled for the runtime this pwsh runs on (PowerShell 7.6: .NET 10), against that runtime's framework; the
    # IL stays net8.0, and another runtime (pwsh 7.4 on .NET 8, another OS) just JIT-compiles it as before. Skipped,
    # with a warning, when the runtime pack for this runtime is not available.
    $rid = [System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier
    $runtime = [Environment]::Version.ToString(3)
    $r2r = Join-Path $out 'r2r'
    Remove-Item $r2r -Recurse -Force -ErrorAction Ignore
    # A fresh intermediate folder: the SDK would otherwise reuse images compiled earlier for another runtime.
    & dotnet publish (Join-Path $root 'src/BackupTools.Core') -c $Configuration -r $rid --self-contained false `
        -p:PublishReadyToRun=true "-p:RuntimeFrameworkVersion=$runtime" "-p:IntermediateOutputPath=$r2r/obj/" `
        -o (Join-Path $r2r 'bin') -nologo -v quiet | Out-Host
    if ($LASTEXITCODE -ne 0) {
        Write-Warning "ReadyToRun compilation for $rid / .NET $runtime failed; the module keeps JIT-only assemblies."
        return
    }
    # Only the assemblies the portable publish chose (the same set; nothing RID-specific is added).
    Get-ChildItem $Dependencies -Filter '*.dll' | ForEach-Object { Copy-Item (Join-Path $r2r "bin/$($_.Name)") $_.FullName }
    Remove-Item $r2r -Recurse -Force
}

function Invoke-Build([switch] $AotWalProgram, [switch] $ReadyToRun) {
    Install-Prerequisites
    Invoke-Native dotnet @('build', (Join-Path $root 'BackupTools.sln'), '-c', $Configuration, '-nologo', '-v', 'minimal')
    if (Test-Path $moduleDir) { Remove-Item $moduleDir -Recurse -Force }
    $dependencies = Join-Path $moduleDir 'Dependencies'
    Invoke-Native dotnet @('publish', (Join-Path $root 'src/BackupTools.Core'), '-c', $Configuration, '--no-build',
        '-o', $dependencies, '-nologo', '-v', 'quiet')
    $cmdletBin = Join-Path $root "src/BackupTools/bin/$Configuration/net8.0"
    Copy-Item (Join-Path $cmdletBin 'BackupTools.dll'), (Join-Path $cmdletBin 'BackupTools.pdb') $moduleDir
    Copy-Item (Join-Path $root 'BackupTools.psd1'), (Join-Path $root 'src/BackupTools/BackupTools.Format.ps1xml') $moduleDir
    Copy-Item (Join-Path $root 'runbooks') -Destination (Join-Path $moduleDir 'runbooks') -Recurse
    Remove-Item (Join-Path $dependencies '*.deps.json') -ErrorAction Ignore
    # libsodium (Sodium.Core) ships a native library per platform; keep the platforms PowerShell runs on.
    Get-ChildItem (Join-Path $dependencies 'runtimes') -Directory -ErrorAction Ignore |
        Where-Object Name -Match '^(android|ios|tvos|maccatalyst|browser)' | Remove-Item -Recurse -Force
    if ($ReadyToRun) { Publish-ReadyToRun $dependencies }
    Publish-WalProgram -Aot:$AotWalProgram
    if (Get-ChildItem $moduleDir -Recurse -Filter 'System.Management.Automation.dll') {
        throw 'System.Management.Automation.dll must not be in the module folder.'
    }
    & (Join-Path $root 'build/ConvertTo-MamlHelp.ps1') -Path (Join-Path $root 'docs/cmdlets') `
        -Destination (Join-Path $moduleDir 'en-US/BackupTools.dll-Help.xml')
    Write-Host "Module: $moduleDir"
}

function Get-TrxCounts([string] $Directory) {
    # Sums passed/failed over the TRX files xunit wrote; $null when none was written.
    $files = @(Get-ChildItem $Directory -Filter '*.trx' -ErrorAction Ignore)
    if (-not $files) { return $null }
    $passed = 0; $failed = 0
    foreach ($file in $files) {
        $counters = ([xml](Get-Content $file.FullName -Raw)).TestRun.ResultSummary.Counters
        $passed += [int]$counters.passed
        $failed += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
    }
    [pscustomobject]@{ Passed = $passed; Failed = $failed }
}

function Invoke-Test {
    Install-Prerequisites -ForTests
    Invoke-Build
    Invoke-Native dotnet @('restore', (Join-Path $root 'build/tools.proj'), '-nologo', '-v', 'quiet')
    $state = Join-Path $out 'test-services.json'
    $harness = Join-Path $root "tests/BackupTools.Testing/bin/$Configuration/net10.0/BackupTools.Testing.dll"
    $trxDir = Join-Path $out 'test-results'
    $pesterResult = Join-Path $out 'pester-result.json'
    Remove-Item $trxDir, $pesterResult, $state -Recurse -Force -ErrorAction Ignore
    $results = @()
    try {
        Invoke-Native dotnet @($harness, 'start', '--state', $state)
        $env:BACKUPTOOLS_TEST_SERVICES = $state
        & dotnet test (Join-Path $root 'tests/BackupTools.Tests') --no-build -c $Configuration --nologo `
            --logger 'trx' --results-directory $trxDir
        $xunit = Get-TrxCounts $trxDir
        if ($xunit) { $results += $xunit } else { Write-Warning 'xunit did not run (no TRX file).' }

        & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $root 'build/run-pester.ps1') `
            -ModulePath $moduleDir -ResultPath $pesterResult
        if (Test-Path $pesterResult) { $results += Get-Content $pesterResult -Raw | ConvertFrom-Json }
        else { Write-Warning 'Pester did not run (no result file).' }
    }
    finally {
        & dotnet $harness stop --state $state
        Remove-Item Env:BACKUPTOOLS_TEST_SERVICES -ErrorAction Ignore
    }
    $passed = ($results | Measure-Object Passed -Sum).Sum
    $failed = ($results | Measure-Object Failed -Sum).Sum
    Write-Host "Tests: $([int]$passed) passed, $([int]$failed) failed"
    if ($failed -gt 0 -or $results.Count -lt 2) { exit 1 }
}

function Invoke-Package {
    Invoke-Build -AotWalProgram -ReadyToRun
    $feed = Join-Path $out 'package'
    New-Item -ItemType Directory -Force $feed | Out-Null
    $name = "BackupToolsBuild$PID"
    Register-PSResourceRepository -Name $name -Uri $feed -Trusted
    try { Publish-PSResource -Path $moduleDir -Repository $name }
    finally { Unregister-PSResourceRepository -Name $name }
    Get-ChildItem $feed -Filter '*.nupkg' | ForEach-Object { Write-Host "Package: $($_.FullName)" }
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Build; & (Join-Path $root 'build/demo.ps1'); exit $LASTEXITCODE }
    'Bench' {
        Invoke-Build -AotWalProgram -ReadyToRun
        & (Join-Path $root 'build/bench.ps1') -Scale $Scale -PgbenchSeconds $PgbenchSeconds -StorageMB $StorageMB -Case $BenchCase
        if ($LASTEXITCODE) { exit $LASTEXITCODE }
        & (Join-Path $root 'build/bench-pitr.ps1') -Scale $Scale; exit $LASTEXITCODE
    }
    'Package' { Invoke-Package }
    'Clean' {
        Remove-Item $out -Recurse -Force -ErrorAction Ignore
        Invoke-Native dotnet @('clean', (Join-Path $root 'BackupTools.sln'), '-c', $Configuration, '-nologo', '-v', 'quiet')
    }
}
