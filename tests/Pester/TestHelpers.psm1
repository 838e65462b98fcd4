<#
    Helpers shared by the Pester tests: the built module, the services the harness started (state file in
    $env:BACKUPTOOLS_TEST_SERVICES), a scratch database per test, and a child pwsh for isolation tests.
#>
Set-StrictMode -Version Latest
$repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$pgBin = '/usr/lib/postgresql/15/bin'

function Get-TestModulePath {
    # The module folder under test: $env:BACKUPTOOLS_MODULE_PATH (set by build/run-pester.ps1), else out/BackupTools.
    if ($env:BACKUPTOOLS_MODULE_PATH) { return $env:BACKUPTOOLS_MODULE_PATH }
    Join-Path $repoRoot 'out/BackupTools'
}

function Import-TestModule {
    Import-Module (Join-Path (Get-TestModulePath) 'BackupTools.psd1') -Force -Global
}

function Get-TestServices {
    # The harness state ({ postgres: { host, port, user, password }, s3: { endpoint, accessKey, secretKey } }), or $null.
    $path = $env:BACKUPTOOLS_TEST_SERVICES
    if (-not $path -or -not (Test-Path $path)) { return $null }
    Get-Content $path -Raw | ConvertFrom-Json
}

function Invoke-Psql {
    # Runs psql against the test server; the password travels in PGPASSWORD, never in argv.
    param([string] $Database = 'postgres', [string[]] $Arguments)
    $pg = (Get-TestServices).postgres
    $env:PGPASSWORD = $pg.password
    try {
        $output = & (Join-Path $pgBin 'psql') -X -q -v ON_ERROR_STOP=1 -h $pg.host -p $pg.port -U $pg.user -d $Database @Arguments
        if ($LASTEXITCODE -ne 0) { throw "psql failed ($LASTEXITCODE): $($Arguments -join ' ')" }
        $output
    }
    finally { Remove-Item Env:PGPASSWORD -ErrorAction Ignore }
}

function New-TestDatabase {
    # Creates a uniquely named database loaded with the sample schema; returns its name.
    $name = 'pester_' + [guid]::NewGuid().ToString('N').Substring(0, 10)
    Invoke-Psql -Arguments @('-c', "CREATE DATABASE $name") | Out-Null
    Invoke-Psql -Database $name -Arguments @('-f', (Join-Path $repoRoot 'tests/harness/sql/supabase-sample.sql')) | Out-Null
    $name
}

function Get-DatabaseFingerprint([string] $Database) {
    # The fingerprint query's output: equal fingerprints mean equal schema and data.
    (Invoke-Psql -Database $Database -Arguments @('-At', '-f', (Join-Path $repoRoot 'tests/harness/sql/fingerprint.sql'))) -join "`n"
}

function Get-TestConnectionString([string] $Database, [switch] $WithPassword) {
    # A postgresql:// URI for the test server; with the password only when asked.
    $pg = (Get-TestServices).postgres
    $auth = if ($WithPassword) { "$($pg.user):$([uri]::EscapeDataString($pg.password))" } else { $pg.user }
    "postgresql://$auth@$($pg.host):$($pg.port)/$Database"
}

function Invoke-ChildPwsh([string] $Command) {
    # Runs a command in a fresh pwsh (the repository's dotnet tool) and returns its output lines.
    Push-Location $repoRoot
    try { & dotnet pwsh -NoProfile -NonInteractive -Command $Command 2>&1 }
    finally { Pop-Location }
}

Export-ModuleMember -Function Get-TestModulePath, Import-TestModule, Get-TestServices, Invoke-Psql, New-TestDatabase,
    Get-DatabaseFingerprint, Get-TestConnectionString, Invoke-ChildPwsh
