package io.conduit.perf.harness;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * What a run found: the summary rows (medians over repetitions, and medians of per-repetition ratios), rendered as
 * the text table, two CSV files (every repetition; the summary) and a self-contained HTML page with an inline SVG
 * latency-by-percentile plot.
 */
final class HarnessReport
{
    /** The text table. */
    static final String TEXT_FILE = "harness.txt";
    /** Every repetition's figures. */
    static final String REPS_CSV_FILE = "harness-reps.csv";
    /** The summary rows. */
    static final String SUMMARY_CSV_FILE = "harness-summary.csv";
    /** The page with the tables and the plot. */
    static final String HTML_FILE = "harness.html";

    private static final String[] COLOURS = {
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
        "#7f7f7f", "#393b79", "#e7969c", "#637939"};

    /**
     * One system at one payload size.
     *
     * @param system system name.
     * @param length payload bytes.
     * @param reps repetitions measured.
     * @param count round trips per repetition.
     * @param p50Ns median over reps of the rep's p50.
     * @param p90Ns likewise p90.
     * @param p99Ns likewise p99.
     * @param p999Ns likewise p99.9.
     * @param p9999Ns likewise p99.99.
     * @param maxNs the longest round trip of any rep.
     * @param floorP50 median over reps of p50 / paired floor p50.
     * @param floorP99 median over reps of p99 / paired floor p99.
     * @param conduitP50 {@code floorP50} over Conduit SPSC's at the same size; NaN without it.
     * @param conduitP99 {@code floorP99} over Conduit SPSC's at the same size; NaN without it.
     * @param helperCpuPct median helper CPU of both processes, % of one core.
     */
    record LatencyRow(
        String system,
        int length,
        int reps,
        long count,
        long p50Ns,
        long p90Ns,
        long p99Ns,
        long p999Ns,
        long p9999Ns,
        long maxNs,
        double floorP50,
        double floorP99,
        double conduitP50,
        double conduitP99,
        double helperCpuPct)
    {
    }

    /**
     * One system's one-way throughput.
     *
     * @param system system name.
     * @param length payload bytes.
     * @param reps repetitions.
     * @param count messages per repetition.
     * @param msgsPerSec median messages per second.
     * @param megabytesPerSec median payload MB (10^6 bytes) per second.
     * @param conduit {@code msgsPerSec} over Conduit SPSC's; NaN without it.
     * @param failedOffersPerMsg median back-pressured offers per message sent.
     * @param helperCpuPct median helper CPU of both processes, % of one core.
     */
    record ThroughputRow(
        String system,
        int length,
        int reps,
        long count,
        double msgsPerSec,
        double megabytesPerSec,
        double conduit,
        double failedOffersPerMsg,
        double helperCpuPct)
    {
    }

    private final HarnessOptions options;
    private final List<RepResult> reps;
    private final Map<String, Histogram> plotHistograms;
    private final Map<String, String> failures;
    private final Map<String, String> info;
    private final List<LatencyRow> latencyRows = new ArrayList<>();
    private final List<ThroughputRow> throughputRows = new ArrayList<>();
    private final List<WaitingTargets.Target> targets;
    private final int plotLength;

    /**
     * @param options the run's options.
     * @param reps every measured repetition.
     * @param plotHistograms each system's round trips at the plotted size, all reps merged.
     * @param failures systems left out, with why.
     * @param info facts about the run, in display order.
     */
    HarnessReport(
        final HarnessOptions options,
        final List<RepResult> reps,
        final Map<String, Histogram> plotHistograms,
        final Map<String, String> failures,
        final Map<String, String> info)
    {
        this.options = options;
        this.reps = List.copyOf(reps);
        this.plotHistograms = plotHistograms;
        this.failures = failures;
        this.info = info;
        this.plotLength = options.sizes.contains(32) ? 32 : options.sizes.stream().min(Integer::compare).orElse(32);
        summarise();
        this.targets = WaitingTargets.compute(this.reps, options.sizes, options.rounds, failures, options.systems);
    }

    private void summarise()
    {
        final Map<Integer, LatencyRow> conduitBySize = new LinkedHashMap<>();
        final List<LatencyRow> rows = new ArrayList<>();
        for (final String system : options.systems)
        {
            for (final int length : options.sizes)
            {
                final List<RepResult> group = select(RepResult.PING_PONG, system, length);
                if (!group.isEmpty())
                {
                    final LatencyRow row = latencyRow(system, length, group, true);
                    rows.add(row);
                    if (Systems.CONDUIT_SPSC.equals(system))
                    {
                        conduitBySize.put(length, row);
                    }
                }
            }
        }
        for (final LatencyRow row : rows)
        {
            final LatencyRow conduit = conduitBySize.get(row.length());
            latencyRows.add(new LatencyRow(row.system(), row.length(), row.reps(), row.count(), row.p50Ns(),
                row.p90Ns(), row.p99Ns(), row.p999Ns(), row.p9999Ns(), row.maxNs(), row.floorP50(), row.floorP99(),
                null == conduit ? Double.NaN : row.floorP50() / conduit.floorP50(),
                null == conduit ? Double.NaN : row.floorP99() / conduit.floorP99(), row.helperCpuPct()));
        }
        final List<RepResult> floor = select(RepResult.FLOOR, FloorEndpoint.NAME, FloorEndpoint.COUNTER_LENGTH);
        if (!floor.isEmpty())
        {
            latencyRows.add(latencyRow(FloorEndpoint.NAME, FloorEndpoint.COUNTER_LENGTH, floor, false));
        }

        double conduitRate = Double.NaN;
        for (final RepResult rep : reps)
        {
            if (RepResult.THROUGHPUT.equals(rep.phase()) && Systems.CONDUIT_SPSC.equals(rep.system()))
            {
                conduitRate = median(select(RepResult.THROUGHPUT, Systems.CONDUIT_SPSC, rep.length()),
                    RepResult::msgsPerSec);
                break;
            }
        }
        for (final String system : options.throughputSystems)
        {
            final List<RepResult> group = new ArrayList<>();
            for (final RepResult rep : reps)
            {
                if (RepResult.THROUGHPUT.equals(rep.phase()) && system.equals(rep.system()))
                {
                    group.add(rep);
                }
            }
            if (!group.isEmpty())
            {
                final double rate = median(group, RepResult::msgsPerSec);
                throughputRows.add(new ThroughputRow(system, group.get(0).length(), group.size(),
                    group.get(0).count(), rate, median(group, RepResult::megabytesPerSec), rate / conduitRate,
                    median(group, rep -> (double)rep.failedOffers() / rep.count()),
                    median(group, RepResult::helperCpuPct)));
            }
        }
    }

    private LatencyRow latencyRow(
        final String system, final int length, final List<RepResult> group, final boolean paired)
    {
        long max = 0;
        for (final RepResult rep : group)
        {
            max = Math.max(max, rep.maxNs());
        }
        return new LatencyRow(system, length, group.size(), group.get(0).count(),
            Math.round(median(group, RepResult::p50Ns)), Math.round(median(group, RepResult::p90Ns)),
            Math.round(median(group, RepResult::p99Ns)), Math.round(median(group, RepResult::p999Ns)),
            Math.round(median(group, RepResult::p9999Ns)), max,
            paired ? median(group, RepResult::ratioToFloorP50) : 1.0,
            paired ? median(group, RepResult::ratioToFloorP99) : 1.0,
            Double.NaN, Double.NaN, median(group, RepResult::helperCpuPct));
    }

    private List<RepResult> select(final String phase, final String system, final int length)
    {
        final List<RepResult> group = new ArrayList<>();
        for (final RepResult rep : reps)
        {
            if (phase.equals(rep.phase()) && system.equals(rep.system()) && length == rep.length())
            {
                group.add(rep);
            }
        }
        return group;
    }

    /**
     * @param group values' holders, not empty.
     * @param value what to take the median of.
     * @return the median; the mean of the middle two for an even count.
     */
    static double median(final List<RepResult> group, final ToDoubleFunction<RepResult> value)
    {
        final double[] values = new double[group.size()];
        for (int i = 0; i < values.length; i++)
        {
            values[i] = value.applyAsDouble(group.get(i));
        }
        Arrays.sort(values);
        final int middle = values.length / 2;
        return 0 == values.length % 2 ? (values[middle - 1] + values[middle]) / 2 : values[middle];
    }

    /**
     * @return one row per (system, size) measured, then the floor.
     */
    List<LatencyRow> latencyRows()
    {
        return latencyRows;
    }

    /**
     * @return one row per throughput system measured.
     */
    List<ThroughputRow> throughputRows()
    {
        return throughputRows;
    }

    /**
     * @return issue 5's waiting targets whose systems were measured, per size.
     */
    List<WaitingTargets.Target> targets()
    {
        return targets;
    }

    /**
     * @return systems that failed and were left out, with why.
     */
    Map<String, String> failures()
    {
        return failures;
    }

    /**
     * @return every measured repetition.
     */
    List<RepResult> reps()
    {
        return reps;
    }

    /**
     * @return the tables and run facts as text, columns separated by {@code |} (valid Markdown).
     */
    String table()
    {
        final StringBuilder out = new StringBuilder();
        for (final Map.Entry<String, String> entry : info.entrySet())
        {
            out.append(entry.getKey()).append(": ").append(entry.getValue()).append('\n');
        }
        out.append('\n').append("Round trips, ns: median over reps of each rep's percentile; max over all reps. ")
            .append("x floor = median over reps of (rep / paired floor rep);\n")
            .append("x conduit = x floor / conduit-spsc's x floor. helper CPU = threads the system starts ")
            .append("(Aeron driver and client conductors), % of one core.\nreps: reps measured; fewer than the ")
            .append(options.rounds).append(" rounds: the system failed (below) or the run stopped early.\n\n");
        final List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"system", "size B", "reps", "p50 ns", "p99 ns", "p99.99 ns", "max ns", "x floor p50",
            "x floor p99", "x conduit p50", "x conduit p99", "helper CPU%"});
        for (final LatencyRow row : latencyRows)
        {
            rows.add(new String[]{row.system(), String.valueOf(row.length()), String.valueOf(row.reps()),
                String.valueOf(row.p50Ns()),
                String.valueOf(row.p99Ns()), String.valueOf(row.p9999Ns()), String.valueOf(row.maxNs()),
                ratio(row.floorP50()), ratio(row.floorP99()), ratio(row.conduitP50()), ratio(row.conduitP99()),
                String.format(Locale.ROOT, "%.1f", row.helperCpuPct())});
        }
        appendTable(out, rows);
        appendTargets(out);
        if (!throughputRows.isEmpty())
        {
            out.append('\n').append("One-way throughput, producer in the child, consumer in the parent: ")
                .append("median over reps; x conduit = msgs/s over conduit-spsc's.\n\n");
            final List<String[]> throughput = new ArrayList<>();
            throughput.add(new String[]{"system", "size B", "reps", "msgs/s", "MB/s", "x conduit",
                "failed offers/msg", "helper CPU%"});
            for (final ThroughputRow row : throughputRows)
            {
                throughput.add(new String[]{row.system(), String.valueOf(row.length()), String.valueOf(row.reps()),
                    String.format(Locale.ROOT, "%,.0f", row.msgsPerSec()),
                    String.format(Locale.ROOT, "%,.0f", row.megabytesPerSec()), ratio(row.conduit()),
                    String.format(Locale.ROOT, "%.2f", row.failedOffersPerMsg()),
                    String.format(Locale.ROOT, "%.1f", row.helperCpuPct())});
            }
            appendTable(out, throughput);
        }
        if (!failures.isEmpty())
        {
            out.append('\n').append("Left out after failing:\n");
            for (final Map.Entry<String, String> entry : failures.entrySet())
            {
                out.append("  ").append(entry.getKey()).append(": ").append(entry.getValue()).append('\n');
            }
        }
        return out.toString();
    }

    private void appendTargets(final StringBuilder out)
    {
        if (targets.isEmpty())
        {
            return;
        }
        out.append('\n').append("Targets (issue 5, waiting strategies). ratio, which the verdict is on: between ")
            .append("two systems the ratio of their medians over reps (ns), against the floor the median over reps ")
            .append("of rep / paired floor rep;\nvia floor: the same comparison as the ratio of the two systems' ")
            .append("x floor (as x conduit is taken); spread: lowest and highest ratio within one round (per rep ")
            .append("for the floor);\nINCOMPLETE, never PASS: a side failed in the run, or has fewer reps than ")
            .append("the other or than the rounds (why, below the table).\n\n");
        final List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"target", "size B", "ratio", "limit", "verdict", "via floor", "spread", "pairs"});
        for (final WaitingTargets.Target target : targets)
        {
            rows.add(new String[]{target.name(), String.valueOf(target.length()), targetRatio(target.ratio()),
                String.format(Locale.ROOT, "%.2f", target.limit()), target.verdict(), targetRatio(target.viaFloor()),
                spread(target), String.valueOf(target.samples())});
        }
        appendTable(out, rows);
        for (final WaitingTargets.Target target : targets)
        {
            if (!target.reference() && !target.incomplete().isEmpty())
            {
                out.append("INCOMPLETE ").append(target.name()).append(", ").append(target.length()).append(" B: ")
                    .append(target.incomplete()).append('\n');
            }
        }
    }

    private static String spread(final WaitingTargets.Target target)
    {
        return Double.isNaN(target.lowest()) ? "-" :
            targetRatio(target.lowest()) + " to " + targetRatio(target.highest());
    }

    private static String targetRatio(final double value)
    {
        // three decimals: a verdict must not read "1.10 MISS" against a limit of 1.10
        return Double.isNaN(value) || Double.isInfinite(value) ? "-" :
            String.format(Locale.ROOT, value >= 10 ? "%.1f" : "%.3f", value);
    }

    private static String ratio(final double value)
    {
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            return "-";
        }
        final String format = value >= 100 ? "%.0f" : value >= 10 ? "%.1f" : value >= 0.1 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, format, value);
    }

    /**
     * Append rows as a Markdown table, the first row as its header, text left-aligned in the first column and
     * right-aligned in the others.
     *
     * @param out where to append.
     * @param rows header row first, every row of the same length.
     */
    static void appendTable(final StringBuilder out, final List<String[]> rows)
    {
        final int[] widths = new int[rows.get(0).length];
        for (final String[] row : rows)
        {
            for (int i = 0; i < row.length; i++)
            {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (int r = 0; r < rows.size(); r++)
        {
            final String[] row = rows.get(r);
            out.append('|');
            for (int i = 0; i < row.length; i++)
            {
                final String cell = row[i];
                final String pad = " ".repeat(widths[i] - cell.length());
                out.append(' ').append(0 == i ? cell + pad : pad + cell).append(" |");
            }
            out.append('\n');
            if (0 == r)
            {
                out.append('|');
                for (int i = 0; i < row.length; i++)
                {
                    out.append(0 == i ? ":" : "-").append("-".repeat(widths[i])).append(0 == i ? "-|" : ":|");
                }
                out.append('\n');
            }
        }
    }

    /**
     * Write the text table, both CSV files and the HTML page.
     *
     * @param directory output directory, created if missing.
     * @throws IOException if a file cannot be written.
     */
    void write(final Path directory) throws IOException
    {
        Files.createDirectories(directory);
        Files.writeString(directory.resolve(TEXT_FILE), table());
        Files.writeString(directory.resolve(REPS_CSV_FILE), repsCsv());
        Files.writeString(directory.resolve(SUMMARY_CSV_FILE), summaryCsv());
        Files.writeString(directory.resolve(HTML_FILE), html());
    }

    /**
     * @return every repetition, one CSV row each.
     */
    String repsCsv()
    {
        final StringBuilder csv = new StringBuilder("phase,round,order,system,size_bytes,count,p50_ns,p90_ns,p99_ns," +
            "p99_9_ns,p99_99_ns,max_ns,mean_ns,floor_p50_ns,floor_p99_ns,ratio_floor_p50,ratio_floor_p99," +
            "msgs_per_s,mb_per_s,helper_cpu_child_pct,helper_cpu_parent_pct,failed_offers,rate_msgs_per_s,pinned\n");
        final String pinned = info.getOrDefault("pinned", "?").startsWith("yes") ? "yes" : "no";
        for (final RepResult rep : reps)
        {
            final boolean paired = rep.floorP50Ns() > 0;
            csv.append(String.join(",", rep.phase(), String.valueOf(rep.round()), String.valueOf(rep.order()),
                rep.system(), String.valueOf(rep.length()), String.valueOf(rep.count()), String.valueOf(rep.p50Ns()),
                String.valueOf(rep.p90Ns()), String.valueOf(rep.p99Ns()), String.valueOf(rep.p999Ns()),
                String.valueOf(rep.p9999Ns()), String.valueOf(rep.maxNs()), fixed(rep.meanNs(), 1),
                String.valueOf(rep.floorP50Ns()), String.valueOf(rep.floorP99Ns()),
                paired ? fixed(rep.ratioToFloorP50(), 3) : "", paired ? fixed(rep.ratioToFloorP99(), 3) : "",
                fixed(rep.msgsPerSec(), 0), fixed(rep.megabytesPerSec(), 1), fixed(rep.helperCpuChildPct(), 2),
                fixed(rep.helperCpuParentPct(), 2), String.valueOf(rep.failedOffers()),
                String.valueOf(options.rate), pinned)).append('\n');
        }
        return csv.toString();
    }

    /**
     * @return the summary rows as CSV.
     */
    String summaryCsv()
    {
        final StringBuilder csv = new StringBuilder("phase,system,size_bytes,reps,count,p50_ns,p90_ns,p99_ns," +
            "p99_9_ns,p99_99_ns,max_ns,x_floor_p50,x_floor_p99,x_conduit_p50,x_conduit_p99,msgs_per_s,mb_per_s," +
            "x_conduit_throughput,failed_offers_per_msg,helper_cpu_pct\n");
        for (final LatencyRow row : latencyRows)
        {
            csv.append(String.join(",", FloorEndpoint.NAME.equals(row.system()) ? RepResult.FLOOR :
                RepResult.PING_PONG, row.system(), String.valueOf(row.length()), String.valueOf(row.reps()),
                String.valueOf(row.count()), String.valueOf(row.p50Ns()), String.valueOf(row.p90Ns()),
                String.valueOf(row.p99Ns()), String.valueOf(row.p999Ns()), String.valueOf(row.p9999Ns()),
                String.valueOf(row.maxNs()), fixed(row.floorP50(), 3), fixed(row.floorP99(), 3),
                fixed(row.conduitP50(), 3), fixed(row.conduitP99(), 3), "", "", "", "",
                fixed(row.helperCpuPct(), 2))).append('\n');
        }
        for (final ThroughputRow row : throughputRows)
        {
            csv.append(String.join(",", RepResult.THROUGHPUT, row.system(), String.valueOf(row.length()),
                String.valueOf(row.reps()), String.valueOf(row.count()), "", "", "", "", "", "", "", "", "", "",
                fixed(row.msgsPerSec(), 0), fixed(row.megabytesPerSec(), 1), fixed(row.conduit(), 3),
                fixed(row.failedOffersPerMsg(), 3), fixed(row.helperCpuPct(), 2))).append('\n');
        }
        return csv.toString();
    }

    private static String fixed(final double value, final int decimals)
    {
        return Double.isNaN(value) || Double.isInfinite(value) ? "" :
            String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /**
     * @return a self-contained HTML page: run facts, both tables, and the percentile plot as inline SVG; no script.
     */
    String html()
    {
        final StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .append("<title>Conduit harness</title>\n<style>")
            .append("body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}")
            .append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child")
            .append("{text-align:left}th{background:#f3f3f3}dt{font-weight:bold;float:left;width:11em}")
            .append("dd{margin-left:12em}p.note{max-width:60em}</style></head><body>\n")
            .append("<h1>Conduit cross-process harness</h1>\n<dl>\n");
        for (final Map.Entry<String, String> entry : info.entrySet())
        {
            html.append("<dt>").append(escape(entry.getKey())).append("</dt><dd>").append(escape(entry.getValue()))
                .append("</dd>\n");
        }
        html.append("</dl>\n<p class=\"note\">Absolute figures on a shared VM swing by up to 3x within minutes; ")
            .append("only the paired ratios (x floor, x conduit) compare systems. The floor is two processes ")
            .append("ping-ponging one shared cache line.</p>\n")
            .append("<h2>Latency by percentile, ").append(plotLength).append(" B round trips</h2>\n")
            .append(svgPlot()).append('\n')
            .append("<h2>Round trips</h2>\n<table><tr><th>system</th><th>size B</th><th>reps</th><th>p50 ns</th>")
            .append("<th>p90 ns</th><th>p99 ns</th><th>p99.9 ns</th><th>p99.99 ns</th><th>max ns</th>")
            .append("<th>x floor p50</th><th>x floor p99</th><th>x conduit p50</th><th>x conduit p99</th>")
            .append("<th>helper CPU%</th></tr>\n");
        for (final LatencyRow row : latencyRows)
        {
            html.append("<tr><td>").append(escape(row.system())).append("</td><td>").append(row.length())
                .append("</td><td>").append(row.reps()).append("</td><td>").append(row.p50Ns()).append("</td><td>")
                .append(row.p90Ns()).append("</td><td>").append(row.p99Ns()).append("</td><td>")
                .append(row.p999Ns()).append("</td><td>").append(row.p9999Ns()).append("</td><td>")
                .append(row.maxNs()).append("</td><td>").append(ratio(row.floorP50())).append("</td><td>")
                .append(ratio(row.floorP99())).append("</td><td>").append(ratio(row.conduitP50()))
                .append("</td><td>").append(ratio(row.conduitP99())).append("</td><td>")
                .append(String.format(Locale.ROOT, "%.1f", row.helperCpuPct())).append("</td></tr>\n");
        }
        html.append("</table>\n");
        if (!targets.isEmpty())
        {
            html.append("<h2>Targets (issue 5, waiting strategies)</h2>\n<p class=\"note\">ratio, which the ")
                .append("verdict is on: between two systems the ratio of their medians over reps (ns), against the ")
                .append("floor the median over reps of rep / paired floor rep; via floor: the same comparison as the ")
                .append("ratio of the two systems' x floor; spread: lowest and highest ratio within one round (per ")
                .append("rep for the floor); INCOMPLETE: a side failed, or has fewer reps than the other or than ")
                .append("the rounds (title: why).</p>\n<table><tr><th>target</th><th>size B</th><th>ratio</th>")
                .append("<th>limit</th><th>verdict</th><th>via floor</th><th>spread</th><th>pairs</th></tr>\n");
            for (final WaitingTargets.Target target : targets)
            {
                html.append("<tr><td>").append(escape(target.name())).append("</td><td>").append(target.length())
                    .append("</td><td>").append(targetRatio(target.ratio())).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.2f", target.limit())).append("</td><td title=\"")
                    .append(escape(target.incomplete())).append("\">").append(target.verdict()).append("</td><td>")
                    .append(targetRatio(target.viaFloor())).append("</td><td>").append(spread(target))
                    .append("</td><td>").append(target.samples()).append("</td></tr>\n");
            }
            html.append("</table>\n");
        }
        if (!throughputRows.isEmpty())
        {
            html.append("<h2>One-way throughput</h2>\n<table><tr><th>system</th><th>size B</th><th>reps</th>")
                .append("<th>msgs/s</th><th>MB/s</th><th>x conduit</th><th>failed offers/msg</th>")
                .append("<th>helper CPU%</th></tr>\n");
            for (final ThroughputRow row : throughputRows)
            {
                html.append("<tr><td>").append(escape(row.system())).append("</td><td>").append(row.length())
                    .append("</td><td>").append(row.reps()).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%,.0f", row.msgsPerSec())).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%,.0f", row.megabytesPerSec())).append("</td><td>")
                    .append(ratio(row.conduit())).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.2f", row.failedOffersPerMsg())).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.1f", row.helperCpuPct())).append("</td></tr>\n");
            }
            html.append("</table>\n");
        }
        if (!failures.isEmpty())
        {
            html.append("<h2>Left out after failing</h2>\n<ul>\n");
            for (final Map.Entry<String, String> entry : failures.entrySet())
            {
                html.append("<li><b>").append(escape(entry.getKey())).append("</b>: ")
                    .append(escape(entry.getValue())).append("</li>\n");
            }
            html.append("</ul>\n");
        }
        html.append("<p class=\"note\">Every repetition's figures: <code>").append(REPS_CSV_FILE)
            .append("</code>; the summary: <code>").append(SUMMARY_CSV_FILE).append("</code>.</p>\n")
            .append("</body></html>\n");
        return html.toString();
    }

    /**
     * @return an SVG plot: x the percentile on a log scale of 1 / (1 - p) from p50 to p99.99, y round-trip ns on a
     * log scale, one line per system at the plotted size, merged over reps.
     */
    String svgPlot()
    {
        final int width = 960;
        final int height = 540;
        final int left = 80;
        final int right = 190;
        final int top = 20;
        final int bottom = 60;
        final double xMin = Math.log10(2);
        final double xMax = 4;
        final int points = 80;

        final Map<String, long[]> lines = new LinkedHashMap<>();
        long lowest = Long.MAX_VALUE;
        long highest = 1;
        for (final String system : plotOrder())
        {
            final Histogram histogram = plotHistograms.get(system);
            final long[] values = new long[points + 1];
            for (int i = 0; i <= points; i++)
            {
                final double x = xMin + (xMax - xMin) * i / points;
                values[i] = Math.max(1, histogram.getValueAtPercentile(100 * (1 - Math.pow(10, -x))));
                lowest = Math.min(lowest, values[i]);
                highest = Math.max(highest, values[i]);
            }
            lines.put(system, values);
        }
        final StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
            .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
            .append("\" font-family=\"sans-serif\" font-size=\"12\">\n")
            .append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        if (lines.isEmpty())
        {
            return svg.append("<text x=\"20\" y=\"40\">no round trips recorded</text></svg>").toString();
        }
        final double yMin = Math.floor(Math.log10(lowest));
        final double yMax = Math.max(yMin + 1, Math.ceil(Math.log10(highest)));
        final double plotWidth = width - left - right;
        final double plotHeight = height - top - bottom;

        for (final double p : new double[]{50, 90, 99, 99.9, 99.99})
        {
            final double x = left + plotWidth * (Math.log10(1 / (1 - p / 100)) - xMin) / (xMax - xMin);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" " +
                "stroke=\"#ddd\"/>%n", x, top, x, top + plotHeight));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">p%s</text>%n",
                x, top + plotHeight + 18, 50 == p || 90 == p || 99 == p ? String.valueOf((int)p) : String.valueOf(p)));
        }
        for (int decade = (int)yMin; decade <= (int)yMax; decade++)
        {
            for (final int step : new int[]{1, 2, 5})
            {
                final double value = Math.log10(step) + decade;
                if (value > yMax)
                {
                    continue;
                }
                final double y = top + plotHeight * (1 - (value - yMin) / (yMax - yMin));
                svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" " +
                    "stroke=\"%s\"/>%n", left, y, left + plotWidth, y, 1 == step ? "#bbb" : "#eee"));
                svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    left - 6, y + 4, nanos(step * Math.pow(10, decade))));
            }
        }
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" " +
            "fill=\"none\" stroke=\"#444\"/>%n", left, top, plotWidth, plotHeight));
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">percentile " +
            "(log scale of 1/(1-p))</text>%n", left + plotWidth / 2, height - 15));
        svg.append(String.format(Locale.ROOT, "<text transform=\"translate(18,%.1f) rotate(-90)\" " +
            "text-anchor=\"middle\">round trip (log scale)</text>%n", top + plotHeight / 2));

        int index = 0;
        for (final Map.Entry<String, long[]> line : lines.entrySet())
        {
            final String colour = FloorEndpoint.NAME.equals(line.getKey()) ? "#000" : COLOURS[index % COLOURS.length];
            final StringBuilder path = new StringBuilder();
            final long[] values = line.getValue();
            for (int i = 0; i < values.length; i++)
            {
                final double x = left + plotWidth * i / points;
                final double y = top + plotHeight * (1 - (Math.log10(values[i]) - yMin) / (yMax - yMin));
                path.append(0 == i ? "M" : " L").append(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
            }
            svg.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"").append(colour)
                .append("\" stroke-width=\"2\"").append(FloorEndpoint.NAME.equals(line.getKey()) ?
                " stroke-dasharray=\"6,4\"" : "").append("/>\n");
            final double legendY = top + 14 + 18 * index;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" " +
                "stroke=\"%s\" stroke-width=\"3\"%s/>%n", left + plotWidth + 12, legendY - 4, left + plotWidth + 36,
                legendY - 4, colour, FloorEndpoint.NAME.equals(line.getKey()) ? " stroke-dasharray=\"6,4\"" : ""));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\">%s</text>%n",
                left + plotWidth + 42, legendY, escape(line.getKey())));
            index++;
        }
        return svg.append("</svg>").toString();
    }

    private List<String> plotOrder()
    {
        final List<String> order = new ArrayList<>();
        for (final String system : options.systems)
        {
            if (plotHistograms.containsKey(system) && plotHistograms.get(system).getTotalCount() > 0)
            {
                order.add(system);
            }
        }
        if (plotHistograms.containsKey(FloorEndpoint.NAME))
        {
            order.add(FloorEndpoint.NAME);
        }
        return order;
    }

    private static String nanos(final double ns)
    {
        if (ns >= 1e9)
        {
            return trim(ns / 1e9) + " s";
        }
        if (ns >= 1e6)
        {
            return trim(ns / 1e6) + " ms";
        }
        if (ns >= 1e3)
        {
            return trim(ns / 1e3) + " µs";
        }
        return trim(ns) + " ns";
    }

    private static String trim(final double value)
    {
        return value == Math.rint(value) ? String.valueOf((long)value) : String.valueOf(value);
    }

    private static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
