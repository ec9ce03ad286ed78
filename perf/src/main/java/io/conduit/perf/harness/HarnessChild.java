package io.conduit.perf.harness;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/**
 * The child process of the harness: the echo side of every ping-pong, the producer of every throughput run. It
 * serves one repetition at a time, as the parent tells it over stdin; it answers on stdout, which carries nothing
 * else (anything a library prints goes to stderr).
 * <p>
 * Protocol, one line each way per step:
 * <pre>
 *  parent: OP system length total timeoutMs token      OP is PING (echo), FLOOR (echo) or PRODUCE
 *  child:  READY token                                 after Endpoint.open
 *  parent: GO                                          PRODUCE only: once connected, as its clock starts
 *  child:  DONE helperCpuNs wallNs failedOffers         after the echo or produce loop
 *  parent: CLOSE
 *  child:  CLOSED                                      after Endpoint.close
 *  parent: EXIT
 * </pre>
 * A token (a directory or a socket's path, a port, or {@code -}) is the last field and runs to the end of its line,
 * spaces and all: a path may hold spaces. A producer waits for {@code GO} so that it starts when the parent's clock
 * does: a ring filled before the parent polls would otherwise be read, untimed, at the speed of a read alone.
 * <p>
 * The idle mode uses the same steps with its own first and last lines; the child waits on its main thread:
 * <pre>
 *  parent: IDLE mode settleMs windowMs directory          mode is an IdleMode label; the directory runs to the end
 *  child:  READY -                                         at once; the file is opened in the settling time
 *  child:  DONE threadCpuNs processCpuNs wallNs            over the window; -1 where a clock is unavailable
 * </pre>
 * On any failure the child prints {@code ERROR message} and exits, so a parent spinning on it notices.
 */
public final class HarnessChild
{
    /** The parent's word to a producer to start. */
    static final String GO = "GO";

    /** Fields of a repetition's command, the token last. */
    private static final int REP_FIELDS = 6;
    /** Fields of an idle command, the directory last. */
    private static final int IDLE_FIELDS = 5;

    private HarnessChild()
    {
    }

    /**
     * @param args none.
     * @throws Exception if stdin cannot be read.
     */
    public static void main(final String[] args) throws Exception
    {
        final PrintStream control = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
        System.setOut(System.err);
        final ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        control.println("HELLO " + HarnessJvm.cpusAllowed() + " " + Runtime.version());
        String line;
        while (null != (line = in.readLine()))
        {
            // limited, so the last field keeps its spaces
            final String[] fields = line.split(" ", line.startsWith("IDLE ") ? IDLE_FIELDS : REP_FIELDS);
            if ("EXIT".equals(fields[0]))
            {
                break;
            }
            try
            {
                serve(fields, in, control, parent);
            }
            catch (final Throwable ex)
            {
                ex.printStackTrace();
                control.println("ERROR " + Harness.oneLine(ex));
                System.exit(2);
            }
        }
        System.exit(0);
    }

    private static void serve(
        final String[] fields, final BufferedReader in, final PrintStream control, final ProcessHandle parent)
        throws Exception
    {
        if ("IDLE".equals(fields[0]))
        {
            serveIdle(fields, in, control);
            return;
        }
        if (REP_FIELDS != fields.length)
        {
            throw new IllegalArgumentException("bad command: " + String.join(" ", fields));
        }
        final String op = fields[0];
        final String system = fields[1];
        final int length = Integer.parseInt(fields[2]);
        final int total = Integer.parseInt(fields[3]);
        final long timeoutNs = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(fields[4]));
        final String token = fields[5];

        final long[] baseline = ThreadCpu.threadIds();
        try (Endpoint endpoint = Systems.create(system))
        {
            final Watchdog watchdog = new Watchdog(timeoutNs, parent, op + " " + system + " in the child");
            control.println("READY " + endpoint.open(token, length));
            endpoint.connectChild(watchdog);
            if ("PRODUCE".equals(op))
            {
                awaitGo(in);
            }
            final long startCpuNs = ThreadCpu.helperCpuNs(baseline);
            final long startNs = System.nanoTime();
            long failedOffers = 0;
            switch (op)
            {
                case "PING":
                case "FLOOR":
                    endpoint.echo(total, watchdog);
                    break;
                case "PRODUCE":
                    failedOffers = endpoint.produce(total, watchdog);
                    break;
                default:
                    throw new IllegalArgumentException("bad op: " + op);
            }
            final long wallNs = System.nanoTime() - startNs;
            final long cpuNs = ThreadCpu.helperCpuNs(baseline) - startCpuNs;
            control.println("DONE " + cpuNs + " " + wallNs + " " + failedOffers);
            final String close = in.readLine();
            if (!"CLOSE".equals(close))
            {
                throw new IllegalStateException("expected CLOSE, got: " + close);
            }
        }
        control.println("CLOSED");
    }

    private static void awaitGo(final BufferedReader in) throws IOException
    {
        final String go = in.readLine();
        if (!GO.equals(go))
        {
            throw new IllegalStateException("expected " + GO + ", got: " + go);
        }
    }

    private static void serveIdle(final String[] fields, final BufferedReader in, final PrintStream control)
        throws Exception
    {
        if (IDLE_FIELDS != fields.length)
        {
            throw new IllegalArgumentException("bad command: " + String.join(" ", fields));
        }
        final IdleMode mode = IdleMode.of(fields[1]);
        final long settleNs = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(fields[2]));
        final long windowNs = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(fields[3]));
        control.println("READY " + Endpoint.NONE);
        final long[] elapsed = mode.measure(Paths.get(fields[4]), settleNs, windowNs);
        control.println("DONE " + elapsed[IdleMode.THREAD_CPU] + " " + elapsed[IdleMode.PROCESS_CPU] + " " +
            elapsed[IdleMode.WALL]);
        final String close = in.readLine();
        if (!"CLOSE".equals(close))
        {
            throw new IllegalStateException("expected CLOSE, got: " + close);
        }
        control.println("CLOSED");
    }
}
