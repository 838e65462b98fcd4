<#
.SYNOPSIS
    Builds MAML help (BackupTools.dll-Help.xml) from the cmdlet pages in docs/cmdlets.
.DESCRIPTION
    A small stand-in for PlatyPS. Each page is "# Verb-Noun" followed by "## SYNOPSIS", "## DESCRIPTION",
    "## PARAMETERS" (one "### -Name" per parameter) and "## EXAMPLES" (one "### Example N: title" per example,
    a ```powershell fence with the code, then remarks).
#>
param(
    [Parameter(Mandatory)] [string] $Path,
    [Parameter(Mandatory)] [string] $Destination
)
$ErrorActionPreference = 'Stop'

function Split-Section([string[]] $Lines, [string] $Marker) {
    # Groups lines under each heading that starts with $Marker: @{ Title; Lines }.
    $sections = [ordered]@{}
    $current = $null
    foreach ($line in $Lines) {
        if ($line.StartsWith($Marker + ' ')) { $current = $line.Substring($Marker.Length + 1).Trim(); $sections[$current] = [System.Collections.Generic.List[string]]::new() }
        elseif ($null -ne $current) { $sections[$current].Add($line) }
    }
    $sections
}

function Get-Paragraphs([string[]] $Lines) {
    # Non-empty paragraphs of plain text (blank lines separate them).
    (($Lines -join "`n").Trim() -split "`n\s*`n") | Where-Object { $_ } | ForEach-Object { ($_ -replace "`n", ' ').Trim() }
}

$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
New-Item -ItemType Directory -Force (Split-Path $Destination) | Out-Null
$writer = [System.Xml.XmlWriter]::Create($Destination, $settings)
$maml = 'http://schemas.microsoft.com/maml/2004/10'
$command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$dev = 'http://schemas.microsoft.com/maml/dev/2004/10'
$writer.WriteStartElement('helpItems'); $writer.WriteAttributeString('schema', 'maml')
foreach ($file in Get-ChildItem $Path -Filter '*-*.md' | Sort-Object Name) {
    $lines = Get-Content $file.FullName
    $name = ($lines | Where-Object { $_ -like '# *' } | Select-Object -First 1).Substring(2).Trim()
    $sections = Split-Section $lines '##'
    $verb, $noun = $name -split '-', 2
    $writer.WriteStartElement('command', 'command', $command)
    $writer.WriteAttributeString('xmlns', 'maml', $null, $maml)
    $writer.WriteAttributeString('xmlns', 'dev', $null, $dev)
    $writer.WriteStartElement('details', $command)
    $writer.WriteElementString('name', $command, $name)
    $writer.WriteElementString('verb', $command, $verb)
    $writer.WriteElementString('noun', $command, $noun)
    $writer.WriteStartElement('description', $maml)
    foreach ($p in Get-Paragraphs $sections['SYNOPSIS']) { $writer.WriteElementString('para', $maml, $p) }
    $writer.WriteEndElement(); $writer.WriteEndElement()
    $writer.WriteStartElement('description', $maml)
    foreach ($p in Get-Paragraphs $sections['DESCRIPTION']) { $writer.WriteElementString('para', $maml, $p) }
    $writer.WriteEndElement()
    $writer.WriteStartElement('parameters', $command)
    $parameters = Split-Section $sections['PARAMETERS'] '###'
    foreach ($parameter in $parameters.Keys) {
        $writer.WriteStartElement('parameter', $command)
        $writer.WriteElementString('name', $maml, $parameter.TrimStart('-'))
        $writer.WriteStartElement('description', $maml)
        foreach ($p in Get-Paragraphs $parameters[$parameter]) { $writer.WriteElementString('para', $maml, $p) }
        $writer.WriteEndElement(); $writer.WriteEndElement()
    }
    $writer.WriteEndElement()
    $writer.WriteStartElement('examples', $command)
    $examples = Split-Section $sections['EXAMPLES'] '###'
    foreach ($title in $examples.Keys) {
        $body = $examples[$title] -join "`n"
        $code = if ($body -match '(?s)```powershell\n(.*?)\n```') { $Matches[1] } else { '' }
        $remarks = ($body -replace '(?s)```powershell\n.*?\n```', '') -split "`n"
        $writer.WriteStartElement('example', $command)
        $writer.WriteElementString('title', $maml, "-------------------------- $title --------------------------")
        $writer.WriteElementString('code', $dev, $code)
        $writer.WriteStartElement('remarks', $dev)
        foreach ($p in Get-Paragraphs $remarks) { $writer.WriteElementString('para', $maml, $p) }
        $writer.WriteEndElement(); $writer.WriteEndElement()
    }
    $writer.WriteEndElement()
    $writer.WriteEndElement()
}
$writer.WriteEndElement()
$writer.Dispose()
