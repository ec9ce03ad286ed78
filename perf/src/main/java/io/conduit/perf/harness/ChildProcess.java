package io.conduit.perf.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The parent's handle on a {@link HarnessChild}: starts it (pinned where possible), sends it commands, and waits
 * for its answers with a timeout. Its stdout is read by a daemon thread started before any repetition, so that
 * thread never counts as a helper thread of a system.
 * <p>
 * Threading: one thread, apart from the internal reader.
 */
final class ChildProcess implements AutoCloseable
{
    private static final String EOF = "\u0000EOF";

    private final Process process;
    private final PrintStream commands;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final String hello;

    /**
     * @param cpu core to pin to, or -1.
     * @throws IOException if the child cannot start or does not say hello.
     */
    ChildProcess(final int cpu) throws IOException
    {
        process = new ProcessBuilder(HarnessJvm.command(cpu, HarnessChild.class.getName(), List.of(), List.of()))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
        commands = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        final Thread reader = new Thread(this::readLines, "harness-child-reader");
        reader.setDaemon(true);
        reader.start();
        try
        {
            hello = expect("HELLO", TimeUnit.SECONDS.toMillis(60));
        }
        catch (final IOException | RuntimeException ex)
        {
            // no caller holds this object yet to close it: a child hung at start-up would outlive the harness
            process.destroyForcibly();
            throw ex;
        }
    }

    private void readLines()
    {
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = reader.readLine()))
            {
                lines.add(line);
            }
        }
        catch (final IOException ex)
        {
            // the child is gone: reported as EOF below
        }
        lines.add(EOF);
    }

    /**
     * @return what the child said first: its allowed cores and its JVM version.
     */
    String hello()
    {
        return hello;
    }

    /**
     * @return the child's process handle, for watchdogs.
     */
    ProcessHandle handle()
    {
        return process.toHandle();
    }

    /**
     * @param command one line to the child.
     */
    void send(final String command)
    {
        commands.println(command);
    }

    /**
     * Wait for the child's next line, which must start with {@code keyword}.
     *
     * @param keyword expected first word.
     * @param timeoutMs how long to wait.
     * @return the rest of the line after the keyword and a space, or empty.
     * @throws IOException if the child fails, says something else, exits or is silent past the timeout.
     */
    String expect(final String keyword, final long timeoutMs) throws IOException
    {
        final String line;
        try
        {
            line = lines.poll(timeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the child's " + keyword, ex);
        }
        if (null == line)
        {
            throw new IOException("child silent for " + timeoutMs + " ms, expected " + keyword);
        }
        if (EOF.equals(line))
        {
            lines.add(EOF);
            throw new IOException("child exited (" + exitCode() + "), expected " + keyword);
        }
        if (line.startsWith("ERROR"))
        {
            throw new IOException("child: " + line.substring(Math.min(line.length(), 6)));
        }
        if (!line.startsWith(keyword))
        {
            throw new IOException("child said '" + line + "', expected " + keyword);
        }
        return line.length() > keyword.length() ? line.substring(keyword.length() + 1) : "";
    }

    private String exitCode()
    {
        try
        {
            return process.waitFor(1, TimeUnit.SECONDS) ? "exit code " + process.exitValue() : "still running";
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    /**
     * Kill the child at once and wait for it to go.
     */
    void kill()
    {
        process.destroyForcibly();
        try
        {
            process.waitFor(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Ask the child to exit; kill it if it has not within a few seconds.
     */
    @Override
    public void close()
    {
        if (process.isAlive())
        {
            send("EXIT");
            try
            {
                if (!process.waitFor(5, TimeUnit.SECONDS))
                {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
            catch (final InterruptedException ex)
            {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
