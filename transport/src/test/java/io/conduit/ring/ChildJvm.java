package io.conduit.ring;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A child JVM running one of the test mains, with its stdout and stderr redirected to files: stdout is read back line
 * by line, and both are shown by {@link #diagnostics()} in assertion messages.
 * <p>
 * Stdout goes to a file rather than a pipe because {@link Process} loses the tail of a pipe when the child dies: its
 * reaper thread closes the stream under a reader ("Stream closed"), and the lines a killed consumer printed last are
 * exactly the ones these tests need.
 * <p>
 * Threading: one test thread.
 */
final class ChildJvm implements AutoCloseable
{
    private static final int DIAGNOSTIC_LINES = 20;
    private static final long POLL_MS = 5;

    private final String label;
    private final Process process;
    private final Path stdoutFile;
    private final Path stderrFile;
    private final List<String> lines = new ArrayList<>();
    private final StringBuilder partialLine = new StringBuilder();
    private long stdoutOffset;

    private ChildJvm(final String label, final Process process, final Path stdoutFile, final Path stderrFile)
    {
        this.label = label;
        this.process = process;
        this.stdoutFile = stdoutFile;
        this.stderrFile = stderrFile;
    }

    /**
     * Launch {@code mainClass} in a new JVM with the test class path.
     *
     * @param logDir where the child's stdout and stderr files go.
     * @param label name for messages and the files.
     * @param mainClass class with a {@code main}.
     * @param args its arguments.
     * @return the running child.
     */
    static ChildJvm start(final Path logDir, final String label, final Class<?> mainClass, final String... args)
        throws IOException
    {
        return start(logDir, label, List.of(), mainClass, args);
    }

    /**
     * Launch {@code mainClass} in a new JVM with the test class path and extra JVM options.
     *
     * @param logDir where the child's stdout and stderr files go.
     * @param label name for messages and the files.
     * @param jvmOptions options put before the class path, such as {@code -Dkey=value}.
     * @param mainClass class with a {@code main}.
     * @param args its arguments.
     * @return the running child.
     */
    static ChildJvm start(
        final Path logDir, final String label, final List<String> jvmOptions, final Class<?> mainClass,
        final String... args)
        throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-exports");
        command.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:-UsePerfData");
        command.add("-Xmx128m");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        final Path stdoutFile = logDir.resolve(label + ".stdout");
        final Path stderrFile = logDir.resolve(label + ".stderr");
        final Process process = new ProcessBuilder(command)
            .redirectOutput(stdoutFile.toFile())
            .redirectError(stderrFile.toFile())
            .start();
        return new ChildJvm(label, process, stdoutFile, stderrFile);
    }

    long pid()
    {
        return process.pid();
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * Wait for a line of stdout that matches.
     *
     * @param matcher what to wait for.
     * @param timeoutMs how long.
     * @return the first matching line.
     */
    String awaitLine(final Predicate<String> matcher, final long timeoutMs) throws InterruptedException
    {
        final long deadlineMs = System.currentTimeMillis() + timeoutMs;
        int checked = 0;
        while (true)
        {
            final boolean exited = !process.isAlive();
            readStdout();
            for (; checked < lines.size(); checked++)
            {
                if (matcher.test(lines.get(checked)))
                {
                    return lines.get(checked);
                }
            }
            if (exited || System.currentTimeMillis() > deadlineMs)
            {
                return fail("no matching line within " + timeoutMs + " ms; " + diagnostics());
            }
            Thread.sleep(POLL_MS);
        }
    }

    /**
     * @return every whole line of stdout written so far.
     */
    List<String> lines()
    {
        readStdout();
        return new ArrayList<>(lines);
    }

    /**
     * Wait for the child to exit by itself.
     *
     * @param timeoutMs how long.
     * @return its exit code.
     */
    int awaitExit(final long timeoutMs) throws InterruptedException
    {
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS))
        {
            fail("did not exit within " + timeoutMs + " ms; " + diagnostics());
        }
        return process.exitValue();
    }

    /**
     * SIGKILL the child and wait until it is reaped, so that its pid is known dead.
     */
    void kill() throws InterruptedException
    {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS))
        {
            fail("did not die within 10 s of SIGKILL; " + diagnostics());
        }
    }

    /**
     * Fail if the child has exited with a non-zero code.
     */
    void checkNotFailed()
    {
        if (!process.isAlive() && 0 != process.exitValue())
        {
            fail("exited with " + process.exitValue() + "; " + diagnostics());
        }
    }

    /**
     * @return label, pid, state, the last lines of stdout and the whole of stderr.
     */
    String diagnostics()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("child ").append(label).append(" pid=").append(process.pid());
        sb.append(process.isAlive() ? " alive" : " exit=" + process.exitValue());
        final List<String> snapshot = lines();
        sb.append("\n  stdout (last ").append(Math.min(DIAGNOSTIC_LINES, snapshot.size())).append(" of ")
            .append(snapshot.size()).append(" lines):");
        for (int i = Math.max(0, snapshot.size() - DIAGNOSTIC_LINES); i < snapshot.size(); i++)
        {
            sb.append("\n    ").append(snapshot.get(i));
        }
        sb.append("\n  stderr (").append(stderrFile).append("):\n");
        try
        {
            sb.append(Files.readString(stderrFile));
        }
        catch (final IOException ex)
        {
            sb.append("    unreadable: ").append(ex);
        }
        return sb.toString();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void close()
    {
        process.destroyForcibly();
        try
        {
            process.waitFor(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void readStdout()
    {
        try (RandomAccessFile file = new RandomAccessFile(stdoutFile.toFile(), "r"))
        {
            final long length = file.length();
            if (length <= stdoutOffset)
            {
                return;
            }
            final byte[] bytes = new byte[(int)(length - stdoutOffset)];
            file.seek(stdoutOffset);
            file.readFully(bytes);
            stdoutOffset = length;
            partialLine.append(new String(bytes, StandardCharsets.UTF_8));
            int start = 0;
            for (int end; -1 != (end = partialLine.indexOf("\n", start)); start = end + 1)
            {
                lines.add(partialLine.substring(start, end));
            }
            partialLine.delete(0, start);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read " + stdoutFile, ex);
        }
    }
}
