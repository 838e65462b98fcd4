# Help and views for every exported cmdlet: synopsis, description, a description for every parameter and at least one
# example (Get-Help -Full, built from docs/cmdlets to MAML); examples that parse and use real parameters; table views
# that fit a 120-column terminal.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $cmdlets = (Import-PowerShellDataFile (Join-Path (Get-TestModulePath) 'BackupTools.psd1')).CmdletsToExport
    $views = ([xml](Get-Content (Join-Path (Get-TestModulePath) 'BackupTools.Format.ps1xml') -Raw)).Configuration.ViewDefinitions.View |
        Where-Object { $_.TableControl } | ForEach-Object { @{ Name = $_.Name; Widths = @($_.TableControl.TableHeaders.TableColumnHeader.Width | ForEach-Object { [int]$_ }) } }
}
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-TestModule
    $cmdlets = (Import-PowerShellDataFile (Join-Path (Get-TestModulePath) 'BackupTools.psd1')).CmdletsToExport
    # Parameters every cmdlet gets from PowerShell; their help is PowerShell's own (about_CommonParameters).
    $inherited = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
}

Describe 'Help' {
    It '<_> has a synopsis, a description and an example in Get-Help -Full' -ForEach $cmdlets {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match "^\s*$_" -Because 'a synopsis that starts with the syntax means no help was found'
        ($help.description | Out-String).Trim() | Should -Not -BeNullOrEmpty
        @($help.examples.example).Count | Should -BeGreaterThan 0
    }
    It '<_> describes every parameter' -ForEach $cmdlets {
        $help = Get-Help $_ -Full
        $described = @{}
        foreach ($parameter in @($help.parameters.parameter)) {
            $described[$parameter.name] = ($parameter.description | Out-String).Trim()
        }
        foreach ($name in (Get-Command $_).Parameters.Keys | Where-Object { $_ -notin $inherited }) {
            $described[$name] | Should -Not -BeNullOrEmpty -Because "-$name of $_ needs a description in docs/cmdlets/$_.md"
        }
    }
    It '<_> -Examples shows examples whose code parses and uses only real parameters' -ForEach $cmdlets {
        $examples = @((Get-Help $_ -Examples).examples.example)
        $examples.Count | Should -BeGreaterThan 0
        foreach ($example in $examples) {
            $code = ($example.code | Out-String).Trim()
            $code | Should -Not -BeNullOrEmpty
            $errors = $null
            $ast = [System.Management.Automation.Language.Parser]::ParseInput($code, [ref] $null, [ref] $errors)
            $errors | Should -BeNullOrEmpty -Because "'$code' must parse"
            $calls = $ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.CommandAst] }, $true) |
                Where-Object { $_.GetCommandName() -in $cmdlets }
            foreach ($call in $calls) {
                $known = (Get-Command $call.GetCommandName()).Parameters.Keys
                foreach ($parameter in $call.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] }) {
                    $known | Should -Contain $parameter.ParameterName -Because "'$code' calls $($call.GetCommandName())"
                }
            }
        }
    }
}

Describe 'Format views' {
    It '<Name> fits 120 columns' -ForEach $views {
        # Columns plus one space between each.
        ($Widths | Measure-Object -Sum).Sum + $Widths.Count - 1 | Should -BeLessOrEqual 120
    }
}
