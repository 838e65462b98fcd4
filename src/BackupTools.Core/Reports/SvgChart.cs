using System.Globalization;
using System.Net;
using System.Text;

namespace BackupTools.Core.Reports;

/// <summary>One line of a chart: a label and its points in time order.</summary>
public sealed record ChartSeries(string Label, IReadOnlyList<(DateTimeOffset Time, double Value)> Points);

/// <summary>
/// A small inline SVG line chart over time (no script, no fonts fetched): one coloured line per series, a dot with a
/// tooltip (&lt;title&gt;) per point, the value axis from 0 to the largest value, the time axis from first to last point.
/// </summary>
public static class SvgChart
{
    private const int Width = 560, Height = 200, Left = 70, Right = 16, Top = 16, Bottom = 34;
    private static readonly string[] Palette = ["#2563eb", "#d97706", "#059669", "#7c3aed", "#db2777", "#0891b2"];

    /// <summary>The &lt;svg&gt; element; <paramref name="format"/> writes a value for the axis and tooltips.</summary>
    public static string Render(string title, IReadOnlyList<ChartSeries> series, Func<double, string> format)
    {
        var points = series.SelectMany(s => s.Points).ToList();
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg class=\"chart\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\">");
        svg.Append("<title>").Append(Encode(title)).Append("</title>")
            .Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Right}\" y=\"{Top}\" font-size=\"12\" font-weight=\"600\" text-anchor=\"end\">")
            .Append(Encode(title)).Append("</text>");
        if (points.Count == 0)
            return svg.Append("<text x=\"20\" y=\"100\">no data</text></svg>").ToString();

        var first = points.Min(p => p.Time);
        var last = points.Max(p => p.Time);
        var top = Math.Max(points.Max(p => p.Value), 1e-9) * 1.1;
        double X(DateTimeOffset t) => last == first
            ? Left + (Width - Left - Right) / 2.0
            : Left + (t - first).TotalSeconds / (last - first).TotalSeconds * (Width - Left - Right);
        double Y(double v) => Height - Bottom - v / top * (Height - Top - Bottom);

        Axes(svg, first, last, top, format);
        for (var i = 0; i < series.Count; i++)
        {
            var colour = Palette[i % Palette.Length];
            var line = string.Join(" ", series[i].Points.Select(p => F(X(p.Time)) + "," + F(Y(p.Value))));
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{line}\"/>");
            foreach (var (time, value) in series[i].Points)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(X(time))}\" cy=\"{F(Y(value))}\" r=\"3\" fill=\"{colour}\">")
                    .Append("<title>").Append(Encode($"{series[i].Label}: {format(value)} at {time.UtcDateTime:yyyy-MM-dd HH:mm} UTC")).Append("</title></circle>");
            }
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + 6}\" y=\"{Top + 12 + 14 * i}\" fill=\"{colour}\" font-size=\"11\">")
                .Append(Encode(series[i].Label)).Append("</text>");
        }
        return svg.Append("</svg>").ToString();
    }

    private static void Axes(StringBuilder svg, DateTimeOffset first, DateTimeOffset last, double top, Func<double, string> format)
    {
        var baseline = Height - Bottom;
        svg.Append(CultureInfo.InvariantCulture,
            $"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{baseline}\" stroke=\"#888\"/>" +
            $"<line x1=\"{Left}\" y1=\"{baseline}\" x2=\"{Width - Right}\" y2=\"{baseline}\" stroke=\"#888\"/>" +
            $"<text x=\"{Left - 4}\" y=\"{Top + 4}\" font-size=\"10\" text-anchor=\"end\">{Encode(format(top / 1.1))}</text>" +
            $"<text x=\"{Left - 4}\" y=\"{baseline}\" font-size=\"10\" text-anchor=\"end\">0</text>" +
            $"<text x=\"{Left}\" y=\"{Height - 12}\" font-size=\"10\">{first.UtcDateTime:yyyy-MM-dd HH:mm}</text>" +
            $"<text x=\"{Width - Right}\" y=\"{Height - 12}\" font-size=\"10\" text-anchor=\"end\">{last.UtcDateTime:yyyy-MM-dd HH:mm}</text>");
    }

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
